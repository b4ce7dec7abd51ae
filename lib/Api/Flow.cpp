//===- Flow.cpp - A model file through annotate-kpis (and assign-devices) -===//

#include "flydel/Api/Flow.h"

#include "flydel/Dialect/Flydel/IR/FlydelAttrs.h"
#include "flydel/Dialect/Flydel/IR/FlydelDialect.h"
#include "flydel/Registration/Registration.h"
#include "flydel/Target/ONNX/ImportONNX.h"
#include "flydel/Transforms/KpiReport.h"
#include "flydel/Transforms/Passes.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace flydel::api {

std::string modelFormatOf(const std::string &path) {
  llvm::StringRef ext = llvm::sys::path::extension(path);
  if (ext == ".onnx")
    return "onnx";
  if (ext == ".txtpb" || ext == ".pbtxt" || ext == ".textproto")
    return "onnx-text";
  if (ext == ".mlir")
    return "mlir";
  return {};
}

namespace {

const char *severityName(DiagnosticSeverity severity) {
  switch (severity) {
  case DiagnosticSeverity::Error:
    return "error";
  case DiagnosticSeverity::Warning:
    return "warning";
  case DiagnosticSeverity::Remark:
    return "remark";
  case DiagnosticSeverity::Note:
    return "note";
  }
  return "note";
}

/// One flow: a context that records every diagnostic instead of printing it, and the module loaded into it.
class Flow {
public:
  Flow() : context(makeRegistry()) {
    context.printOpOnDiagnostic(false);
    context.getDiagEngine().registerHandler([this](Diagnostic &diag) {
      FlowDiagnostic d;
      d.severity = severityName(diag.getSeverity());
      llvm::raw_string_ostream loc(d.location);
      diag.getLocation().print(loc);
      d.message = diag.str();
      diagnostics.push_back(std::move(d));
      for (Diagnostic &note : diag.getNotes())
        diagnostics.push_back({"note", "", note.str()});
      return success();
    });
  }

  /// The first error's message, else `fallback`.
  std::string firstError(const std::string &fallback) const {
    for (const FlowDiagnostic &d : diagnostics)
      if (d.severity == "error")
        return d.message;
    return fallback;
  }

  Expected<bool> load(const std::string &path, const AnnotateOptions &options) {
    std::string format = modelFormatOf(path);
    if (format.empty())
      return makeError(path + ": unknown model format '" + llvm::sys::path::extension(path).str() +
                       "' (expected .onnx, .txtpb/.pbtxt ONNX text or .mlir)");
    auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false, /*RequiresNullTerminator=*/format == "mlir");
    if (std::error_code ec = buffer.getError())
      return makeError(path + ": cannot open the model file: " + ec.message());
    if (format == "mlir") {
      if (!options.inputShapes.empty())
        return makeError(path + ": input shapes apply to ONNX models only (an MLIR module has its own)");
      llvm::SourceMgr sources;
      sources.AddNewSourceBuffer(std::move(*buffer), llvm::SMLoc());
      module = parseSourceFile<ModuleOp>(sources, &context);
      if (!module)
        return makeError(path + ": " + firstError("cannot parse the MLIR module"));
      return true;
    }
    mlir::flydel::OnnxImportOptions importOptions;
    // The passes read shapes only; weights as zero splats keep large models quick to import.
    importOptions.elideWeights = true;
    for (const std::string &spec : options.inputShapes)
      if (std::string error = mlir::flydel::parseOnnxInputShape(spec, importOptions); !error.empty())
        return makeError(error);
    std::string bytes;
    llvm::StringRef data = (*buffer)->getBuffer();
    if (format == "onnx-text") {
      if (std::string error = mlir::flydel::encodeOnnxText(data, bytes); !error.empty())
        return makeError(path + ": " + error);
      data = bytes;
    }
    module = mlir::flydel::importOnnxModel(data, path, &context, importOptions);
    if (!module)
      return makeError(path + ": " + firstError("cannot import the ONNX model"));
    return true;
  }

  Expected<bool> run(PassManager &pm) {
    if (failed(pm.run(*module)))
      return makeError(firstError("the pass pipeline failed"));
    return true;
  }

  static mlir::flydel::AnnotateKpisOptions annotateOptions(const AnnotateOptions &options) {
    mlir::flydel::AnnotateKpisOptions o;
    o.platform = options.platform;
    o.devices.assign(options.devices.begin(), options.devices.end());
    o.kpis.assign(options.kpis.begin(), options.kpis.end());
    return o;
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
  std::vector<FlowDiagnostic> diagnostics;

private:
  static DialectRegistry makeRegistry() {
    // What flydel-opt reads: an MLIR module may hold any upstream dialect next to TOSA and linalg.
    DialectRegistry registry;
    registerAllDialects(registry);
    mlir::flydel::registerOnnxImportDialects(registry);
    mlir::flydel::registerFlydelDialects(registry);
    return registry;
  }
};

/// An attribute of flydel.assignment as JSON: #flydel.kpi as its latency_us and energy_uj (null: no model),
/// dictionaries as objects, anything else as MLIR prints it.
llvm::json::Value toJson(Attribute attr) {
  if (auto dict = dyn_cast<DictionaryAttr>(attr)) {
    llvm::json::Object object;
    for (NamedAttribute entry : dict)
      object[entry.getName().getValue()] = toJson(entry.getValue());
    return object;
  }
  if (auto kpi = dyn_cast<mlir::flydel::KpiAttr>(attr)) {
    auto value = [](mlir::flydel::EstimateAttr e) {
      return e && e.hasModel() ? llvm::json::Value(e.getValueAsDouble()) : llvm::json::Value(nullptr);
    };
    return llvm::json::Object{{"latency_us", value(kpi.getLatencyUs())}, {"energy_uj", value(kpi.getEnergyUj())}};
  }
  if (auto text = dyn_cast<StringAttr>(attr))
    return text.getValue().str();
  if (auto flag = dyn_cast<BoolAttr>(attr))
    return flag.getValue();
  if (auto integer = dyn_cast<IntegerAttr>(attr))
    return integer.getInt();
  if (auto number = dyn_cast<FloatAttr>(attr))
    return number.getValueAsDouble();
  std::string text;
  llvm::raw_string_ostream os(text);
  attr.print(os);
  return text;
}

} // namespace

Expected<FlowResult> annotateModel(const std::string &path, const AnnotateOptions &options,
                                   const std::string &format) {
  Flow flow;
  if (auto loaded = flow.load(path, options); !loaded)
    return makeError(loaded.error());
  PassManager pm(&flow.context, ModuleOp::getOperationName());
  pm.addPass(mlir::flydel::createAnnotateKpis(Flow::annotateOptions(options)));
  if (auto ran = flow.run(pm); !ran)
    return makeError(ran.error());
  FlowResult result;
  if (failed(mlir::flydel::renderKpiReport(*flow.module, format, options.hide, result.text)))
    return makeError(flow.firstError("cannot render the report"));
  result.diagnostics = std::move(flow.diagnostics);
  return result;
}

Expected<FlowResult> assignModel(const std::string &path, const AnnotateOptions &options,
                                 const AssignOptions &assign) {
  Flow flow;
  if (auto loaded = flow.load(path, options); !loaded)
    return makeError(loaded.error());
  PassManager pm(&flow.context, ModuleOp::getOperationName());
  pm.addPass(mlir::flydel::createAnnotateKpis(Flow::annotateOptions(options)));
  mlir::flydel::AssignDevicesOptions a;
  a.objective = assign.objective;
  a.weight = assign.weight;
  a.mode = assign.mode;
  a.reserve = assign.reserve;
  a.pins = assign.pinsFile;
  a.timeLimitMs = assign.timeLimitMs;
  pm.addPass(mlir::flydel::createAssignDevices(a));
  if (auto ran = flow.run(pm); !ran)
    return makeError(ran.error());

  llvm::json::Array functions;
  flow.module->walk([&](FunctionOpInterface function) {
    auto summary = function->getAttrOfType<DictionaryAttr>(mlir::flydel::FlydelDialect::kAssignmentAttrName);
    if (!summary)
      return;
    llvm::json::Array ops;
    function.walk([&](Operation *op) {
      if (op == function.getOperation())
        return;
      if (auto device = op->getAttrOfType<mlir::flydel::DeviceAttr>(mlir::flydel::FlydelDialect::kDeviceAttrName))
        ops.push_back(llvm::json::Object{{"layer", mlir::flydel::reportLayerName(op)},
                                         {"op", op->getName().getStringRef().str()},
                                         {"device", device.getName().str()}});
    });
    functions.push_back(llvm::json::Object{{"name", function.getName().str()},
                                           {"assignment", toJson(summary)},
                                           {"ops", std::move(ops)}});
  });
  FlowResult result;
  llvm::raw_string_ostream os(result.text);
  os << llvm::json::Value(llvm::json::Object{{"functions", std::move(functions)}});
  result.diagnostics = std::move(flow.diagnostics);
  return result;
}

} // namespace flydel::api
