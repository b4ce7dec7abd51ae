//===- LowerCpu.cpp - TOSA to LLVM for the host CPU -----------------------===//

#include "flydel/Pipelines/Pipelines.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

void flydel::buildLowerCpuPipeline(OpPassManager &pm, const LowerCpuOptions &options) {
  // Spelled as upstream's textual pipeline: every stage is an upstream pass with its registered options, and the
  // string reads the same as the equivalent flydel-opt command line. tosa-to-linalg-pipeline must run on the
  // module (it schedules the module-level TOSA validation).
  std::string pipeline = "func.func(tosa-to-tensor),tosa-to-linalg-pipeline,func.func(tosa-to-tensor,tosa-to-arith),canonicalize,";
  if (options.fuseElementwise)
    pipeline += "func.func(linalg-fuse-elementwise-ops),";
  pipeline += "one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},"
              "buffer-deallocation-pipeline,convert-bufferization-to-memref,convert-linalg-to-loops,func.func(math-expand-ops),convert-math-to-libm,"
              "lower-affine,convert-scf-to-cf,expand-strided-metadata,finalize-memref-to-llvm,convert-math-to-llvm,"
              "convert-arith-to-llvm,convert-func-to-llvm,convert-cf-to-llvm,reconcile-unrealized-casts";
  std::string error;
  llvm::raw_string_ostream errorStream(error);
  if (failed(parsePassPipeline(pipeline, pm, errorStream)))
    llvm::report_fatal_error(llvm::Twine("flydel-lower-cpu: bad built-in pipeline: ") + error);
}

void flydel::registerFlydelPipelines() {
  PassPipelineRegistration<LowerCpuOptions>(
      "flydel-lower-cpu",
      "Lower TOSA to the LLVM dialect for the host CPU (linalg, one-shot bufferization, loops), runnable with "
      "mlir-runner",
      buildLowerCpuPipeline);
}
