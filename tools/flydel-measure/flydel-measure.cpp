//===- flydel-measure.cpp - excitation plans and platform measurements ----===//
//
//   flydel-measure plan --design lhs --op conv2d --n 200 --seed 1 [ranges, caps] -o plan.csv
//   flydel-measure extract MODEL.mlir [--ops conv2d,...] -o layers.csv     (distinct layers of an imported model)
//   flydel-measure --backend cpu-mlir|cpu-onednn --plan plan.csv -o measurements.csv
//   flydel-measure --backend cpu-mlir --network MODEL.mlir [--network ...] -o networks.csv   (end to end)
//
// Measurements are written in the measurement schema (docs/formats.md) with '#' provenance lines, atomically after
// every layer; a re-run with the same -o skips the layers already measured.
//
//===----------------------------------------------------------------------===//
#include "Backend.h"
#include "FpgaYosysBackend.h"

#include "flydel/Identify/Table.h"
#include "flydel/Interfaces/LayerOpInterface.h"
#include "flydel/Measure/Excitation.h"
#include "flydel/Measure/Harness.h"
#include "flydel/Registration/Registration.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <unistd.h>

using namespace flydel;
using namespace flydel::measure;
namespace cl = llvm::cl;

namespace {

cl::SubCommand planCmd("plan", "Write an excitation plan (layers to measure, KPI columns empty)");
cl::SubCommand extractCmd("extract", "Write the distinct layers of an imported model (TOSA) as a plan");

// plan
cl::opt<std::string> designOpt("design", cl::desc("prbs, uniform, loguniform, lhs or sobol"), cl::init("lhs"),
                               cl::sub(planCmd));
cl::opt<std::string> opOpt("op", cl::desc("conv2d, pool2d, matmul, elementwise or data_movement"),
                           cl::init("conv2d"), cl::sub(planCmd));
cl::opt<int> nOpt("n", cl::desc("Number of distinct layers"), cl::init(100), cl::sub(planCmd));
cl::opt<unsigned long long> seedOpt("seed", cl::desc("Seed"), cl::init(1), cl::sub(planCmd));
cl::opt<std::string> inHwOpt("in-hw", cl::desc("Input height = width range LO:HI"), cl::init("7:112"),
                             cl::sub(planCmd));
cl::opt<std::string> cInOpt("c-in", cl::desc("Input channels range LO:HI"), cl::init("3:256"), cl::sub(planCmd));
cl::opt<std::string> cOutOpt("c-out", cl::desc("Output channels range LO:HI"), cl::init("8:256"),
                             cl::sub(planCmd));
cl::opt<std::string> rowsOpt("rows", cl::desc("matmul rows range LO:HI"), cl::init("1:4096"), cl::sub(planCmd));
cl::opt<std::string> kernelOpt("kernel", cl::desc("Kernel sizes, comma-separated (pool2d default 2,3)"),
                               cl::init(""), cl::sub(planCmd));
cl::opt<std::string> strideOpt("stride", cl::desc("Strides, comma-separated"), cl::init("1,2"), cl::sub(planCmd));
cl::opt<double> depthwiseOpt("depthwise", cl::desc("conv2d: share of depthwise layers (0..1)"), cl::init(0),
                             cl::sub(planCmd));
cl::opt<double> globalOpt("global", cl::desc("pool2d: share of global pools (kernel = map, stride 1, no padding)"),
                          cl::init(0), cl::sub(planCmd));
cl::opt<double> validOpt("valid", cl::desc("conv2d and pool2d: share of unpadded layers (0..1; the others pad as models do)"),
                          cl::init(0), cl::sub(planCmd));
cl::opt<int> channelMultipleOpt("channel-multiple",
                                cl::desc("Round channel counts >= M to a multiple of M (real CNNs use multiples of "
                                         "8 or 16); 0: any count"),
                                cl::init(0), cl::sub(planCmd));
cl::opt<double> pow2Opt("pow2",
                        cl::desc("conv2d, pool2d, matmul: share of layers whose channel counts are rounded to the "
                                 "nearest power of two (0..1), as real CNNs have them"),
                        cl::init(0), cl::sub(planCmd));
cl::opt<double> maxMacsOpt("max-macs", cl::desc("Cap on MACs (element ops for pool/elementwise); 0: none"),
                           cl::init(0), cl::sub(planCmd));
cl::opt<double> minMacsOpt("min-macs", cl::desc("Floor on MACs"), cl::init(0), cl::sub(planCmd));
cl::opt<double> maxBytesOpt("max-bytes", cl::desc("Cap on input + output + weight bytes; 0: none"), cl::init(0),
                            cl::sub(planCmd));
cl::opt<bool> realisticOpt("realistic",
                           cl::desc("conv2d: leave out layers no CNN has (1x1 depthwise, kernel larger than the input)"),
                           cl::init(false), cl::sub(planCmd));
cl::opt<bool> linearOpt("linear", cl::desc("Map ranges linearly (default: logarithmically) for lhs/sobol/prbs"),
                        cl::init(false), cl::sub(planCmd));
cl::opt<int> levelsOpt("levels", cl::desc("prbs: levels per parameter"), cl::init(5), cl::sub(planCmd));
cl::opt<int> holdOpt("max-hold", cl::desc("prbs: longest hold of a level, in steps"), cl::init(4),
                     cl::sub(planCmd));

// extract
cl::opt<std::string> modelOpt(cl::Positional, cl::desc("<model.mlir>"), cl::sub(extractCmd));
cl::opt<std::string> opsOpt("ops", cl::desc("Op kinds to keep, comma-separated (default: all)"), cl::init(""),
                            cl::sub(extractCmd));

// measure (top level). Its options form a category so --help hides the hundreds the linked LLVM libraries
// register.
cl::OptionCategory measureCat("flydel-measure options");
cl::opt<std::string> backendOpt("backend", cl::desc("cpu-mlir, cpu-onednn or fpga-yosys"), cl::init(""),
                                cl::cat(measureCat));
cl::opt<std::string> planOpt("plan", cl::desc("Plan CSV (measurement schema; KPI columns are ignored)"), cl::init(""),
                             cl::cat(measureCat));
cl::list<std::string> networkOpt("network",
                                 cl::desc("Instead of a plan: time this imported model end to end (its public "
                                          "function, compiled whole; cpu-mlir; imported without --elide-weights); "
                                          "repeatable, one row per model"),
                                 cl::cat(measureCat));
cl::opt<int> threadsOpt("onednn-threads", cl::desc("cpu-onednn threads (cpu-mlir code is single-threaded)"),
                        cl::init(1), cl::cat(measureCat));
cl::opt<double> minTimeOpt("min-time", cl::desc("Seconds of measured time per layer"), cl::init(0.2),
                           cl::cat(measureCat));
cl::opt<double> warmupOpt("warmup", cl::desc("Seconds of warm-up per layer"), cl::init(0.05), cl::cat(measureCat));
cl::opt<int> minSamplesOpt("min-samples", cl::desc("Samples per layer, at least"), cl::init(7), cl::cat(measureCat));
cl::opt<int> maxSamplesOpt("max-samples", cl::desc("Samples per layer, at most"), cl::init(200), cl::cat(measureCat));
cl::opt<int> passesOpt("passes",
                       cl::desc("Passes over the plan: each layer is timed once per pass and its latency is the "
                                "lowest pass median (on a machine whose speed drifts for tens of seconds at a time, "
                                "passes a plan's length apart see different states)"),
                       cl::init(1), cl::cat(measureCat));
cl::opt<double> agreeOpt("agree",
                         cl::desc("With --passes >= 3: a layer whose two lowest pass medians agree within this many "
                                  "percent is settled and skips the remaining passes; 0: every pass times every layer"),
                         cl::init(0), cl::cat(measureCat));
cl::opt<double> fpgaClockOpt("fpga-clock-mhz", cl::desc("fpga-yosys: stated clock for latency_ms"), cl::init(100),
                             cl::cat(measureCat));
cl::opt<int> fpgaPeOpt("fpga-pe", cl::desc("fpga-yosys: PE when the plan has no pe column"), cl::init(1),
                       cl::cat(measureCat));
cl::opt<int> fpgaSimdOpt("fpga-simd", cl::desc("fpga-yosys: SIMD when the plan has no simd column"), cl::init(1),
                         cl::cat(measureCat));
cl::opt<std::string> fpgaWorkOpt("fpga-work", cl::desc("fpga-yosys: engines, logs, model cache (default OUTPUT.work)"),
                                 cl::init(""), cl::cat(measureCat));
cl::opt<std::string> dumpOpt("dump-ir", cl::desc("Directory for what the backend runs per layer"), cl::init(""),
                             cl::cat(measureCat));

// shared
cl::opt<std::string> outputOpt("o", cl::desc("Output CSV"), cl::init(""), cl::sub(planCmd), cl::sub(extractCmd),
                               cl::sub(cl::SubCommand::getTopLevel()), cl::cat(measureCat));

int fail(const std::string &message) {
  llvm::errs() << "flydel-measure: error: " << message << "\n";
  return 1;
}

std::string readText(const std::string &path, bool &ok) {
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string formatDuration(double seconds) {
  long s = std::lround(seconds);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  return buf;
}

std::string fmt(double v, int digits = 6) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

bool parseRange(const std::string &text, ParamRange &range) {
  auto parts = llvm::split(text, ':');
  llvm::SmallVector<llvm::StringRef> p(parts.begin(), parts.end());
  long long lo, hi;
  if (p.size() != 2 || p[0].getAsInteger(10, lo) || p[1].getAsInteger(10, hi) || lo < 1 || hi < lo)
    return false;
  range = ParamRange{lo, hi, {}};
  return true;
}

bool parseChoices(const std::string &text, ParamRange &range) {
  range.choices.clear();
  for (llvm::StringRef item : llvm::split(text, ',')) {
    long long v;
    if (item.trim().getAsInteger(10, v) || v < 1)
      return false;
    range.choices.push_back(v);
  }
  return !range.choices.empty();
}

int runPlan() {
  DesignOptions o;
  DesignSpace space;
  if (!parseDesign(designOpt, o.design))
    return fail("--design: unknown design '" + designOpt + "' (expected prbs, uniform, loguniform, lhs, sobol)");
  if (!parseOpKind(opOpt, space.op))
    return fail("--op: unknown op kind '" + opOpt + "'");
  o.n = nOpt;
  o.seed = seedOpt;
  o.logScale = !linearOpt;
  o.prbsLevels = levelsOpt;
  o.prbsMaxHold = holdOpt;
  if (!parseRange(inHwOpt, space.inHW))
    return fail("--in-hw: expected LO:HI with 1 <= LO <= HI, got '" + inHwOpt + "'");
  if (!parseRange(cInOpt, space.cIn))
    return fail("--c-in: expected LO:HI with 1 <= LO <= HI, got '" + cInOpt + "'");
  if (!parseRange(cOutOpt, space.cOut))
    return fail("--c-out: expected LO:HI with 1 <= LO <= HI, got '" + cOutOpt + "'");
  if (!parseRange(rowsOpt, space.rows))
    return fail("--rows: expected LO:HI with 1 <= LO <= HI, got '" + rowsOpt + "'");
  std::string kernels = kernelOpt.empty() ? (space.op == OpKind::Pool2d ? "2,3" : "1,3,5,7") : kernelOpt.getValue();
  if (!parseChoices(kernels, space.kernel))
    return fail("--kernel: expected positive integers separated by commas, got '" + kernels + "'");
  if (!parseChoices(strideOpt, space.stride))
    return fail("--stride: expected positive integers separated by commas, got '" + strideOpt + "'");
  if (!(depthwiseOpt >= 0 && depthwiseOpt <= 1)) // NaN included
    return fail("--depthwise: expected a share in [0, 1]");
  space.depthwiseShare = depthwiseOpt;
  if (!(globalOpt >= 0 && globalOpt <= 1)) // NaN included
    return fail("--global: expected a share in [0, 1]");
  space.globalShare = globalOpt;
  if (!(validOpt >= 0 && validOpt <= 1)) // NaN included
    return fail("--valid: expected a share in [0, 1]");
  space.validShare = validOpt;
  if (channelMultipleOpt < 0)
    return fail("--channel-multiple: expected 0 or a positive multiple");
  space.channelMultiple = channelMultipleOpt;
  if (!(pow2Opt >= 0 && pow2Opt <= 1)) // NaN included
    return fail("--pow2: expected a share in [0, 1]");
  space.pow2Share = pow2Opt;
  for (const auto *opt : {&maxMacsOpt, &minMacsOpt, &maxBytesOpt})
    if (!(std::isfinite(opt->getValue()) && opt->getValue() >= 0))
      return fail("--" + opt->ArgStr.str() + ": expected a finite number >= 0, got " + fmt(opt->getValue()));
  space.maxMacs = maxMacsOpt;
  space.minMacs = minMacsOpt;
  space.maxBytes = maxBytesOpt;
  space.realistic = realisticOpt;
  if (outputOpt.empty())
    return fail("plan: -o OUTPUT.csv is required");
  auto layers = generateDesign(space, o);
  if (!layers)
    return fail(layers.error());
  std::ostringstream ranges;
  ranges << "in_hw " << inHwOpt << ", c_in " << cInOpt << ", c_out " << cOutOpt << ", rows " << rowsOpt
         << ", kernel " << kernels << ", stride " << strideOpt << ", depthwise " << depthwiseOpt
         << (globalOpt > 0 ? ", global " + fmt(globalOpt) : std::string()) << ", valid " << validOpt
         << (channelMultipleOpt > 1 ? ", channel_multiple " + std::to_string(channelMultipleOpt) : std::string())
         << (pow2Opt > 0 ? ", pow2 " + fmt(pow2Opt) : std::string())
         << ", max_macs "
         << maxMacsOpt << ", min_macs " << minMacsOpt << ", max_bytes " << maxBytesOpt
         << (realisticOpt ? ", realistic" : "");
  std::vector<std::string> comments = {
      "flydel-measure plan: design " + designOpt + ", op " + opOpt + ", n " + std::to_string(o.n) + ", seed " +
          std::to_string(o.seed) + (o.logScale ? ", log scale" : ", linear scale"),
      "ranges: " + ranges.str()};
  auto written = writeFileAtomically(outputOpt, writePlanCsv(*layers, {"latency_ms", "energy_j"}, comments));
  if (!written)
    return fail(written.error());
  return 0;
}

int runExtract() {
  if (modelOpt.empty() || outputOpt.empty())
    return fail("extract: usage: flydel-measure extract MODEL.mlir -o LAYERS.csv");
  std::vector<OpKind> keep;
  if (!opsOpt.empty())
    for (llvm::StringRef item : llvm::split(opsOpt.getValue(), ',')) {
      OpKind k;
      if (!parseOpKind(item.trim(), k))
        return fail("--ops: unknown op kind '" + item.str() + "'");
      keep.push_back(k);
    }
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::flydel::registerFlydel(registry);
  mlir::MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  mlir::OwningOpRef<mlir::ModuleOp> module = mlir::parseSourceFile<mlir::ModuleOp>(modelOpt, sourceMgr, &context);
  if (!module)
    return fail(modelOpt + ": cannot parse the model");
  // Distinct layers in first-appearance order, with how often each occurs (the whole network's sum needs it).
  std::vector<Layer> layers;
  std::vector<int> counts;
  std::map<std::vector<std::string>, size_t> index;
  module->walk([&](mlir::flydel::LayerOpInterface op) {
    std::string reason;
    auto layer = op.describeLayer(reason);
    if (failed(layer) || (!keep.empty() && std::find(keep.begin(), keep.end(), layer->op) == keep.end()))
      return;
    auto key = layerCells(*layer);
    auto [it, inserted] = index.try_emplace(key, layers.size());
    if (inserted) {
      layers.push_back(*layer);
      counts.push_back(0);
    }
    ++counts[it->second];
  });
  if (layers.empty())
    return fail(modelOpt + ": no layer of the requested kinds");
  std::string csv = writePlanCsv(layers, {"count", "latency_ms", "energy_j"},
                                 {"flydel-measure extract: distinct layers of " + modelOpt});
  // Fill the count column (the plan writer leaves KPI-like columns empty).
  std::istringstream in(csv);
  std::ostringstream out;
  std::string line;
  size_t row = 0;
  bool header = false;
  while (std::getline(in, line)) {
    if (!header || line.empty() || line[0] == '#') {
      header |= !line.empty() && line[0] != '#';
      out << line << "\n";
      continue;
    }
    out << line.substr(0, line.size() - 2) << counts[row++] << ",,\n";
  }
  auto written = writeFileAtomically(outputOpt, out.str());
  if (!written)
    return fail(written.error());
  return 0;
}

// ----- measuring -----

// latency_ms is the lowest pass median; the spreads, sample counts and energy are those of that pass;
// latency_retest_ms is the second-lowest pass median (empty after one pass).
const std::vector<std::string> kResultColumns = {"latency_ms", "latency_iqr_pct", "latency_mad_pct", "samples",
                                                 "outliers",   "energy_j",        "passes",          "latency_retest_ms"};
enum ResultColumn { kLatency = 0, kPasses = 6, kRetest = 7 };

/// What the passes so far found for one layer.
struct LayerResult {
  int passes = 0;
  double lowestMs = 0, retestMs = 0; // lowest and second-lowest pass medians; retestMs valid from two passes on
  std::vector<std::string> cells;    // result columns, from the pass with the lowest median

  bool settled(double agreePct) const {
    return passes >= 2 && agreePct > 0 && retestMs <= lowestMs * (1 + agreePct / 100);
  }
  /// Whether pass `pass` (1-based) still has to time this layer.
  bool needs(int pass, double agreePct) const { return passes < pass && !settled(agreePct); }
  void add(const Timing &t) {
    double ms = t.latency.median * 1e3;
    ++passes;
    if (passes == 1 || ms < lowestMs) {
      retestMs = lowestMs;
      lowestMs = ms;
      cells = {fmt(ms),
               fmt(t.latency.iqrPct, 4),
               fmt(t.latency.madPct, 4),
               std::to_string(t.latency.kept + t.latency.rejected),
               std::to_string(t.latency.rejected),
               t.energyJoulesPerCall ? fmt(*t.energyJoulesPerCall) : ""};
    } else if (passes == 2 || ms < retestMs) {
      retestMs = ms;
    }
    cells.resize(kResultColumns.size());
    cells[kPasses] = std::to_string(passes);
    cells[kRetest] = passes >= 2 ? fmt(retestMs) : "";
  }
};

/// The provenance lines above a measurement table: what was measured, the machine, the backend, the timing
/// protocol, the passes (over the `unit`: plan or models) and the energy sensor.
std::vector<std::string> provenanceLines(const std::string &what, const Backend &backend, const HostInfo &host,
                                         const EnergySensor *sensor, const std::string &energyWhy,
                                         const std::string &unit) {
  return {"# flydel-measure: backend " + backendOpt + ", " + what,
          "# cpu: " + host.cpuModel + (host.cpuIdentity.empty() ? "" : " (" + host.cpuIdentity + ")") + ", " +
              std::to_string(host.cores) + " cores, governor " + host.governor + ", " +
              host.kernel,
          "# backend: " + backend.version(),
          "# timing: warm-up " + fmt(warmupOpt) + " s, samples " + std::to_string(minSamplesOpt) + ".." +
              std::to_string(maxSamplesOpt) + " until " + fmt(minTimeOpt) +
              " s measured, calls batched to >= 1 ms per sample; a pass's median = median of samples within "
              "median +- max(3 * 1.4826 * MAD, 5 %); spreads in % of the median",
          "# passes: " + std::to_string(passesOpt) + " over the " + unit +
              (agreeOpt > 0 && passesOpt > 2 ? " at most (a layer is settled when its two lowest pass medians agree "
                                               "within " + fmt(agreeOpt) + " %)"
                                             : std::string()) +
              "; latency_ms = the lowest pass median, latency_retest_ms = the second lowest",
          sensor ? "# energy: " + sensor->describe() + ", joules per call over the timed calls"
                 : "# energy: unavailable (" + energyWhy + ")"};
}

TimingOptions timingFromOptions() {
  TimingOptions timing;
  timing.warmupSeconds = warmupOpt;
  timing.minSeconds = minTimeOpt;
  timing.minSamples = minSamplesOpt;
  timing.maxSamples = maxSamplesOpt;
  return timing;
}

/// A measurement table's text: provenance lines, header, then each measured row (key cells, result cells), then
/// `kept` rows (resumed rows this run does not time).
std::string renderTable(const std::vector<std::string> &comments, const std::vector<std::string> &header,
                        const std::vector<std::string> &keys, const std::vector<LayerResult> &results,
                        const std::vector<std::pair<std::string, const LayerResult *>> &kept = {}) {
  std::string text;
  for (const std::string &c : comments)
    text += c + "\n";
  text += joinCells(header) + "\n";
  for (size_t i = 0; i < results.size(); ++i)
    if (results[i].passes > 0)
      text += keys[i] + "," + joinCells(results[i].cells) + "\n";
  for (const auto &[key, result] : kept)
    text += key + "," + joinCells(result->cells) + "\n";
  return text;
}

/// A previous output of this run to resume: its provenance lines and, per data row, the key cells (the first
/// keyColumns) and the results so far. Rows without a latency are skipped. False (with `error`) when the file cannot
/// be read, has other columns or a malformed row.
struct PreviousRow {
  std::vector<std::string> key;
  LayerResult result;
};
bool readPrevious(const std::vector<std::string> &header, size_t keyColumns, std::vector<std::string> &comments,
                  std::vector<PreviousRow> &rows, std::string &error) {
  bool ok;
  RawCsv previous = parseRawCsv(readText(outputOpt, ok));
  if (!ok) {
    error = outputOpt + ": exists but cannot be read";
    return false;
  }
  if (previous.header != header) {
    error = outputOpt + ": exists with other columns (" + joinCells(previous.header) +
            ") than this run writes; choose another -o or remove it";
    return false;
  }
  for (auto &[line, cells] : previous.rows) {
    if (cells.size() != header.size()) {
      error = outputOpt + ":" + std::to_string(line) + ": expected " + std::to_string(header.size()) +
              " fields, found " + std::to_string(cells.size());
      return false;
    }
    if (cells[keyColumns + kLatency].empty())
      continue;
    PreviousRow row;
    row.key.assign(cells.begin(), cells.begin() + keyColumns);
    LayerResult &r = row.result;
    r.cells.assign(cells.begin() + keyColumns, cells.end());
    long long passes = 0;
    if (!llvm::to_float(r.cells[kLatency], r.lowestMs) ||
        llvm::StringRef(r.cells[kPasses]).getAsInteger(10, passes) || passes < 1 ||
        (passes >= 2 && !llvm::to_float(r.cells[kRetest], r.retestMs))) {
      error = outputOpt + ":" + std::to_string(line) +
              ": latency_ms, passes and (from two passes on) latency_retest_ms must be numbers";
      return false;
    }
    r.passes = static_cast<int>(passes);
    rows.push_back(std::move(row));
  }
  comments = previous.comments;
  return true;
}

/// Whole networks end to end: one row per model file (`network` = its name without .mlir), the same timing,
/// passes, provenance and resumption as layers.
int runNetworks() {
  if (backendOpt.empty() || outputOpt.empty() || !planOpt.empty())
    return fail("usage: flydel-measure --backend cpu-mlir --network MODEL.mlir [--network ...] -o NETWORKS.csv "
                "(without --plan)");
  if (backendOpt != "cpu-mlir")
    return fail("--network: backend '" + backendOpt + "' runs single layers only; whole networks run on cpu-mlir");
  if (passesOpt < 1)
    return fail("--passes: expected a positive count");
  if (agreeOpt < 0)
    return fail("--agree: expected a non-negative percentage");
  std::vector<std::string> names;
  for (const std::string &path : networkOpt) {
    if (!llvm::sys::fs::exists(path))
      return fail(path + ": no such file");
    llvm::StringRef name = llvm::sys::path::filename(path);
    name.consume_back(".mlir");
    if (std::find(names.begin(), names.end(), name.str()) != names.end())
      return fail(path + ": a second model named '" + name.str() + "'");
    if (name.contains(','))
      return fail(path + ": a model name with a comma cannot be a CSV cell");
    names.push_back(name.str());
  }
  std::vector<std::string> header = {"network"};
  header.insert(header.end(), kResultColumns.begin(), kResultColumns.end());
  std::map<std::string, LayerResult> done;
  std::vector<std::string> headerComments;
  if (llvm::sys::fs::exists(outputOpt)) {
    std::vector<PreviousRow> previous;
    std::string error;
    if (!readPrevious(header, 1, headerComments, previous, error))
      return fail(error);
    for (PreviousRow &row : previous)
      done[row.key[0]] = std::move(row.result);
  }
  std::unique_ptr<Backend> backend = createCpuMlirBackend();
  HostInfo host = readHostInfo();
  std::string energyWhy;
  std::unique_ptr<EnergySensor> sensor = openRaplSensor(energyWhy);
  if (headerComments.empty())
    headerComments = provenanceLines("whole networks end to end (the model's public function, every argument random "
                                     "data, compiled as one piece)",
                                     *backend, host, sensor.get(), energyWhy, "models");
  headerComments.push_back("# session " + host.date + ": load average " + host.loadAverage);
  std::vector<LayerResult> results(names.size());
  for (size_t i = 0; i < names.size(); ++i)
    if (auto it = done.find(names[i]); it != done.end())
      results[i] = it->second;
  // Rows of models not named this time stay (a campaign may measure its models in several calls).
  std::vector<std::pair<std::string, const LayerResult *>> kept;
  for (const auto &[name, r] : done)
    if (std::find(names.begin(), names.end(), name) == names.end())
      kept.emplace_back(name, &r);
  auto render = [&] { return renderTable(headerComments, header, names, results, kept); };
  TimingOptions timing = timingFromOptions();
  // Compile each model once: a whole network takes seconds to lower and JIT.
  std::vector<std::unique_ptr<Runnable>> runnables(names.size());
  for (int pass = 1; pass <= passesOpt; ++pass) {
    for (size_t i = 0; i < names.size(); ++i) {
      if (!results[i].needs(pass, agreeOpt))
        continue;
      if (!runnables[i]) {
        auto runnable = backend->prepareNetwork(networkOpt[i]);
        if (!runnable) {
          // Keep what was measured (a re-run resumes), but leave no table of nothing behind.
          if (std::any_of(results.begin(), results.end(), [](const LayerResult &r) { return r.passes > 0; }) ||
              !done.empty())
            (void)writeFileAtomically(outputOpt, render());
          return fail(runnable.error());
        }
        runnables[i] = std::move(*runnable);
      }
      Timing result = timeCall([&] { runnables[i]->run(); }, timing, sensor.get());
      results[i].add(result);
      // A model's code and arguments (VGG-16: 553 MB of weights) go as soon as no later pass needs them.
      if (!results[i].needs(pass + 1, agreeOpt) || pass == passesOpt)
        runnables[i].reset();
      auto written = writeFileAtomically(outputOpt, render());
      if (!written)
        return fail(written.error());
      llvm::errs() << "[" << (passesOpt > 1 ? "pass " + std::to_string(pass) + "/" + std::to_string(passesOpt) + " "
                                             : std::string())
                   << names[i] << "] " << fmt(result.latency.median * 1e3, 4) << " ms (IQR "
                   << fmt(result.latency.iqrPct, 2) << "%, " << result.latency.kept + result.latency.rejected
                   << " samples)\n";
    }
  }
  (void)writeFileAtomically(outputOpt, render()); // this session's provenance line even when nothing was left
  return 0;
}

/// The measuring options, checked before any work (a plan is loaded, a backend started or a table touched):
/// empty when fine, else the first bad one by name. llvm::cl reads "nan" and "inf" as doubles and any int.
std::string measureOptionProblem() {
  auto finite = [](double v) { return std::isfinite(v); };
  if (!finite(minTimeOpt) || minTimeOpt < 0)
    return "--min-time: expected a finite number of seconds >= 0, got " + fmt(minTimeOpt);
  if (!finite(warmupOpt) || warmupOpt < 0)
    return "--warmup: expected a finite number of seconds >= 0, got " + fmt(warmupOpt);
  if (minSamplesOpt < 1)
    return "--min-samples: expected a positive count, got " + std::to_string(minSamplesOpt);
  if (maxSamplesOpt < minSamplesOpt)
    return "--max-samples: " + std::to_string(maxSamplesOpt) + " is below --min-samples " +
           std::to_string(minSamplesOpt);
  if (passesOpt < 1)
    return "--passes: expected a positive count";
  if (!finite(agreeOpt) || agreeOpt < 0)
    return "--agree: expected a non-negative percentage";
  if (threadsOpt < 1)
    return "--onednn-threads: expected a positive count";
  if (!finite(fpgaClockOpt) || fpgaClockOpt <= 0)
    return "--fpga-clock-mhz: expected a positive finite clock, got " + fmt(fpgaClockOpt);
  if (fpgaPeOpt < 1)
    return "--fpga-pe: expected a positive count";
  if (fpgaSimdOpt < 1)
    return "--fpga-simd: expected a positive count";
  // "-o --plan": llvm::cl takes the next word as the value of an option that needs one.
  for (const auto *opt : {&backendOpt, &planOpt, &outputOpt, &fpgaWorkOpt, &dumpOpt})
    if (llvm::StringRef(opt->getValue()).starts_with("-"))
      return (opt->ArgStr.size() == 1 ? "-" : "--") + opt->ArgStr.str() + ": the value '" + opt->getValue() +
             "' is an option (write " + (opt->ArgStr.size() == 1 ? "-" : "--") + opt->ArgStr.str() +
             "=VALUE for a value starting with '-')";
  return {};
}

int runMeasure() {
  if (backendOpt.empty() || planOpt.empty() || outputOpt.empty())
    return fail("usage: flydel-measure --backend cpu-mlir|cpu-onednn --plan PLAN.csv -o MEASUREMENTS.csv "
                "(or the subcommands plan, extract; see --help)");
  if (backendOpt == "fpga-yosys")
    return runFpgaYosys({planOpt, outputOpt, fpgaWorkOpt, fpgaClockOpt, fpgaPeOpt, fpgaSimdOpt});
  if (backendOpt != "cpu-mlir" && backendOpt != "cpu-onednn")
    return fail("--backend: unknown backend '" + backendOpt +
                "' (expected cpu-mlir, cpu-onednn or fpga-yosys; gpu-torch is python/measure_gpu_torch.py)");
  if (threadsOpt < 1)
    return fail("--onednn-threads: expected a positive count");
  if (passesOpt < 1)
    return fail("--passes: expected a positive count");
  if (agreeOpt < 0)
    return fail("--agree: expected a non-negative percentage");
  // The plan must load as a measurement table: that validates every layer with line and column.
  auto table = MeasurementTable::loadCsv(planOpt);
  if (!table)
    return fail(table.error());
  bool ok;
  RawCsv plan = parseRawCsv(readText(planOpt, ok));
  // Output columns: the plan's columns other than our results (layer fields and passthrough such as count),
  // then the results.
  std::vector<int> keptColumns;
  std::vector<std::string> header;
  for (size_t c = 0; c < plan.header.size(); ++c)
    if (std::find(kResultColumns.begin(), kResultColumns.end(), plan.header[c]) == kResultColumns.end()) {
      keptColumns.push_back(static_cast<int>(c));
      header.push_back(plan.header[c]);
    }
  size_t keyColumns = header.size();
  header.insert(header.end(), kResultColumns.begin(), kResultColumns.end());

  std::unique_ptr<Backend> backend =
      backendOpt == "cpu-mlir" ? createCpuMlirBackend() : createOneDnnBackend(threadsOpt);
  backend->setDumpDir(dumpOpt);
  for (size_t i = 0; i < table->layers.size(); ++i) {
    std::string why = backend->supports(table->layers[i]);
    if (!why.empty())
      return fail(planOpt + ":" + std::to_string(table->lines[i]) + ": backend " + backendOpt + " cannot run " +
                  opKindName(table->layers[i].op) + " layer: " + why);
  }

  // Resume: rows of an existing output with a latency carry their passes so far; the key is the row's plan cells
  // and its occurrence number (a plan may repeat a layer on purpose, to measure the noise).
  std::map<std::pair<std::string, int>, LayerResult> done;
  std::vector<std::string> headerComments;
  if (llvm::sys::fs::exists(outputOpt)) {
    std::vector<PreviousRow> previous;
    std::string error;
    if (!readPrevious(header, keyColumns, headerComments, previous, error))
      return fail(error);
    std::map<std::string, int> seen;
    for (PreviousRow &row : previous) {
      std::string key = joinCells(row.key);
      done[{key, seen[key]++}] = std::move(row.result);
    }
    // A table is resumed only by the backend that began it: another one's rows would sit under its header.
    const std::string marker = "# flydel-measure: backend ";
    for (const std::string &line : headerComments)
      if (line.rfind(marker, 0) == 0) {
        std::string began = line.substr(marker.size(), line.find(',', marker.size()) - marker.size());
        if (began != backendOpt)
          return fail(outputOpt + ": measured with backend " + began + ", not " + backendOpt +
                      "; choose another -o or remove it");
        break;
      }
  }
  HostInfo host = readHostInfo();
  std::string energyWhy;
  std::unique_ptr<EnergySensor> sensor = openRaplSensor(energyWhy);
  std::string session = "# session " + host.date + ": load average " + host.loadAverage;
  if (headerComments.empty())
    headerComments = provenanceLines("plan " + planOpt, *backend, host, sensor.get(), energyWhy, "plan");
  headerComments.push_back(session);
  TimingOptions timing = timingFromOptions();

  std::vector<LayerResult> results(table->layers.size());
  std::vector<std::string> keyCells(table->layers.size());
  std::map<std::string, int> seen;
  for (size_t i = 0; i < table->layers.size(); ++i) {
    const std::vector<std::string> &cells = plan.rows.at(table->lines[i]);
    std::vector<std::string> key;
    for (int c : keptColumns)
      key.push_back(cells[c]);
    keyCells[i] = joinCells(key);
    auto it = done.find({keyCells[i], seen[keyCells[i]]++});
    if (it != done.end()) {
      results[i] = it->second;
      done.erase(it);
    }
  }
  // Rows of another plan are measurements too: never dropped silently by rewriting the table for this one.
  if (!done.empty())
    return fail(outputOpt + ": holds " + std::to_string(done.size()) + " measured row(s) this plan does not have " +
                "(first: " + done.begin()->first.first + "); it was measured from another plan: choose another -o " +
                "or remove it");
  auto render = [&] { return renderTable(headerComments, header, keyCells, results); };
  size_t finished = 0;
  for (const LayerResult &r : results)
    finished += !r.needs(passesOpt, agreeOpt);
  if (std::any_of(results.begin(), results.end(), [](const LayerResult &r) { return r.passes > 0; }))
    llvm::errs() << "flydel-measure: resuming " << outputOpt << ": " << finished << " of " << table->layers.size()
                 << " layers already measured\n";
  for (int pass = 1; pass <= passesOpt; ++pass) {
    std::vector<size_t> todo;
    for (size_t i = 0; i < results.size(); ++i)
      if (results[i].needs(pass, agreeOpt))
        todo.push_back(i);
    std::string passLabel =
        passesOpt > 1 ? "pass " + std::to_string(pass) + "/" + std::to_string(passesOpt) + " " : "";
    auto start = std::chrono::steady_clock::now();
    for (size_t t = 0; t < todo.size(); ++t) {
      size_t i = todo[t];
      const Layer &l = table->layers[i];
      auto runnable = backend->prepare(l);
      if (!runnable) {
        (void)writeFileAtomically(outputOpt, render());
        return fail(planOpt + ":" + std::to_string(table->lines[i]) + ": " + backendOpt + ": " + runnable.error());
      }
      Timing result = timeCall([&] { (*runnable)->run(); }, timing, sensor.get());
      results[i].add(result);
      auto written = writeFileAtomically(outputOpt, render());
      if (!written)
        return fail(written.error());
      double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      double eta = elapsed / static_cast<double>(t + 1) * static_cast<double>(todo.size() - t - 1);
      llvm::errs() << "[" << passLabel << t + 1 << "/" << todo.size() << "] " << opKindName(l.op) << " " << l.in_h
                   << "x" << l.in_w << "x" << l.c_in << "->" << l.c_out << " k" << l.kernel_h << " s" << l.stride_h
                   << (l.groups > 1 ? " g" + std::to_string(l.groups) : "") << ": "
                   << fmt(result.latency.median * 1e3, 4) << " ms (IQR " << fmt(result.latency.iqrPct, 2)
                   << "%)  elapsed " << formatDuration(elapsed) << ", ETA " << formatDuration(eta) << "\n";
    }
  }
  // A complete output still gets this session's provenance line.
  if (finished == results.size())
    (void)writeFileAtomically(outputOpt, render());
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  cl::HideUnrelatedOptions(measureCat);
  cl::ParseCommandLineOptions(argc, argv,
                              "flydel-measure: excitation plans and platform measurements\n\n"
                              "  flydel-measure plan --design lhs --op conv2d --n 200 --seed 1 -o plan.csv\n"
                              "  flydel-measure extract model.mlir --ops conv2d -o layers.csv\n"
                              "  flydel-measure --backend cpu-mlir --plan plan.csv -o measurements.csv\n"
                              "  flydel-measure --backend cpu-mlir --network model.mlir -o networks.csv\n");
  if (planCmd)
    return runPlan();
  if (extractCmd)
    return runExtract();
  if (std::string problem = measureOptionProblem(); !problem.empty())
    return fail(problem);
  if (!networkOpt.empty())
    return runNetworks();
  return runMeasure();
}
