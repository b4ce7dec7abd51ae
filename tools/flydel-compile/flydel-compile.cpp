//===- flydel-compile.cpp - the whole flow, one command -------------------===//
//
// flydel-compile MODEL.mlir|MODEL.onnx -o DIR [--platform P] [--objective O] [--mode M] [...]
//
// Imports an ONNX model (binary or protobuf text; --input-shape NAME=DIMS for its dynamic inputs) or reads a TOSA
// module, annotates every op with its predicted KPIs, assigns devices, (--fold-fpga) chooses the FPGA layers' foldings and
// re-annotates at them, outlines same-device partitions, then lowers each device's partitions through that
// device's pipeline into its own module:
//   DIR/partitioned.mlir  the annotated, assigned and outlined module (with locations)
//   DIR/host.mlir         the callers, with their transfers; partitions declared external
//   DIR/cpu.mlir ...      one module per device with partitions: CPU -> LLVM dialect, GPU -> PTX + LLVM host code
//   DIR/fpga.sv           FPGA partitions as SystemVerilog modules of the hw/ engines (--emit-verilog), ROM files
//                         beside it
// --save-placement FILE writes the assignment as the JSON --pins reads. Every option is checked before any work.
// Partitions that cannot be lowered (an FPGA partition with an op no engine implements, elided weights without
// --fpga-placeholder-weights, ...) are reported, and the command fails unless --allow-unlowered.
// Outputs are written only when the whole flow succeeded, each through a temporary and a rename; DIR/.flydel-compile-
// files lists them, and the next run removes the files of that list it does not write again (docs/reliability.md).
//
//===----------------------------------------------------------------------===//

#include "flydel/Dialect/Flydel/IR/FlydelAttrs.h"
#include "flydel/Dialect/Flydel/IR/FlydelDialect.h"
#include "flydel/Api/Flow.h"
#include "flydel/Model/Library.h"
#include "flydel/Partition/Assignment.h"
#include "flydel/Partition/Folding.h"
#include "flydel/Registration/Registration.h"
#include "flydel/Target/ONNX/ImportONNX.h"
#include "flydel/Target/Verilog/EmitVerilog.h"
#include "flydel/Transforms/Placement.h"
#include "flydel/Transforms/PlatformLibrary.h"

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
static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input TOSA module (.mlir) or ONNX model (.onnx)>"),
                                      cl::init("-"), cl::cat(category));
static cl::opt<std::string> inputFormat("input-format",
                                        cl::desc("mlir, onnx or onnx-text (default: by the file's extension, "
                                                 ".onnx, .txtpb/.pbtxt/.textproto or .mlir; else mlir)"),
                                        cl::init(""), cl::cat(category));
static cl::list<std::string> inputShapes("input-shape",
                                         cl::desc("ONNX input: static shape of a graph input, NAME=D0xD1x... "
                                                  "(repeatable)"),
                                         cl::value_desc("NAME=SHAPE"), cl::cat(category));
static cl::opt<std::string> savePlacement("save-placement",
                                          cl::desc("Write the device assignment as the JSON --pins reads"),
                                          cl::value_desc("file"), cl::init(""), cl::cat(category));
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
static cl::opt<std::string> gpuChip("gpu-chip",
                                    cl::desc("NVIDIA architecture of GPU kernels (default: the platform's GPU "
                                             "device's \"chip\", else sm_80)"),
                                    cl::init(""), cl::cat(category));
static cl::opt<std::string> gpuFeatures("gpu-features",
                                        cl::desc("PTX features of GPU kernels (default: the PTX version the chip "
                                                 "needs)"),
                                        cl::init(""), cl::cat(category));
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

/// What one run writes, held in memory until the whole flow has succeeded: a failed run writes nothing, so no
/// half-written or partial set of files is left beside the previous run's (issue 18).
struct Output {
  std::string name; // relative to the output directory, no '/'
  std::string text;
  std::string note; // printed after the path in the list of written files
};

static std::string printModule(ModuleOp module, bool debugInfo) {
  std::string text;
  llvm::raw_string_ostream os(text);
  OpPrintingFlags flags;
  if (debugInfo)
    flags.enableDebugInfo();
  module->print(os, flags);
  return text;
}

/// The list of files the last successful run wrote, so the next run can remove those it does not write again.
static constexpr const char *kManifest = ".flydel-compile-files";

/// Only names flydel-compile itself produces are ever removed from the output directory.
static bool isOwnOutputName(StringRef name) {
  if (name.empty() || name.starts_with(".") || name.contains('/') || name.contains('\\'))
    return false;
  return name.ends_with(".mlir") || name.ends_with(".sv") || name.ends_with(".mem");
}

/// Writes every output (each through a temporary and a rename), then removes the files the previous run's manifest
/// lists that this run did not write, then records this run's manifest.
static LogicalResult commitOutputs(const std::vector<Output> &outputs) {
  if (std::error_code ec = llvm::sys::fs::create_directories(outputDir)) {
    llvm::errs() << "flydel-compile: error: cannot create '" << outputDir << "': " << ec.message() << "\n";
    return failure();
  }
  llvm::StringSet<> written;
  llvm::outs() << "flydel-compile: wrote\n";
  for (const Output &out : outputs) {
    SmallString<256> path(outputDir);
    llvm::sys::path::append(path, out.name);
    std::string error;
    if (!::flydel::writeFileAtomically(path.str().str(), out.text, &error)) {
      llvm::errs() << "flydel-compile: error: " << error << "\n";
      return failure();
    }
    written.insert(out.name);
  }
  // Every file written, each Verilog module followed by its ROM files.
  for (const Output &out : outputs) {
    if (StringRef(out.name).ends_with(".mem"))
      continue;
    SmallString<256> path(outputDir);
    llvm::sys::path::append(path, out.name);
    llvm::outs() << "  " << path << out.note << "\n";
    if (StringRef(out.name).ends_with(".sv"))
      for (const Output &rom : outputs)
        if (StringRef(rom.name).ends_with(".mem")) {
          SmallString<256> romPath(outputDir);
          llvm::sys::path::append(romPath, rom.name);
          llvm::outs() << "    " << romPath << "\n";
        }
  }
  SmallString<256> manifest(outputDir);
  llvm::sys::path::append(manifest, kManifest);
  if (auto previous = llvm::MemoryBuffer::getFile(manifest)) {
    SmallVector<StringRef> names;
    (*previous)->getBuffer().split(names, '\n', -1, /*KeepEmpty=*/false);
    for (StringRef name : names) {
      name = name.trim();
      if (!isOwnOutputName(name) || written.contains(name))
        continue;
      SmallString<256> stale(outputDir);
      llvm::sys::path::append(stale, name);
      if (!llvm::sys::fs::exists(stale))
        continue;
      if (std::error_code ec = llvm::sys::fs::remove(stale)) {
        llvm::errs() << "flydel-compile: error: cannot remove '" << stale << "' of the previous run: " << ec.message()
                     << "\n";
        return failure();
      }
      llvm::outs() << "flydel-compile: removed " << stale << " (written by the previous run, not by this one)\n";
    }
  }
  std::string list;
  for (const Output &out : outputs)
    list += out.name + "\n";
  std::string error;
  if (!::flydel::writeFileAtomically(manifest.str().str(), list, &error)) {
    llvm::errs() << "flydel-compile: error: " << error << "\n";
    return failure();
  }
  return success();
}

/// The PTX ISA version a chip needs (the first that supports it), as NVPTX features; empty: a chip this table
/// does not know (then --gpu-features must say).
static std::string ptxFeaturesFor(StringRef chip) {
  unsigned sm = 0;
  StringRef digits = chip.drop_front(3);
  bool archSpecific = digits.consume_back("a");
  if (digits.getAsInteger(10, sm))
    return {};
  if (archSpecific)
    return sm == 90 ? "+ptx80" : "";
  if (sm >= 50 && sm <= 80)
    return "+ptx70";
  switch (sm) {
  case 86:
    return "+ptx71";
  case 87:
    return "+ptx74";
  case 89:
  case 90:
    return "+ptx78";
  case 100:
    return "+ptx86";
  case 120:
    return "+ptx87";
  default:
    return {};
  }
}

/// Every option checked before any work (issue 20): a misspelt objective must not cost an annotation first.
/// Returns an error message; empty when the options are consistent. Fills the GPU target from the platform.
static std::string checkOptions(const ::flydel::Library &library, std::string &chip, std::string &features,
                                std::string &chipSource, mlir::flydel::OnnxImportOptions &onnx,
                                std::string &format) {
  // The passes' own parsers, so the accepted words are theirs.
  ::flydel::Objective objectiveKind;
  ::flydel::ScheduleMode modeKind;
  ::flydel::FoldingObjective foldKind;
  if (!::flydel::parseObjective(objective, objectiveKind))
    return "--objective '" + objective + "': expected latency, energy, edp or weighted";
  if (!::flydel::parseScheduleMode(mode, modeKind))
    return "--mode '" + mode + "': expected sequential or pipelined";
  if (!(weight >= 0 && weight <= 1))
    return "--weight " + std::to_string(weight) + ": expected a latency weight in [0, 1]";
  if (!(reserve >= 0 && reserve < 1))
    return "--reserve " + std::to_string(reserve) + ": expected a share of the capacities in [0, 1)";
  if (!::flydel::parseFoldingObjective(foldObjective, foldKind))
    return "--fold-objective '" + foldObjective + "': expected throughput or latency";
  for (const std::string &budget : fpgaBudget) {
    auto [name, count] = StringRef(budget).split('=');
    double value = 0;
    if (name.empty() || count.getAsDouble(value) || !(value > 0))
      return "--fpga-budget '" + budget + "': expected resource=count with a positive count";
  }
  if (!(fpgaActivationRange > 0))
    return "--fpga-activation-range: expected a positive range";
  if (!pins.empty()) {
    std::string why;
    auto isDevice = [&](StringRef device) { return library.findDevice(device.str()) != nullptr; };
    if (!mlir::flydel::readPins(pins, isDevice, library.platform.name, why))
      return "--pins: " + why;
  }
  if (llvm::sys::fs::exists(outputDir) && !llvm::sys::fs::is_directory(outputDir))
    return "-o '" + outputDir + "' exists and is not a directory";
  if (!savePlacement.empty() && llvm::sys::fs::is_directory(savePlacement))
    return "--save-placement '" + savePlacement + "' is a directory";

  // The format: the option, else the file's extension (flydel-predict's rule), else MLIR (standard input too).
  format = inputFormat.empty() ? ::flydel::api::modelFormatOf(inputFile) : std::string(inputFormat);
  if (format.empty())
    format = "mlir";
  if (format != "mlir" && format != "onnx" && format != "onnx-text")
    return "--input-format '" + inputFormat + "': expected mlir, onnx or onnx-text";
  if (format == "mlir" && !inputShapes.empty())
    return "--input-shape applies to ONNX input only (an .onnx file, or --input-format onnx)";
  for (const std::string &spec : inputShapes)
    if (std::string why = mlir::flydel::parseOnnxInputShape(spec, onnx); !why.empty())
      return why;

  // The GPU target: the option, else the platform's GPU device, else sm_80 (said so in the output).
  chip = gpuChip;
  chipSource = "--gpu-chip";
  if (chip.empty())
    for (const ::flydel::Device &device : library.devices)
      if (device.kind == ::flydel::DeviceKind::Gpu && !device.chip.empty()) {
        chip = device.chip;
        chipSource = "platform '" + library.platform.name + "', device '" + device.name + "'";
        break;
      }
  if (chip.empty()) {
    chip = "sm_80";
    chipSource = "default; the platform names no GPU chip";
  }
  if (!StringRef(chip).starts_with("sm_"))
    return "GPU chip '" + chip + "' (" + chipSource + "): expected an NVIDIA architecture such as sm_62";
  features = gpuFeatures;
  if (features.empty()) {
    features = ptxFeaturesFor(chip);
    if (features.empty())
      return "GPU chip '" + chip + "' (" + chipSource + "): no known PTX version for it; give --gpu-features "
             "(e.g. +ptx78)";
  }
  return {};
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

  std::string error;
  std::shared_ptr<const ::flydel::Library> library = mlir::flydel::loadPlatformLibrary(platform, error);
  if (!library) {
    llvm::errs() << "flydel-compile: error: --platform '" << platform << "': " << error << "\n";
    return 1;
  }
  std::string chip, features, chipSource;
  mlir::flydel::OnnxImportOptions onnxOptions;
  std::string format;
  if (std::string why = checkOptions(*library, chip, features, chipSource, onnxOptions, format); !why.empty()) {
    llvm::errs() << "flydel-compile: error: " << why << "\n";
    return 1;
  }

  mlir::flydel::registerOnnxImportDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
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
  OwningOpRef<ModuleOp> module;
  if (format != "mlir") {
    // The importer names the culprit (node, input) itself.
    StringRef bytes = sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())->getBuffer();
    std::string encoded;
    if (format == "onnx-text") {
      if (std::string why = mlir::flydel::encodeOnnxText(bytes, encoded); !why.empty()) {
        llvm::errs() << "flydel-compile: error: " << inputFile << ": " << why << "\n";
        return 1;
      }
      bytes = encoded;
    }
    module = mlir::flydel::importOnnxModel(bytes, inputFile, &context, onnxOptions);
  } else {
    module = parseSourceFile<ModuleOp>(sourceMgr, &context);
    if (!module) {
      // Text has no control characters besides tab and line ends; a protobuf starts with a field tag (0x08: 1).
      StringRef head = sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())->getBuffer().take_front(256);
      if (llvm::any_of(head, [](char c) {
            auto u = static_cast<unsigned char>(c);
            return u < 0x20 && c != '\t' && c != '\n' && c != '\r';
          }))
        llvm::errs() << "flydel-compile: note: '" << inputFile
                     << "' looks binary: an ONNX model? (name it .onnx or pass --input-format onnx)\n";
    }
  }
  if (!module)
    return 1;
  // Annotation and assignment sum their diagnostics up per function unless every op's are asked for (--remarks).
  std::string annotate = "annotate-kpis{platform=" + platform + " diagnostics=" + (showRemarks ? "per-op" : "summary") + "}";
  std::string flow = annotate + ",assign-devices{diagnostics=" + (showRemarks ? "per-op" : "summary") +
                     " objective=" + objective +
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
  flow.pop_back(); // the trailing ','
  if (failed(runPipeline(*module, flow)))
    return 1;
  std::optional<mlir::flydel::Placement> placement;
  if (!savePlacement.empty())
    placement = mlir::flydel::collectPlacement(*module);
  if (failed(runPipeline(*module, "outline-partitions")))
    return 1;
  std::vector<Output> outputs;
  outputs.push_back({"partitioned.mlir", printModule(*module, /*debugInfo=*/true), ""});

  // Devices that received partitions, in platform order.
  auto platformAttr = (*module)->getAttrOfType<mlir::flydel::PlatformAttr>(mlir::flydel::FlydelDialect::kPlatformAttrName);
  llvm::StringSet<> used;
  for (auto function : module->getOps<func::FuncOp>())
    if (auto device = function->getAttrOfType<mlir::flydel::DeviceAttr>(mlir::flydel::FlydelDialect::kDeviceAttrName))
      used.insert(device.getName().getValue());

  OwningOpRef<ModuleOp> host = cast<ModuleOp>((*module)->clone());
  if (failed(runPipeline(*host, "flydel-extract-device{device=host}")))
    return 1;
  outputs.push_back({"host.mlir", printModule(*host, /*debugInfo=*/false), ""});

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
      lowering = "flydel-lower-gpu{chip=" + chip + " features=" + features + "}";
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
      // ROM files first, so the module that reads them is never there without them.
      for (const auto &[romName, text] : emitted->files) {
        if (!isOwnOutputName(romName)) {
          llvm::errs() << "flydel-compile: error: unexpected ROM file name '" << romName << "'\n";
          return 1;
        }
        outputs.push_back({romName, text, ""});
      }
      outputs.push_back({name.str() + ".sv", emitted->verilog,
                         " (" + std::to_string(emitted->partitions.size()) + " partition(s), " +
                             std::to_string(emitted->files.size()) + " ROM file(s) beside it)"});
      continue;
    }
    }
    OwningOpRef<ModuleOp> part = cast<ModuleOp>((*module)->clone());
    std::string pipeline = "flydel-extract-device{device=" + name.str() +
                           "},flydel-lower-transfers,flydel-strip-annotations," + lowering;
    if (failed(runPipeline(*part, pipeline)))
      return 1;
    outputs.push_back({(name + ".mlir").str(), printModule(*part, /*debugInfo=*/false), ""});
  }
  // A failed lowering writes nothing (the previous run's files stay as they were, all of one run).
  if (unlowered && !allowUnlowered) {
    llvm::errs() << "flydel-compile: error: nothing written to '" << outputDir << "'\n";
    return 1;
  }
  if (failed(commitOutputs(outputs)))
    return 1;
  if (llvm::any_of(platformAttr.getDevices(), [&](mlir::flydel::DeviceAttr d) {
        return d.getKind() == mlir::flydel::DeviceKind::gpu && used.contains(d.getName().getValue());
      }))
    llvm::outs() << "GPU kernels: " << chip << " " << features << " (" << chipSource << ")\n";
  if (placement) {
    if (!::flydel::writeFileAtomically(savePlacement, placement->json, &error)) {
      llvm::errs() << "flydel-compile: error: " << error << "\n";
      return 1;
    }
    llvm::outs() << "placement: " << placement->named << " layers pinned in " << savePlacement;
    if (!placement->notPinnable.empty()) {
      llvm::outs() << "; not pinnable (decided again on replay): ";
      for (size_t i = 0; i < placement->notPinnable.size(); ++i)
        llvm::outs() << (i ? ", " : "") << placement->notPinnable[i];
    }
    llvm::outs() << "\n";
  }
  if (auto summary = [&]() -> DictionaryAttr {
        for (auto function : module->getOps<func::FuncOp>())
          if (auto s = function->getAttrOfType<DictionaryAttr>(mlir::flydel::FlydelDialect::kAssignmentAttrName))
            return s;
        return {};
      }())
    llvm::outs() << "assignment: " << summary << "\n";
  return 0;
}
