//===- Pipelines.h - flydel's named pass pipelines --------------*- C++ -*-===//
//
// flydel-lower-cpu: TOSA (as flydel-translate imports it) -> linalg -> bufferized loops -> LLVM dialect, ready for
// mlir-runner or the ExecutionEngine. CPU partitions of a model are lowered through it and measured.
//
//===----------------------------------------------------------------------===//

#ifndef FLYDEL_PIPELINES_PIPELINES_H
#define FLYDEL_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class OpPassManager;

namespace flydel {

struct LowerCpuOptions : public PassPipelineOptions<LowerCpuOptions> {
  Option<bool> fuseElementwise{*this, "fuse-elementwise",
                               llvm::cl::desc("Fuse elementwise linalg ops into their producers"),
                               llvm::cl::init(true)};
};

/// Appends the CPU lowering to `pm`, which must be anchored on builtin.module.
void buildLowerCpuPipeline(OpPassManager &pm, const LowerCpuOptions &options);

/// Registers --flydel-lower-cpu.
void registerFlydelPipelines();

} // namespace flydel
} // namespace mlir

#endif // FLYDEL_PIPELINES_PIPELINES_H
