//===- LayerOpInterfaceImpl.cpp - linalg ops as layers --------------------===//
//
// linalg named convolutions carry their layout in their name (nhwc_hwcf, nchw_fchw, ...); padding has already
// been made explicit by a tensor.pad before them, so they are described as unpadded.
//
//===----------------------------------------------------------------------===//

#include "flydel/Dialect/Linalg/LayerOpInterfaceImpl.h"
#include "flydel/Interfaces/LayerOpInterface.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mlir::flydel;
using ::flydel::Layer;
using ::flydel::OpKind;

namespace {

enum class ActLayout { NHWC, NCHW };
/// Positions of the kernel height, kernel width, input channels (-1 for depthwise) and output channels
/// (or channel multiplier for depthwise hwcm) in the filter shape.
struct FilterLayout {
  int kh, kw, c, f;
};

void readPair(Operation *op, StringRef name, int64_t &h, int64_t &w) {
  auto attr = op->getAttrOfType<DenseIntElementsAttr>(name);
  if (!attr || attr.getNumElements() != 2)
    return;
  auto values = attr.getValues<int64_t>();
  h = values[0];
  w = values[1];
}

void readActivation(ArrayRef<int64_t> shape, ActLayout layout, Layer &layer) {
  layer.batch = shape[0];
  if (layout == ActLayout::NHWC) {
    layer.in_h = shape[1];
    layer.in_w = shape[2];
    layer.c_in = shape[3];
  } else {
    layer.c_in = shape[1];
    layer.in_h = shape[2];
    layer.in_w = shape[3];
  }
}

/// Dense (depthwise = false) or depthwise convolution.
FailureOr<Layer> describeConv(linalg::LinalgOp op, ActLayout act, FilterLayout filt, bool depthwise,
                              std::string &reason) {
  auto input = getStaticShape(op.getDpsInputOperand(0)->get(), 4, reason);
  if (failed(input))
    return failure();
  Value filterValue = op.getDpsInputOperand(1)->get();
  auto filterType = dyn_cast<ShapedType>(filterValue.getType());
  auto filter = getStaticShape(filterValue, filterType ? filterType.getRank() : 0, reason);
  if (failed(filter))
    return failure();
  Layer layer;
  layer.op = OpKind::Conv2d;
  readActivation(*input, act, layer);
  layer.kernel_h = (*filter)[filt.kh];
  layer.kernel_w = (*filter)[filt.kw];
  if (depthwise) {
    int64_t multiplier = filt.f >= 0 ? (*filter)[filt.f] : 1;
    layer.c_out = layer.c_in * multiplier;
    layer.groups = layer.c_in;
  } else {
    layer.c_out = (*filter)[filt.f];
  }
  readPair(op, "strides", layer.stride_h, layer.stride_w);
  readPair(op, "dilations", layer.dilation_h, layer.dilation_w);
  layer.dtype = getLayerDType(filterType.getElementType());
  return layer;
}

/// Grouped convolution, activations NHWGC [N, H, W, G, C/G] and filters GFHWC [G, F/G, KH, KW, C/G]: G GEMMs side
/// by side (what the ONNX importer emits for 1 < group < channels).
FailureOr<Layer> describeGrouped(linalg::Conv2DNhwgcGfhwcOp op, std::string &reason) {
  auto input = getStaticShape(op.getDpsInputOperand(0)->get(), 5, reason);
  auto filter = getStaticShape(op.getDpsInputOperand(1)->get(), 5, reason);
  if (failed(input) || failed(filter))
    return failure();
  Layer layer;
  layer.op = OpKind::Conv2d;
  layer.batch = (*input)[0];
  layer.in_h = (*input)[1];
  layer.in_w = (*input)[2];
  layer.groups = (*input)[3];
  layer.c_in = (*input)[3] * (*input)[4];
  layer.c_out = (*filter)[0] * (*filter)[1];
  layer.kernel_h = (*filter)[2];
  layer.kernel_w = (*filter)[3];
  readPair(op, "strides", layer.stride_h, layer.stride_w);
  readPair(op, "dilations", layer.dilation_h, layer.dilation_w);
  layer.dtype = getLayerDType(cast<ShapedType>(op.getDpsInputOperand(1)->get().getType()).getElementType());
  return layer;
}

FailureOr<Layer> describePool(linalg::LinalgOp op, ActLayout act, std::string &reason) {
  auto input = getStaticShape(op.getDpsInputOperand(0)->get(), 4, reason);
  auto window = getStaticShape(op.getDpsInputOperand(1)->get(), 2, reason);
  if (failed(input) || failed(window))
    return failure();
  Layer layer;
  layer.op = OpKind::Pool2d;
  readActivation(*input, act, layer);
  layer.c_out = layer.c_in;
  layer.kernel_h = (*window)[0];
  layer.kernel_w = (*window)[1];
  readPair(op, "strides", layer.stride_h, layer.stride_w);
  readPair(op, "dilations", layer.dilation_h, layer.dilation_w);
  layer.dtype = getLayerDType(cast<ShapedType>(op.getDpsInputOperand(0)->get().getType()).getElementType());
  return layer;
}

/// [B, M, K] x [B, K, N] (batched) or [M, K] x [K, N].
FailureOr<Layer> describeMatmul(linalg::LinalgOp op, bool batched, std::string &reason) {
  unsigned rank = batched ? 3 : 2;
  auto a = getStaticShape(op.getDpsInputOperand(0)->get(), rank, reason);
  auto b = getStaticShape(op.getDpsInputOperand(1)->get(), rank, reason);
  if (failed(a) || failed(b))
    return failure();
  Layer layer;
  layer.op = OpKind::MatMul;
  layer.batch = batched ? (*a)[0] : 1;
  layer.in_h = (*a)[rank - 2];
  layer.c_in = (*a)[rank - 1];
  layer.c_out = (*b)[rank - 1];
  layer.dtype = getLayerDType(cast<ShapedType>(op.getDpsInputOperand(0)->get().getType()).getElementType());
  return layer;
}

FailureOr<Layer> describeElementwise(linalg::LinalgOp op, std::string &reason) {
  if (op.getNumReductionLoops() != 0) {
    reason = "it has reduction loops (only all-parallel linalg ops are described, as elementwise)";
    return failure();
  }
  if (op.getNumDpsInits() == 0) {
    reason = "it has no output";
    return failure();
  }
  Layer layer;
  layer.op = OpKind::Elementwise;
  if (failed(fillFromActivationShape(op.getDpsInitOperand(0)->get().getType(), layer, reason)))
    return failure();
  return layer;
}

// Layout of each named op; NHWC/HWCF etc. as spelled in the op names.
FailureOr<Layer> describe(linalg::Conv2DNhwcHwcfOp op, std::string &r) {
  return describeConv(op, ActLayout::NHWC, {0, 1, 2, 3}, false, r);
}
FailureOr<Layer> describe(linalg::Conv2DNhwcFhwcOp op, std::string &r) {
  return describeConv(op, ActLayout::NHWC, {1, 2, 3, 0}, false, r);
}
FailureOr<Layer> describe(linalg::Conv2DNchwFchwOp op, std::string &r) {
  return describeConv(op, ActLayout::NCHW, {2, 3, 1, 0}, false, r);
}
FailureOr<Layer> describe(linalg::DepthwiseConv2DNhwcHwcOp op, std::string &r) {
  return describeConv(op, ActLayout::NHWC, {0, 1, 2, -1}, true, r);
}
FailureOr<Layer> describe(linalg::DepthwiseConv2DNhwcHwcmOp op, std::string &r) {
  return describeConv(op, ActLayout::NHWC, {0, 1, 2, 3}, true, r);
}
FailureOr<Layer> describe(linalg::DepthwiseConv2DNchwChwOp op, std::string &r) {
  return describeConv(op, ActLayout::NCHW, {1, 2, 0, -1}, true, r);
}
FailureOr<Layer> describe(linalg::Conv2DNhwgcGfhwcOp op, std::string &r) { return describeGrouped(op, r); }
FailureOr<Layer> describe(linalg::PoolingNhwcMaxOp op, std::string &r) { return describePool(op, ActLayout::NHWC, r); }
FailureOr<Layer> describe(linalg::PoolingNhwcSumOp op, std::string &r) { return describePool(op, ActLayout::NHWC, r); }
FailureOr<Layer> describe(linalg::PoolingNhwcMinOp op, std::string &r) { return describePool(op, ActLayout::NHWC, r); }
FailureOr<Layer> describe(linalg::PoolingNchwMaxOp op, std::string &r) { return describePool(op, ActLayout::NCHW, r); }
FailureOr<Layer> describe(linalg::PoolingNchwSumOp op, std::string &r) { return describePool(op, ActLayout::NCHW, r); }
FailureOr<Layer> describe(linalg::MatmulOp op, std::string &r) { return describeMatmul(op, false, r); }
FailureOr<Layer> describe(linalg::BatchMatmulOp op, std::string &r) { return describeMatmul(op, true, r); }

template <typename OpTy> struct LayerModel : LayerOpInterface::ExternalModel<LayerModel<OpTy>, OpTy> {
  FailureOr<Layer> describeLayer(Operation *op, std::string &reason) const {
    return describe(cast<OpTy>(op), reason);
  }
};

template <typename OpTy>
struct ElementwiseModel : LayerOpInterface::ExternalModel<ElementwiseModel<OpTy>, OpTy> {
  FailureOr<Layer> describeLayer(Operation *op, std::string &reason) const {
    return describeElementwise(cast<linalg::LinalgOp>(op), reason);
  }
};

template <typename... Ops> void attach(MLIRContext *context) {
  (Ops::template attachInterface<LayerModel<Ops>>(*context), ...);
}
template <typename... Ops> void attachElementwise(MLIRContext *context) {
  (Ops::template attachInterface<ElementwiseModel<Ops>>(*context), ...);
}

} // namespace

void mlir::flydel::registerLinalgLayerOpInterfaceExternalModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, linalg::LinalgDialect *) {
    attach<linalg::Conv2DNhwcHwcfOp, linalg::Conv2DNhwcFhwcOp, linalg::Conv2DNchwFchwOp, linalg::Conv2DNhwgcGfhwcOp,
           linalg::DepthwiseConv2DNhwcHwcOp, linalg::DepthwiseConv2DNhwcHwcmOp, linalg::DepthwiseConv2DNchwChwOp,
           linalg::PoolingNhwcMaxOp, linalg::PoolingNhwcSumOp, linalg::PoolingNhwcMinOp, linalg::PoolingNchwMaxOp,
           linalg::PoolingNchwSumOp, linalg::MatmulOp, linalg::BatchMatmulOp>(context);
    attachElementwise<linalg::GenericOp, linalg::ElementwiseOp, linalg::MapOp, linalg::AddOp, linalg::SubOp,
                      linalg::MulOp, linalg::DivOp, linalg::MaxOp, linalg::MinOp, linalg::ExpOp, linalg::LogOp,
                      linalg::AbsOp, linalg::TanhOp, linalg::NegFOp, linalg::ReciprocalOp, linalg::RsqrtOp,
                      linalg::SqrtOp, linalg::SquareOp, linalg::FloorOp, linalg::CeilOp, linalg::ErfOp,
                      linalg::PowFOp, linalg::SelectOp>(context);
  });
}
