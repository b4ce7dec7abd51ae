//===- flydel-identify.cpp - Identify KPI models from measurements --------===//
//
// flydel-identify DATA.csv --kpi COLUMN [options]   one KPI model, cross-validated
// flydel-identify --spec SPEC.json -o LIBRARY.json  a whole platform library
// flydel-identify --predict --library LIB --device D --layer SPEC   evaluate a library's models on a layer
//
// Plain C++ (no LLVM command-line library): the tool stays MLIR-free. Errors go to stderr with a non-zero exit
// status; output files are written to a temporary and renamed, so a failure never leaves a half-written file.
//
//===----------------------------------------------------------------------===//
#include "flydel/Identify/IdentifyTable.h"
#include "flydel/Identify/Recalibrate.h"
#include "flydel/Identify/Table.h"
#include "flydel/Identify/Train.h"
#include "flydel/Identify/Validation.h"
#include "flydel/Model/LayerSpec.h"
#include "flydel/Model/Library.h"
#include "flydel/Model/Predict.h"
#include "flydel/Model/Sanity.h"
#include "flydel/Model/TextParse.h"
#include "flydel/Platforms/EmbeddedPlatforms.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
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
                  [--strict] [--no-nested] [--threads N] [--quiet]
  flydel-identify --spec SPEC.json -o LIBRARY.json [--data-dir DIR] [--structure S] [--folds N]
                  [--seed N] [--max-params N] [--nested] [--threads N] [--quiet]
  flydel-identify --predict --library NAME|LIB.json --device NAME --layer SPEC [--layer SPEC ...]
  flydel-identify --check-library NAME|LIB.json [--samples N] [--seed N]
  flydel-identify --choose-probes NAME|LIB.json --device NAME --from PLAN.csv [--from ...] [--count N]
                  -o PROBES.csv
  flydel-identify --drift NAME|LIB.json --device NAME --probes TABLE.csv [--probes ...] [--threshold PCT]
  flydel-identify --recalibrate NAME|LIB.json --device NAME --probes TABLE.csv [--probes ...] [--no-refit]
                  -o LIB.json

Identifies a model of one KPI column of a measurement table (CSV) by k-fold cross-validation
(default 10 folds, seed 1, at most 16 parameters); 'auto' picks the structure and order with the
lowest CV MAPE penalised by 1 % per parameter (with a spec's GPU pool and a retest column, each row's
error weighted by how well it repeats). That figure is of the folds the choice was made on,
optimistic when many candidates compete: the nested CV figure (the whole selection repeated inside
every outer fold, each fit shared by the folds that need it; about 3 times longer, --no-nested skips
it) is what a model chosen this way does on unseen layers. Folds run on every core (--threads N: at
most N); the results do not depend on the thread count. With --spec, trains every (device, op, KPI) model and link of a platform
library (nested CV where the spec's "cv" says "nested": true, or with --nested). Rows whose KPI is not positive are left out (errors with --strict).
With --predict, evaluates every model a library has for the device on each layer, as annotate-kpis
does (the layer's variant: dense or depthwise convolution, windowed or global pool; the device's
fixed data type, pe/simd on FPGAs only), and prints JSON (values in the library's units, with the
extrapolation status; a layer over a device capacity "does_not_fit": its resources over capacity have
"status": "exceeds_capacity" with the unclipped demand and the capacity, its other KPIs "value": null and
"status": "does_not_fit"); NAME is an embedded platform (tx2-c10gx). SPEC is comma-separated fields of the layer descriptor, e.g.
  op=conv2d,in_hw=56,c_in=64,c_out=64,kernel=3,stride=1,pad=1
(fields: op, batch, in_hw, in_h, in_w, c_in, c_out, kernel, kernel_h, kernel_w, stride, stride_h,
stride_w, pad, pad_h, pad_w, dilation, dilation_h, dilation_w, groups, dtype, pe, simd; unspecified fields keep their defaults).
With --check-library, evaluates every model on random valid layers of its op kind and variant (default
2000 across the grid and 1000 inside its training domain, seed 1), from tiny to far beyond any
excitation, and reports per model the predictions that are not finite, not positive, or grow faster
than the layer's work out of the domain (more than 10 x the bound the model sets inside it); exit
status 1 when any model fails.
With --choose-probes, writes N (default 20) rows of the plans as a probe plan for flydel-measure: at least 3
per model of the device where N allows, those that tell most about the parameters a refit would move (a
D-optimal design; models that cannot be refitted, or get fewer than 5 probes: spread over their predictions).
With --drift, compares the device's models with probe layers measured today (measurement tables, e.g. from
flydel-measure): per model and per KPI, the ratio measured/predicted (median, p10-p90) and the MAPE; exit
status 3 when a KPI's median ratio is more than --threshold % (default 10) from 1. With --recalibrate, writes
the library with each of the device's models adapted as its probes' leave-one-out error prefers: unchanged,
multiplied by their median ratio (the identified parameters kept), or (at least 5 probes, not with --no-refit)
refitted by ridge regression toward its parameters times that ratio; a model with fewer than 3 probes takes
the device's ratio for that KPI. The calibration (source, probes, figures) is recorded in the library.
)";

struct Options {
  std::string data, kpi, spec, output, report, dataDir, device = "device", unit, library;
  bool predict = false, deviceGiven = false, checkLibrary = false;
  std::string recalibrate, drift, chooseProbes; // --recalibrate LIB / --drift LIB / --choose-probes LIB
  std::vector<std::string> from;                // --from PLAN.csv (repeatable): candidates for probes
  int probeCount = 20;                          // --count
  bool noRefit = false;                         // --no-refit: factors only
  std::vector<std::string> probes;  // --probes TABLE.csv (repeatable)
  double driftThresholdPct = 10.0; // --threshold
  int samples = 2000;
  int threads = 0; // 0: every core
  std::vector<Layer> layers;
  std::optional<OpKind> op;
  std::optional<Structure> structure;
  std::optional<int> folds, maxParams;
  std::optional<uint64_t> seed;
  DType dtype = DType::F32;
  double saturation = 0.0;
  bool strict = false, quiet = false;
  std::optional<bool> nested;
};

[[noreturn]] void usageError(const std::string &message) {
  std::cerr << "flydel-identify: error: " << message << "\n(run 'flydel-identify --help' for usage)\n";
  std::exit(kExitUsage);
}

long long parseInteger(const std::string &option, const std::string &text, long long lo, long long hi) {
  int64_t v = 0;
  if (!parseStrictInteger(text, lo, hi, v)) // whole text, no wrap-around
    usageError("option " + option + ": '" + text + "' is not an integer in [" + std::to_string(lo) + ", " +
               std::to_string(hi) + "]");
  return v;
}

Options parseArgs(int argc, char **argv) {
  Options o;
  bool structureAuto = false;
  OptionCursor args(argc, argv, usageError);
  while (args.next()) {
    const std::string arg = args.arg();
    auto next = [&args] { return args.value(); };
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
    } else if (arg == "--threads") {
      o.threads = static_cast<int>(parseInteger(arg, next(), 1, 1024));
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
      o.deviceGiven = true;
    } else if (arg == "--predict") {
      o.predict = true;
    } else if (arg == "--check-library") {
      o.checkLibrary = true;
      o.library = next();
    } else if (arg == "--recalibrate") {
      o.recalibrate = next();
    } else if (arg == "--drift") {
      o.drift = next();
    } else if (arg == "--no-refit") {
      o.noRefit = true;
    } else if (arg == "--choose-probes") {
      o.chooseProbes = next();
    } else if (arg == "--from") {
      o.from.push_back(next());
    } else if (arg == "--count") {
      o.probeCount = static_cast<int>(parseInteger(arg, next(), 1, 100000));
    } else if (arg == "--probes") {
      o.probes.push_back(next());
    } else if (arg == "--threshold") {
      std::string v = next();
      char *end = nullptr;
      o.driftThresholdPct = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0' || !(o.driftThresholdPct > 0) || !std::isfinite(o.driftThresholdPct))
        usageError("option --threshold: '" + v + "' is not a positive percentage");
    } else if (arg == "--samples") {
      o.samples = static_cast<int>(parseInteger(arg, next(), 10, 1000000));
    } else if (arg == "--library") {
      o.library = next();
    } else if (arg == "--layer") {
      std::string v = next();
      auto layer = parseLayerSpec(v);
      if (!layer)
        usageError("option --layer: " + layer.error());
      o.layers.push_back(*layer);
    } else if (arg == "--unit") {
      o.unit = next();
    } else if (arg == "--dtype") {
      std::string v = next();
      if (!parseDType(v, o.dtype))
        usageError("option --dtype: unknown data type '" + v + "'");
    } else if (arg == "--saturate-at") {
      std::string v = next();
      if (!parseStrictDouble(v, o.saturation) || !(o.saturation > 0))
        usageError("option --saturate-at: '" + v + "' is not a positive finite number");
    } else if (arg == "--strict") {
      o.strict = true;
    } else if (arg == "--nested" || arg == "--no-nested") {
      o.nested = arg == "--nested";
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
  if (!o.chooseProbes.empty()) {
    if (!o.recalibrate.empty() || !o.drift.empty() || o.predict || o.checkLibrary || !o.spec.empty() ||
        !o.data.empty())
      usageError("--choose-probes takes a library, --device, --from and -o only");
    if (!o.deviceGiven || o.from.empty() || o.output.empty())
      usageError("--choose-probes needs --device NAME, at least one --from PLAN.csv and -o PROBES.csv");
    return o;
  }
  if (!o.recalibrate.empty() || !o.drift.empty()) {
    const char *mode = o.recalibrate.empty() ? "--drift" : "--recalibrate";
    if (!o.recalibrate.empty() && !o.drift.empty())
      usageError("give --recalibrate or --drift, not both");
    if (o.predict || o.checkLibrary || !o.spec.empty() || !o.data.empty())
      usageError(std::string(mode) + " takes a library, --device and --probes only");
    if (!o.deviceGiven || o.probes.empty())
      usageError(std::string(mode) + " needs --device NAME and at least one --probes TABLE.csv");
    if (!o.recalibrate.empty() && o.output.empty())
      usageError("--recalibrate needs -o LIBRARY.json");
    return o;
  }
  if (o.checkLibrary) {
    if (o.predict || !o.spec.empty() || !o.data.empty())
      usageError("--check-library takes a library only (no --predict, --spec or data file)");
    return o;
  }
  if (o.predict) {
    if (o.library.empty() || !o.deviceGiven || o.layers.empty())
      usageError("--predict needs --library, --device and at least one --layer");
    return o;
  }
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
  t.nested = o.nested.value_or(false);
  t.threads = o.threads;
  if (!o.quiet)
    t.log = [](const std::string &line) { std::cerr << line << "\n"; };
  t.warn = [](const std::string &line) { std::cerr << "flydel-identify: warning: " << line << "\n"; };
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
  // Copied rows would count twice (and sit on both sides of a CV split): dropped, always said (also with --quiet).
  std::vector<std::string> duplicates = table->dropDuplicateRows();
  for (size_t i = 0; i < duplicates.size() && i < 10; ++i)
    std::cerr << "flydel-identify: warning: " << duplicates[i] << "\n";
  if (duplicates.size() > 10)
    std::cerr << "flydel-identify: warning: ... " << duplicates.size() - 10 << " more duplicate rows dropped\n";
  TableIdentifyOptions options;
  options.kpi = o.kpi;
  options.op = o.op;
  options.structure = o.structure;
  options.strict = o.strict;
  options.device = o.device;
  options.unit = o.unit;
  options.source = o.data;
  CvOptions &cv = options.cv;
  if (o.folds)
    cv.folds = *o.folds;
  if (o.seed)
    cv.seed = *o.seed;
  if (o.maxParams)
    cv.maxParams = *o.maxParams;
  cv.saturation = o.saturation;
  cv.nested = o.nested.value_or(true);
  cv.threads = o.threads;
  auto result = identifyTable(std::move(*table), options);
  if (!result) {
    std::cerr << "flydel-identify: error: " << result.error() << "\n";
    return kExitFailure;
  }
  const std::vector<std::string> &notes = result->notes;
  if (!o.quiet) {
    for (size_t i = 0; i < notes.size() && i < 5; ++i)
      std::cerr << "flydel-identify: note: " << notes[i] << "\n";
    if (notes.size() > 5)
      std::cerr << "flydel-identify: note: ... " << notes.size() - 5 << " more rows left out\n";
  }
  const Identification *id = &result->id;
  const KpiModel &model = result->model;
  const Metrics &m = id->chosen.metrics;
  // Human-readable summary: to stdout, or stderr when the JSON report goes to stdout.
  std::ostream &text = o.report == "-" ? std::cerr : std::cout;
  if (!o.quiet || o.report.empty()) {
    char line[256];
    text << o.data << ": " << o.kpi << ", " << result->rows << " rows, " << cv.folds << "-fold CV (seed " << cv.seed
         << ")\n";
    for (const CvOutcome &c : id->candidates) {
      std::snprintf(line, sizeof line, "  %-26s %2d params  MAPE %7.2f %%  median %6.2f  p90 %7.2f  within10 %5.1f %%  bias %5.2f\n",
                    c.config.label().c_str(), c.parameters, c.metrics.mape, c.metrics.medianApe, c.metrics.p90Ape,
                    c.metrics.within10pct, c.metrics.bias);
      text << line;
    }
    for (const SkippedConfig &skip : id->skipped)
      text << "  " << skip.config.label() << " skipped: " << skip.why << "\n";
    std::snprintf(line, sizeof line,
                  "chosen: %s, %d params, MAPE %.2f %%; residuals: lag-1 autocorrelation %.3f, Ljung-Box p %.3g, "
                  "Jarque-Bera p %.3g\n",
                  id->chosen.config.label().c_str(), model.model.parameterCount(), m.mape, m.lag1Autocorrelation,
                  m.ljungBoxP, m.jarqueBeraP);
    text << line;
    if (id->nested.n > 0) {
      std::snprintf(line, sizeof line,
                    "nested CV (selection repeated in every outer fold): MAPE %.2f %%  median %.2f  p90 %.2f  "
                    "within10 %.1f %% (the chosen model's own folds: %.2f %%)\n",
                    id->nested.mape, id->nested.medianApe, id->nested.p90Ape, id->nested.within10pct, m.mape);
      text << line;
    }
  }
  if (!o.report.empty()) {
    Json r = metricsJson(id->chosen);
    r["parameters"] = model.model.parameterCount();
    r["source"] = o.data;
    r["kpi"] = o.kpi;
    r["unit"] = model.unit;
    r["op"] = opKindName(model.op);
    r["n"] = result->rows;
    r["rows_left_out"] = notes.size();
    r["duplicate_rows_dropped"] = duplicates.size();
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
    Json skipped = Json::array();
    for (const SkippedConfig &skip : id->skipped)
      skipped.push_back(Json{{"structure", skip.config.label()}, {"why", skip.why}});
    r["skipped"] = skipped;
    if (id->nested.n > 0)
      r["nested"] = Json{{"mape", id->nested.mape},
                         {"median_ape", id->nested.medianApe},
                         {"p90_ape", id->nested.p90Ape},
                         {"within_10pct", id->nested.within10pct}};
    if (!writeOutput(o.report, r.dump(2) + "\n"))
      return kExitFailure;
  }
  if (!o.output.empty() && !writeOutput(o.output, kpiModelToJson(model)))
    return kExitFailure;
  return 0;
}

/// An embedded platform by name, or a library file; an error message when neither loads.
std::optional<Library> loadLibrary(const std::string &nameOrPath) {
  std::string_view embedded = getEmbeddedPlatform(nameOrPath);
  auto library = embedded.empty() ? Library::load(nameOrPath) : Library::parse(embedded, nameOrPath);
  if (!library) {
    std::cerr << "flydel-identify: error: " << library.error() << "\n";
    return std::nullopt;
  }
  return std::move(*library);
}

/// Evaluates every model the library has for the device on each layer (flydel/Model/Predict.h).
int predict(const Options &o) {
  auto library = loadLibrary(o.library);
  if (!library)
    return kExitFailure;
  auto predictor = DevicePredictor::create(*library, o.device);
  if (!predictor) {
    std::cerr << "flydel-identify: error: " << predictor.error() << "\n";
    return kExitFailure;
  }
  Json out = Json::array();
  std::vector<KpiOutcome> outcomes;
  std::vector<CapacityExcess> excesses;
  for (const Layer &layer : o.layers) {
    predictor->predict(layer, outcomes, excesses);
    Json predictions = Json::object();
    for (int k : predictor->kpiOrder(layer.op)) {
      const KpiOutcome &outcome = outcomes[k];
      if (outcome.status == KpiOutcome::Status::NoModel)
        continue;
      const Prediction &p = outcome.prediction;
      Json entry{{"value", p.value}, {"unit", outcome.model->unit}, {"extrapolated", p.extrapolated}};
      if (p.extrapolated)
        entry["domain"] = Model::describeDomain(p);
      if (outcome.status == KpiOutcome::Status::ExceedsCapacity) {
        entry["status"] = "exceeds_capacity";
        entry["capacity"] = outcome.capacity;
      } else if (outcome.status == KpiOutcome::Status::DoesNotFit) {
        entry["value"] = nullptr;
        entry["status"] = "does_not_fit";
      }
      predictions[predictor->kpis()[k]] = entry;
    }
    Json result{{"platform", library->platform.name},
                {"device", o.device},
                {"op", opKindName(layer.op)},
                {"macs", layer.macs()},
                {"predictions", predictions}};
    if (!excesses.empty())
      result[fitsDespite(excesses) ? "over_capacity" : "does_not_fit"] = describeExcesses(excesses);
    out.push_back(std::move(result));
  }
  std::cout << out.dump(2) << "\n";
  return std::cout ? 0 : kExitFailure;
}

/// Physical sanity of every model of a library (flydel/Model/Sanity.h).
int checkLibrary(const Options &o) {
  auto library = loadLibrary(o.library);
  if (!library)
    return kExitFailure;
  SanityOptions options;
  options.samples = o.samples;
  if (o.seed)
    options.seed = *o.seed;
  int failed = 0;
  std::cout << "platform " << library->platform.name << ": " << library->models.size() << " models, "
            << options.samples << " grid layers each and up to " << options.samples / 2
            << " inside the training domain (seed " << options.seed << ")\n";
  for (const KpiModel &m : library->models) {
    const Device *device = library->findDevice(m.device);
    SanityReport r = checkSanity(m, *device, options);
    char line[256];
    std::string what = m.device + " " + opKindName(m.op) +
                       (m.variant == ModelVariant::Any ? "" : std::string("/") + modelVariantName(m.variant)) + " " +
                       m.kpi;
    std::snprintf(line, sizeof line, "%-4s %-36s %5d layers (%4d in domain): %4d not finite, %4d not positive, %4d "
                  "too steep (worst %.3g x)",
                  r.sane() ? "ok" : "FAIL", what.c_str(), r.samples, r.inDomain, r.nonFinite, r.nonPositive,
                  r.tooSteep, r.worstGrowth);
    std::cout << line << "\n";
    if (!r.sane()) {
      std::cout << "       e.g. " << r.example << "\n";
      ++failed;
    }
  }
  std::cout << failed << " of " << library->models.size() << " models fail\n";
  return failed == 0 ? 0 : kExitFailure;
}

} // namespace

/// The lines of a text file (no trailing newlines).
std::vector<std::string> readLines(const std::string &path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

/// --choose-probes: a probe plan from candidate plans, the rows copied as they are.
int chooseProbePlan(const Options &o) {
  auto library = loadLibrary(o.chooseProbes);
  if (!library)
    return kExitFailure;
  std::optional<MeasurementTable> candidates;
  std::string header;
  for (const std::string &path : o.from) {
    auto table = MeasurementTable::loadCsv(path);
    if (!table) {
      std::cerr << "flydel-identify: error: " << table.error() << "\n";
      return kExitFailure;
    }
    std::vector<std::string> lines = readLines(path);
    std::string own;
    for (const std::string &line : lines)
      if (!line.empty() && line[0] != '#') {
        own = line;
        break;
      }
    if (!candidates) {
      header = own;
      candidates = std::move(*table);
      if (candidates->rowSources.empty())
        candidates->rowSources.assign(candidates->layers.size(), path);
    } else {
      if (own != header) {
        std::cerr << "flydel-identify: error: " << path << ": its columns differ from " << o.from.front()
                  << "'s; a probe plan has one header\n";
        return kExitFailure;
      }
      size_t before = candidates->layers.size();
      if (std::string why = candidates->append(*table); !why.empty()) {
        std::cerr << "flydel-identify: error: " << path << ": " << why << "\n";
        return kExitFailure;
      }
      candidates->rowSources.resize(before);
      candidates->rowSources.resize(candidates->layers.size(), path);
    }
  }
  auto chosen = chooseProbes(*library, o.device, *candidates, o.probeCount);
  if (!chosen) {
    std::cerr << "flydel-identify: error: " << chosen.error() << "\n";
    return kExitFailure;
  }
  std::map<std::string, std::vector<std::string>> files;
  std::string text = "# flydel-identify --choose-probes: " + std::to_string(chosen->size()) + " probes of device " +
                     o.device + " (library " + library->platform.name + ")\n" + header + "\n";
  for (size_t row : *chosen) {
    const std::string &path = candidates->rowSources[row];
    if (!files.count(path))
      files[path] = readLines(path);
    text += files[path].at(static_cast<size_t>(candidates->lines[row] - 1)) + "\n";
  }
  std::string error;
  if (!writeFileAtomically(o.output, text, &error)) {
    std::cerr << "flydel-identify: error: " << error << "\n";
    return kExitFailure;
  }
  std::cout << "wrote " << chosen->size() << " probes of " << candidates->layers.size() << " candidate rows to "
            << o.output << "\n";
  return 0;
}

/// --drift and --recalibrate: the device's models against probe tables.
int probeLibrary(const Options &o) {
  const std::string &libraryArg = o.recalibrate.empty() ? o.drift : o.recalibrate;
  auto library = loadLibrary(libraryArg);
  if (!library)
    return kExitFailure;
  std::optional<MeasurementTable> probes;
  for (const std::string &path : o.probes) {
    auto table = MeasurementTable::loadCsv(path);
    if (!table) {
      std::cerr << "flydel-identify: error: " << table.error() << "\n";
      return kExitFailure;
    }
    if (!probes) {
      probes = std::move(*table);
    } else if (std::string why = probes->append(*table); !why.empty()) {
      std::cerr << "flydel-identify: error: " << path << ": " << why << "\n";
      return kExitFailure;
    }
  }
  ProbeReport report;
  std::optional<Library> recalibrated;
  if (o.recalibrate.empty()) {
    auto r = compareWithProbes(*library, o.device, *probes);
    if (!r) {
      std::cerr << "flydel-identify: error: " << r.error() << "\n";
      return kExitFailure;
    }
    report = *r;
  } else {
    nlohmann::ordered_json provenance;
    provenance["source_library"] = libraryArg;
    provenance["probes"] = o.probes;
    std::time_t now = std::time(nullptr);
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    provenance["date"] = date;
    RecalibrationOptions options;
    options.refit = !o.noRefit;
    auto r = recalibrate(*library, o.device, *probes, provenance.dump(), report, options);
    if (!r) {
      std::cerr << "flydel-identify: error: " << r.error() << "\n";
      return kExitFailure;
    }
    recalibrated = std::move(*r);
  }
  std::cout << "platform " << library->platform.name << ", device " << o.device << ": " << probes->layers.size()
            << " probe rows";
  if (report.rowsWithoutModel)
    std::cout << " (" << report.rowsWithoutModel << " without a model of the device)";
  std::cout << "\n";
  char line[320];
  std::snprintf(line, sizeof line, "  %-14s %-20s %6s %8s %17s %9s %9s  %s", "kpi", "model", "probes", "ratio",
                "ratio p10-p90", "mape_%", "loo_%", "decision");
  std::cout << line << "\n";
  bool drifted = false;
  for (const ProbeComparison &c : report.models) {
    std::snprintf(line, sizeof line, "  %-14s %-20s %6d %8.3f %8.3f-%-8.3f %9.2f %9.2f  %s", c.kpi.c_str(),
                  c.model.c_str(), c.probes, c.ratioMedian, c.ratioP10, c.ratioP90, c.mapeBefore,
                  c.mapeLeaveOneOut, o.recalibrate.empty() && c.model != "all ops" ? "" : c.decision.c_str());
    std::cout << line << "\n";
    if (c.model == "all ops" && std::fabs(c.ratioMedian - 1) * 100 > o.driftThresholdPct)
      drifted = true;
  }
  // A drift that no factor or refit follows: say which models need their excitation measured again.
  for (const ProbeComparison &c : report.models)
    if (c.shapeDrift) {
      std::snprintf(line, sizeof line,
                    "%s %s: the drift is not uniform: leave-one-out %.1f %% on its probes after the best adaptation, "
                    "against %.1f %% cross-validated on its excitation; re-measure its excitation and identify it "
                    "again",
                    c.kpi.c_str(), c.model.c_str(), c.mapeLeaveOneOut, c.cvMape);
      std::cout << line << "\n";
    }
  if (recalibrated) {
    std::string error;
    if (!recalibrated->save(o.output, &error)) {
      std::cerr << "flydel-identify: error: " << error << "\n";
      return kExitFailure;
    }
    std::cout << "wrote " << o.output << "\n";
    return 0;
  }
  std::snprintf(line, sizeof line, "largest drift %.1f %% (threshold %.1f %%): %s", report.largestDriftPct,
                o.driftThresholdPct, drifted ? "DRIFTED, recalibrate (--recalibrate) or re-measure" : "within");
  std::cout << line << "\n";
  return drifted ? 3 : 0;
}

int main(int argc, char **argv) {
  try {
    Options o = parseArgs(argc, argv);
    if (!o.chooseProbes.empty())
      return chooseProbePlan(o);
    if (!o.recalibrate.empty() || !o.drift.empty())
      return probeLibrary(o);
    if (o.checkLibrary)
      return checkLibrary(o);
    if (o.predict)
      return predict(o);
    return o.spec.empty() ? identifyOne(o) : trainSpec(o);
  } catch (const std::exception &e) {
    std::cerr << "flydel-identify: error: " << e.what() << "\n";
    return kExitFailure;
  } catch (...) {
    std::cerr << "flydel-identify: error: unexpected failure\n";
    return kExitFailure;
  }
}
