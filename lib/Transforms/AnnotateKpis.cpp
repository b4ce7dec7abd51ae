//===- AnnotateKpis.cpp - predict KPIs of every CNN op --------------------===//
//
// Maps every LayerOpInterface op to a ::flydel::Layer, evaluates the platform's models for each selected device
// and KPI, and records the predictions as #flydel.kpi attributes. The models and their evaluation live in the
// MLIR-free model library; everything model-related that does not depend on the op (which model serves which
// device, KPI and op kind; unit conversions) is resolved once, in initialize().
//
//===----------------------------------------------------------------------===//

#include "flydel/Dialect/Flydel/IR/FlydelAttrs.h"
#include "flydel/Dialect/Flydel/IR/FlydelDialect.h"
#include "flydel/Interfaces/LayerOpInterface.h"
#include "flydel/Partition/Folding.h"
#include "flydel/Transforms/Passes.h"
#include "flydel/Transforms/PlatformLibrary.h"

#include "llvm/ADT/MapVector.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Format.h"

#include <array>
#include <cmath>
#include <map>
#include <optional>

namespace mlir::flydel {
#define GEN_PASS_DEF_ANNOTATEKPIS
#include "flydel/Transforms/Passes.h.inc"
} // namespace mlir::flydel

using namespace mlir;
using namespace mlir::flydel;
using ::flydel::Layer;
using ::flydel::OpKind;

namespace {

constexpr int kNumOpKinds = static_cast<int>(OpKind::DataMovement) + 1;

/// One KPI of one device: its slot in #flydel.kpi and, per op kind, the model serving it (null: no model).
struct DeviceKpi {
  KpiSlot slot;
  // [op kind][variant]: a layer takes its variant's model, else the op kind's model for any layer.
  std::array<std::array<const ::flydel::KpiModel *, ::flydel::kNumModelVariants>, kNumOpKinds> models{};
};

struct DevicePlan {
  std::string name;
  StringAttr nameAttr;
  const ::flydel::Device *device = nullptr; // in the pass's library; how it sees a layer: ::flydel::deviceView
  SmallVector<DeviceKpi, 4> kpis;
};

/// One KPI of one (layer, device), or one total, in the dialect's unit.
struct KpiValue {
  enum class State { NoModel, Value, DoesNotFit };
  State state = State::NoModel;
  double value = 0.0;
  bool extrapolated = false;
  bool exceedsCapacity = false; // a resource demand above the device's capacity (value = the demand)
};

/// What the diagnostics of one (layer, device) need; kept with the cached predictions so that a repeated layer
/// gets the same remarks without being evaluated again.
struct DeviceOutcome {
  SmallVector<StringRef, 4> missing;     // KPI columns without a model for this op kind
  SmallVector<std::string, 1> invalid;   // predictions that are not a finite non-negative number
  const DeviceKpi *extrapolatedKpi = nullptr;
  ::flydel::Prediction extrapolation;    // the first extrapolated prediction
  std::string doesNotFit;                // the resources over capacity ("alm demand ... > capacity ...")
  std::string spilled;                   // resources over capacity that spill, when the layer still fits
  SmallVector<KpiValue, 8> values;       // per DeviceKpi
};

/// One diagnostic of a layer, as AnnotateKpisPass::note takes it.
struct LayerDiagnostic {
  DiagnosticSeverity severity;
  std::string kind, message, detail; // kind: what the function's summary counts
};

struct LayerOutcome {
  DictionaryAttr kpis;
  SmallVector<DeviceOutcome, 4> devices;
  // Built once per distinct layer: a module repeats its layers, and formatting the texts for every op cost as
  // much as evaluating the models.
  SmallVector<LayerDiagnostic, 1> diagnostics;
};

/// Running sums of one function on one device.
struct DeviceTotals {
  SmallVector<double, 8> sum;
  SmallVector<bool, 8> any, extrapolated;
  int64_t unmodeledOps = 0, unfitOps = 0;
};

/// Identity of a layer for the prediction cache: every field of the descriptor.
using LayerKey = std::array<int64_t, 18>;
LayerKey keyOf(const Layer &l) {
  return {static_cast<int64_t>(l.op), l.batch,    l.in_h,         l.in_w,       l.c_in,   l.c_out,
          l.kernel_h,                 l.kernel_w, l.stride_h,     l.stride_w,   l.pad_h,  l.pad_w,
          l.dilation_h,               l.dilation_w, l.groups,     static_cast<int64_t>(l.dtype),
          l.pe,                       l.simd};
}

std::string formatValue(double value) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::format("%g", value);
  return text;
}

struct AnnotateKpisPass : mlir::flydel::impl::AnnotateKpisBase<AnnotateKpisPass> {
  using Base::Base;

  LogicalResult initialize(MLIRContext *context) override;
  void runOnOperation() override;

private:
  /// `approximation`: the op's LayerOpInterface::getPricingApproximation; when set, every prediction is flagged.
  const LayerOutcome &evaluate(const Layer &layer, const std::string &approximation);
  /// The diagnostics of a layer's outcome, for its cache entry.
  SmallVector<LayerDiagnostic, 1> diagnose(const Layer &layer, const LayerOutcome &outcome,
                                           const std::string &approximation) const;
  /// One diagnostic of an op: per-op at its location (never printing the op: that walks the function), or
  /// counted into its function's summary.
  void note(Operation *op, DiagnosticSeverity severity, const std::string &kind, const std::string &message,
            const std::string &detail);
  void emitSummaries();

  /// Per function, for diagnostics=summary: how many ops of each kind of diagnostic, and the first one's text.
  struct FunctionDiagnostics {
    Location loc;
    std::map<std::string, std::pair<int, std::string>> byKind; // kind -> (ops, first "layer: message")
    bool warn = false;
  };
  llvm::MapVector<Operation *, FunctionDiagnostics> summaries;
  /// Ops outside any function, summed up at the module's location (made when the first one needs it: a pass has
  /// no context, so no location, before it runs).
  std::optional<FunctionDiagnostics> moduleLevel;
  KpiAttr buildKpi(const DevicePlan &device, ArrayRef<KpiValue> values, int64_t unmodeledOps, int64_t unfitOps,
                   StringRef note);

  std::shared_ptr<const ::flydel::Library> library;
  std::string loadError;
  PlatformAttr platformAttr;
  SmallVector<DevicePlan, 4> plans;
  std::map<std::pair<LayerKey, std::string>, LayerOutcome> cache;
  MLIRContext *ctx = nullptr;
};

LogicalResult AnnotateKpisPass::initialize(MLIRContext *context) {
  ctx = context;
  // Errors are reported in runOnOperation, where there is a location to attach them to.
  library = loadPlatformLibrary(platform, loadError);
  if (!library)
    return success();

  for (const std::string &name : devices) {
    if (!library->findDevice(name)) {
      std::string known;
      for (const ::flydel::Device &device : library->devices)
        known += (known.empty() ? "" : ", ") + device.name;
      loadError = "platform '" + library->platform.name + "' has no device '" + name + "' (devices: " + known + ")";
      library.reset();
      return success();
    }
  }

  // The KPI filter accepts the attribute's names (latency_us, energy_uj, resources), resource names and the
  // library's column names.
  auto selects = [](StringRef selector, const KpiSlot &slot) {
    return selector == slot.column || (selector == "latency_us" && slot.kind == KpiSlot::Kind::Latency) ||
           (selector == "energy_uj" && slot.kind == KpiSlot::Kind::Energy) ||
           (slot.kind == KpiSlot::Kind::Resource && (selector == "resources" || selector == slot.resource));
  };

  llvm::StringSet<> matchedKpis;
  for (const ::flydel::Device &device : library->devices) {
    if (!devices.empty() && !llvm::is_contained(devices, device.name))
      continue;
    DevicePlan plan;
    plan.name = device.name;
    plan.nameAttr = StringAttr::get(context, device.name);
    plan.device = &device;
    for (const ::flydel::KpiModel &model : library->models) {
      if (model.device != device.name)
        continue;
      std::optional<KpiSlot> slot = classifyKpiColumn(model.kpi);
      if (!slot)
        continue;
      bool wanted = kpis.empty();
      for (const std::string &k : kpis) {
        if (selects(k, *slot)) {
          wanted = true;
          matchedKpis.insert(k);
        }
      }
      if (!wanted)
        continue;
      auto it = llvm::find_if(plan.kpis, [&](const DeviceKpi &k) { return k.slot.column == model.kpi; });
      if (it == plan.kpis.end()) {
        plan.kpis.push_back(DeviceKpi{*slot, {}});
        it = std::prev(plan.kpis.end());
      }
      it->models[static_cast<int>(model.op)][static_cast<int>(model.variant)] = &model;
    }
    plans.push_back(std::move(plan));
  }
  for (const std::string &k : kpis) {
    if (!matchedKpis.contains(k)) {
      loadError = "no device of platform '" + library->platform.name + "' has a model for KPI '" + k + "'";
      library.reset();
      return success();
    }
  }
  platformAttr = getPlatformAttr(context, *library, devices);
  return success();
}

KpiAttr AnnotateKpisPass::buildKpi(const DevicePlan &device, ArrayRef<KpiValue> values, int64_t unmodeledOps,
                                   int64_t unfitOps, StringRef note) {
  EstimateAttr latency, energy;
  NamedAttrList resources;
  for (auto [index, kpi] : llvm::enumerate(device.kpis)) {
    const KpiValue &v = values[index];
    EstimateAttr estimate = v.state == KpiValue::State::Value
                                ? EstimateAttr::get(ctx, v.value, v.extrapolated, v.exceedsCapacity)
                            : v.state == KpiValue::State::DoesNotFit ? EstimateAttr::getDoesNotFit(ctx)
                                                                     : EstimateAttr::getNoModel(ctx);
    switch (kpi.slot.kind) {
    case KpiSlot::Kind::Latency:
      latency = estimate;
      break;
    case KpiSlot::Kind::Energy:
      energy = estimate;
      break;
    case KpiSlot::Kind::Resource:
      resources.append(kpi.slot.resource, estimate);
      break;
    }
  }
  return KpiAttr::get(ctx, latency, energy, resources.empty() ? DictionaryAttr() : resources.getDictionary(ctx),
                      unmodeledOps, unfitOps, note.empty() ? StringAttr() : StringAttr::get(ctx, note));
}

const LayerOutcome &AnnotateKpisPass::evaluate(const Layer &layer, const std::string &approximation) {
  auto [it, inserted] = cache.try_emplace({keyOf(layer), approximation});
  LayerOutcome &outcome = it->second;
  if (!inserted)
    return outcome;

  // Each device sees the layer its own way (::flydel::deviceView: folding on FPGAs only, a fixed data type);
  // devices that see it alike share one feature vector.
  SmallVector<std::pair<LayerKey, ::flydel::FeatureVector>, 2> views;
  auto featuresFor = [&](const DevicePlan &device) -> const ::flydel::FeatureVector & {
    Layer seen = ::flydel::deviceView(*device.device, layer);
    LayerKey key = keyOf(seen);
    for (auto &[viewKey, features] : views)
      if (viewKey == key)
        return features;
    views.emplace_back(key, ::flydel::computeFeatures(seen));
    return views.back().second;
  };
  int opIndex = static_cast<int>(layer.op);
  ::flydel::ModelVariant variant = ::flydel::variantOf(layer);
  NamedAttrList entries;
  for (const DevicePlan &device : plans) {
    DeviceOutcome &result = outcome.devices.emplace_back();
    const ::flydel::FeatureVector &features = featuresFor(device);
    for (const DeviceKpi &kpi : device.kpis) {
      const ::flydel::KpiModel *model = kpi.models[opIndex][static_cast<int>(variant)];
      if (!model)
        model = kpi.models[opIndex][static_cast<int>(::flydel::ModelVariant::Any)];
      // As Library::findModelFor: a grouped convolution falls back to the dense model (groups flagged by its domain).
      if (!model && layer.op == ::flydel::OpKind::Conv2d && layer.groups > 1 && !layer.isDepthwise())
        model = kpi.models[opIndex][static_cast<int>(::flydel::ModelVariant::Dense)];
      if (!model) {
        result.missing.push_back(kpi.slot.column);
        result.values.push_back({});
        continue;
      }
      ::flydel::Prediction prediction = model->model.predict(features);
      double value = prediction.value * kpi.slot.scale;
      if (!std::isfinite(value) || value < 0) {
        // A model evaluated far from its data can go negative; that is no prediction, and no number is made up.
        result.invalid.push_back(kpi.slot.column + " = " + formatValue(prediction.value) + " " + model->unit);
        result.values.push_back({});
        continue;
      }
      if (prediction.extrapolated && !result.extrapolatedKpi) {
        result.extrapolatedKpi = &kpi;
        result.extrapolation = prediction;
      }
      result.values.push_back({KpiValue::State::Value, value, prediction.extrapolated, false});
    }
    // Feasibility: every resource the device has a capacity for, whether or not the KPI filter selected it.
    // A layer over any capacity cannot be built there: its resources over capacity keep their demand, flagged,
    // and its other KPIs get no value (a latency of a design that does not exist would look valid).
    std::vector<std::pair<std::string, double>> demands;
    Layer seen = ::flydel::deviceView(*device.device, layer);
    for (const auto &[resource, capacity] : device.device->capacities)
      if (const ::flydel::KpiModel *model = library->findModelFor(device.name, seen, resource)) {
        ::flydel::Prediction prediction = model->model.predict(features);
        if (std::isfinite(prediction.value))
          demands.push_back({resource, prediction.value});
      }
    std::vector<::flydel::CapacityExcess> excesses = ::flydel::capacityExcesses(*device.device, demands);
    if (!excesses.empty()) {
      bool fits = ::flydel::fitsDespite(excesses);
      (fits ? result.spilled : result.doesNotFit) = ::flydel::describeExcesses(excesses);
      for (auto [kpi, v] : llvm::zip(device.kpis, result.values)) {
        bool over = kpi.slot.kind == KpiSlot::Kind::Resource &&
                    llvm::any_of(excesses, [&](const auto &e) { return e.resource == kpi.slot.resource; });
        if (over && v.state == KpiValue::State::Value)
          v.exceedsCapacity = true;
        else if (!fits)
          v = {KpiValue::State::DoesNotFit, 0.0, false, false};
      }
    }
    // A stand-in layer is priced by models that never saw the op itself: every value is an extrapolation.
    std::string note;
    if (!approximation.empty()) {
      for (KpiValue &v : result.values)
        v.extrapolated = v.extrapolated || v.state == KpiValue::State::Value;
      note = approximation;
    }
    if (result.extrapolatedKpi)
      note += (note.empty() ? "" : "; ") + std::string("extrapolated: ") + result.extrapolatedKpi->slot.column + " " +
             ::flydel::Model::describeDomain(result.extrapolation);
    if (!result.doesNotFit.empty())
      note += (note.empty() ? "" : "; ") + std::string("does not fit: ") + result.doesNotFit;
    if (!result.spilled.empty())
      note += (note.empty() ? "" : "; ") + std::string("over capacity: ") + result.spilled;
    entries.append(device.nameAttr, buildKpi(device, result.values, 0, 0, note));
  }
  outcome.kpis = entries.getDictionary(ctx);
  outcome.diagnostics = diagnose(layer, outcome, approximation);
  return outcome;
}

SmallVector<LayerDiagnostic, 1> AnnotateKpisPass::diagnose(const Layer &layer, const LayerOutcome &outcome,
                                                           const std::string &approximation) const {
  SmallVector<LayerDiagnostic, 1> found;
  std::string missingAll, missingSome, extrapolated, invalid, unfit;
  for (auto [device, result] : llvm::zip(plans, outcome.devices)) {
    if (!result.missing.empty()) {
      if (result.missing.size() == device.kpis.size()) {
        missingAll += (missingAll.empty() ? "'" : ", '") + device.name + "'";
      } else {
        missingSome += (missingSome.empty() ? "" : "; ") + device.name + ": " + llvm::join(result.missing, ", ");
      }
    }
    if (result.extrapolatedKpi)
      extrapolated += (extrapolated.empty() ? "" : "; ") + device.name + " " + result.extrapolatedKpi->slot.column +
                      ": " + ::flydel::Model::describeDomain(result.extrapolation);
    for (const std::string &text : result.invalid)
      invalid += (invalid.empty() ? "" : "; ") + device.name + " " + text;
    if (!result.doesNotFit.empty())
      unfit += (unfit.empty() ? "" : "; ") + device.name + ": " + result.doesNotFit;
  }
  std::string kind = ::flydel::opKindName(layer.op);
  std::string devices = std::string("on device") + (missingAll.find(',') != std::string::npos ? "s " : " ") + missingAll;
  auto add = [&](DiagnosticSeverity severity, std::string summaryKind, std::string message, std::string detail) {
    found.push_back({severity, std::move(summaryKind), std::move(message), std::move(detail)});
  };
  if (!missingAll.empty())
    add(DiagnosticSeverity::Remark, "without a model for " + kind, "no model for " + kind + " " + devices, devices);
  if (!missingSome.empty())
    add(DiagnosticSeverity::Remark, "without a model for some KPIs of " + kind,
        "no model for some KPIs of " + kind + " (" + missingSome + ")", missingSome);
  if (!approximation.empty())
    add(DiagnosticSeverity::Warning, "priced as a stand-in layer (flagged extrapolated)",
        "flagged extrapolated: " + approximation, approximation);
  if (!extrapolated.empty())
    add(DiagnosticSeverity::Warning, "extrapolated outside the training domain",
        "extrapolated outside the training domain (" + extrapolated + ")", extrapolated);
  if (!invalid.empty())
    add(DiagnosticSeverity::Warning, "whose model output is not a valid KPI (recorded as no_model)",
        "model output is not a valid KPI, recorded as no_model (" + invalid + ")", invalid);
  if (!unfit.empty())
    add(DiagnosticSeverity::Warning, "not fitting a device (no latency or energy there)",
        "does not fit, so no latency or energy there (" + unfit + ")", unfit);
  return found;
}

void AnnotateKpisPass::note(Operation *op, DiagnosticSeverity severity, const std::string &kind,
                            const std::string &message, const std::string &detail) {
  if (diagnostics == "none")
    return;
  if (diagnostics == "per-op") {
    InFlightDiagnostic diag = severity == DiagnosticSeverity::Warning ? mlir::emitWarning(op->getLoc())
                                                                      : mlir::emitRemark(op->getLoc());
    diag << message;
    return;
  }
  Operation *function = op->getParentOfType<FunctionOpInterface>();
  FunctionDiagnostics &f =
      function ? summaries.insert({function, FunctionDiagnostics{function->getLoc(), {}, false}}).first->second
               : moduleLevel ? *moduleLevel
                             : moduleLevel.emplace(FunctionDiagnostics{getOperation()->getLoc(), {}, false});
  auto &[count, first] = f.byKind[kind];
  if (count++ == 0) {
    std::string name = getLayerName(op);
    if (name.empty()) { // no name in the location: the location itself
      llvm::raw_string_ostream os(name);
      op->getLoc().print(os);
    }
    first = name + " (" + op->getName().getStringRef().str() + "): " + detail;
  }
  f.warn = f.warn || severity == DiagnosticSeverity::Warning;
}

void AnnotateKpisPass::emitSummaries() {
  auto emit = [](const FunctionDiagnostics &f, StringRef where) {
    if (f.byKind.empty())
      return;
    InFlightDiagnostic diag = f.warn ? mlir::emitWarning(f.loc) : mlir::emitRemark(f.loc);
    diag << "annotate-kpis" << where << ": ";
    bool firstKind = true;
    for (const auto &[kind, entry] : f.byKind) {
      diag << (firstKind ? "" : "; ") << entry.first << (entry.first == 1 ? " op " : " ops ") << kind
           << " (first: " << entry.second << ")";
      firstKind = false;
    }
    diag << " [--annotate-kpis=\"diagnostics=per-op\" lists every op]";
  };
  for (auto &[function, f] : summaries) {
    std::string where;
    if (auto name = function->getAttrOfType<StringAttr>(SymbolTable::getSymbolAttrName()))
      where = " in @" + name.str();
    emit(f, where);
  }
  if (moduleLevel)
    emit(*moduleLevel, " outside functions");
  summaries.clear();
  moduleLevel.reset();
}

void AnnotateKpisPass::runOnOperation() {
  ModuleOp module = getOperation();
  if (!isDiagnosticsMode(diagnostics)) {
    mlir::emitError(module.getLoc()) << "annotate-kpis: unknown diagnostics mode '" << diagnostics
                       << "' (expected summary, per-op or none)";
    return signalPassFailure();
  }
  if (!library) {
    mlir::emitError(module.getLoc()) << "annotate-kpis: " << loadError;
    return signalPassFailure();
  }
  module->setAttr(FlydelDialect::kPlatformAttrName, platformAttr);

  llvm::DenseMap<Operation *, SmallVector<DeviceTotals>> totals;
  bool failedFolding = false;
  module.walk([&](LayerOpInterface layerOp) {
    Operation *op = layerOp.getOperation();
    std::string reason;
    FailureOr<Layer> layer = layerOp.describeLayer(reason);
    if (failed(layer)) {
      note(op, DiagnosticSeverity::Warning, "not annotated (not describable as a layer)",
           "not annotated: cannot describe it as a layer: " + reason, reason);
      return;
    }
    std::string problem = layer->check();
    if (!problem.empty()) {
      note(op, DiagnosticSeverity::Warning, "not annotated (invalid layer)", "not annotated: invalid layer: " + problem,
           problem);
      return;
    }
    // FPGA models are evaluated at the engine's folding when the op has one (from the user or
    // --flydel-fold-fpga); otherwise at pe = simd = 1, the smallest and slowest engine.
    if (auto folding = op->getAttrOfType<FoldingAttr>(FlydelDialect::kFoldingAttrName)) {
      ::flydel::Folding f{folding.getPe(), folding.getSimd()};
      if (std::string bad = ::flydel::checkFolding(*layer, f); !bad.empty()) {
        op->emitError() << "annotate-kpis: flydel.folding " << folding << " is not legal for this layer: " << bad;
        failedFolding = true;
        return;
      }
      layer->pe = f.pe;
      layer->simd = f.simd;
    }
    std::string approximation = layerOp.getPricingApproximation();
    const LayerOutcome &outcome = evaluate(*layer, approximation);
    op->setAttr(FlydelDialect::kKpisAttrName, outcome.kpis);
    for (const LayerDiagnostic &d : outcome.diagnostics)
      note(op, d.severity, d.kind, d.message, d.detail);

    auto function = op->getParentOfType<FunctionOpInterface>();
    if (!function)
      return;
    SmallVector<DeviceTotals> &sums = totals[function.getOperation()];
    if (sums.empty()) {
      for (const DevicePlan &device : plans) {
        DeviceTotals &t = sums.emplace_back();
        t.sum.assign(device.kpis.size(), 0.0);
        t.any.assign(device.kpis.size(), false);
        t.extrapolated.assign(device.kpis.size(), false);
      }
    }
    for (auto [t, result] : llvm::zip(sums, outcome.devices)) {
      // An op that does not fit is left out of every sum of that device, and counted.
      if (!result.doesNotFit.empty()) {
        ++t.unfitOps;
        continue;
      }
      bool unmodeled = false;
      for (size_t i = 0; i < result.values.size(); ++i) {
        if (result.values[i].state != KpiValue::State::Value) {
          unmodeled = true;
          continue;
        }
        t.sum[i] += result.values[i].value;
        t.any[i] = true;
        t.extrapolated[i] = t.extrapolated[i] || result.values[i].extrapolated;
      }
      t.unmodeledOps += unmodeled;
    }
  });

  emitSummaries();
  if (failedFolding)
    return signalPassFailure();
  for (auto &[function, sums] : totals) {
    NamedAttrList entries;
    for (auto [device, t] : llvm::zip(plans, sums)) {
      SmallVector<KpiValue, 8> values;
      std::vector<std::pair<std::string, double>> demands;
      for (size_t i = 0; i < t.sum.size(); ++i) {
        // Nothing summed because every op with a model there does not fit: the total does not fit either.
        KpiValue::State state = t.any[i]        ? KpiValue::State::Value
                                : t.unfitOps > 0 ? KpiValue::State::DoesNotFit
                                                 : KpiValue::State::NoModel;
        values.push_back({state, t.sum[i], t.extrapolated[i], false});
        if (t.any[i] && device.kpis[i].slot.kind == KpiSlot::Kind::Resource)
          demands.push_back({device.kpis[i].slot.resource, t.sum[i]});
      }
      // The ops that fit one by one may not fit together: the sum over a capacity is flagged and said.
      std::vector<::flydel::CapacityExcess> excesses = ::flydel::capacityExcesses(*device.device, demands);
      for (auto [kpi, v] : llvm::zip(device.kpis, values))
        v.exceedsCapacity = llvm::any_of(excesses, [&](const auto &e) {
          return kpi.slot.kind == KpiSlot::Kind::Resource && e.resource == kpi.slot.resource;
        });
      std::string note;
      if (!excesses.empty())
        note = "the ops together exceed the device: " + ::flydel::describeExcesses(excesses);
      if (t.unfitOps > 0)
        note += (note.empty() ? "" : "; ") + std::to_string(t.unfitOps) +
                (t.unfitOps == 1 ? " op does not fit and is" : " ops do not fit and are") + " left out";
      entries.append(device.nameAttr, buildKpi(device, values, t.unmodeledOps, t.unfitOps, note));
    }
    function->setAttr(FlydelDialect::kKpiTotalsAttrName, entries.getDictionary(ctx));
  }
}

} // namespace
