//===- flydel-compile.cpp - the whole flow, one command -------------------===//
//
// flydel-compile MODEL.mlir -o DIR [--platform P] [--objective O] [--mode M] [...]
//
// Annotates every op with its predicted KPIs, assigns devices, outlines same-device partitions, then lowers each
// device's partitions through that device's pipeline into its own module:
//   DIR/partitioned.mlir  the annotated, assigned and outlined module (with locations)
//   DIR/host.mlir         the callers, with their transfers; partitions declared external
//   DIR/cpu.mlir ...      one module per device with partitions: CPU -> LLVM dialect, GPU -> PTX + LLVM host code
// FPGA partitions have no flow yet: they are reported, and the command fails unless --allow-unlowered.
//
//===----------------------------------------------------------------------===//

#include "flydel/Dialect/Flydel/IR/FlydelAttrs.h"
#include "flydel/Dialect/Flydel/IR/FlydelDialect.h"
#include "flydel/Registration/Registration.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input TOSA module>"), cl::init("-"));
static cl::opt<std::string> outputDir("o", cl::desc("Output directory"), cl::value_desc("dir"), cl::Required);
static cl::opt<std::string> platform("platform", cl::desc("Embedded platform name or library JSON"),
                                     cl::init("tx2-c10gx"));
static cl::opt<std::string> objective("objective", cl::desc("latency, energy, edp or weighted"),
                                      cl::init("latency"));
static cl::opt<std::string> mode("mode", cl::desc("sequential or pipelined"), cl::init("sequential"));
static cl::opt<double> weight("weight", cl::desc("Latency weight of objective=weighted"), cl::init(0.5));
static cl::opt<double> reserve("reserve", cl::desc("Share of device capacities kept free"), cl::init(0.0));
static cl::opt<std::string> pins("pins", cl::desc("JSON file pinning layer names to devices"), cl::init(""));
static cl::opt<std::string> gpuChip("gpu-chip", cl::desc("NVIDIA architecture of GPU kernels"),
                                    cl::init("sm_80"));
static cl::opt<std::string> gpuFeatures("gpu-features", cl::desc("PTX features of GPU kernels"),
                                        cl::init("+ptx70"));
static cl::opt<bool> showRemarks("remarks", cl::desc("Print the per-op remarks of annotation and assignment"),
                                 cl::init(false));
static cl::opt<bool> allowUnlowered("allow-unlowered",
                                    cl::desc("Succeed even when partitions of a device have no flow (FPGA)"),
                                    cl::init(false));

static LogicalResult runPipeline(ModuleOp module, const std::string &pipeline) {
  PassManager pm(module->getContext(), ModuleOp::getOperationName());
  std::string error;
  llvm::raw_string_ostream errorStream(error);
  if (failed(parsePassPipeline(pipeline, pm, errorStream))) {
    llvm::errs() << "flydel-compile: error: " << error << "\n";
    return failure();
  }
  return pm.run(module);
}

static LogicalResult writeModule(ModuleOp module, StringRef name, bool debugInfo) {
  SmallString<256> path(outputDir);
  llvm::sys::path::append(path, name);
  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> file = openOutputFile(path, &error);
  if (!file) {
    llvm::errs() << "flydel-compile: error: " << error << "\n";
    return failure();
  }
  OpPrintingFlags flags;
  if (debugInfo)
    flags.enableDebugInfo();
  module->print(file->os(), flags);
  file->keep();
  llvm::outs() << "  " << path << "\n";
  return success();
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registerAllPasses();
  flydel::registerFlydel(registry);
  cl::ParseCommandLineOptions(argc, argv, "flydel whole flow: annotate, assign, outline, lower per device\n");

  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input = openInputFile(inputFile, &error);
  if (!input) {
    llvm::errs() << "flydel-compile: error: " << error << "\n";
    return 1;
  }
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(input), SMLoc());
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  // Per-op remarks (one per op and pass) drown the summary on real models: shown only on request.
  ScopedDiagnosticHandler remarkFilter(&context, [](Diagnostic &diag) {
    return success(diag.getSeverity() == DiagnosticSeverity::Remark && !showRemarks);
  });
  context.printOpOnDiagnostic(false);
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1;
  if (std::error_code ec = llvm::sys::fs::create_directories(outputDir)) {
    llvm::errs() << "flydel-compile: error: cannot create '" << outputDir << "': " << ec.message() << "\n";
    return 1;
  }

  std::string flow = "annotate-kpis{platform=" + platform + "},assign-devices{objective=" + objective +
                     " mode=" + mode + " weight=" + std::to_string(weight) + " reserve=" + std::to_string(reserve) +
                     (pins.empty() ? std::string() : " pins=" + pins) + "},outline-partitions";
  if (failed(runPipeline(*module, flow)))
    return 1;
  llvm::outs() << "flydel-compile: wrote\n";
  if (failed(writeModule(*module, "partitioned.mlir", /*debugInfo=*/true)))
    return 1;

  // Devices that received partitions, in platform order.
  auto platformAttr = (*module)->getAttrOfType<flydel::PlatformAttr>(flydel::FlydelDialect::kPlatformAttrName);
  llvm::StringSet<> used;
  for (auto function : module->getOps<func::FuncOp>())
    if (auto device = function->getAttrOfType<flydel::DeviceAttr>(flydel::FlydelDialect::kDeviceAttrName))
      used.insert(device.getName().getValue());

  OwningOpRef<ModuleOp> host = cast<ModuleOp>((*module)->clone());
  if (failed(runPipeline(*host, "flydel-extract-device{device=host}")) ||
      failed(writeModule(*host, "host.mlir", /*debugInfo=*/false)))
    return 1;

  bool unlowered = false;
  for (flydel::DeviceAttr device : platformAttr.getDevices()) {
    StringRef name = device.getName().getValue();
    if (!used.contains(name))
      continue;
    std::string lowering;
    switch (device.getKind()) {
    case flydel::DeviceKind::cpu:
      lowering = "flydel-lower-cpu";
      break;
    case flydel::DeviceKind::gpu:
      lowering = "flydel-lower-gpu{chip=" + gpuChip + " features=" + gpuFeatures + "}";
      break;
    case flydel::DeviceKind::fpga:
      llvm::errs() << "flydel-compile: " << (allowUnlowered ? "warning" : "error") << ": partitions on FPGA '"
                   << name << "' are not lowered: flydel has no FPGA flow yet (see docs/assign-devices.md)\n";
      unlowered = true;
      continue;
    }
    OwningOpRef<ModuleOp> part = cast<ModuleOp>((*module)->clone());
    std::string pipeline = "flydel-extract-device{device=" + name.str() +
                           "},flydel-lower-transfers,flydel-strip-annotations," + lowering;
    if (failed(runPipeline(*part, pipeline)) || failed(writeModule(*part, (name + ".mlir").str(), false)))
      return 1;
  }
  if (auto summary = [&]() -> DictionaryAttr {
        for (auto function : module->getOps<func::FuncOp>())
          if (auto s = function->getAttrOfType<DictionaryAttr>(flydel::FlydelDialect::kAssignmentAttrName))
            return s;
        return {};
      }())
    llvm::outs() << "assignment: " << summary << "\n";
  return unlowered && !allowUnlowered ? 1 : 0;
}
