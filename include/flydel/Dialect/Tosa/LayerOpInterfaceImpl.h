//===- LayerOpInterfaceImpl.h - TOSA ops as layers --------------*- C++ -*-===//
#ifndef FLYDEL_DIALECT_TOSA_LAYEROPINTERFACEIMPL_H
#define FLYDEL_DIALECT_TOSA_LAYEROPINTERFACEIMPL_H

namespace mlir {
class DialectRegistry;
namespace flydel {
/// Attaches LayerOpInterface to TOSA's CNN ops: conv2d, depthwise_conv2d, transpose_conv2d, matmul, max_pool2d,
/// avg_pool2d, the elementwise ops, and reshape/transpose/concat/pad/slice/tile as data movement.
void registerTosaLayerOpInterfaceExternalModels(DialectRegistry &registry);
} // namespace flydel
} // namespace mlir

#endif // FLYDEL_DIALECT_TOSA_LAYEROPINTERFACEIMPL_H
