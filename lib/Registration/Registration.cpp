//===- Registration.cpp - register flydel into a tool ---------------------===//

#include "flydel/Registration/Registration.h"

#include "flydel/Dialect/Flydel/IR/FlydelDialect.h"
#include "flydel/Dialect/Linalg/LayerOpInterfaceImpl.h"
#include "flydel/Dialect/Tosa/LayerOpInterfaceImpl.h"
#include "flydel/Pipelines/Pipelines.h"
#include "flydel/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"

void mlir::flydel::registerFlydelDialects(mlir::DialectRegistry &registry) {
  registry.insert<FlydelDialect>();
  registerTosaLayerOpInterfaceExternalModels(registry);
  registerLinalgLayerOpInterfaceExternalModels(registry);
}

void mlir::flydel::registerFlydelPasses() {
  registerFlydelTransformsPasses();
  registerFlydelPipelines();
}

void mlir::flydel::registerFlydel(mlir::DialectRegistry &registry) {
  registerFlydelDialects(registry);
  // Pass registration is global and idempotent; doing it here keeps "one call" for embedding tools.
  static bool passesRegistered = [] {
    registerFlydelPasses();
    return true;
  }();
  (void)passesRegistered;
}
