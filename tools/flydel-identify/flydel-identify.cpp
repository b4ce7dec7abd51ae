//===- flydel-identify.cpp - Identify KPI models from measurements --------===//
//
// flydel-identify DATA.csv --kpi COLUMN [options]   one KPI model, cross-validated
// flydel-identify --spec SPEC.json -o LIBRARY.json  a whole platform library
//
// Plain C++ (no LLVM command-line library): the tool stays MLIR-free. Errors go to stderr with a non-zero exit
// status; output files are written to a temporary and renamed, so a failure never leaves a half-written file.
//
//===----------------------------------------------------------------------===//
#include "flydel/Identify/Table.h"
#include "flydel/Identify/Train.h"
#include "flydel/Identify/Validation.h"
#include "flydel/Model/Library.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

using namespace flydel;
using Json = nlohmann::ordered_json;

namespace {

constexpr int kExitFailure = 1, kExitUsage = 2;

const char *kUsage = R"(usage:
  flydel-identify DATA.csv --kpi COLUMN [--op KIND] [--structure auto|paper|frols|physics]
                  [--folds N] [--seed N] [--max-params N] [-o MODEL.json] [--report-json FILE|-]
                  [--device NAME] [--unit UNIT] [--dtype TYPE] [--saturate-at CAPACITY]
                  [--strict] [--quiet]
  flydel-identify --spec SPEC.json -o LIBRARY.json [--data-dir DIR] [--structure S] [--folds N]
                  [--seed N] [--max-params N] [--quiet]

Identifies a model of one KPI column of a measurement table (CSV) by k-fold cross-validation
(default 10 folds, seed 1, at most 16 parameters); 'auto' picks the structure and order with the
lowest CV MAPE penalised by 1 % per parameter. With --spec, trains every (device, op, KPI) model
and link of a platform library. Rows whose KPI is not positive are left out (errors with --strict).
)";

struct Options {
  std::string data, kpi, spec, output, report, dataDir, device = "device", unit;
  std::optional<OpKind> op;
  std::optional<Structure> structure;
  std::optional<int> folds, maxParams;
  std::optional<uint64_t> seed;
  DType dtype = DType::F32;
  double saturation = 0.0;
  bool strict = false, quiet = false;
};

[[noreturn]] void usageError(const std::string &message) {
  std::cerr << "flydel-identify: error: " << message << "\n(run 'flydel-identify --help' for usage)\n";
  std::exit(kExitUsage);
}

long long parseInteger(const std::string &option, const std::string &text, long long lo, long long hi) {
  char *end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < lo || v > hi)
    usageError("option " + option + ": '" + text + "' is not an integer in [" + std::to_string(lo) + ", " +
               std::to_string(hi) + "]");
  return v;
}

Options parseArgs(int argc, char **argv) {
  Options o;
  bool structureAuto = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i], value;
    bool hasInline = false;
    if (arg.rfind("--", 0) == 0) {
      if (auto eq = arg.find('='); eq != std::string::npos) {
        value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
        hasInline = true;
      }
    }
    auto next = [&]() -> std::string {
      if (hasInline)
        return value;
      if (i + 1 >= argc)
        usageError("option " + arg + " needs a value");
      return argv[++i];
    };
    if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      std::exit(0);
    } else if (arg == "--kpi") {
      o.kpi = next();
    } else if (arg == "--op") {
      std::string v = next();
      OpKind kind;
      if (!parseOpKind(v, kind))
        usageError("option --op: unknown op kind '" + v + "' (expected conv2d, pool2d, matmul, elementwise)");
      o.op = kind;
    } else if (arg == "--structure") {
      std::string v = next();
      Structure s;
      if (v == "auto")
        structureAuto = true, o.structure.reset();
      else if (parseStructure(v, s))
        o.structure = s;
      else
        usageError("option --structure: unknown structure '" + v + "' (expected auto, paper, frols or physics)");
    } else if (arg == "--folds") {
      o.folds = static_cast<int>(parseInteger(arg, next(), 2, 1000));
    } else if (arg == "--seed") {
      o.seed = static_cast<uint64_t>(parseInteger(arg, next(), 0, (1LL << 62)));
    } else if (arg == "--max-params") {
      o.maxParams = static_cast<int>(parseInteger(arg, next(), 1, 64));
    } else if (arg == "-o" || arg == "--output") {
      o.output = next();
    } else if (arg == "--report-json") {
      o.report = next();
    } else if (arg == "--spec") {
      o.spec = next();
    } else if (arg == "--data-dir") {
      o.dataDir = next();
    } else if (arg == "--device") {
      o.device = next();
    } else if (arg == "--unit") {
      o.unit = next();
    } else if (arg == "--dtype") {
      std::string v = next();
      if (!parseDType(v, o.dtype))
        usageError("option --dtype: unknown data type '" + v + "'");
    } else if (arg == "--saturate-at") {
      std::string v = next();
      char *end = nullptr;
      o.saturation = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0' || !(o.saturation > 0))
        usageError("option --saturate-at: '" + v + "' is not a positive number");
    } else if (arg == "--strict") {
      o.strict = true;
    } else if (arg == "--quiet" || arg == "-q") {
      o.quiet = true;
    } else if (!arg.empty() && arg[0] == '-' && arg != "-") {
      usageError("unknown option '" + arg + "'");
    } else if (o.data.empty()) {
      o.data = arg;
    } else {
      usageError("unexpected argument '" + arg + "' (only one data file)");
    }
  }
  (void)structureAuto;
  if (!o.spec.empty()) {
    if (!o.data.empty() || !o.kpi.empty())
      usageError("--spec trains a whole library: give no DATA.csv or --kpi with it");
    if (o.output.empty())
      usageError("--spec needs -o LIBRARY.json");
  } else {
    if (o.data.empty())
      usageError("no data file given");
    if (o.kpi.empty())
      usageError("option --kpi COLUMN is required");
  }
  return o;
}

/// Unit from the column name's suffix (latency_ms -> ms); resource counts are their own unit.
std::string guessUnit(const std::string &kpi) {
  auto ends = [&](const char *s) {
    std::string suffix = s;
    return kpi.size() > suffix.size() && kpi.compare(kpi.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends("_ms"))
    return "ms";
  if (ends("_us"))
    return "us";
  if (ends("_s"))
    return "s";
  if (ends("_j"))
    return "J";
  if (ends("_mj"))
    return "mJ";
  if (ends("_w"))
    return "W";
  return kpi;
}

Json metricsJson(const CvOutcome &o) {
  const Metrics &m = o.metrics;
  return Json{{"structure", structureName(o.config.structure)}, {"config", o.config.label()},
              {"parameters", o.parameters},  {"mape", m.mape},
              {"median_ape", m.medianApe},    {"p90_ape", m.p90Ape},
              {"within_10pct", m.within10pct}, {"bias", m.bias},
              {"rmspe", m.rmspe}};
}

bool writeOutput(const std::string &path, const std::string &text) {
  if (path == "-") {
    std::cout << text;
    return bool(std::cout);
  }
  std::string error;
  if (!writeFileAtomically(path, text, &error)) {
    std::cerr << "flydel-identify: error: " << error << "\n";
    return false;
  }
  return true;
}

int trainSpec(const Options &o) {
  TrainOptions t;
  t.dataDir = o.dataDir;
  t.structure = o.structure;
  t.folds = o.folds;
  t.maxParams = o.maxParams;
  t.seed = o.seed;
  if (!o.quiet)
    t.log = [](const std::string &line) { std::cerr << line << "\n"; };
  auto lib = trainLibrary(o.spec, t);
  if (!lib) {
    std::cerr << "flydel-identify: error: " << lib.error() << "\n";
    return kExitFailure;
  }
  std::string text = lib->toJson();
  // Re-read what we are about to write: a library flydel cannot load must never be produced.
  if (auto check = Library::parse(text, o.output); !check) {
    std::cerr << "flydel-identify: internal error: the trained library does not validate: " << check.error() << "\n";
    return kExitFailure;
  }
  return writeOutput(o.output, text) ? 0 : kExitFailure;
}

int identifyOne(const Options &o) {
  Layer defaults;
  defaults.dtype = o.dtype;
  auto table = MeasurementTable::loadCsv(o.data, defaults);
  if (!table) {
    std::cerr << "flydel-identify: error: " << table.error() << "\n";
    return kExitFailure;
  }
  std::vector<std::string> notes;
  auto data = table->dataset(o.kpi, o.op, o.strict, &notes);
  if (!data) {
    std::cerr << "flydel-identify: error: " << data.error() << "\n";
    return kExitFailure;
  }
  if (!o.quiet) {
    for (size_t i = 0; i < notes.size() && i < 5; ++i)
      std::cerr << "flydel-identify: note: " << notes[i] << "\n";
    if (notes.size() > 5)
      std::cerr << "flydel-identify: note: ... " << notes.size() - 5 << " more rows left out\n";
  }
  CvOptions cv;
  if (o.folds)
    cv.folds = *o.folds;
  if (o.seed)
    cv.seed = *o.seed;
  if (o.maxParams)
    cv.maxParams = *o.maxParams;
  cv.saturation = o.saturation;
  if (cv.folds > static_cast<int>(data->size())) {
    std::cerr << "flydel-identify: error: option --folds: " << cv.folds << " folds but only " << data->size()
              << " usable rows\n";
    return kExitFailure;
  }
  auto id = identify(*data, o.structure ? configsFor(*o.structure) : autoConfigs(), cv);
  if (!id) {
    std::cerr << "flydel-identify: error: " << o.data << ": " << id.error() << "\n";
    return kExitFailure;
  }
  KpiModel model;
  model.device = o.device;
  model.op = o.op ? *o.op : table->layers.front().op;
  model.kpi = o.kpi;
  model.unit = o.unit.empty() ? guessUnit(o.kpi) : o.unit;
  model.model = id->model;
  const Metrics &m = id->chosen.metrics;
  model.cv = CvFigures{m.mape, m.medianApe, m.p90Ape, m.within10pct, m.bias, m.rmspe, cv.folds,
                       static_cast<int>(data->size()), cv.seed};
  model.source = o.data;

  // Human-readable summary: to stdout, or stderr when the JSON report goes to stdout.
  std::ostream &text = o.report == "-" ? std::cerr : std::cout;
  if (!o.quiet || o.report.empty()) {
    char line[256];
    text << o.data << ": " << o.kpi << ", " << data->size() << " rows, " << cv.folds << "-fold CV (seed " << cv.seed
         << ")\n";
    for (const CvOutcome &c : id->candidates) {
      std::snprintf(line, sizeof line, "  %-26s %2d params  MAPE %7.2f %%  median %6.2f  p90 %7.2f  within10 %5.1f %%  bias %5.2f\n",
                    c.config.label().c_str(), c.parameters, c.metrics.mape, c.metrics.medianApe, c.metrics.p90Ape,
                    c.metrics.within10pct, c.metrics.bias);
      text << line;
    }
    std::snprintf(line, sizeof line,
                  "chosen: %s, %d params, MAPE %.2f %%; residuals: lag-1 autocorrelation %.3f, Ljung-Box p %.3g, "
                  "Jarque-Bera p %.3g\n",
                  id->chosen.config.label().c_str(), model.model.parameterCount(), m.mape, m.lag1Autocorrelation,
                  m.ljungBoxP, m.jarqueBeraP);
    text << line;
  }
  if (!o.report.empty()) {
    Json r = metricsJson(id->chosen);
    r["parameters"] = model.model.parameterCount();
    r["source"] = o.data;
    r["kpi"] = o.kpi;
    r["unit"] = model.unit;
    r["op"] = opKindName(model.op);
    r["n"] = data->size();
    r["rows_left_out"] = notes.size();
    r["folds"] = cv.folds;
    r["seed"] = cv.seed;
    r["max_params"] = cv.maxParams;
    r["whiteness"] = Json{{"lag1_autocorrelation", m.lag1Autocorrelation},
                          {"ljung_box_q", m.ljungBoxQ},
                          {"ljung_box_lags", m.ljungBoxLags},
                          {"ljung_box_p", m.ljungBoxP}};
    r["normality"] = Json{{"jarque_bera", m.jarqueBera}, {"jarque_bera_p", m.jarqueBeraP}};
    Json candidates = Json::array();
    for (const CvOutcome &c : id->candidates)
      candidates.push_back(metricsJson(c));
    r["candidates"] = candidates;
    if (!writeOutput(o.report, r.dump(2) + "\n"))
      return kExitFailure;
  }
  if (!o.output.empty() && !writeOutput(o.output, kpiModelToJson(model)))
    return kExitFailure;
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  try {
    Options o = parseArgs(argc, argv);
    return o.spec.empty() ? identifyOne(o) : trainSpec(o);
  } catch (const std::exception &e) {
    std::cerr << "flydel-identify: error: " << e.what() << "\n";
    return kExitFailure;
  } catch (...) {
    std::cerr << "flydel-identify: error: unexpected failure\n";
    return kExitFailure;
  }
}
