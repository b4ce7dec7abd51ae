//===- LowerCpu.cpp - TOSA to LLVM for the host CPU -----------------------===//

#include "flydel/Pipelines/Pipelines.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

/// The TOSA-to-buffers front half both device pipelines share.
static std::string bufferizedLinalgStages(bool fuseElementwise) {
  // Spelled as upstream's textual pipeline: every stage is an upstream pass with its registered options, and the
  // string reads the same as the equivalent flydel-opt command line. tosa-to-linalg-pipeline must run on the
  // module (it schedules the module-level TOSA validation). The optional decompositions (transpose_conv2d into
  // pad/reshape/transpose around a conv2d) run first: tosa-to-linalg-pipeline runs them too, but after
  // tosa-to-tensor, and its validation then rejects the rank-4 tosa.pad they emit (shape<8> "exceeds MAX_RANK").
  std::string stages = "func.func(tosa-optional-decompositions,tosa-to-tensor),tosa-to-linalg-pipeline,func.func(tosa-to-tensor,tosa-to-arith),canonicalize,";
  if (fuseElementwise)
    stages += "func.func(linalg-fuse-elementwise-ops),";
  stages += "one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},"
            "buffer-deallocation-pipeline,convert-bufferization-to-memref,";
  return stages;
}

static void addPipeline(OpPassManager &pm, StringRef name, const std::string &pipeline) {
  std::string error;
  llvm::raw_string_ostream errorStream(error);
  if (failed(parsePassPipeline(pipeline, pm, errorStream)))
    llvm::report_fatal_error(llvm::Twine(name) + ": bad built-in pipeline: " + error);
}

void flydel::buildLowerCpuPipeline(OpPassManager &pm, const LowerCpuOptions &options) {
  // Tiling is upstream's affine-loop-tile (MLIR 22 has no plain linalg tiling pass; the transform dialect is the
  // next step). Upstream's affine super-vectorizer was tried and emits invalid vector.transfer_write ops on the
  // pooling and convolution nests, so there is no vectorization yet. Off by default: the host platform library
  // was measured with untiled loops.
  std::string loops = "convert-linalg-to-loops,";
  if (options.tileSize)
    loops = "func.func(convert-linalg-to-affine-loops,affine-loop-tile{tile-size=" +
            std::to_string(options.tileSize) + "},canonicalize),";
  addPipeline(pm, "flydel-lower-cpu",
              bufferizedLinalgStages(options.fuseElementwise) + loops +
                  "func.func(math-expand-ops),convert-math-to-libm,"
                  "lower-affine,convert-vector-to-scf,convert-scf-to-cf,expand-strided-metadata,convert-vector-to-llvm,"
                  "finalize-memref-to-llvm,convert-math-to-llvm,convert-arith-to-llvm,convert-ub-to-llvm,"
                  "convert-func-to-llvm,convert-cf-to-llvm,reconcile-unrealized-casts");
}

void flydel::buildLowerGpuPipeline(OpPassManager &pm, const LowerGpuOptions &options) {
  // Parallel loops become gpu.launch (one mapping per loop nest), kernels are outlined, and upstream's NVVM
  // pipeline lowers host and device code and serializes the kernels.
  addPipeline(pm, "flydel-lower-gpu",
              bufferizedLinalgStages(/*fuseElementwise=*/true) +
                  "func.func(convert-linalg-to-parallel-loops,gpu-map-parallel-loops,convert-parallel-loops-to-gpu),"
                  "gpu-kernel-outlining,lower-affine,convert-scf-to-cf,"
                  "gpu-lower-to-nvvm-pipeline{cubin-chip=" + options.chip.getValue() +
                  " cubin-features=" + options.features.getValue() + " cubin-format=isa}");
}

void flydel::registerFlydelPipelines() {
  PassPipelineRegistration<LowerCpuOptions>(
      "flydel-lower-cpu",
      "Lower TOSA to the LLVM dialect for the host CPU (linalg, one-shot bufferization, loops), runnable with "
      "mlir-runner",
      buildLowerCpuPipeline);
  PassPipelineRegistration<LowerGpuOptions>(
      "flydel-lower-gpu",
      "Lower TOSA to NVIDIA GPU kernels (PTX embedded as gpu.binary, no GPU needed to compile) and LLVM host code",
      buildLowerGpuPipeline);
}
