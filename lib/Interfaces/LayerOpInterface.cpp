//===- LayerOpInterface.cpp - ops as CNN layers ---------------------------===//

#include "flydel/Interfaces/LayerOpInterface.h"

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
