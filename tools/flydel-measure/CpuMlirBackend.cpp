//===- CpuMlirBackend.cpp - layers through flydel-lower-cpu and the JIT ---===//
//
// Each layer becomes a one-op TOSA function taking its activations and weights as arguments (constants would be
// folded or baked into the code, which a real model's weights are not), lowered by the project's CPU pipeline and
// JIT-compiled by the ExecutionEngine at -O3. The function is written as TOSA text, the same form flydel-translate
// produces and flydel-opt reads, so `--dump-ir` output reproduces a measurement with the command-line tools.
//
//===----------------------------------------------------------------------===//
#include "Backend.h"

#include "flydel/Interfaces/LayerOpInterface.h"
#include "flydel/Pipelines/Pipelines.h"
#include "flydel/Registration/Registration.h"
#include "flydel/Transforms/Passes.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/ExecutionEngine/CRunnerUtils.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <random>
#include <sstream>

using namespace mlir;

namespace flydel::measure {
namespace {

std::string tensorType(const std::vector<int64_t> &shape) {
  std::string t = "tensor<";
  for (int64_t d : shape)
    t += std::to_string(d) + "x";
  return t + "f32>";
}

std::string arr(std::initializer_list<int64_t> values, const char *type = "i64") {
  std::string s = std::string("array<") + type + ": ";
  bool first = true;
  for (int64_t v : values) {
    s += (first ? "" : ", ") + std::to_string(v);
    first = false;
  }
  return s + ">";
}

/// The layer as a TOSA function @layer and the shapes of its arguments (in order) and result.
struct LayerFunction {
  std::string ir;
  std::vector<std::vector<int64_t>> args;
  std::vector<int64_t> result;
};

LayerFunction buildFunction(const Layer &l) {
  LayerFunction f;
  StridedInput in = stridedInput(l);
  int64_t n = l.batch, oh = l.outH(), ow = l.outW();
  std::string body, zp = "  %zp = \"tosa.const\"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>\n";
  auto window = [&](int64_t kh, int64_t kw) {
    return "pad = " + arr({l.pad_h, in.padBottom, l.pad_w, in.padRight}) +
           ", stride = " + arr({l.stride_h, l.stride_w}) + (kh ? ", kernel = " + arr({kh, kw}) : std::string());
  };
  switch (l.op) {
  case OpKind::Conv2d: {
    f.args.push_back({n, in.h, in.w, l.c_in});
    f.result = {n, oh, ow, l.c_out};
    std::string conv = "tosa.conv2d";
    if (l.groups == 1) {
      f.args.push_back({l.c_out, l.kernel_h, l.kernel_w, l.c_in});
    } else { // depthwise (supports() let nothing else through): HWCM weights, channel multiplier M
      conv = "tosa.depthwise_conv2d";
      f.args.push_back({l.kernel_h, l.kernel_w, l.c_in, l.c_out / l.c_in});
    }
    f.args.push_back({l.c_out});
    body = zp + "  %r = " + conv + " %a0, %a1, %a2, %zp, %zp {acc_type = f32, dilation = " +
           arr({l.dilation_h, l.dilation_w}) + ", " + window(0, 0) + "} : (" + tensorType(f.args[0]) + ", " +
           tensorType(f.args[1]) + ", " + tensorType(f.args[2]) + ", tensor<1xf32>, tensor<1xf32>) -> " +
           tensorType(f.result) + "\n";
    break;
  }
  case OpKind::Pool2d:
    f.args.push_back({n, in.h, in.w, l.c_in});
    f.result = {n, oh, ow, l.c_in};
    body = "  %r = tosa.max_pool2d %a0 {" + window(l.kernel_h, l.kernel_w) + "} : (" + tensorType(f.args[0]) +
           ") -> " + tensorType(f.result) + "\n";
    break;
  case OpKind::MatMul: {
    int64_t rows = l.batch * l.in_h * l.in_w;
    f.args = {{1, rows, l.c_in}, {1, l.c_in, l.c_out}};
    f.result = {1, rows, l.c_out};
    body = zp + "  %r = tosa.matmul %a0, %a1, %zp, %zp : (" + tensorType(f.args[0]) + ", " + tensorType(f.args[1]) +
           ", tensor<1xf32>, tensor<1xf32>) -> " + tensorType(f.result) + "\n";
    break;
  }
  case OpKind::Elementwise:
    f.args = {{n, l.in_h, l.in_w, l.c_in}, {n, l.in_h, l.in_w, l.c_in}};
    f.result = f.args[0];
    body = "  %r = tosa.add %a0, %a1 : (" + tensorType(f.args[0]) + ", " + tensorType(f.args[1]) + ") -> " +
           tensorType(f.result) + "\n";
    break;
  case OpKind::DataMovement: // NHWC -> NCHW, a layout change as at a model's boundary
    f.args = {{n, l.in_h, l.in_w, l.c_in}};
    f.result = {n, l.c_in, l.in_h, l.in_w};
    body = "  %r = tosa.transpose %a0 {perms = " + arr({0, 3, 1, 2}, "i32") + "} : (" + tensorType(f.args[0]) +
           ") -> " + tensorType(f.result) + "\n";
    break;
  }
  std::string sig;
  for (size_t i = 0; i < f.args.size(); ++i)
    sig += (i ? ", " : "") + ("%a" + std::to_string(i)) + ": " + tensorType(f.args[i]);
  f.ir = "func.func @layer(" + sig + ") -> " + tensorType(f.result) + " attributes {llvm.emit_c_interface} {\n" +
         body + "  return %r : " + tensorType(f.result) + "\n}\n";
  return f;
}

/// A memref descriptor of any rank up to 5, laid out as the C interface expects (StridedMemRefType<float, N>).
struct Descriptor {
  float *allocated = nullptr, *aligned = nullptr;
  int64_t offset = 0;
  int64_t sizesAndStrides[10] = {};
};

/// Buffers of uniform random values in [-1, 1) (fixed seed) for arguments of the given shapes, and their
/// descriptors (row-major, identity layout).
void fillArguments(const std::vector<std::vector<int64_t>> &shapes, std::vector<std::vector<float>> &buffers,
                   std::vector<Descriptor> &descriptors) {
  std::mt19937 gen(42);
  std::uniform_real_distribution<float> dist(-1, 1);
  buffers.reserve(shapes.size()); // descriptors point into the buffers: no reallocation
  for (const auto &shape : shapes) {
    size_t count = 1;
    for (int64_t d : shape)
      count *= static_cast<size_t>(d);
    buffers.emplace_back(count);
    for (float &x : buffers.back())
      x = dist(gen);
    Descriptor d;
    d.allocated = d.aligned = buffers.back().data();
    int rank = static_cast<int>(shape.size());
    int64_t stride = 1;
    for (int i = rank - 1; i >= 0; --i) {
      d.sizesAndStrides[i] = shape[i];
      d.sizesAndStrides[rank + i] = stride;
      stride *= shape[i];
    }
    descriptors.push_back(d);
  }
}

class JitRunnable : public Runnable {
public:
  JitRunnable(std::unique_ptr<ExecutionEngine> engine, void *fn, const LayerFunction &f)
      : engine_(std::move(engine)) {
    fillArguments(f.args, buffers_, descriptors_);
    // The C interface takes the result descriptor first, then one pointer per argument descriptor.
    switch (f.args.size()) {
    case 1: call_ = [fn, this](Descriptor *r) {
        reinterpret_cast<void (*)(Descriptor *, Descriptor *)>(fn)(r, &descriptors_[0]); };
      break;
    case 2: call_ = [fn, this](Descriptor *r) {
        reinterpret_cast<void (*)(Descriptor *, Descriptor *, Descriptor *)>(fn)(r, &descriptors_[0],
                                                                               &descriptors_[1]); };
      break;
    default: call_ = [fn, this](Descriptor *r) {
        reinterpret_cast<void (*)(Descriptor *, Descriptor *, Descriptor *, Descriptor *)>(fn)(
            r, &descriptors_[0], &descriptors_[1], &descriptors_[2]); };
      break;
    }
  }
  void run() override {
    Descriptor result;
    call_(&result);
    // The result buffer is allocated by the function (malloc) and owned by the caller.
    std::free(result.allocated);
  }

private:
  std::unique_ptr<ExecutionEngine> engine_;
  std::vector<std::vector<float>> buffers_;
  std::vector<Descriptor> descriptors_;
  std::function<void(Descriptor *)> call_;
};

/// A whole network through the packed form of its C wrapper (any number of arguments, one result), looked up
/// once: the timed call is the function alone, as for a layer.
class NetworkRunnable : public Runnable {
public:
  NetworkRunnable(std::unique_ptr<ExecutionEngine> engine, void (*packed)(void **),
                  const std::vector<std::vector<int64_t>> &args)
      : engine_(std::move(engine)), packed_(packed) {
    fillArguments(args, buffers_, descriptors_);
    for (Descriptor &d : descriptors_)
      pointers_.push_back(&d);
    // _mlir_ciface_<f>(result *, arg0 *, ...) packed: the address of each of its arguments, the result's first.
    slots_.push_back(&resultPointer_);
    for (Descriptor *&p : pointers_)
      slots_.push_back(&p);
  }
  void run() override {
    Descriptor result;
    resultPointer_ = &result;
    packed_(slots_.data());
    // The pipeline returns a fresh allocation (one-shot bufferization with ownership-based deallocation copies a
    // returned argument or constant), owned by the caller.
    std::free(result.allocated);
  }

private:
  std::unique_ptr<ExecutionEngine> engine_;
  void (*packed_)(void **);
  std::vector<std::vector<float>> buffers_;
  std::vector<Descriptor> descriptors_;
  std::vector<Descriptor *> pointers_;
  Descriptor *resultPointer_ = nullptr;
  std::vector<void *> slots_;
};

class CpuMlirBackend : public Backend {
public:
  CpuMlirBackend() {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    DialectRegistry registry;
    registerAllDialects(registry);
    registerAllExtensions(registry);
    registerBuiltinDialectTranslation(registry);
    registerLLVMDialectTranslation(registry);
    mlir::flydel::registerFlydel(registry); // a model may carry flydel annotations
    registerAllPasses(); // the pipeline is spelled as upstream pass names
    context_.appendDialectRegistry(registry);
    context_.loadAllAvailableDialects();
  }
  std::string name() const override { return "cpu-mlir"; }
  std::string version() const override {
    return "MLIR/LLVM " LLVM_VERSION_STRING ", flydel-lower-cpu pipeline, ExecutionEngine -O3, 1 thread";
  }
  std::string supports(const Layer &l) const override {
    if (l.dtype != DType::F32)
      return std::string("data type ") + dtypeName(l.dtype) + " (cpu-mlir measures f32 only)";
    if (l.op == OpKind::Conv2d && l.groups != 1 && (l.groups != l.c_in || l.c_out % l.c_in != 0))
      return "grouped convolution with " + std::to_string(l.groups) + " groups (TOSA has dense and depthwise only)";
    if (l.op == OpKind::Pool2d && (l.dilation_h != 1 || l.dilation_w != 1))
      return "dilated pooling";
    return {};
  }
  Expected<std::unique_ptr<Runnable>> prepare(const Layer &l) override {
    LayerFunction f = buildFunction(l);
    if (!dumpDir.empty()) {
      std::string path = dumpDir + "/" + std::to_string(dumpIndex++) + ".mlir";
      std::error_code ec;
      llvm::raw_fd_ostream os(path, ec);
      if (!ec)
        os << f.ir;
    }
    std::string diagnostics;
    llvm::raw_string_ostream diagStream(diagnostics);
    ScopedDiagnosticHandler handler(&context_, [&](Diagnostic &d) {
      diagStream << d << "\n";
      return success();
    });
    OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(f.ir, &context_);
    if (!module)
      return makeError("cannot parse the generated TOSA function: " + diagnostics);
    auto engine = lowerAndCompile(*module, diagnostics);
    if (!engine)
      return makeError(engine.error());
    auto fn = (*engine)->lookup("_mlir_ciface_layer");
    if (!fn)
      return makeError("JIT: " + llvm::toString(fn.takeError()));
    return std::unique_ptr<Runnable>(std::make_unique<JitRunnable>(std::move(*engine), *fn, f));
  }
  Expected<std::unique_ptr<Runnable>> prepareNetwork(const std::string &path) override {
    std::string diagnostics;
    llvm::raw_string_ostream diagStream(diagnostics);
    ScopedDiagnosticHandler handler(&context_, [&](Diagnostic &d) {
      diagStream << d.getLocation() << ": " << d << "\n";
      return success();
    });
    llvm::SourceMgr sourceMgr;
    OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(path, sourceMgr, &context_);
    if (!module)
      return makeError(path + ": cannot parse the model: " + diagnostics);
    func::FuncOp entry;
    std::string publicNames;
    for (auto fn : module->getOps<func::FuncOp>())
      if (fn.isPublic() && !fn.isExternal()) {
        publicNames += (publicNames.empty() ? "@" : ", @") + fn.getName().str();
        entry = fn;
      }
    if (!entry)
      return makeError(path + ": no public function with a body (expected an imported model's entry point)");
    if (publicNames.find(',') != std::string::npos)
      return makeError(path + ": several public functions (" + publicNames + "); expected one entry point");
    std::string where = path + ": @" + entry.getName().str() + ": ";
    auto staticF32 = [](Type t) {
      auto ranked = dyn_cast<RankedTensorType>(t);
      return ranked && ranked.hasStaticShape() && ranked.getElementType().isF32() && ranked.getRank() <= 5;
    };
    if (entry.getNumResults() != 1 || !staticF32(entry.getResultTypes()[0]))
      return makeError(where + "expected one result, a static f32 tensor of rank <= 5 (import with --input-shape "
                               "for a dynamic model)");
    std::vector<std::vector<int64_t>> args;
    for (auto [i, t] : llvm::enumerate(entry.getArgumentTypes())) {
      if (!staticF32(t))
        return makeError(where + "argument " + std::to_string(i) +
                         " is not a static f32 tensor of rank <= 5 (import with --input-shape for a dynamic model)");
      auto shape = cast<RankedTensorType>(t).getShape();
      args.emplace_back(shape.begin(), shape.end());
    }
    // Weights elided by flydel-translate --elide-weights are zero splats, which the pipeline folds through whole
    // layers: such a model would time a few copies, not the network. (A zero bias is genuine: the importer adds one.)
    Operation *elided = nullptr;
    module->walk([&](Operation *op) {
      if (elided || !isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::TransposeConv2DOp, tosa::Conv3DOp,
                         tosa::MatMulOp>(op))
        return;
      Value weights = op->getOperand(1);
      while (isa_and_nonnull<tosa::TransposeOp, tosa::ReshapeOp>(weights.getDefiningOp()))
        weights = weights.getDefiningOp()->getOperand(0);
      if (auto c = weights.getDefiningOp<tosa::ConstOp>(); c && mlir::flydel::isElidedConstant(c.getValues()))
        elided = op;
    });
    if (elided) {
      // The op by its ONNX node name when imported, else by its place in the file.
      std::string where = " '" + mlir::flydel::getLayerName(elided) + "'";
      if (auto file = dyn_cast<FileLineColLoc>(elided->getLoc()))
        where = " at " + file.getFilename().str() + ":" + std::to_string(file.getLine()) + ":" +
                std::to_string(file.getColumn());
      return makeError(path + ": the weights of " + elided->getName().getStringRef().str() + where +
                       " are elided (zero splats or absent data, as flydel-translate --elide-weights writes them); "
                       "import without --elide-weights to time the network");
    }
    entry->setAttr("llvm.emit_c_interface", UnitAttr::get(&context_));
    std::string name = entry.getName().str();
    auto engine = lowerAndCompile(*module, diagnostics, /*stripAnnotations=*/true);
    if (!engine)
      return makeError(path + ": " + engine.error());
    auto packed = (*engine)->lookupPacked("_mlir_ciface_" + name);
    if (!packed)
      return makeError(path + ": JIT: " + llvm::toString(packed.takeError()));
    return std::unique_ptr<Runnable>(std::make_unique<NetworkRunnable>(std::move(*engine), *packed, args));
  }
  void setDumpDir(const std::string &dir) override { dumpDir = dir; }

private:
  /// flydel-lower-cpu, then the JIT at -O3; `diagnostics` collects what the passes report.
  Expected<std::unique_ptr<ExecutionEngine>> lowerAndCompile(ModuleOp module, const std::string &diagnostics,
                                                             bool stripAnnotations = false) {
    PassManager pm(&context_);
    if (stripAnnotations) // an annotated or partitioned model: the flydel attributes do not lower
      pm.addPass(mlir::flydel::createStripAnnotations());
    buildLowerCpuPipeline(pm, mlir::flydel::LowerCpuOptions());
    if (failed(pm.run(module)))
      return makeError("flydel-lower-cpu failed: " + diagnostics);
    // ExecutionEngineOptions holds a function_ref: the transformer must outlive create().
    std::function<llvm::Error(llvm::Module *)> transformer = makeOptimizingTransformer(3, 0, nullptr);
    ExecutionEngineOptions options;
    options.transformer = transformer;
    options.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
    options.enableGDBNotificationListener = false;
    options.enablePerfNotificationListener = false;
    // Lowered code calls memrefCopy and friends from MLIR's C runner utilities.
    llvm::StringRef libs[] = {FLYDEL_C_RUNNER_UTILS};
    options.sharedLibPaths = libs;
    auto engine = ExecutionEngine::create(module, options);
    if (!engine)
      return makeError("JIT compilation failed: " + llvm::toString(engine.takeError()));
    return std::move(*engine);
  }

  std::string dumpDir;
  int dumpIndex = 0;
  MLIRContext context_{MLIRContext::Threading::DISABLED};
};

} // namespace

std::unique_ptr<Backend> createCpuMlirBackend() { return std::make_unique<CpuMlirBackend>(); }

} // namespace flydel::measure
