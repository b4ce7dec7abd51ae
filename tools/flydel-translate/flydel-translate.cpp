//===- flydel-translate.cpp - translate models into MLIR ------------------===//
//
// flydel-translate --import-onnx MODEL.onnx [-o OUT.mlir] [--input-shape NAME=1x3x224x224]... [--elide-weights]
//                  [--onnx-test-data DIR | --onnx-run=DIR|random[:SEED]]
// flydel-translate --emit-verilog PARTITIONED.mlir [-o OUT.sv] [--fpga-pe N] [--fpga-simd N] [--fpga-all-functions]
//                  [--fpga-activation-range R] [--fpga-placeholder-weights] [--verify-verilog DIR]
//
// A plain LLVM command line rather than mlir-translate's registration: the importer has options of its own
// (input shapes, weight elision) that a TranslateToMLIRRegistration cannot carry per invocation.
//
//===----------------------------------------------------------------------===//

#include "flydel/Registration/Registration.h"
#include "flydel/Target/ONNX/ImportONNX.h"
#include "flydel/Target/Verilog/EmitVerilog.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/ToolUtilities.h"
#include "llvm/Support/SourceMgr.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <map>

using namespace llvm;

static cl::OptionCategory category("flydel-translate options");
static cl::opt<std::string> inputFilename(cl::Positional, cl::desc("<input file>"), cl::init("-"),
                                          cl::cat(category));
static cl::opt<std::string> outputFilename("o", cl::desc("Output file (default: stdout)"),
                                           cl::value_desc("filename"), cl::init("-"), cl::cat(category));
static cl::opt<bool> importOnnx("import-onnx", cl::desc("Import an ONNX model (ModelProto) into TOSA"),
                                cl::cat(category));
static cl::list<std::string> inputShapes("input-shape",
                                         cl::desc("Static shape of a graph input, NAME=D0xD1x... (repeatable)"),
                                         cl::value_desc("NAME=SHAPE"), cl::cat(category));
static cl::opt<bool> listOnnxOps("list-onnx-ops",
                                 cl::desc("Print the ONNX op types --import-onnx converts, one per line, and exit"),
                                 cl::cat(category));
static cl::opt<bool> elideWeights("elide-weights", cl::desc("Emit weights as zero splats (analysis-only flows)"),
                                  cl::cat(category));
static cl::opt<std::string> functionName("function-name", cl::desc("Name of the imported function"),
                                         cl::init("main_graph"), cl::cat(category));

static cl::opt<std::string> testData("onnx-test-data",
                                     cl::desc("ONNX test_data_set directory: append @main that runs the model on "
                                              "input_*.pb and prints mismatch counts against output_*.pb"),
                                     cl::value_desc("dir"), cl::cat(category));
static cl::opt<std::string> runSpec("onnx-run",
                                    cl::desc("Append @main that runs the model and prints its outputs and the call's "
                                             "time in ms: on DIR/input_*.pb, or on random inputs (random or "
                                             "random:SEED)"),
                                    cl::value_desc("DIR|random[:SEED]"), cl::cat(category));
static cl::opt<double> absTolerance("atol", cl::desc("Absolute tolerance for --onnx-test-data"), cl::init(1e-4),
                            cl::cat(category));
static cl::opt<double> relTolerance("rtol", cl::desc("Relative tolerance for --onnx-test-data"), cl::init(1e-3),
                            cl::cat(category));

static cl::opt<bool> emitVerilogFlag("emit-verilog",
                                     cl::desc("Emit the FPGA partitions of an MLIR module (functions with a "
                                              "flydel.device of kind fpga) as SystemVerilog; ROM files go beside -o"),
                                     cl::cat(category));
static cl::opt<bool> fpgaAllFunctions("fpga-all-functions",
                                      cl::desc("--emit-verilog: every function with a body is an FPGA partition"),
                                      cl::cat(category));
static cl::opt<int> fpgaPe("fpga-pe", cl::desc("--emit-verilog: pe of ops without flydel.folding"), cl::init(1),
                           cl::cat(category));
static cl::opt<int> fpgaSimd("fpga-simd", cl::desc("--emit-verilog: simd of convolutions without flydel.folding"),
                             cl::init(1), cl::cat(category));
static cl::opt<double> fpgaActivationRange(
    "fpga-activation-range",
    cl::desc("--emit-verilog: every activation tensor is assumed to lie in [-R, R] (no calibration data)"),
    cl::init(mlir::flydel::VerilogEmitOptions().activationRange), cl::cat(category));
static cl::opt<bool> fpgaPlaceholderWeights(
    "fpga-placeholder-weights",
    cl::desc("--emit-verilog: elided weights become deterministic placeholders (resource/latency studies only)"),
    cl::cat(category));
static cl::opt<std::string> verifyVerilog(
    "verify-verilog",
    cl::desc("--emit-verilog: also simulate every partition in Verilator against the composed C++ reference on "
             "random inputs, in DIR/<module>"),
    cl::value_desc("dir"), cl::cat(category));
static cl::opt<std::string> fpgaCache("fpga-cache", cl::desc("--verify-verilog: verilated model cache (default "
                                                             "DIR/cache)"),
                                      cl::value_desc("dir"), cl::cat(category));
static cl::opt<bool> splitInputFile("split-input-file",
                                    cl::desc("--emit-verilog: translate each '// -----' chunk on its own"),
                                    cl::cat(category));
static cl::opt<bool> verifyDiagnostics("verify-diagnostics",
                                       cl::desc("--emit-verilog: check diagnostics against expected-* comments"),
                                       cl::cat(category));

/// The ROM files of the chunks (--split-input-file, --verify-diagnostics), written by main with their modules.
static std::map<std::string, std::string> chunkRomFiles;

/// --emit-verilog on one buffer: parse, emit, write (and simulate on request).
static mlir::LogicalResult emitVerilogChunk(std::unique_ptr<MemoryBuffer> buffer, raw_ostream &os) {
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::flydel::registerFlydel(registry);
  mlir::MLIRContext context(registry);
  context.printOpOnDiagnostic(false);
  SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(buffer), SMLoc());
  std::optional<mlir::SourceMgrDiagnosticHandler> handler;
  std::optional<mlir::SourceMgrDiagnosticVerifierHandler> verifier;
  if (verifyDiagnostics)
    verifier.emplace(sourceMgr, &context);
  else
    handler.emplace(sourceMgr, &context);
  auto result = [&]() -> mlir::LogicalResult {
    mlir::OwningOpRef<mlir::ModuleOp> module = mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
    if (!module)
      return mlir::failure();
    mlir::flydel::VerilogEmitOptions options;
    options.allFunctions = fpgaAllFunctions;
    options.defaultPe = fpgaPe;
    options.defaultSimd = fpgaSimd;
    options.activationRange = fpgaActivationRange;
    options.placeholderWeights = fpgaPlaceholderWeights;
    options.provenance = "flydel-translate --emit-verilog " + inputFilename;
    auto emitted = mlir::flydel::emitVerilog(*module, options);
    if (failed(emitted))
      return mlir::failure();
    if (!verifyVerilog.empty()) {
      std::string cache = fpgaCache.empty() ? verifyVerilog + "/cache" : std::string(fpgaCache);
      bool pass = true;
      for (const auto &partition : emitted->partitions) {
        auto sim = ::flydel::fpga::verifyPartition(partition, verifyVerilog + "/" + partition.name, cache);
        if (!sim) {
          errs() << "flydel-translate: " << partition.name << ": " << sim.error() << "\n";
          pass = false;
          continue;
        }
        outs() << (sim->mismatches ? "FAIL " : "PASS ") << partition.name << ": cycles " << sim->cycles << ", "
               << sim->beats << " output beats compared, " << sim->mismatches << " mismatches\n";
        pass = pass && sim->mismatches == 0;
      }
      if (!pass)
        return mlir::failure();
    }
    // Chunks print their modules to the stream and leave their ROM files to main, which writes everything once
    // every chunk succeeded; a whole file goes through writeVerilog at once.
    if (splitInputFile || verifyDiagnostics) {
      for (const auto &[name, text] : emitted->files) {
        auto [it, inserted] = chunkRomFiles.try_emplace(name, text);
        if (!inserted && it->second != text)
          return module->emitError() << "emit-verilog: ROM file '" << name
                                     << "' is written by two chunks with different contents (partitions of one name)";
      }
      os << emitted->verilog;
      return mlir::success();
    }
    return mlir::flydel::writeVerilog(*emitted, outputFilename, module->getLoc());
  }();
  if (verifyDiagnostics)
    return verifier->verify();
  return result;
}

/// Reads DIR/PREFIX_0.pb, DIR/PREFIX_1.pb, ... until one is missing.
static bool readNumbered(StringRef dir, StringRef prefix, std::vector<std::string> &blobs) {
  for (unsigned k = 0;; ++k) {
    std::string path = (dir + "/" + prefix + "_" + Twine(k) + ".pb").str();
    if (!sys::fs::exists(path))
      return true;
    auto buffer = MemoryBuffer::getFile(path);
    if (!buffer) {
      errs() << "flydel-translate: cannot read " << path << "\n";
      return false;
    }
    blobs.push_back((*buffer)->getBuffer().str());
  }
}

int main(int argc, char **argv) {
  InitLLVM y(argc, argv);
  cl::SetVersionPrinter([](raw_ostream &os) {
    os << "flydel " << FLYDEL_VERSION << " (LLVM/MLIR " << LLVM_VERSION_STRING << ")\n";
  });
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, "flydel model translator\n");

  if (listOnnxOps) {
    for (StringRef op : mlir::flydel::getSupportedOnnxOps())
      outs() << op << "\n";
    return 0;
  }
  if (importOnnx == emitVerilogFlag) {
    errs() << "flydel-translate: choose one translation (--import-onnx or --emit-verilog)\n";
    return 1;
  }
  if (emitVerilogFlag) {
    std::string errorMessage;
    std::unique_ptr<MemoryBuffer> input = mlir::openInputFile(inputFilename, &errorMessage);
    if (!input) {
      errs() << "flydel-translate: " << errorMessage << "\n";
      return 1;
    }
    if (!splitInputFile && !verifyDiagnostics)
      return failed(emitVerilogChunk(std::move(input), outs())) ? 1 : 0;
    // Chunks: the Verilog and ROM files of all of them are written once every chunk succeeded.
    mlir::flydel::EmittedVerilog all;
    raw_string_ostream os(all.verilog);
    if (failed(mlir::splitAndProcessBuffer(std::move(input), emitVerilogChunk, os,
                                           splitInputFile ? mlir::kDefaultSplitMarker : "", "// -----")))
      return 1;
    all.files = std::move(chunkRomFiles);
    if (failed(mlir::flydel::writeVerilog(all, outputFilename, errorMessage))) {
      errs() << "flydel-translate: " << errorMessage << "\n";
      return 1;
    }
    return 0;
  }
  mlir::flydel::OnnxImportOptions options;
  options.elideWeights = elideWeights;
  options.functionName = functionName;
  for (const std::string &spec : inputShapes) {
    std::string err = mlir::flydel::parseOnnxInputShape(spec, options);
    if (!err.empty()) {
      errs() << "flydel-translate: " << err << "\n";
      return 1;
    }
  }

  // --onnx-run: checked before the import, like every option.
  bool runRandom = false;
  uint64_t runSeed = 1;
  if (!runSpec.empty()) {
    if (!testData.empty()) {
      errs() << "flydel-translate: choose --onnx-test-data (compare) or --onnx-run (print), not both\n";
      return 1;
    }
    StringRef spec(runSpec);
    if (spec == "random" || spec.starts_with("random:")) {
      runRandom = true;
      if (spec.consume_front("random:") && spec.getAsInteger(10, runSeed)) {
        errs() << "flydel-translate: --onnx-run=" << runSpec << ": the seed must be a non-negative integer\n";
        return 1;
      }
    } else if (!sys::fs::is_directory(runSpec)) {
      errs() << "flydel-translate: --onnx-run=" << runSpec << ": not a directory of input_*.pb, nor random[:SEED]\n";
      return 1;
    }
  }

  std::string errorMessage;
  std::unique_ptr<MemoryBuffer> input = mlir::openInputFile(inputFilename, &errorMessage);
  if (!input) {
    errs() << "flydel-translate: " << errorMessage << "\n";
    return 1;
  }

  mlir::DialectRegistry registry;
  mlir::flydel::registerOnnxImportDialects(registry);
  mlir::MLIRContext context(registry);
  // Messages name the culprit (node, input, initializer) themselves; prefix them with the file, not a location.
  context.getDiagEngine().registerHandler([&](mlir::Diagnostic &diag) {
    errs() << inputFilename << ": " << (diag.getSeverity() == mlir::DiagnosticSeverity::Error ? "error: " : "note: ")
           << diag << "\n";
  });
  auto module = mlir::flydel::importOnnxModel(input->getBuffer(), inputFilename, &context, options);
  if (!module)
    return 1;
  if (!testData.empty()) {
    std::vector<std::string> ins, outs;
    if (!readNumbered(testData, "input", ins) || !readNumbered(testData, "output", outs))
      return 1;
    if (failed(mlir::flydel::appendOnnxTestHarness(*module, ins, outs, absTolerance, relTolerance, options)))
      return 1;
  }
  if (!runSpec.empty()) {
    std::vector<std::string> ins;
    if (!runRandom && !readNumbered(runSpec, "input", ins))
      return 1;
    if (!runRandom && ins.empty()) {
      errs() << "flydel-translate: --onnx-run=" << runSpec << ": no input_0.pb there\n";
      return 1;
    }
    if (failed(mlir::flydel::appendOnnxRunHarness(*module, ins, runSeed, options)))
      return 1;
  }

  // Opened only after a successful import, and kept only once fully written: a failure leaves no file behind.
  std::unique_ptr<ToolOutputFile> output = mlir::openOutputFile(outputFilename, &errorMessage);
  if (!output) {
    errs() << "flydel-translate: " << errorMessage << "\n";
    return 1;
  }
  // Locations carry the ONNX node names that later reports use as layer names: print them.
  module->print(output->os(), mlir::OpPrintingFlags().enableDebugInfo());
  output->os().flush();
  if (output->os().has_error()) {
    errs() << "flydel-translate: error writing " << outputFilename << "\n";
    output->os().clear_error();
    return 1;
  }
  output->keep();
  return 0;
}
