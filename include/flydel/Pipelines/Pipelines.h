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
  Option<unsigned> tileSize{*this, "tile-size",
                            llvm::cl::desc("Tile every loop nest by this size (affine-loop-tile); 0: no tiling"),
                            llvm::cl::init(0)};
};

/// Appends the CPU lowering to `pm`, which must be anchored on builtin.module.
void buildLowerCpuPipeline(OpPassManager &pm, const LowerCpuOptions &options);

struct LowerGpuOptions : public PassPipelineOptions<LowerGpuOptions> {
  Option<std::string> chip{*this, "chip", llvm::cl::desc("NVIDIA target architecture of the kernels"),
                           llvm::cl::init("sm_80")};
  Option<std::string> features{*this, "features", llvm::cl::desc("PTX features (the PTX ISA version)"),
                               llvm::cl::init("+ptx70")};
};

/// Appends the GPU lowering to `pm` (anchored on builtin.module): TOSA -> linalg -> bufferized parallel loops
/// mapped to GPU blocks and threads -> outlined kernels -> NVVM -> PTX text embedded as gpu.binary (format isa:
/// compiling needs no GPU and no CUDA toolkit); host code to the LLVM dialect with gpu.launch_func.
void buildLowerGpuPipeline(OpPassManager &pm, const LowerGpuOptions &options);

/// Registers --flydel-lower-cpu and --flydel-lower-gpu.
void registerFlydelPipelines();

} // namespace flydel
} // namespace mlir

#endif // FLYDEL_PIPELINES_PIPELINES_H
