//===- LayerSpec.cpp - Layer descriptors from field names -----------------===//

#include "flydel/Model/LayerSpec.h"
#include "flydel/Model/TextParse.h"

#include <limits>
#include <string>

namespace flydel {

const std::vector<LayerField> &layerFields() noexcept {
  static const std::vector<LayerField> fields = {
      {"batch", {&Layer::batch}},          {"in_hw", {&Layer::in_h, &Layer::in_w}},
      {"in_h", {&Layer::in_h}},            {"in_w", {&Layer::in_w}},
      {"c_in", {&Layer::c_in}},            {"c_out", {&Layer::c_out}},
      {"kernel", {&Layer::kernel_h, &Layer::kernel_w}},
      {"kernel_h", {&Layer::kernel_h}},    {"kernel_w", {&Layer::kernel_w}},
      {"stride", {&Layer::stride_h, &Layer::stride_w}},
      {"stride_h", {&Layer::stride_h}},    {"stride_w", {&Layer::stride_w}},
      {"pad", {&Layer::pad_h, &Layer::pad_w}},
      {"pad_h", {&Layer::pad_h}},          {"pad_w", {&Layer::pad_w}},
      {"dilation", {&Layer::dilation_h, &Layer::dilation_w}},
      {"dilation_h", {&Layer::dilation_h}}, {"dilation_w", {&Layer::dilation_w}},
      {"groups", {&Layer::groups}},        {"pe", {&Layer::pe}},
      {"simd", {&Layer::simd}}};
  return fields;
}

const LayerField *findLayerField(std::string_view name) noexcept {
  for (const LayerField &field : layerFields())
    if (name == field.name)
      return &field;
  return nullptr;
}

Expected<bool> setLayerField(Layer &layer, std::string_view key, std::string_view value) {
  std::string text(value);
  if (key == "op") {
    if (!parseOpKind(text, layer.op))
      return makeError("unknown op kind '" + text + "'");
    return true;
  }
  if (key == "dtype") {
    if (!parseDType(text, layer.dtype))
      return makeError("unknown data type '" + text + "'");
    return true;
  }
  const LayerField *field = findLayerField(key);
  if (!field)
    return makeError("unknown layer field '" + std::string(key) + "'");
  int64_t v = 0;
  if (!parseStrictInteger(text, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), v))
    return makeError("field '" + std::string(key) + "': '" + text + "' is not a 64-bit integer");
  field->set(layer, v);
  return true;
}

Expected<Layer> parseLayerSpec(std::string_view spec) {
  Layer layer;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t end = spec.find(',', start);
    if (end == std::string_view::npos)
      end = spec.size();
    std::string_view item = spec.substr(start, end - start);
    start = end + 1;
    if (item.empty())
      continue;
    size_t eq = item.find('=');
    if (eq == std::string_view::npos)
      return makeError("'" + std::string(item) + "' is not field=value");
    if (auto set = setLayerField(layer, item.substr(0, eq), item.substr(eq + 1)); !set)
      return makeError(set.error());
  }
  if (std::string problem = layer.check(); !problem.empty())
    return makeError("invalid layer '" + std::string(spec) + "': " + problem);
  return layer;
}

} // namespace flydel
