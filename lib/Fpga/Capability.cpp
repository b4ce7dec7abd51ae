//===- Capability.cpp - which ops the FPGA engines can build --------------===//
#include "flydel/Fpga/Capability.h"

#include <limits>
#include <string_view>

namespace flydel::fpga {

namespace {

std::string str(int64_t v) { return std::to_string(v); }

// EngineConfig holds ints: a larger size would wrap into a different engine that may pass every check.
// `what` and `of` name the values in the message, which is built only on failure: every op of a graph is checked.
std::string fitsInt(const std::vector<int64_t> &values, std::string_view what, std::string_view of = {}) {
  for (int64_t v : values)
    if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max())
      return std::string(what) + std::string(of) + (of.empty() ? "" : ":") + " " + str(v) +
             " is out of range for the engines";
  return {};
}

std::string pair(const std::vector<int64_t> &v) { return str(v[0]) + "x" + str(v[1]); }

std::string padText(const std::vector<int64_t> &pad) {
  return "[" + str(pad[0]) + ", " + str(pad[1]) + ", " + str(pad[2]) + ", " + str(pad[3]) + "]";
}

// The window engines pad every side by pad[0]. An asymmetric pad whose extra side no window reaches (TF "same"
// with stride 2: top 1, bottom 0) is the symmetric one with the same output size.
std::string checkPadding(const OpRequest &op, int64_t k, int64_t s) {
  const std::vector<int64_t> &pad = op.pad;
  if (pad[2] != pad[0] || pad[1] > pad[0] || pad[3] > pad[0])
    return "padding [top, bottom, left, right] = " + padText(pad) + ": the engines pad every side by the same amount";
  if (k < 1 || s < 1)
    return {}; // EngineConfig::check() names it
  int64_t p = pad[0];
  const std::vector<int64_t> &in = op.input.dims, &out = op.result.dims;
  if ((in[1] + 2 * p - k) / s + 1 != out[1] || (in[2] + 2 * p - k) / s + 1 != out[2])
    return "padding " + padText(pad) + " differs from a symmetric padding of " + str(p) + " in the output size";
  return {};
}

// The input and the result of a window engine: streams.
std::string checkStreams(const OpRequest &op) {
  if (std::string why = checkActivation(op.input, "input"); !why.empty())
    return why;
  return checkActivation(op.result, "result");
}

// The line buffer slides a K x K window by the same step in both directions.
std::string checkSquare(int64_t kh, int64_t kw, const std::vector<int64_t> &stride) {
  if (kh != kw || stride[0] != stride[1])
    return "kernel " + str(kh) + "x" + str(kw) + ", stride " + pair(stride) +
           ": the engines take square kernels and equal strides";
  return {};
}

// The [h, w] / [top, bottom, left, right] attributes have the sizes TOSA's verifier gives them; checked anyway,
// since the rule indexes them.
bool sized(const std::vector<int64_t> &v, size_t n) { return v.size() == n; }

std::string checkConv(const OpRequest &op) {
  bool depthwise = op.kind == OpClass::Depthwise;
  if (std::string why = checkStreams(op); !why.empty())
    return why;
  const TensorShape &weight = op.weight;
  if (!weight.ranked || !weight.isStatic || weight.dims.size() != 4)
    return "the weight must have a static rank-4 shape, got '" + weight.typeText() + "'";
  if (weight.elementType != "f32")
    return "the weight must be f32, got '" + weight.elementType + "'";
  const std::vector<int64_t> &ws = weight.dims, &in = op.input.dims, &out = op.result.dims;
  if (depthwise && ws[3] != 1)
    return "depthwise channel multiplier " + str(ws[3]) + ": the engine takes multiplier 1";
  // The TOSA verifier checks the spatial sizes, not the channels; the ROMs are laid out by the activations'.
  if (ws[depthwise ? 2 : 3] != in[3] || (!depthwise && ws[0] != out[3]))
    return "the weight shape '" + weight.typeText() + "' does not match the input's " + str(in[3]) +
           " and the result's " + str(out[3]) + " channels";
  if (!sized(op.stride, 2) || !sized(op.dilation, 2) || !sized(op.pad, 4))
    return "stride and dilation need 2 values, padding 4";
  for (auto [values, what] : {std::pair{&ws, "a weight dimension"}, {&op.stride, "stride"}, {&op.pad, "padding"}})
    if (std::string why = fitsInt(*values, what); !why.empty())
      return why;
  int64_t kh = depthwise ? ws[0] : ws[1], kw = depthwise ? ws[1] : ws[2];
  if (std::string why = checkSquare(kh, kw, op.stride); !why.empty())
    return why;
  if (op.dilation[0] != 1 || op.dilation[1] != 1)
    return "dilation " + pair(op.dilation) + ": the engines take no dilation";
  if (std::string why = checkPadding(op, kh, op.stride[0]); !why.empty())
    return why;
  return checkEngineConfig(engineConfigFor(op));
}

std::string checkPool(const OpRequest &op) {
  if (std::string why = checkStreams(op); !why.empty())
    return why;
  if (op.result.dims[3] != op.input.dims[3])
    return "the result has " + str(op.result.dims[3]) + " channels, the input " + str(op.input.dims[3]);
  if (!sized(op.kernel, 2) || !sized(op.stride, 2) || !sized(op.pad, 4))
    return "kernel and stride need 2 values, padding 4";
  for (auto [values, what] : {std::pair{&op.kernel, "kernel size"}, {&op.stride, "stride"}, {&op.pad, "padding"}})
    if (std::string why = fitsInt(*values, what); !why.empty())
      return why;
  if (std::string why = checkSquare(op.kernel[0], op.kernel[1], op.stride); !why.empty())
    return why;
  if (op.kind == OpClass::AvgPool)
    for (int64_t p : op.pad)
      if (p != 0)
        return "average pooling with padding: TOSA divides by the valid elements, the engine by the kernel area";
  if (std::string why = checkPadding(op, op.kernel[0], op.stride[0]); !why.empty())
    return why;
  return checkEngineConfig(engineConfigFor(op));
}

std::string checkScale(const OpRequest &op) {
  bool multiply = op.kind == OpClass::ScaleMul;
  if (multiply && !op.zeroShift)
    return "the shift must be a constant 0 (f32 models)";
  if (op.producer != OpClass::Conv && op.producer != OpClass::Depthwise)
    return std::string(multiply ? "a multiplication" : "an addition") +
           " by a constant is only supported folded into the conv2d or depthwise_conv2d whose only use it is (a "
           "batch normalisation)";
  if (std::string why = checkActivation(op.input, "input"); !why.empty())
    return why;
  const TensorShape &k = op.constant;
  if (k.elementType != "f32")
    return "the constant operand must be f32, got '" + k.elementType + "'";
  int64_t channels = op.input.dims[3], elements = 1;
  bool leadingOnes = k.ranked && k.isStatic;
  for (size_t i = 0; leadingOnes && i < k.dims.size(); ++i) {
    elements *= k.dims[i];
    if (i + 1 < k.dims.size() && k.dims[i] != 1)
      leadingOnes = false;
  }
  if (!leadingOnes || (elements != 1 && elements != channels))
    return "the constant operand must be per channel ([1, 1, 1, " + str(channels) + "] or a scalar)";
  return {};
}

} // namespace

std::string TensorShape::typeText() const {
  if (!text.empty())
    return text;
  std::string t = "tensor<";
  for (int64_t dim : dims)
    t += str(dim) + "x";
  return t + elementType + ">";
}

std::string checkActivation(const TensorShape &t, const std::string &what) {
  if (!t.ranked || !t.isStatic || t.dims.size() != 4)
    return "the " + what + " must be a static rank-4 NHWC tensor, got '" + t.typeText() + "'";
  if (t.elementType != "f32")
    return "the " + what + " must be f32 (the flow quantises f32 models), got '" + t.elementType + "'";
  if (t.dims[0] != 1)
    return "the engines take batch 1, the " + what + " has batch " + str(t.dims[0]);
  return fitsInt(t.dims, "a dimension of the ", what);
}

std::string checkEngineConfig(const EngineConfig &c) {
  std::string why = c.check();
  if (why.empty())
    return why;
  return "no " + std::string(engineKindName(c.kind)) + " engine for this op: " + why + " (h " + str(c.h) + ", w " +
         str(c.w) + ", cin " + str(c.cin) + ", cout " + str(c.cout) + ", k " + str(c.k) + ", s " + str(c.s) + ", p " +
         str(c.p) + ", pe " + str(c.pe) + ", simd " + str(c.simd) + ")";
}

EngineConfig engineConfigFor(const OpRequest &op) {
  auto dim = [](const TensorShape &t, size_t i) { return i < t.dims.size() ? static_cast<int>(t.dims[i]) : 0; };
  auto first = [](const std::vector<int64_t> &v) { return v.empty() ? 0 : static_cast<int>(v[0]); };
  EngineConfig c;
  const TensorShape &in = op.kind == OpClass::Add ? op.result : op.input;
  c.h = dim(in, 1);
  c.w = dim(in, 2);
  c.cin = c.cout = dim(in, 3);
  c.k = 1, c.s = 1, c.p = 0;
  c.pe = static_cast<int>(op.pe);
  c.simd = static_cast<int>(op.simd);
  switch (op.kind) {
  case OpClass::Conv:
  case OpClass::Depthwise: {
    bool depthwise = op.kind == OpClass::Depthwise;
    c.kind = depthwise ? EngineKind::Depthwise : EngineKind::Conv;
    c.cout = dim(op.result, 3);
    c.k = dim(op.weight, depthwise ? 0 : 1);
    c.s = first(op.stride);
    c.p = first(op.pad);
    break;
  }
  case OpClass::MaxPool:
  case OpClass::AvgPool:
    c.kind = op.kind == OpClass::MaxPool ? EngineKind::MaxPool : EngineKind::AvgPool;
    c.k = first(op.kernel);
    c.s = first(op.stride);
    c.p = first(op.pad);
    break;
  case OpClass::Add:
    c.kind = EngineKind::Add;
    break;
  case OpClass::Clamp: // on its own: a 1x1 max pool that only clamps
  case OpClass::ScaleMul:
  case OpClass::ScaleAdd:
  case OpClass::Other:
    c.kind = EngineKind::MaxPool;
    break;
  }
  return c;
}

std::string checkBuildable(const OpRequest &op) {
  if (op.kind == OpClass::Other)
    return "no FPGA engine for this op (engines: conv2d, depthwise_conv2d, max_pool2d, avg_pool2d, add, clamp; "
           "per-channel mul/add folded into a convolution)";
  if (op.results != 1)
    return "no FPGA engine for this op (it has " + std::to_string(op.results) + " results)";
  switch (op.kind) {
  case OpClass::Conv:
  case OpClass::Depthwise:
    return checkConv(op);
  case OpClass::MaxPool:
  case OpClass::AvgPool:
    return checkPool(op);
  case OpClass::Add:
    if (std::string why = checkActivation(op.result, "result"); !why.empty())
      return why;
    if (!(op.input == op.result) || !(op.input2 == op.result))
      return "the add engine takes two operands of the result's shape (no broadcasting)";
    return checkEngineConfig(engineConfigFor(op));
  case OpClass::Clamp:
    if (!op.floatBounds)
      return "clamp bounds must be floats (f32 models)";
    if (std::string why = checkActivation(op.input, "input"); !why.empty())
      return why;
    return checkEngineConfig(engineConfigFor(op));
  case OpClass::ScaleMul:
  case OpClass::ScaleAdd:
    return checkScale(op);
  case OpClass::Other:
    break;
  }
  return {};
}

} // namespace flydel::fpga
