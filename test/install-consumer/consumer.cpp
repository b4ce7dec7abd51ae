// Registers flydel through the installed package, parses an annotated module and prints it back.
#include "flydel/Registration/Registration.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"

int main() {
  mlir::DialectRegistry registry;
  mlir::flydel::registerFlydel(registry);
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();
  const char *source = R"mlir(
    module attributes {flydel.platform = #flydel.platform<"p", devices = [#flydel.device<"cpu", cpu>]>} {})mlir";
  mlir::OwningOpRef<mlir::ModuleOp> module = mlir::parseSourceString<mlir::ModuleOp>(source, &context);
  if (!module)
    return 1;
  module->print(llvm::outs());
  llvm::outs() << "\n";
  return 0;
}
