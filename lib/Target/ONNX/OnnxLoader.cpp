//===- OnnxLoader.cpp - parse, check and shape-infer an ONNX model --------===//

#include "OnnxLoader.h"

#include "onnx/checker.h"
#include "onnx/onnx_pb.h"
#include "onnx/shape_inference/implementation.h"
#include "flydel/Target/ONNX/ImportONNX.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <exception>
#include <limits>
#include <map>
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
/// What ONNX's shape inference (1.12) does not survive: it divides by strides, indexes by kernel and pad counts and
/// assumes the ranks its checker does not check, and crashes (SIGFPE, SIGSEGV) instead of throwing. Checked here
/// first, naming the node: window attributes of convolutions and pools, and the ranks of operands whose rank is
/// known before inference (graph inputs and initializers).
std::string checkBeforeInference(const onnx::GraphProto &graph) {
  std::map<std::string, int> rank;
  for (const auto &init : graph.initializer())
    rank[init.name()] = init.dims_size();
  for (const auto &input : graph.input())
    if (input.type().has_tensor_type() && input.type().tensor_type().has_shape())
      rank[input.name()] = input.type().tensor_type().shape().dim_size();
  auto rankOf = [&](const onnx::NodeProto &node, int i) {
    if (i >= node.input_size())
      return -1;
    auto it = rank.find(node.input(i));
    return it == rank.end() ? -1 : it->second;
  };
  for (int n = 0; n < graph.node_size(); ++n) {
    const onnx::NodeProto &node = graph.node(n);
    std::string where = "node '" + (node.name().empty() ? std::to_string(n) : node.name()) + "' (" +
                        node.op_type() + ")";
    const std::string &op = node.op_type();
    bool window = op == "Conv" || op == "ConvTranspose" || op == "MaxPool" || op == "AveragePool" || op == "LpPool" ||
                  op == "ConvInteger" || op == "QLinearConv";
    if (window) {
      for (const auto &attr : node.attribute()) {
        const std::string &name = attr.name();
        bool positive = name == "strides" || name == "dilations" || name == "kernel_shape";
        if (!positive && name != "pads")
          continue;
        for (int64_t v : attr.ints())
          if (positive ? v < 1 : v < 0)
            return where + ": attribute '" + name + "' holds " + std::to_string(v) + " (" +
                   (positive ? "must be at least 1" : "must not be negative") + ")";
      }
      int x = rankOf(node, 0), w = rankOf(node, op == "QLinearConv" ? 3 : 1);
      bool weighted = op == "Conv" || op == "ConvTranspose" || op == "ConvInteger" || op == "QLinearConv";
      if (x >= 0 && x < 3)
        return where + ": input of rank " + std::to_string(x) + " (expected N x C x spatial..., rank 3 or more)";
      if (weighted && x >= 0 && w >= 0 && x != w)
        return where + ": weight of rank " + std::to_string(w) + " for an input of rank " + std::to_string(x) +
               " (they must be equal)";
    }
    if (op == "Gemm")
      for (int i = 0; i < 2; ++i)
        if (int r = rankOf(node, i); r >= 0 && r != 2)
          return where + ": input " + std::to_string(i) + " has rank " + std::to_string(r) + " (Gemm takes matrices)";
  }
  return {};
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
        // A negative or 0 dimension is what some exporters write for a dynamic one: --input-shape sets it.
        if (d.has_dim_value() && d.dim_value() > 0 && d.dim_value() != it->second[i])
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
      // TOSA has no empty tensors; without this, a TOSA verifier message without the input's name follows. Some
      // exporters write 0 for a dynamic dimension, so --input-shape may set it.
      if (d.dim_value() == 0)
        return "graph input '" + input.name() + "' has a 0-sized dimension " + std::to_string(i) + " (shape " +
               dimsToString(*shape) + "): an empty tensor cannot be imported; give it a size with --input-shape " +
               input.name() + "=...";
    }
  }
  if (std::string problem = checkBeforeInference(*graph); !problem.empty())
    return problem;
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

namespace {
/// Collects the first error of protobuf's text parser (it prints to stderr otherwise).
struct FirstTextError : google::protobuf::io::ErrorCollector {
  std::string message;
  void AddError(int line, google::protobuf::io::ColumnNumber column, const std::string &text) override {
    if (message.empty())
      message = "line " + std::to_string(line + 1) + ", column " + std::to_string(column + 1) + ": " + text;
  }
};
} // namespace

std::string mlir::flydel::encodeOnnxText(llvm::StringRef text, std::string &bytes) {
  try {
    onnx::ModelProto model;
    google::protobuf::TextFormat::Parser parser;
    FirstTextError errors;
    parser.RecordErrorsTo(&errors);
    if (!parser.ParseFromString(std::string(text), &model))
      return "not an ONNX model in protobuf text format (" +
             (errors.message.empty() ? std::string("parse failed") : errors.message) + ")";
    if (!model.SerializeToString(&bytes))
      return "cannot encode the ONNX model (protobuf serialization failed)";
    return {};
  } catch (const std::exception &e) {
    return std::string("cannot read the ONNX text model: ") + e.what();
  }
}
