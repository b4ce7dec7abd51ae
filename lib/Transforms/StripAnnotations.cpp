//===- StripAnnotations.cpp - remove flydel.* attributes ------------------===//

#include "flydel/Dialect/Flydel/IR/FlydelDialect.h"
#include "flydel/Transforms/Passes.h"

namespace mlir::flydel {
#define GEN_PASS_DEF_STRIPANNOTATIONS
#include "flydel/Transforms/Passes.h.inc"
} // namespace mlir::flydel

using namespace mlir;

namespace {
struct StripAnnotationsPass : flydel::impl::StripAnnotationsBase<StripAnnotationsPass> {
  using Base::Base;

  void runOnOperation() override {
    using Dialect = flydel::FlydelDialect;
    ModuleOp module = getOperation();
    module->walk([&](Operation *op) {
      op->removeAttr(Dialect::kKpisAttrName);
      op->removeAttr(Dialect::kKpiTotalsAttrName);
      op->removeAttr(Dialect::kAssignmentAttrName);
      // A folding is an implementation decision like a device assignment: kept with it, else removed.
      if (!keepDevices) {
        op->removeAttr(Dialect::kDeviceAttrName);
        op->removeAttr(Dialect::kFoldingAttrName);
      }
    });
    if (!keepPlatform)
      module->removeAttr(Dialect::kPlatformAttrName);
  }
};
} // namespace
