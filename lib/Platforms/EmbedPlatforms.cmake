# cmake -DOUTPUT=... -DPLATFORM_DIR=... -DNAMES="a;b" -P EmbedPlatforms.cmake
# Writes one {name, json} entry per platform. The JSON goes in as a raw string literal; a library that contains
# the delimiter is rejected rather than miscompiled.
set(delim "flydel_json")
set(content "// Generated from ${PLATFORM_DIR} by EmbedPlatforms.cmake; do not edit.\n")
foreach(name ${NAMES})
  file(READ ${PLATFORM_DIR}/${name}.json json)
  string(FIND "${json}" ")${delim}\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${name}.json contains the raw-string delimiter )${delim}\"")
  endif()
  string(APPEND content "{\"${name}\", R\"${delim}(${json})${delim}\"},\n")
endforeach()
file(WRITE ${OUTPUT}.tmp "${content}")
file(RENAME ${OUTPUT}.tmp ${OUTPUT})
