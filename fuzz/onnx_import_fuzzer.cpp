//===- onnx_import_fuzzer.cpp - libFuzzer entry for the ONNX importer -----===//
//
// Feeds arbitrary bytes to importOnnxModel: every input must end in a module or an error, never a crash. Not part
// of the build or CI; see fuzz/README.md.
//
//===----------------------------------------------------------------------===//

#include "flydel/Target/ONNX/ImportONNX.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static mlir::DialectRegistry *registry = [] {
    auto *r = new mlir::DialectRegistry();
    mlir::flydel::registerOnnxImportDialects(*r);
    return r;
  }();
  mlir::MLIRContext context(*registry, mlir::MLIRContext::Threading::DISABLED);
  // Swallow diagnostics: errors are expected results here.
  mlir::ScopedDiagnosticHandler quiet(&context, [](mlir::Diagnostic &) { return mlir::success(); });
  mlir::flydel::OnnxImportOptions options;
  options.elideWeights = true;
  (void)mlir::flydel::importOnnxModel(llvm::StringRef(reinterpret_cast<const char *>(data), size), "fuzz",
                                      &context, options);
  return 0;
}
