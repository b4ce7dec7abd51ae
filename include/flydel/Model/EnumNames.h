//===- EnumNames.h - Parsing an enumeration back from its names -*- C++ -*-===//
//
// Every enumeration of flydel has a name function (opKindName, structureName, ...); its parser is that table read
// backwards. MLIR-free.
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_MODEL_ENUMNAMES_H
#define FLYDEL_MODEL_ENUMNAMES_H

#include <initializer_list>
#include <string_view>

namespace flydel {

/// Sets `out` to the value among `values` whose name(value) is `text`; false (out unchanged) when none is.
template <typename Enum, typename NameFn>
bool parseByName(std::string_view text, std::initializer_list<Enum> values, NameFn name, Enum &out) {
  for (Enum value : values)
    if (text == name(value)) {
      out = value;
      return true;
    }
  return false;
}

} // namespace flydel

#endif // FLYDEL_MODEL_ENUMNAMES_H
