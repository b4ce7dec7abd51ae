//===- Flow.h - A model file through annotate-kpis (and assign-devices) -*- C++ -*-===//
//
// The in-process form of `flydel-translate --import-onnx M.onnx | flydel-opt --annotate-kpis --flydel-kpi-report`
// (and --assign-devices): load a model file, run the same passes in an MLIRContext, render the same report.
// flydel-predict and the Python package call it. The header is MLIR-free so that callers (a pybind11 module) need
// no MLIR headers; errors never throw.
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_API_FLOW_H
#define FLYDEL_API_FLOW_H

#include "flydel/Model/Expected.h"

#include <string>
#include <vector>

namespace flydel::api {

/// A diagnostic the flow emitted (annotate-kpis' summaries of extrapolated ops, the assignment's remarks, ...).
struct FlowDiagnostic {
  std::string severity; // "error", "warning", "remark" or "note"
  std::string location; // as MLIR prints it, e.g. loc("conv1")
  std::string message;
};

struct AnnotateOptions {
  std::string platform = "tx2-c10gx"; // an embedded platform's name or a library JSON path
  std::vector<std::string> devices;   // all the platform's when empty
  std::vector<std::string> kpis;      // annotate-kpis' kpis= filter; all when empty
  std::vector<std::string> inputShapes; // ONNX only: NAME=D0xD1x... (flydel-translate --input-shape)
  std::vector<std::string> hide;        // report rows to leave out (--flydel-kpi-report hide=): layout, no-model
};

struct AssignOptions {
  std::string objective = "latency"; // latency, energy, edp or weighted
  double weight = 0.5;               // objective=weighted: weight of latency_us against energy_uj
  std::string mode = "sequential";   // sequential or pipelined
  double reserve = 0.0;              // share of every capacity kept free: the budget is capacity x (1 - reserve)
  std::string pinsFile;              // JSON {"layer name": "device"}
  double timeLimitMs = 10000.0;
};

struct FlowResult {
  /// The --flydel-kpi-report text in the format asked for (annotate), or a JSON document of the assignment
  /// (assign: {"functions": [{"name", "assignment": {...flydel.assignment...}, "ops": [{"layer", "op", "device"}]}]}).
  std::string text;
  std::vector<FlowDiagnostic> diagnostics; // in emission order, errors included
};

/// The model file's format from its extension: "onnx" (.onnx, binary ModelProto), "onnx-text" (.txtpb, .pbtxt,
/// .textproto: protobuf text) or "mlir" (.mlir); empty for anything else.
std::string modelFormatOf(const std::string &path);

/// Imports (ONNX) or parses (MLIR) the model, runs --annotate-kpis with `options` and renders the report in
/// `format` (text, csv or json). An error names the file and what is wrong with it (the first error diagnostic).
Expected<FlowResult> annotateModel(const std::string &path, const AnnotateOptions &options,
                                   const std::string &format);

/// As annotateModel, then --assign-devices with `assign`; the result's text is the assignment as JSON.
Expected<FlowResult> assignModel(const std::string &path, const AnnotateOptions &options,
                                 const AssignOptions &assign);

} // namespace flydel::api

#endif // FLYDEL_API_FLOW_H
