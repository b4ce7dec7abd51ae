//===- ImportONNX.h - ONNX model to TOSA importer ---------------*- C++ -*-===//
//
// Imports an ONNX model (protobuf bytes) into a module holding one func.func per graph, in TOSA 1.0 as MLIR 22
// spells it, with static shapes, NHWC activations inside the function and the ONNX node name as every op's
// location. See docs/importer.md.
//
//===----------------------------------------------------------------------===//

#ifndef FLYDEL_TARGET_ONNX_IMPORTONNX_H
#define FLYDEL_TARGET_ONNX_IMPORTONNX_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir {
class DialectRegistry;
class MLIRContext;
} // namespace mlir

namespace mlir::flydel {

struct OnnxImportOptions {
  /// Emit weights as zero splats instead of their values (analysis-only flows: fast, small output).
  bool elideWeights = false;
  /// Static shapes for graph inputs, by input name; they replace the model's (possibly dynamic) dimensions.
  llvm::StringMap<llvm::SmallVector<int64_t, 4>> inputShapes;
  /// Name of the imported function.
  std::string functionName = "main_graph";
};

/// Parses "NAME=1x3x224x224" into `options.inputShapes`; returns an error message, empty on success.
std::string parseOnnxInputShape(llvm::StringRef spec, OnnxImportOptions &options);

/// Encodes an ONNX ModelProto written in protobuf text format (.txtpb, what `protoc --encode=onnx.ModelProto`
/// reads) into its binary form in `bytes`, for importOnnxModel. Returns an error message (with the line and column
/// protobuf reports), empty on success.
std::string encodeOnnxText(llvm::StringRef text, std::string &bytes);

/// The ONNX op types (default domain) the importer converts, sorted: its dispatch table, as
/// `flydel-translate --list-onnx-ops` prints it and docs/importer.md's coverage table is checked against.
llvm::SmallVector<llvm::StringRef> getSupportedOnnxOps();

/// Registers the dialects the importer produces (func, tosa).
void registerOnnxImportDialects(DialectRegistry &registry);

/// Imports a serialized ONNX ModelProto. Errors are reported through the context's diagnostic engine, located at
/// the offending node (a NameLoc with its name) or at `sourceName`; the result is then null.
OwningOpRef<ModuleOp> importOnnxModel(llvm::StringRef bytes, llvm::StringRef sourceName, MLIRContext *context,
                                      const OnnxImportOptions &options = {});

/// Appends `@main() -> ()` to an imported module, for ONNX node tests: it calls the imported function on the
/// serialized TensorProtos `inputs` and prints, per output, how many elements differ from `outputs` by more than
/// atol + rtol * |expected| (printMemrefF32 of a 1-element tensor). Needs the bufferization and memref dialects.
LogicalResult appendOnnxTestHarness(ModuleOp module, llvm::ArrayRef<std::string> inputs,
                                    llvm::ArrayRef<std::string> outputs, double atol, double rtol,
                                    const OnnxImportOptions &options = {});

/// Appends `@main() -> ()` to an imported module, to run it under mlir-runner: it calls the imported function on
/// the serialized TensorProtos `inputs` (none: uniform random values in [-1, 1) from `seed`, of the argument
/// types), then prints every output (printMemrefF32) and, last, the call's wall time in milliseconds (printF64 of
/// rtclock's difference). The inputs are copied into buffers allocated at run time, so nothing is folded away.
LogicalResult appendOnnxRunHarness(ModuleOp module, llvm::ArrayRef<std::string> inputs, uint64_t seed,
                                   const OnnxImportOptions &options = {});

} // namespace mlir::flydel

#endif // FLYDEL_TARGET_ONNX_IMPORTONNX_H
