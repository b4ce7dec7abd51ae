//===- LayerOpInterfaceImpl.h - linalg ops as layers ------------*- C++ -*-===//
#ifndef FLYDEL_DIALECT_LINALG_LAYEROPINTERFACEIMPL_H
#define FLYDEL_DIALECT_LINALG_LAYEROPINTERFACEIMPL_H

namespace mlir {
class DialectRegistry;
namespace flydel {
/// Attaches LayerOpInterface to linalg's named CNN ops (conv_2d_*, depthwise_conv_2d_*, pooling_*, matmul,
/// batch_matmul), its named elementwise ops, and linalg.generic when all its loops are parallel (elementwise).
void registerLinalgLayerOpInterfaceExternalModels(DialectRegistry &registry);
} // namespace flydel
} // namespace mlir

#endif // FLYDEL_DIALECT_LINALG_LAYEROPINTERFACEIMPL_H
