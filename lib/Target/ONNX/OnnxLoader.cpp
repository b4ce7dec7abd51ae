//===- OnnxLoader.cpp - parse, check and shape-infer an ONNX model --------===//

#include "OnnxLoader.h"

#include "onnx/checker.h"
#include "onnx/onnx_pb.h"
#include "onnx/shape_inference/implementation.h"

#include <exception>
#include <limits>
#include <set>

using namespace mlir::flydel;

namespace {
std::string dimsToString(const onnx::TensorShapeProto &shape) {
  std::string s;
  for (int i = 0; i < shape.dim_size(); ++i) {
    if (i)
      s += "x";
    const auto &d = shape.dim(i);
    s += d.has_dim_value() ? std::to_string(d.dim_value()) : (d.has_dim_param() ? d.dim_param() : "?");
  }
  return s;
}
} // namespace

std::string detail::loadOnnxModel(llvm::StringRef bytes,
                                  const llvm::StringMap<llvm::SmallVector<int64_t, 4>> &inputShapes,
                                  onnx::ModelProto &model) {
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
    return "model file too large for protobuf (2 GiB limit)";
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return "not a valid ONNX model (protobuf parse failed: truncated or corrupt file?)";
  if (!model.has_graph())
    return "not a valid ONNX model (no graph)";

  try {
    onnx::checker::check_model(model);
  } catch (const std::exception &e) {
    return std::string("ONNX checker rejected the model: ") + e.what();
  }

  onnx::GraphProto *graph = model.mutable_graph();
  std::set<std::string> initializers;
  for (const auto &init : graph->initializer())
    initializers.insert(init.name());

  std::set<std::string> inputNames;
  for (const auto &input : graph->input())
    if (!initializers.count(input.name()))
      inputNames.insert(input.name());
  for (const auto &entry : inputShapes)
    if (!inputNames.count(entry.getKey().str()))
      return "--input-shape names '" + entry.getKey().str() + "', which is not a graph input";

  for (auto &input : *graph->mutable_input()) {
    if (initializers.count(input.name()))
      continue;
    if (!input.type().has_tensor_type() || !input.type().tensor_type().has_shape())
      return "graph input '" + input.name() + "' has no tensor shape";
    onnx::TensorShapeProto *shape = input.mutable_type()->mutable_tensor_type()->mutable_shape();
    auto it = inputShapes.find(input.name());
    if (it != inputShapes.end()) {
      if (static_cast<int>(it->second.size()) != shape->dim_size())
        return "--input-shape for '" + input.name() + "' has rank " + std::to_string(it->second.size()) +
               " but the input has rank " + std::to_string(shape->dim_size()) + " (" + dimsToString(*shape) + ")";
      for (int i = 0; i < shape->dim_size(); ++i) {
        const auto &d = shape->dim(i);
        if (d.has_dim_value() && d.dim_value() != it->second[i])
          return "--input-shape for '" + input.name() + "' sets dimension " + std::to_string(i) + " to " +
                 std::to_string(it->second[i]) + " but the model fixes it to " + std::to_string(d.dim_value());
        shape->mutable_dim(i)->set_dim_value(it->second[i]);
      }
      continue;
    }
    for (int i = 0; i < shape->dim_size(); ++i) {
      const auto &d = shape->dim(i);
      if (!d.has_dim_value() || d.dim_value() < 0)
        return "graph input '" + input.name() + "' has dynamic dimension " + std::to_string(i) + " (shape " +
               dimsToString(*shape) + "): give it a static shape with --input-shape " + input.name() + "=...";
    }
  }
  try {
    onnx::ShapeInferenceOptions options;
    options.check_type = true;
    options.error_mode = 1; // throw on inference errors rather than silently skipping nodes
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception &e) {
    return std::string("ONNX shape inference failed: ") + e.what();
  }
  return {};
}
