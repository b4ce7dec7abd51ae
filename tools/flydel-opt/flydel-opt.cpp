//===- flydel-opt.cpp - the flydel optimizer driver -----------------------===//
//
// mlir-opt with the flydel dialect and passes, and the upstream dialects and passes a CNN compiler flow chains
// with them (TOSA import, linalg, bufferization, vector, GPU/NVVM and LLVM lowering).
//
//===----------------------------------------------------------------------===//

#include "flydel/Registration/Registration.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // gpu-module-to-binary translates GPU kernels to LLVM IR and PTX inside flydel-opt.
  mlir::registerAllToLLVMIRTranslations(registry);
  mlir::registerAllPasses();
  mlir::flydel::registerFlydel(registry);

  llvm::cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << "flydel " << FLYDEL_VERSION << " (LLVM/MLIR " << LLVM_VERSION_STRING << ")\n";
  });

  return mlir::asMainReturnCode(mlir::MlirOptMain(argc, argv, "flydel optimizer driver\n", registry));
}
