//===- Capability.h - which ops the FPGA engines can build ------*- C++ -*-===//
//
// MLIR-free. The one rule for what the engines of hw/ implement: --emit-verilog checks every op of a partition
// with checkBuildable() before building its engine, and --assign-devices asks the same question before it lets an
// op go to an FPGA device, so the assignment cannot place an op that emission would then refuse.
//
// An op is described in TOSA's terms (NHWC activations, pad [top, bottom, left, right]) by an OpRequest, which
// mlir::flydel::describeFpgaOp (flydel/Target/Verilog/FpgaOps.h) fills from the IR for both. What depends on the
// weights (absent from the model file: elided, or graph inputs as in "noweights" exports; NaN; a requantisation
// factor out of range) or on the activation range option is checked by the emitter alone: it is not a property of
// the layer, and a placement study on a model without its weights still needs the FPGA.
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_FPGA_CAPABILITY_H
#define FLYDEL_FPGA_CAPABILITY_H

#include "flydel/Fpga/Engine.h"

#include <cstdint>
#include <string>
#include <vector>

namespace flydel::fpga {

/// What an op asks of the engines. ScaleMul / ScaleAdd: a multiplication or addition by a per-channel constant,
/// which no engine computes on its own but a convolution absorbs (a folded batch norm).
enum class OpClass { Conv, Depthwise, MaxPool, AvgPool, Add, Clamp, ScaleMul, ScaleAdd, Other };

/// A tensor type as the rule sees it.
struct TensorShape {
  bool ranked = false, isStatic = false;
  std::vector<int64_t> dims; // when ranked
  std::string elementType;   // as the IR prints it: "f32", "i8"
  /// The whole type as the IR prints it, for messages; empty for a static ranked tensor without encoding, whose
  /// text the dims and element type give (typeText), so the common case builds no string.
  std::string text;
  /// The type as the IR prints it.
  std::string typeText() const;
  bool operator==(const TensorShape &o) const {
    return ranked == o.ranked && isStatic == o.isStatic && dims == o.dims && elementType == o.elementType &&
           text == o.text;
  }
};

struct OpRequest {
  OpClass kind = OpClass::Other;
  unsigned results = 1;
  /// The activation operand (Add: the first; ScaleMul / ScaleAdd: the non-constant one) and the result.
  TensorShape input, result;
  TensorShape input2; // Add: the second operand
  /// Conv, Depthwise: the weight (conv OHWI, depthwise HWCM; the kernel size comes from it).
  TensorShape weight;
  std::vector<int64_t> kernel, stride, dilation; // [h, w] (a convolution's kernel: from its weight)
  std::vector<int64_t> pad;                      // [top, bottom, left, right]
  /// ScaleMul, ScaleAdd: the constant, and what produces the activation operand, seen through earlier scale ops
  /// (OpClass::Other when that value has other uses too, or is not produced by an op of the graph).
  TensorShape constant;
  OpClass producer = OpClass::Other;
  bool zeroShift = true;   // ScaleMul: TOSA's shift operand is a constant 0 (f32)
  bool floatBounds = true; // Clamp: float bounds (f32)
  /// The folding to check. --assign-devices checks pe = simd = 1, which every layer has: the folding is chosen
  /// later (--flydel-fold-fpga), and an illegal one given on an op is that pass's error.
  int64_t pe = 1, simd = 1;
};

/// Empty when the engines can build the op, else why not, naming the culprit (an attribute and its value, a
/// tensor and its type). Ops of an FPGA partition are built one by one, so the rule is per op; the one constraint
/// between ops is foldsIntoProducer().
std::string checkBuildable(const OpRequest &op);

/// A ScaleMul / ScaleAdd is built only inside the convolution that produces its operand: it may go to an FPGA
/// only together with that producer.
inline bool foldsIntoProducer(const OpRequest &op) {
  return op.kind == OpClass::ScaleMul || op.kind == OpClass::ScaleAdd;
}

/// The engine implementing a buildable op (checkBuildable() empty; not for ScaleMul / ScaleAdd): window engines
/// pad symmetrically by pad[0], a clamp on its own is a 1x1 max pool. Requantisation and clamp bounds keep their
/// defaults; the emitter sets them.
EngineConfig engineConfigFor(const OpRequest &op);

/// Empty when `tensor` can be an engine stream (a static [1, H, W, C] f32 tensor whose sizes fit the engines'
/// int parameters), else why not; `what` names it ("input", "argument #0").
std::string checkActivation(const TensorShape &tensor, const std::string &what);

/// EngineConfig::check() as a message naming the engine and its parameters; empty when the RTL supports it.
std::string checkEngineConfig(const EngineConfig &config);

} // namespace flydel::fpga

#endif // FLYDEL_FPGA_CAPABILITY_H
