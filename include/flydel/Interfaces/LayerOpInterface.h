//===- LayerOpInterface.h - ops as CNN layers -------------------*- C++ -*-===//
#ifndef FLYDEL_INTERFACES_LAYEROPINTERFACE_H
#define FLYDEL_INTERFACES_LAYEROPINTERFACE_H

#include "flydel/Model/Layer.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"

#include <string>

namespace mlir::flydel {

/// The model library's element type for an MLIR element type (f32 when there is no closer match; the
/// models take bytes per element from it).
::flydel::DType getLayerDType(Type elementType);

/// Weights and shape constants (ConstantLike ops, tosa.const, tosa.const_shape): they live with the layer that
/// uses them, so they cost no transfer and are cloned into partitions rather than passed between them.
bool isWeightLike(Operation *op);

/// Whether constant values are what flydel-translate --elide-weights leaves in place of weights: a zero splat of more
/// than 16 elements (the importer keeps smaller constants inline), or a dense_resource whose blob is absent.
bool isElidedConstant(Attribute values);

/// The layer name of an op: the name of the NameLoc an importer gave it (the ONNX node name), else empty.
std::string getLayerName(Operation *op);

/// Whether an op only moves data (reshape, transpose, concat, ...: its layer is of kind data_movement). A pin
/// naming both such ops and computing ops pins the computing ones (a layer's weight transposes carry its name);
/// the KPI report can hide them.
bool isLayoutOp(Operation *op);

/// Bytes of a statically shaped value (sub-byte elements count as one byte), 0 when dynamic or not shaped.
double getValueBytes(Value value);

/// The static shape of `value` if it is a ranked tensor or memref of rank `rank`; else failure, with `reason`.
FailureOr<ArrayRef<int64_t>> getStaticShape(Value value, unsigned rank, std::string &reason);

/// Fills batch/in_h/in_w/c_in of an elementwise or data-movement layer from a static shape: rank-4 shapes are
/// read as NHWC, other ranks fold into c_in. Fails on a dynamic or unranked shape.
LogicalResult fillFromActivationShape(Type type, ::flydel::Layer &layer, std::string &reason);

} // namespace mlir::flydel

#include "flydel/Interfaces/LayerOpInterface.h.inc"

#endif // FLYDEL_INTERFACES_LAYEROPINTERFACE_H
