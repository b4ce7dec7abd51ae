//===- Passes.h - flydel passes ---------------------------------*- C++ -*-===//
#ifndef FLYDEL_TRANSFORMS_PASSES_H
#define FLYDEL_TRANSFORMS_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::flydel {

#define GEN_PASS_DECL
#include "flydel/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "flydel/Transforms/Passes.h.inc"

/// The `diagnostics` option annotate-kpis and assign-devices share: summary (one per function), per-op or none.
inline bool isDiagnosticsMode(llvm::StringRef mode) { return mode == "summary" || mode == "per-op" || mode == "none"; }

} // namespace mlir::flydel

#endif // FLYDEL_TRANSFORMS_PASSES_H
