//===- flydel-predict.cpp - a model file to its per-layer KPI report ------===//
//
// flydel-predict MODEL.onnx|.txtpb|.mlir [--platform P] [--devices a,b] [--kpis k,...] [--input-shape NAME=DIMS]...
//                [--format text|csv|json] [--hide layout,no-model] [-o FILE]
//
// One command for `flydel-translate --import-onnx | flydel-opt --annotate-kpis --flydel-kpi-report`: the same
// importer, pass and report code run in one process (flydel/Api/Flow.h), so the numbers are the same. Diagnostics
// (annotate-kpis' summaries of extrapolated or unmodelled ops) go to stderr; errors name the culprit, exit 1
// (2 for a usage error).
//
//===----------------------------------------------------------------------===//

#include "flydel/Api/Flow.h"
#include "flydel/Model/Library.h"
#include "flydel/Model/TextParse.h"

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

namespace {

constexpr int kExitFailure = 1, kExitUsage = 2;

const char *kUsage = R"(usage: flydel-predict MODEL.onnx|MODEL.txtpb|MODEL.mlir [--platform NAME|LIB.json] [--devices D,D,...]
                      [--kpis K,K,...] [--input-shape NAME=D0xD1x...]... [--format text|csv|json]
                      [--hide layout,no-model] [-o FILE]

Imports the model (ONNX binary, ONNX protobuf text, or an MLIR module), predicts the KPIs of every CNN op on every
device of the platform (default: the embedded tx2-c10gx) and prints the per-layer report with the totals, as
`flydel-translate --import-onnx MODEL.onnx | flydel-opt --annotate-kpis --flydel-kpi-report` does:
  --platform     an embedded platform's name or a platform library JSON
  --devices      only these devices of the platform
  --kpis         only these KPIs (latency_us, energy_uj, resources, a resource or a library column)
  --input-shape  static shape of an ONNX graph input (repeatable; as flydel-translate --input-shape)
  --format       text (default), csv or json (the report's formats, docs/annotate-kpis.md)
  --hide         rows to leave out of the report: layout (ops that only move data), no-model (ops no device
                 has a model for); the totals still cover every op
  -o FILE        write the report there (atomically) instead of stdout
)";

[[noreturn]] void usageError(const std::string &message) {
  std::cerr << "flydel-predict: error: " << message << "\n(run 'flydel-predict --help' for usage)\n";
  std::exit(kExitUsage);
}

std::vector<std::string> splitList(const std::string &option, const std::string &text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos)
      end = text.size();
    std::string item = text.substr(start, end - start);
    if (item.empty())
      usageError("option " + option + ": empty name in '" + text + "'");
    items.push_back(item);
    start = end + 1;
  }
  return items;
}

} // namespace

int main(int argc, char **argv) {
  std::string model, format = "text", output = "-";
  flydel::api::AnnotateOptions options;
  flydel::OptionCursor args(argc, argv, usageError);
  while (args.next()) {
    const std::string arg = args.arg();
    auto next = [&args] { return args.value(); };
    if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      return 0;
    } else if (arg == "--platform") {
      options.platform = next();
    } else if (arg == "--devices") {
      options.devices = splitList(arg, next());
    } else if (arg == "--kpis") {
      options.kpis = splitList(arg, next());
    } else if (arg == "--hide") {
      options.hide = splitList(arg, next());
      for (const std::string &what : options.hide)
        if (what != "layout" && what != "no-model")
          usageError("option --hide: unknown '" + what + "' (expected layout or no-model)");
    } else if (arg == "--input-shape") {
      options.inputShapes.push_back(next());
    } else if (arg == "--format") {
      format = next();
      if (format != "text" && format != "csv" && format != "json")
        usageError("option --format: unknown format '" + format + "' (expected text, csv or json)");
    } else if (arg == "-o" || arg == "--output") {
      output = next();
    } else if (arg.size() > 1 && arg[0] == '-') {
      usageError("unknown option '" + arg + "'");
    } else if (model.empty()) {
      model = arg;
    } else {
      usageError("unexpected argument '" + arg + "' (one model file)");
    }
  }
  if (model.empty())
    usageError("no model file given");
  if (flydel::api::modelFormatOf(model).empty())
    usageError("'" + model + "': unknown model format (expected .onnx, .txtpb/.pbtxt ONNX text or .mlir)");

  auto result = flydel::api::annotateModel(model, options, format);
  if (!result) {
    std::cerr << "flydel-predict: error: " << result.error() << "\n";
    return kExitFailure;
  }
  for (const flydel::api::FlowDiagnostic &d : result->diagnostics)
    std::cerr << model << ": " << d.severity << ": " << d.message << "\n";
  if (output == "-") {
    std::cout << result->text;
    std::cout.flush();
    return std::cout ? 0 : kExitFailure;
  }
  std::string error;
  if (!flydel::writeFileAtomically(output, result->text, &error)) {
    std::cerr << "flydel-predict: error: " << error << "\n";
    return kExitFailure;
  }
  return 0;
}
