//===- LayerOpInterface.cpp - ops as CNN layers ---------------------------===//

#include "flydel/Interfaces/LayerOpInterface.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Location.h"

#include <algorithm>

using namespace mlir;

#include "flydel/Interfaces/LayerOpInterface.cpp.inc"

::flydel::DType mlir::flydel::getLayerDType(Type elementType) {
  using ::flydel::DType;
  if (elementType.isF64())
    return DType::F64;
  if (elementType.isF16())
    return DType::F16;
  if (elementType.isBF16())
    return DType::BF16;
  if (auto intType = dyn_cast<IntegerType>(elementType)) {
    unsigned width = intType.getWidth();
    if (width <= 8)
      return DType::I8;
    if (width <= 16)
      return DType::I16;
    return DType::I32;
  }
  return DType::F32;
}

LogicalResult mlir::flydel::fillFromActivationShape(Type type, ::flydel::Layer &layer, std::string &reason) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped || !shaped.hasStaticShape()) {
    reason = "its shape is not static";
    return failure();
  }
  ArrayRef<int64_t> shape = shaped.getShape();
  layer.dtype = getLayerDType(shaped.getElementType());
  if (shape.size() == 4) {
    layer.batch = shape[0];
    layer.in_h = shape[1];
    layer.in_w = shape[2];
    layer.c_in = shape[3];
  } else {
    layer.batch = 1;
    layer.in_h = layer.in_w = 1;
    layer.c_in = shaped.getNumElements();
  }
  layer.c_out = layer.c_in;
  return success();
}

FailureOr<ArrayRef<int64_t>> mlir::flydel::getStaticShape(Value value, unsigned rank, std::string &reason) {
  auto type = dyn_cast<ShapedType>(value.getType());
  if (!type || !type.hasStaticShape()) {
    reason = "its operand shapes are not static";
    return failure();
  }
  if (type.getRank() != rank) {
    reason = "an operand has rank " + std::to_string(type.getRank()) + ", expected " + std::to_string(rank);
    return failure();
  }
  return type.getShape();
}

bool mlir::flydel::isElidedConstant(Attribute values) {
  // kInlineConstLimit of ImportONNX.cpp: constants up to this size are never elided.
  constexpr int64_t kElisionThreshold = 16;
  if (auto splat = dyn_cast<SplatElementsAttr>(values)) {
    auto type = splat.getElementType();
    if (isa<FloatType>(type))
      return splat.getNumElements() > kElisionThreshold && splat.getSplatValue<APFloat>().isZero();
    return false;
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(values))
    return resource.getRawHandle().getBlob() == nullptr;
  return false;
}

std::string mlir::flydel::getLayerName(Operation *op) {
  Location loc = op->getLoc();
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (auto name = dyn_cast<NameLoc>(inner))
        return name.getName().str();
  return {};
}

bool mlir::flydel::isLayoutOp(Operation *op) {
  auto layerOp = dyn_cast<LayerOpInterface>(op);
  std::string reason;
  FailureOr<::flydel::Layer> layer = layerOp ? layerOp.describeLayer(reason) : FailureOr<::flydel::Layer>();
  return succeeded(layer) && layer->op == ::flydel::OpKind::DataMovement;
}

double mlir::flydel::getValueBytes(Value value) {
  auto shaped = dyn_cast<ShapedType>(value.getType());
  if (!shaped || !shaped.hasStaticShape())
    return 0;
  return double(shaped.getNumElements()) * double(std::max<unsigned>(8, shaped.getElementTypeBitWidth())) / 8;
}

bool mlir::flydel::isWeightLike(Operation *op) {
  StringRef name = op->getName().getStringRef();
  return op->hasTrait<OpTrait::ConstantLike>() || name == "tosa.const" || name == "tosa.const_shape";
}
