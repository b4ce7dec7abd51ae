//===- flydel-compile.cpp - the whole flow, one command -------------------===//
//
// flydel-compile MODEL.mlir -o DIR [--platform P] [--objective O] [--mode M] [...]
//
// Annotates every op with its predicted KPIs, assigns devices, (--fold-fpga) chooses the FPGA layers' foldings and
// re-annotates at them, outlines same-device partitions, then lowers each device's partitions through that
// device's pipeline into its own module:
//   DIR/partitioned.mlir  the annotated, assigned and outlined module (with locations)
//   DIR/host.mlir         the callers, with their transfers; partitions declared external
//   DIR/cpu.mlir ...      one module per device with partitions: CPU -> LLVM dialect, GPU -> PTX + LLVM host code
//   DIR/fpga.sv           FPGA partitions as SystemVerilog modules of the hw/ engines (--emit-verilog), ROM files
//                         beside it
// Partitions that cannot be lowered (an FPGA partition with an op no engine implements, elided weights without
// --fpga-placeholder-weights, ...) are reported, and the command fails unless --allow-unlowered.
//
//===----------------------------------------------------------------------===//

#include "flydel/Dialect/Flydel/IR/FlydelAttrs.h"
#include "flydel/Dialect/Flydel/IR/FlydelDialect.h"
#include "flydel/Registration/Registration.h"
#include "flydel/Target/Verilog/EmitVerilog.h"

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

// Only flydel-compile's own options in --help (the linked LLVM libraries register hundreds).
static cl::OptionCategory category("flydel-compile options");
static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input TOSA module>"), cl::init("-"),
                                      cl::cat(category));
static cl::opt<std::string> outputDir("o", cl::desc("Output directory"), cl::value_desc("dir"), cl::Required,
                                      cl::cat(category));
static cl::opt<std::string> platform("platform", cl::desc("Embedded platform name or library JSON"),
                                     cl::init("tx2-c10gx"), cl::cat(category));
static cl::opt<std::string> objective("objective", cl::desc("latency, energy, edp or weighted"), cl::init("latency"),
                                      cl::cat(category));
static cl::opt<std::string> mode("mode", cl::desc("sequential or pipelined"), cl::init("sequential"),
                                 cl::cat(category));
static cl::opt<double> weight("weight", cl::desc("Latency weight of objective=weighted"), cl::init(0.5),
                              cl::cat(category));
static cl::opt<double> reserve("reserve", cl::desc("Share of device capacities kept free"), cl::init(0.0),
                               cl::cat(category));
static cl::opt<std::string> pins("pins", cl::desc("JSON file pinning layer names to devices"), cl::init(""),
                                 cl::cat(category));
static cl::opt<std::string> gpuChip("gpu-chip", cl::desc("NVIDIA architecture of GPU kernels"), cl::init("sm_80"),
                                    cl::cat(category));
static cl::opt<std::string> gpuFeatures("gpu-features", cl::desc("PTX features of GPU kernels"), cl::init("+ptx70"),
                                        cl::cat(category));
static cl::opt<bool> showRemarks("remarks", cl::desc("Print the per-op remarks of annotation and assignment"),
                                 cl::init(false), cl::cat(category));
static cl::opt<bool> allowUnlowered("allow-unlowered",
                                    cl::desc("Succeed even when a device's partitions cannot be lowered (FPGA "
                                             "partitions with ops no engine implements)"),
                                    cl::init(false), cl::cat(category));
static cl::opt<bool> foldFpga("fold-fpga",
                              cl::desc("Choose the PE/SIMD folding of the FPGA layers after assignment "
                                       "(--flydel-fold-fpga) and re-annotate at it; else engines are emitted at "
                                       "the folding the ops carry"),
                              cl::init(false), cl::cat(category));
static cl::opt<std::string> foldObjective("fold-objective", cl::desc("--fold-fpga: throughput or latency"),
                                          cl::init("throughput"), cl::cat(category));
static cl::list<std::string> fpgaBudget("fpga-budget",
                                        cl::desc("--fold-fpga: resource=count budgets replacing the FPGA's "
                                                 "capacities (comma-separated)"),
                                        cl::CommaSeparated, cl::cat(category));
static cl::opt<bool> fpgaPlaceholderWeights(
    "fpga-placeholder-weights",
    cl::desc("FPGA partitions: elided weights become deterministic placeholders (resource/latency studies only)"),
    cl::init(false), cl::cat(category));
static cl::opt<double> fpgaActivationRange(
    "fpga-activation-range",
    cl::desc("FPGA partitions: every activation tensor is assumed to lie in [-R, R] (no calibration data)"),
    cl::init(mlir::flydel::VerilogEmitOptions().activationRange), cl::cat(category));

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
  mlir::flydel::registerFlydel(registry);
  cl::HideUnrelatedOptions(category);
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

  // Annotation sums its diagnostics up per function unless every op's are asked for (--remarks).
  std::string annotate = "annotate-kpis{platform=" + platform + " diagnostics=" + (showRemarks ? "per-op" : "summary") + "}";
  std::string flow = annotate + ",assign-devices{objective=" + objective +
                     " mode=" + mode + " weight=" + std::to_string(weight) + " reserve=" + std::to_string(reserve) +
                     (pins.empty() ? std::string() : " pins=" + pins) + "},";
  if (foldFpga) {
    // Assignment saw the smallest engines (pe = simd = 1); folding spends the FPGA budget that is left, and the
    // second annotation predicts the FPGA layers at their foldings.
    std::string budgets;
    for (const std::string &b : fpgaBudget)
      budgets += (budgets.empty() ? "" : ",") + b;
    flow += "flydel-fold-fpga{platform=" + platform + " reserve=" + std::to_string(reserve) +
            " objective=" + foldObjective + (budgets.empty() ? std::string() : " budget=" + budgets) +
            "}," + annotate + ",";
  }
  flow += "outline-partitions";
  if (failed(runPipeline(*module, flow)))
    return 1;
  llvm::outs() << "flydel-compile: wrote\n";
  if (failed(writeModule(*module, "partitioned.mlir", /*debugInfo=*/true)))
    return 1;

  // Devices that received partitions, in platform order.
  auto platformAttr = (*module)->getAttrOfType<mlir::flydel::PlatformAttr>(mlir::flydel::FlydelDialect::kPlatformAttrName);
  llvm::StringSet<> used;
  for (auto function : module->getOps<func::FuncOp>())
    if (auto device = function->getAttrOfType<mlir::flydel::DeviceAttr>(mlir::flydel::FlydelDialect::kDeviceAttrName))
      used.insert(device.getName().getValue());

  OwningOpRef<ModuleOp> host = cast<ModuleOp>((*module)->clone());
  if (failed(runPipeline(*host, "flydel-extract-device{device=host}")) ||
      failed(writeModule(*host, "host.mlir", /*debugInfo=*/false)))
    return 1;

  bool unlowered = false;
  for (mlir::flydel::DeviceAttr device : platformAttr.getDevices()) {
    StringRef name = device.getName().getValue();
    if (!used.contains(name))
      continue;
    std::string lowering;
    switch (device.getKind()) {
    case mlir::flydel::DeviceKind::cpu:
      lowering = "flydel-lower-cpu";
      break;
    case mlir::flydel::DeviceKind::gpu:
      lowering = "flydel-lower-gpu{chip=" + gpuChip + " features=" + gpuFeatures + "}";
      break;
    case mlir::flydel::DeviceKind::fpga: {
      OwningOpRef<ModuleOp> part = cast<ModuleOp>((*module)->clone());
      if (failed(runPipeline(*part, "flydel-extract-device{device=" + name.str() + "}")))
        return 1;
      mlir::flydel::VerilogEmitOptions options;
      options.placeholderWeights = fpgaPlaceholderWeights;
      options.activationRange = fpgaActivationRange;
      options.provenance = "flydel-compile " + inputFile + " (device '" + name.str() + "')";
      // The reasons a partition cannot be lowered are errors, or warnings under --allow-unlowered.
      FailureOr<mlir::flydel::EmittedVerilog> emitted = failure();
      {
        ScopedDiagnosticHandler downgrade(&context, [&](Diagnostic &diag) {
          if (diag.getSeverity() != DiagnosticSeverity::Error || !allowUnlowered)
            return failure(); // to the source manager's handler
          llvm::errs() << diag.getLocation() << ": warning: " << diag << "\n";
          return success();
        });
        emitted = mlir::flydel::emitVerilog(*part, options);
      }
      if (failed(emitted)) {
        llvm::errs() << "flydel-compile: " << (allowUnlowered ? "warning" : "error") << ": partitions on FPGA '"
                     << name << "' are not lowered (see above)\n";
        unlowered = true;
        continue;
      }
      SmallString<256> path(outputDir);
      llvm::sys::path::append(path, name + ".sv");
      if (failed(mlir::flydel::writeVerilog(*emitted, path, (*module)->getLoc())))
        return 1;
      llvm::outs() << "  " << path << " (" << emitted->partitions.size() << " partition(s), " << emitted->files.size()
                   << " ROM file(s) beside it)\n";
      continue;
    }
    }
    OwningOpRef<ModuleOp> part = cast<ModuleOp>((*module)->clone());
    std::string pipeline = "flydel-extract-device{device=" + name.str() +
                           "},flydel-lower-transfers,flydel-strip-annotations," + lowering;
    if (failed(runPipeline(*part, pipeline)) || failed(writeModule(*part, (name + ".mlir").str(), false)))
      return 1;
  }
  if (auto summary = [&]() -> DictionaryAttr {
        for (auto function : module->getOps<func::FuncOp>())
          if (auto s = function->getAttrOfType<DictionaryAttr>(mlir::flydel::FlydelDialect::kAssignmentAttrName))
            return s;
        return {};
      }())
    llvm::outs() << "assignment: " << summary << "\n";
  return unlowered && !allowUnlowered ? 1 : 0;
}
