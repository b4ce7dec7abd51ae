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
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace {
/// MlirOptMain truncates its -o file before running and deletes it when the run fails: `-o in.mlir` with a bad
/// pass option destroyed the input. A regular (or new) output file is therefore written to a temporary beside it
/// and renamed over it only when the run succeeds; stdout and special files (/dev/null, pipes) are written as given.
struct SafeOutput {
  std::string target, temporary;

  /// Rewrites argv's -o FILE to a temporary; returns false (and leaves argv) when there is nothing to protect.
  bool redirect(std::vector<std::string> &args) {
    for (size_t i = 1; i < args.size(); ++i) {
      std::string &arg = args[i];
      std::string *value = nullptr;
      size_t prefix = 0;
      if ((arg == "-o" || arg == "--o") && i + 1 < args.size()) {
        value = &args[i + 1];
      } else if (arg.rfind("-o=", 0) == 0 || arg.rfind("--o=", 0) == 0) {
        value = &arg;
        prefix = arg.find('=') + 1;
      }
      if (!value)
        continue;
      target = value->substr(prefix);
      llvm::sys::fs::file_status status;
      bool exists = !llvm::sys::fs::status(target, status);
      if (target == "-" || (exists && status.type() != llvm::sys::fs::file_type::regular_file))
        return false;
      llvm::SmallString<256> model(target);
      model += ".tmp-%%%%%%";
      int fd = -1;
      llvm::SmallString<256> path;
      if (llvm::sys::fs::createUniqueFile(model, fd, path))
        return false; // the directory is not writable: MlirOptMain reports it on the real name
      llvm::sys::Process::SafelyCloseFileDescriptor(fd);
      temporary = std::string(path);
      *value = value->substr(0, prefix) + temporary;
      return true;
    }
    return false;
  }
};
} // namespace

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

  std::vector<std::string> args(argv, argv + argc);
  SafeOutput output;
  bool redirected = output.redirect(args);
  std::vector<char *> cargs;
  for (std::string &a : args)
    cargs.push_back(a.data());
  cargs.push_back(nullptr);
  int status = mlir::asMainReturnCode(
      mlir::MlirOptMain(static_cast<int>(args.size()), cargs.data(), "flydel optimizer driver\n", registry));
  if (redirected) {
    if (status == 0) {
      if (std::error_code ec = llvm::sys::fs::rename(output.temporary, output.target)) {
        llvm::errs() << "flydel-opt: error: cannot write '" << output.target << "': " << ec.message() << "\n";
        status = 1;
      }
    }
    llvm::sys::fs::remove(output.temporary); // a failed run leaves the old file as it was
  }
  return status;
}
