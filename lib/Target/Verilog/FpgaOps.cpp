//===- FpgaOps.cpp - TOSA ops as requests to the FPGA engines -------------===//
#include "flydel/Target/Verilog/FpgaOps.h"

#include "flydel/Interfaces/LayerOpInterface.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::flydel;
namespace fpga = ::flydel::fpga;
using fpga::OpClass;

namespace {

// Weights and constants are cloned into every partition that uses them; anything else reaches an engine as a
// stream (an argument of the partition or another engine's output).
bool isConstant(Value value) {
  Operation *def = value.getDefiningOp();
  return def && isWeightLike(def);
}

std::string print(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  type.print(os);
  return text;
}

std::vector<int64_t> values(ArrayRef<int64_t> array) { return std::vector<int64_t>(array.begin(), array.end()); }

template <typename ConvOp> void describeConv(ConvOp op, fpga::OpRequest &r) {
  r.input = describeFpgaTensor(op.getInput().getType());
  r.weight = describeFpgaTensor(op.getWeight().getType());
  r.stride = values(op.getStride());
  r.dilation = values(op.getDilation());
  r.pad = values(op.getPad());
}

template <typename PoolOp> void describePool(PoolOp op, fpga::OpRequest &r) {
  r.input = describeFpgaTensor(op.getInput().getType());
  r.kernel = values(op.getKernel());
  r.stride = values(op.getStride());
  r.pad = values(op.getPad());
}

} // namespace

fpga::TensorShape mlir::flydel::describeFpgaTensor(Type type) {
  // Every op of a graph is described on every --assign-devices run, and printing a type builds a printer each time
  // (a tenth of a 10k-op run's time): the common static f32 tensor leaves its text to typeText().
  fpga::TensorShape t;
  auto ranked = dyn_cast<RankedTensorType>(type);
  Type element = ranked ? ranked.getElementType() : getElementTypeOrSelf(type);
  t.elementType = element.isF32() ? "f32" : print(element);
  if (ranked) {
    t.ranked = true;
    t.isStatic = ranked.hasStaticShape();
    t.dims = values(ranked.getShape());
  }
  if (!ranked || !t.isStatic || ranked.getEncoding() || !element.isF32())
    t.text = print(type);
  return t;
}

OpClass mlir::flydel::classifyFpgaOp(Operation *op) {
  if (isa<tosa::Conv2DOp>(op))
    return OpClass::Conv;
  if (isa<tosa::DepthwiseConv2DOp>(op))
    return OpClass::Depthwise;
  if (isa<tosa::MaxPool2dOp>(op))
    return OpClass::MaxPool;
  if (isa<tosa::AvgPool2dOp>(op))
    return OpClass::AvgPool;
  if (isa<tosa::ClampOp>(op))
    return OpClass::Clamp;
  if (isa<tosa::AddOp, tosa::MulOp>(op)) {
    bool lhs = isConstant(op->getOperand(0)), rhs = isConstant(op->getOperand(1));
    if (isa<tosa::AddOp>(op) && !lhs && !rhs)
      return OpClass::Add;
    if (lhs != rhs)
      return isa<tosa::MulOp>(op) ? OpClass::ScaleMul : OpClass::ScaleAdd;
  }
  return OpClass::Other;
}

Value mlir::flydel::getFpgaStreamOperand(Operation *op) {
  if (op->getNumOperands() == 0)
    return {};
  OpClass kind = classifyFpgaOp(op);
  if ((kind == OpClass::ScaleMul || kind == OpClass::ScaleAdd) && isConstant(op->getOperand(0)))
    return op->getOperand(1);
  return op->getOperand(0);
}

Value mlir::flydel::getFpgaConstantOperand(Operation *op) {
  Value x = getFpgaStreamOperand(op);
  return x == op->getOperand(0) ? op->getOperand(1) : op->getOperand(0);
}

fpga::OpRequest mlir::flydel::describeFpgaOp(Operation *op) {
  fpga::OpRequest r;
  r.kind = classifyFpgaOp(op);
  r.results = op->getNumResults();
  if (r.kind == OpClass::Other || r.results != 1)
    return r;
  r.result = describeFpgaTensor(op->getResult(0).getType());
  if (auto conv = dyn_cast<tosa::Conv2DOp>(op))
    describeConv(conv, r);
  else if (auto depthwise = dyn_cast<tosa::DepthwiseConv2DOp>(op))
    describeConv(depthwise, r);
  else if (auto maxPool = dyn_cast<tosa::MaxPool2dOp>(op))
    describePool(maxPool, r);
  else if (auto avgPool = dyn_cast<tosa::AvgPool2dOp>(op))
    describePool(avgPool, r);
  else if (auto clamp = dyn_cast<tosa::ClampOp>(op)) {
    r.input = describeFpgaTensor(clamp.getInput().getType());
    r.floatBounds = isa<FloatAttr>(clamp.getMinValAttr()) && isa<FloatAttr>(clamp.getMaxValAttr());
  } else if (r.kind == OpClass::Add) {
    r.input = describeFpgaTensor(op->getOperand(0).getType());
    r.input2 = describeFpgaTensor(op->getOperand(1).getType());
  } else { // ScaleMul, ScaleAdd
    Value x = getFpgaStreamOperand(op);
    r.input = describeFpgaTensor(x.getType());
    r.constant = describeFpgaTensor(getFpgaConstantOperand(op).getType());
    if (auto mul = dyn_cast<tosa::MulOp>(op)) {
      DenseElementsAttr shift;
      r.zeroShift = matchPattern(mul.getShift(), m_Constant(&shift)) &&
                    llvm::all_of(shift.getValues<APInt>(), [](const APInt &v) { return v.isZero(); });
    }
    // The engine that would absorb it: the convolution whose only use is this chain of scale ops.
    r.producer = OpClass::Other;
    while (x && x.hasOneUse()) {
      Operation *def = x.getDefiningOp();
      if (!def)
        break;
      OpClass kind = classifyFpgaOp(def);
      if (kind != OpClass::ScaleMul && kind != OpClass::ScaleAdd) {
        r.producer = kind;
        break;
      }
      x = getFpgaStreamOperand(def);
    }
  }
  return r;
}

std::string mlir::flydel::checkFpgaBuildable(Operation *op) { return fpga::checkBuildable(describeFpgaOp(op)); }

Operation *mlir::flydel::getFpgaFoldTarget(Operation *op) {
  OpClass kind = classifyFpgaOp(op);
  if (kind != OpClass::ScaleMul && kind != OpClass::ScaleAdd)
    return nullptr;
  return getFpgaStreamOperand(op).getDefiningOp();
}
