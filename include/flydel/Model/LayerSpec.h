//===- LayerSpec.h - Layer descriptors from field names ---------*- C++ -*-===//
//
// The layer descriptor as users write it: "op=conv2d,in_hw=56,c_in=64,c_out=64,kernel=3" (flydel-identify --layer),
// a Python dict or the columns of a numpy structured array (the Python package). One field table serves all of
// them, so a field means the same thing everywhere. MLIR-free.
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_MODEL_LAYERSPEC_H
#define FLYDEL_MODEL_LAYERSPEC_H

#include "flydel/Model/Expected.h"
#include "flydel/Model/Layer.h"

#include <cstdint>
#include <string_view>
#include <vector>

namespace flydel {

/// An integer field of the descriptor and the members it sets: "in_hw" sets in_h and in_w, "kernel" kernel_h and
/// kernel_w, and so on ("op" and "dtype" are not integers: parseOpKind, parseDType).
struct LayerField {
  const char *name;
  std::vector<int64_t Layer::*> members;
  void set(Layer &layer, int64_t value) const {
    for (int64_t Layer::*member : members)
      layer.*member = value;
  }
};

/// The integer field of that name, or null.
const LayerField *findLayerField(std::string_view name) noexcept;
/// Every integer field, in the order the usage text lists them.
const std::vector<LayerField> &layerFields() noexcept;

/// Sets one field of `layer` from its text value ("op", "dtype" or an integer field); an error names the field.
Expected<bool> setLayerField(Layer &layer, std::string_view key, std::string_view value);

/// A layer from "field=value,field=value" (unspecified fields keep their defaults), checked with Layer::check().
Expected<Layer> parseLayerSpec(std::string_view spec);

} // namespace flydel

#endif // FLYDEL_MODEL_LAYERSPEC_H
