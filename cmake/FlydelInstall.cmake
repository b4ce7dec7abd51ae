# flydel_install_library(target): installs a library into the FlydelTargets export set, so that other
# projects reach it with find_package(Flydel) as Flydel::<target>. Headers are installed once, by cmake/.
function(flydel_install_library target)
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
    $<INSTALL_INTERFACE:include>)
  install(TARGETS ${target} EXPORT FlydelTargets
    ARCHIVE DESTINATION lib
    LIBRARY DESTINATION lib
    RUNTIME DESTINATION bin)
endfunction()
