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
  // One context for every input: creating one (and loading its dialects) cost more than most imports, and under
  // ASan it held the fuzzer to ~20 inputs/s. What a context keeps between inputs is uniqued types and attributes.
  static mlir::MLIRContext *context = [] {
    mlir::DialectRegistry registry;
    mlir::flydel::registerOnnxImportDialects(registry);
    auto *c = new mlir::MLIRContext(registry, mlir::MLIRContext::Threading::DISABLED);
    c->loadAllAvailableDialects();
    return c;
  }();
  // Swallow diagnostics: errors are expected results here.
  mlir::ScopedDiagnosticHandler quiet(context, [](mlir::Diagnostic &) { return mlir::success(); });
  mlir::flydel::OnnxImportOptions options;
  options.elideWeights = true;
  (void)mlir::flydel::importOnnxModel(llvm::StringRef(reinterpret_cast<const char *>(data), size), "fuzz",
                                      context, options);
  return 0;
}
