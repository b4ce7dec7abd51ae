//===- LayerOpInterfaceImpl.cpp - TOSA ops as layers ----------------------===//
//
// TOSA 1.0 layouts: activations NHWC; conv2d weights OHWI; depthwise_conv2d weights HWCM (C channels times
// multiplier M); transpose_conv2d weights OHWI and out_pad [top, bottom, left, right] (may be negative); pad is
// [top, bottom, left, right].
//
//===----------------------------------------------------------------------===//

#include "flydel/Dialect/Tosa/LayerOpInterfaceImpl.h"
#include "flydel/Interfaces/LayerOpInterface.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mlir::flydel;
using ::flydel::Layer;
using ::flydel::OpKind;

namespace {

/// Sets the padding of a window op. Symmetric padding is kept as padding; asymmetric padding (TOSA allows it,
/// e.g. TensorFlow's SAME with stride 2) is folded into the input size, which keeps the output size and the
/// arithmetic exact.
void setPadding(Layer &layer, ArrayRef<int64_t> pad) {
  if (pad.size() != 4)
    return;
  if (pad[0] == pad[1]) {
    layer.pad_h = pad[0];
  } else {
    layer.in_h += pad[0] + pad[1];
  }
  if (pad[2] == pad[3]) {
    layer.pad_w = pad[2];
  } else {
    layer.in_w += pad[2] + pad[3];
  }
}

/// Batch, spatial size and channels of an NHWC activation.
void setNhwcInput(Layer &layer, ArrayRef<int64_t> nhwc) {
  layer.batch = nhwc[0];
  layer.in_h = nhwc[1];
  layer.in_w = nhwc[2];
  layer.c_in = nhwc[3];
}

template <typename Pair> void setPair(int64_t &h, int64_t &w, Pair values) {
  if (values.size() == 2) {
    h = values[0];
    w = values[1];
  }
}

/// conv2d and depthwise_conv2d: NHWC input, kernel size at `kernelDim` of the weight, output channels and groups
/// from the weight layout.
template <typename ConvOp>
FailureOr<Layer> describeConv(ConvOp op, int kernelDim, std::string &reason) {
  auto input = getStaticShape(op.getInput(), 4, reason);
  auto weight = getStaticShape(op.getWeight(), 4, reason);
  if (failed(input) || failed(weight))
    return failure();
  Layer layer;
  layer.op = OpKind::Conv2d;
  setNhwcInput(layer, *input);
  layer.kernel_h = (*weight)[kernelDim];
  layer.kernel_w = (*weight)[kernelDim + 1];
  if constexpr (std::is_same_v<ConvOp, tosa::DepthwiseConv2DOp>) {
    layer.c_out = (*weight)[2] * (*weight)[3]; // HWCM: C channels times multiplier M
    layer.groups = layer.c_in;
  } else {
    layer.c_out = (*weight)[0]; // OHWI
  }
  setPair(layer.stride_h, layer.stride_w, op.getStride());
  setPair(layer.dilation_h, layer.dilation_w, op.getDilation());
  setPadding(layer, op.getPad());
  layer.dtype = getLayerDType(op.getInput().getType().getElementType());
  return layer;
}

FailureOr<Layer> describe(tosa::Conv2DOp op, std::string &reason) { return describeConv(op, 1, reason); }
FailureOr<Layer> describe(tosa::DepthwiseConv2DOp op, std::string &reason) { return describeConv(op, 0, reason); }

/// A transposed convolution is the adjoint of a direct convolution: the one that maps the transposed
/// convolution's output map (c_out channels) back onto its input map (c_in channels) with the same kernel and
/// stride. Both run the same multiply-accumulates (every input pixel times every kernel tap and channel pair), so
/// the transposed convolution is priced as that convolution: no platform measured transposed convolutions, and
/// getPricingApproximation says so. TOSA: out = (in - 1) * stride + out_pad[top] + out_pad[bottom] + kernel, so the
/// adjoint reads the output map with padding -out_pad (cropping it where out_pad is positive) and gives `in` back.
FailureOr<Layer> describe(tosa::TransposeConv2DOp op, std::string &reason) {
  auto input = getStaticShape(op.getInput(), 4, reason);
  auto weight = getStaticShape(op.getWeight(), 4, reason);
  auto output = getStaticShape(op.getResult(), 4, reason);
  if (failed(input) || failed(weight) || failed(output))
    return failure();
  ArrayRef<int64_t> outPad = op.getOutPad();
  Layer layer;
  layer.op = OpKind::Conv2d;
  layer.batch = (*input)[0];
  layer.c_in = (*output)[3];
  layer.c_out = (*input)[3];
  layer.kernel_h = (*weight)[1];
  layer.kernel_w = (*weight)[2];
  setPair(layer.stride_h, layer.stride_w, op.getStride());
  layer.in_h = (*output)[1];
  layer.in_w = (*output)[2];
  SmallVector<int64_t, 4> pad = llvm::map_to_vector(outPad, [](int64_t p) { return -p; });
  if (llvm::all_of(pad, [](int64_t p) { return p >= 0; })) {
    setPadding(layer, pad);
  } else {
    // Output rows the scatter never reaches (positive out_pad): the adjoint reads the map without them.
    layer.in_h = (*output)[1] - outPad[0] - outPad[1];
    layer.in_w = (*output)[2] - outPad[2] - outPad[3];
  }
  layer.dtype = getLayerDType(op.getInput().getType().getElementType());
  return layer;
}

FailureOr<Layer> describe(tosa::MatMulOp op, std::string &reason) {
  // [N, M, K] x [N, K, P] -> [N, M, P]
  auto a = getStaticShape(op->getOperand(0), 3, reason);
  auto b = getStaticShape(op->getOperand(1), 3, reason);
  if (failed(a) || failed(b))
    return failure();
  Layer layer;
  layer.op = OpKind::MatMul;
  layer.batch = (*a)[0];
  layer.in_h = (*a)[1];
  layer.in_w = 1;
  layer.c_in = (*a)[2];
  layer.c_out = (*b)[2];
  layer.dtype = getLayerDType(cast<ShapedType>(op->getOperand(0).getType()).getElementType());
  return layer;
}

template <typename PoolOp> FailureOr<Layer> describePool(PoolOp op, std::string &reason) {
  auto input = getStaticShape(op.getInput(), 4, reason);
  if (failed(input))
    return failure();
  Layer layer;
  layer.op = OpKind::Pool2d;
  setNhwcInput(layer, *input);
  layer.c_out = layer.c_in;
  setPair(layer.kernel_h, layer.kernel_w, op.getKernel());
  setPair(layer.stride_h, layer.stride_w, op.getStride());
  setPadding(layer, op.getPad());
  layer.dtype = getLayerDType(op.getInput().getType().getElementType());
  return layer;
}

FailureOr<Layer> describe(tosa::MaxPool2dOp op, std::string &reason) { return describePool(op, reason); }
FailureOr<Layer> describe(tosa::AvgPool2dOp op, std::string &reason) { return describePool(op, reason); }

/// Elementwise and data-movement ops are described by their (first) result: the data they produce.
FailureOr<Layer> describeByResult(Operation *op, OpKind kind, std::string &reason) {
  if (op->getNumResults() == 0) {
    reason = "it has no result";
    return failure();
  }
  Layer layer;
  layer.op = kind;
  if (failed(fillFromActivationShape(op->getResult(0).getType(), layer, reason)))
    return failure();
  return layer;
}

template <typename OpTy> struct LayerModel : LayerOpInterface::ExternalModel<LayerModel<OpTy>, OpTy> {
  FailureOr<Layer> describeLayer(Operation *op, std::string &reason) const {
    return describe(cast<OpTy>(op), reason);
  }
  std::string getPricingApproximation(Operation *) const {
    if constexpr (std::is_same_v<OpTy, tosa::TransposeConv2DOp>)
      return "priced as its adjoint convolution (same MACs: a conv2d over its output map, c_in and c_out swapped)";
    return {};
  }
};

template <typename OpTy, OpKind Kind>
struct ByResultModel : LayerOpInterface::ExternalModel<ByResultModel<OpTy, Kind>, OpTy> {
  FailureOr<Layer> describeLayer(Operation *op, std::string &reason) const {
    return describeByResult(op, Kind, reason);
  }
};

template <typename... Ops> void attach(MLIRContext *context) {
  (Ops::template attachInterface<LayerModel<Ops>>(*context), ...);
}

template <OpKind Kind, typename... Ops> void attachByResult(MLIRContext *context) {
  (Ops::template attachInterface<ByResultModel<Ops, Kind>>(*context), ...);
}

} // namespace

void mlir::flydel::registerTosaLayerOpInterfaceExternalModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, tosa::TosaDialect *) {
    attach<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::TransposeConv2DOp, tosa::MatMulOp, tosa::MaxPool2dOp,
           tosa::AvgPool2dOp>(context);
    attachByResult<OpKind::Elementwise, tosa::AbsOp, tosa::AddOp, tosa::ArithmeticRightShiftOp,
                   tosa::BitwiseAndOp, tosa::BitwiseNotOp, tosa::BitwiseOrOp, tosa::BitwiseXorOp, tosa::CastOp,
                   tosa::CeilOp, tosa::ClampOp, tosa::ClzOp, tosa::CosOp, tosa::EqualOp, tosa::ErfOp, tosa::ExpOp,
                   tosa::FloorOp, tosa::GreaterEqualOp, tosa::GreaterOp, tosa::IntDivOp, tosa::LogOp,
                   tosa::LogicalAndOp, tosa::LogicalLeftShiftOp, tosa::LogicalNotOp, tosa::LogicalOrOp,
                   tosa::LogicalRightShiftOp, tosa::LogicalXorOp, tosa::MaximumOp, tosa::MinimumOp, tosa::MulOp,
                   tosa::NegateOp, tosa::PowOp, tosa::ReciprocalOp, tosa::RescaleOp, tosa::RsqrtOp,
                   tosa::SelectOp, tosa::SigmoidOp, tosa::SinOp, tosa::SubOp, tosa::TableOp, tosa::TanhOp,
                   tosa::ResizeOp>(context);
    attachByResult<OpKind::DataMovement, tosa::ConcatOp, tosa::ReshapeOp, tosa::TransposeOp, tosa::PadOp,
                   tosa::SliceOp, tosa::TileOp, tosa::ReverseOp>(context);
  });
}
