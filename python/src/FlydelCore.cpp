//===- FlydelCore.cpp - flydel._core: the compiled part of `import flydel` -===//
//
// A thin pybind11 layer over the MLIR-free libraries (platform library, model evaluation, identification) and the
// in-process flow (flydel/Api/Flow.h). Numbers come from the same functions the tools print from; this file only
// converts. Every failure becomes flydel.Error with the tool's message; nothing here lets a C++ exception or a crash
// reach Python. python/flydel/__init__.py is the documented API.
//
//===----------------------------------------------------------------------===//

#include "flydel/Api/Flow.h"
#include "flydel/Identify/IdentifyTable.h"
#include "flydel/Identify/Table.h"
#include "flydel/Model/LayerSpec.h"
#include "flydel/Model/Library.h"
#include "flydel/Model/Predict.h"
#include "flydel/Platforms/EmbeddedPlatforms.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>

namespace py = pybind11;
using namespace flydel;

namespace {

/// Raised as flydel.Error.
struct CoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

template <typename T> T unwrap(Expected<T> value) {
  if (!value)
    throw CoreError(value.error());
  return std::move(*value);
}

/// The columns of a layer matrix (predict_batch): every member of the descriptor, op and dtype as their enum codes.
struct Column {
  const char *name;
  int64_t Layer::*member; // null for op and dtype
};
const Column kColumns[] = {{"op", nullptr},
                           {"batch", &Layer::batch},
                           {"in_h", &Layer::in_h},
                           {"in_w", &Layer::in_w},
                           {"c_in", &Layer::c_in},
                           {"c_out", &Layer::c_out},
                           {"kernel_h", &Layer::kernel_h},
                           {"kernel_w", &Layer::kernel_w},
                           {"stride_h", &Layer::stride_h},
                           {"stride_w", &Layer::stride_w},
                           {"pad_h", &Layer::pad_h},
                           {"pad_w", &Layer::pad_w},
                           {"dilation_h", &Layer::dilation_h},
                           {"dilation_w", &Layer::dilation_w},
                           {"groups", &Layer::groups},
                           {"dtype", nullptr},
                           {"pe", &Layer::pe},
                           {"simd", &Layer::simd}};
constexpr int kNumColumns = sizeof(kColumns) / sizeof(kColumns[0]);
constexpr OpKind kOps[] = {OpKind::Conv2d, OpKind::Pool2d, OpKind::MatMul, OpKind::Elementwise, OpKind::DataMovement};
constexpr DType kDTypes[] = {DType::F64, DType::F32, DType::F16, DType::BF16, DType::I32, DType::I16, DType::I8};

std::vector<int64_t> rowOf(const Layer &layer) {
  std::vector<int64_t> row(kNumColumns);
  for (int c = 0; c < kNumColumns; ++c)
    row[c] = kColumns[c].member ? layer.*kColumns[c].member
             : c == 0           ? static_cast<int64_t>(layer.op)
                                : static_cast<int64_t>(layer.dtype);
  return row;
}

/// Row `i` of a layer matrix, checked (the message names the row).
Layer layerOfRow(const int64_t *row, size_t i) {
  Layer layer;
  for (int c = 0; c < kNumColumns; ++c) {
    int64_t v = row[c];
    if (kColumns[c].member) {
      layer.*kColumns[c].member = v;
    } else if (c == 0) {
      if (v < 0 || v >= static_cast<int64_t>(std::size(kOps)))
        throw CoreError("layer " + std::to_string(i) + ": op code " + std::to_string(v) + " is not an op kind");
      layer.op = kOps[v];
    } else {
      if (v < 0 || v >= static_cast<int64_t>(std::size(kDTypes)))
        throw CoreError("layer " + std::to_string(i) + ": dtype code " + std::to_string(v) + " is not a data type");
      layer.dtype = kDTypes[v];
    }
  }
  if (std::string problem = layer.check(); !problem.empty())
    throw CoreError("layer " + std::to_string(i) + ": invalid layer: " + problem);
  return layer;
}

/// A layer from a dict of descriptor fields, as --layer specs name them (integers, or text as the spec has it).
Layer layerOfDict(const py::dict &fields, const std::string &where) {
  Layer layer;
  for (auto item : fields) {
    std::string key = py::str(item.first);
    py::handle value = item.second;
    if (py::isinstance<py::bool_>(value))
      throw CoreError(where + "field '" + key + "': a bool is not a layer field value");
    std::string text;
    if (py::isinstance<py::int_>(value) || py::hasattr(value, "__index__"))
      text = std::to_string(value.cast<long long>());
    else if (py::isinstance<py::str>(value))
      text = value.cast<std::string>();
    else
      throw CoreError(where + "field '" + key + "': " + std::string(py::str(py::type::of(value).attr("__name__"))) +
                      " is not an integer or a name");
    if (auto set = setLayerField(layer, key, text); !set)
      throw CoreError(where + set.error());
  }
  if (std::string problem = layer.check(); !problem.empty())
    throw CoreError(where + "invalid layer: " + problem);
  return layer;
}

py::array_t<int64_t> matrixOfDicts(const py::list &layers) {
  py::array_t<int64_t> matrix({static_cast<py::ssize_t>(layers.size()), static_cast<py::ssize_t>(kNumColumns)});
  auto m = matrix.mutable_unchecked<2>();
  for (size_t i = 0; i < layers.size(); ++i) {
    py::handle item = layers[i];
    if (!py::isinstance<py::dict>(item))
      throw CoreError("layer " + std::to_string(i) + ": expected a dict of layer fields");
    std::vector<int64_t> row = rowOf(layerOfDict(item.cast<py::dict>(), "layer " + std::to_string(i) + ": "));
    for (int c = 0; c < kNumColumns; ++c)
      m(i, c) = row[c];
  }
  return matrix;
}

/// Where evaluateBatch writes one device's results: [layer][kpi] row-major, fits per layer.
struct DeviceColumns {
  double *value, *capacity, *domainValue, *domainMin, *domainMax;
  uint8_t *status, *flags; // flags: 1 the model gave no positive value, 2 its bounded physics form predicted
  bool *extrapolated, *fits;
  int16_t *domainFeature; // the first feature outside the domain (a Feature), -1 when none
};

bool sameLayer(const Layer &a, const Layer &b) {
  if (a.op != b.op || a.dtype != b.dtype)
    return false;
  for (const Column &c : kColumns)
    if (c.member && a.*c.member != b.*c.member)
      return false;
  return true;
}

/// Every layer on every device. Devices that see a layer alike (CPU and GPU: the same view) share its features.
void evaluateBatch(const std::vector<Layer> &layers, const std::vector<DevicePredictor> &predictors,
                   std::vector<DeviceColumns> &columns) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<KpiOutcome> outcomes;
  std::vector<CapacityExcess> excesses;
  std::vector<std::pair<Layer, FeatureVector>> views;
  for (size_t i = 0; i < layers.size(); ++i) {
    views.clear();
    for (size_t d = 0; d < predictors.size(); ++d) {
      const DevicePredictor &predictor = predictors[d];
      Layer seen = predictor.view(layers[i]);
      const FeatureVector *features = nullptr;
      for (const auto &[view, f] : views)
        if (sameLayer(view, seen))
          features = &f;
      if (!features) {
        views.emplace_back(seen, computeFeatures(seen));
        features = &views.back().second;
      }
      predictor.predict(layers[i], *features, outcomes, excesses);
      DeviceColumns &c = columns[d];
      const size_t kpis = outcomes.size();
      for (size_t k = 0; k < kpis; ++k) {
        const KpiOutcome &o = outcomes[k];
        const Prediction &p = o.prediction;
        size_t at = i * kpis + k;
        c.status[at] = static_cast<uint8_t>(o.status);
        c.value[at] = o.hasValue() ? o.value() : nan;
        c.capacity[at] = o.status == KpiOutcome::Status::ExceedsCapacity ? o.capacity : nan;
        bool extrapolated = o.status != KpiOutcome::Status::NoModel && p.extrapolated;
        c.extrapolated[at] = extrapolated;
        c.domainFeature[at] = extrapolated && p.feature != Feature::Count ? static_cast<int16_t>(p.feature) : -1;
        c.domainValue[at] = p.featureValue;
        c.domainMin[at] = p.min;
        c.domainMax[at] = p.max;
        c.flags[at] = static_cast<uint8_t>((p.notPositive ? 1 : 0) | (p.handedOver ? 2 : 0));
      }
      c.fits[i] = fitsDespite(excesses);
    }
  }
}

/// Model::describeDomain of the predictions a batch recorded as numbers (the extrapolated entries).
std::vector<std::string> describeDomains(const std::vector<int> &feature, const std::vector<double> &value,
                                         const std::vector<double> &min, const std::vector<double> &max,
                                         const std::vector<int> &flags) {
  std::vector<std::string> texts;
  for (size_t i = 0; i < feature.size(); ++i) {
    Prediction p;
    p.extrapolated = true;
    if (feature[i] < 0 || feature[i] >= kNumFeatures)
      p.feature = Feature::Count;
    else
      p.feature = static_cast<Feature>(feature[i]);
    p.featureValue = value.at(i);
    p.min = min.at(i);
    p.max = max.at(i);
    p.notPositive = flags.at(i) & 1;
    p.handedOver = flags.at(i) & 2;
    texts.push_back(Model::describeDomain(p));
  }
  return texts;
}

struct Platform {
  std::shared_ptr<Library> library;

  static Platform load(const std::string &spec) {
    std::string_view embedded = getEmbeddedPlatform(spec);
    auto library = embedded.empty() ? Library::load(spec) : Library::parse(embedded, spec);
    if (!library) {
      std::string names;
      for (std::string_view name : listEmbeddedPlatforms())
        names += (names.empty() ? "" : ", ") + std::string(name);
      throw CoreError(library.error() + " (embedded platforms: " + names + ")");
    }
    return Platform{std::make_shared<Library>(std::move(*library))};
  }

  std::vector<std::string> deviceNames(const std::optional<std::vector<std::string>> &devices) const {
    if (devices)
      return *devices;
    std::vector<std::string> all;
    for (const Device &d : library->devices)
      all.push_back(d.name);
    return all;
  }

  std::vector<DevicePredictor> predictors(const std::vector<std::string> &devices) const {
    std::vector<DevicePredictor> result;
    for (const std::string &name : devices)
      result.push_back(unwrap(DevicePredictor::create(*library, name)));
    return result;
  }

  static std::vector<Layer> layersOf(const py::array_t<int64_t, py::array::c_style | py::array::forcecast> &matrix) {
    if (matrix.ndim() != 2 || matrix.shape(1) != kNumColumns)
      throw CoreError("a layer matrix has " + std::to_string(kNumColumns) + " columns");
    std::vector<Layer> layers;
    layers.reserve(static_cast<size_t>(matrix.shape(0)));
    for (py::ssize_t i = 0; i < matrix.shape(0); ++i)
      layers.push_back(layerOfRow(matrix.data(i, 0), static_cast<size_t>(i)));
    return layers;
  }

  /// One layer: per device, what flydel-identify --predict prints for it (less platform and device).
  py::dict predictOne(const py::dict &fields, const std::optional<std::vector<std::string>> &devices) const {
    Layer layer = layerOfDict(fields, "");
    py::dict out;
    std::vector<KpiOutcome> outcomes;
    std::vector<CapacityExcess> excesses;
    for (const DevicePredictor &predictor : predictors(deviceNames(devices))) {
      predictor.predict(layer, outcomes, excesses);
      py::dict predictions;
      for (int k : predictor.kpiOrder(layer.op)) {
        const KpiOutcome &o = outcomes[k];
        if (o.status == KpiOutcome::Status::NoModel)
          continue;
        py::dict entry;
        entry["value"] = o.status == KpiOutcome::Status::DoesNotFit ? py::object(py::none())
                                                                    : py::object(py::float_(o.value()));
        entry["unit"] = o.model->unit;
        entry["extrapolated"] = o.prediction.extrapolated;
        if (o.prediction.extrapolated)
          entry["domain"] = Model::describeDomain(o.prediction);
        if (o.status == KpiOutcome::Status::ExceedsCapacity) {
          entry["status"] = "exceeds_capacity";
          entry["capacity"] = o.capacity;
        } else if (o.status == KpiOutcome::Status::DoesNotFit) {
          entry["status"] = "does_not_fit";
        }
        predictions[py::str(predictor.kpis()[k])] = entry;
      }
      py::dict result;
      result["op"] = opKindName(layer.op);
      result["macs"] = layer.macs();
      result["predictions"] = predictions;
      if (!excesses.empty())
        result[fitsDespite(excesses) ? "over_capacity" : "does_not_fit"] = describeExcesses(excesses);
      out[py::str(predictor.device().name)] = result;
    }
    return out;
  }

  /// A batch: per device, columnar arrays [layers x KPIs] (see python/flydel/__init__.py, BatchPrediction). The
  /// texts (extrapolation reasons, excesses) are made on demand from the numbers (describeDomains,
  /// describeExcesses): most of a batch's cost would otherwise be formatting them.
  py::dict predictBatch(const py::array_t<int64_t, py::array::c_style | py::array::forcecast> &matrix,
                        const std::optional<std::vector<std::string>> &devices) const {
    std::vector<Layer> layers = layersOf(matrix);
    std::vector<DevicePredictor> all = predictors(deviceNames(devices));
    const py::ssize_t n = static_cast<py::ssize_t>(layers.size());
    py::dict out;
    std::vector<DeviceColumns> columns;
    std::vector<py::dict> dicts;
    for (const DevicePredictor &predictor : all) {
      const py::ssize_t kpis = static_cast<py::ssize_t>(predictor.kpis().size());
      py::array_t<double> value({n, kpis}), capacity({n, kpis}), domainValue({n, kpis}), domainMin({n, kpis}),
          domainMax({n, kpis});
      py::array_t<uint8_t> status({n, kpis}), flags({n, kpis});
      py::array_t<bool> extrapolated({n, kpis});
      py::array_t<int16_t> domainFeature({n, kpis});
      py::array_t<bool> fits(n);
      columns.push_back({value.mutable_data(), capacity.mutable_data(), domainValue.mutable_data(),
                         domainMin.mutable_data(), domainMax.mutable_data(), status.mutable_data(),
                         flags.mutable_data(), extrapolated.mutable_data(), fits.mutable_data(),
                         domainFeature.mutable_data()});
      py::list units;
      for (const std::string &kpi : predictor.kpis()) {
        std::string unit;
        for (const KpiModel &m : library->models)
          if (m.device == predictor.device().name && m.kpi == kpi) {
            unit = m.unit;
            break;
          }
        units.append(unit);
      }
      py::dict d;
      d["kpis"] = predictor.kpis();
      d["units"] = units;
      d["value"] = value;
      d["status"] = status;
      d["extrapolated"] = extrapolated;
      d["capacity"] = capacity;
      d["fits"] = fits;
      d["domain_feature"] = domainFeature;
      d["domain_value"] = domainValue;
      d["domain_min"] = domainMin;
      d["domain_max"] = domainMax;
      d["domain_flags"] = flags;
      out[py::str(predictor.device().name)] = d;
    }
    {
      py::gil_scoped_release release; // the arrays are ours alone until returned
      evaluateBatch(layers, all, columns);
    }
    return out;
  }

  /// Seconds the C++ evaluation alone takes for the same layers: the same evaluateBatch into C++ buffers, without
  /// the conversions to and from Python. The benchmark's reference, measured in the same process.
  double timeEvaluation(const py::array_t<int64_t, py::array::c_style | py::array::forcecast> &matrix,
                        const std::optional<std::vector<std::string>> &devices) const {
    std::vector<Layer> layers = layersOf(matrix);
    std::vector<DevicePredictor> all = predictors(deviceNames(devices));
    const size_t n = layers.size();
    struct Buffers {
      std::vector<double> value, capacity, domainValue, domainMin, domainMax;
      std::vector<uint8_t> status, flags;
      std::unique_ptr<bool[]> extrapolated, fits;
      std::vector<int16_t> domainFeature;
    };
    std::vector<Buffers> buffers(all.size());
    std::vector<DeviceColumns> columns;
    for (size_t d = 0; d < all.size(); ++d) {
      size_t cells = n * all[d].kpis().size();
      Buffers &b = buffers[d];
      for (auto *v : {&b.value, &b.capacity, &b.domainValue, &b.domainMin, &b.domainMax})
        v->resize(cells);
      b.status.resize(cells);
      b.flags.resize(cells);
      b.extrapolated.reset(new bool[cells]);
      b.fits.reset(new bool[n]);
      b.domainFeature.resize(cells);
      columns.push_back({b.value.data(), b.capacity.data(), b.domainValue.data(), b.domainMin.data(),
                         b.domainMax.data(), b.status.data(), b.flags.data(), b.extrapolated.get(), b.fits.get(),
                         b.domainFeature.data()});
    }
    py::gil_scoped_release release;
    auto start = std::chrono::steady_clock::now();
    evaluateBatch(layers, all, columns);
    auto stop = std::chrono::steady_clock::now();
    return std::chrono::duration<double>(stop - start).count();
  }

  /// The excess text of one layer on a device (describeExcesses) from the resources over capacity, as
  /// flydel-identify --predict prints it in does_not_fit / over_capacity.
  std::string excessText(const std::string &device, const std::vector<std::string> &resources,
                         const std::vector<double> &demands) const {
    const Device *d = library->findDevice(device);
    if (!d)
      throw CoreError("platform '" + library->platform.name + "' has no device '" + device + "'");
    std::vector<std::pair<std::string, double>> pairs;
    for (size_t i = 0; i < resources.size() && i < demands.size(); ++i)
      pairs.push_back({resources[i], demands[i]});
    return describeExcesses(capacityExcesses(*d, pairs));
  }

  py::list devices() const {
    py::list out;
    for (const Device &d : library->devices) {
      py::dict e;
      e["name"] = d.name;
      e["kind"] = deviceKindName(d.kind);
      e["description"] = d.description;
      e["capacities"] = d.capacities;
      e["dtype"] = d.dtype ? py::object(py::str(dtypeName(*d.dtype))) : py::object(py::none());
      e["spills"] = std::vector<std::string>(d.spills.begin(), d.spills.end());
      out.append(e);
    }
    return out;
  }

  py::list links() const {
    py::list out;
    auto cost = [](const AffineCost &a) {
      py::dict d;
      d["intercept"] = a.intercept;
      d["slope_per_kbit"] = a.slopePerKbit;
      d["unit"] = a.unit;
      d["mape"] = a.mape;
      d["n"] = a.n;
      return d;
    };
    for (const Link &l : library->links) {
      py::dict e;
      e["from"] = l.from;
      e["to"] = l.to;
      e["latency"] = cost(l.latency);
      e["energy"] = l.hasEnergy ? py::object(cost(l.energy)) : py::object(py::none());
      e["source"] = l.source;
      e["assumed"] = l.assumed;
      out.append(e);
    }
    return out;
  }

  py::list models() const {
    py::list out;
    for (const KpiModel &m : library->models)
      out.append(modelDict(m));
    return out;
  }

  static py::dict cvDict(const CvFigures &cv) {
    py::dict d;
    d["mape"] = cv.mape;
    d["median_ape"] = cv.medianApe;
    d["p90_ape"] = cv.p90Ape;
    d["within_10pct"] = cv.within10pct;
    d["bias"] = cv.bias;
    d["rmspe"] = cv.rmspe;
    d["folds"] = cv.folds;
    d["n"] = cv.n;
    d["seed"] = cv.seed;
    if (cv.hasNested) {
      py::dict nested;
      nested["mape"] = cv.nestedMape;
      nested["median_ape"] = cv.nestedMedianApe;
      nested["p90_ape"] = cv.nestedP90Ape;
      nested["within_10pct"] = cv.nestedWithin10pct;
      d["nested"] = nested;
    }
    return d;
  }

  static py::dict modelDict(const KpiModel &m) {
    py::dict d;
    d["device"] = m.device;
    d["op"] = opKindName(m.op);
    d["variant"] = modelVariantName(m.variant);
    d["kpi"] = m.kpi;
    d["unit"] = m.unit;
    d["structure"] = structureName(m.model.structure);
    d["parameters"] = m.model.parameterCount();
    py::dict domain;
    for (const DomainRange &r : m.model.domain)
      domain[py::str(featureName(r.feature))] = py::make_tuple(r.min, r.max);
    d["domain"] = domain;
    d["cv"] = cvDict(m.cv);
    d["source"] = m.source;
    return d;
  }

  void addModel(const std::string &json) {
    KpiModel model = unwrap(parseKpiModel(json, "<model>"));
    Library copy = *library;
    copy.models.push_back(std::move(model));
    if (std::string problem = copy.validate(); !problem.empty())
      throw CoreError(problem);
    *library = std::move(copy);
  }

  void save(const std::string &path) const {
    std::string error;
    if (!library->save(path, &error))
      throw CoreError(error);
  }
};

/// flydel-identify DATA.csv --kpi K ... on CSV text: the model (as library JSON) and its figures.
py::dict identifyCsv(const std::string &csvText, const std::string &source, const std::string &kpi,
                  const std::optional<std::string> &op, const std::optional<std::string> &structure, int folds,
                  uint64_t seed, int maxParams, const std::string &device, const std::string &unit,
                  const std::string &dtype, bool nested, bool strict, double saturateAt, int threads) {
  Layer defaults;
  if (!parseDType(dtype, defaults.dtype))
    throw CoreError("unknown data type '" + dtype + "'");
  MeasurementTable table = unwrap(MeasurementTable::parseCsv(csvText, source, defaults));
  TableIdentifyOptions o;
  o.kpi = kpi;
  if (op) {
    OpKind kind;
    if (!parseOpKind(*op, kind))
      throw CoreError("unknown op kind '" + *op + "' (expected conv2d, pool2d, matmul, elementwise)");
    o.op = kind;
  }
  if (structure && *structure != "auto") {
    Structure s;
    if (!parseStructure(*structure, s))
      throw CoreError("unknown structure '" + *structure + "' (expected auto, paper, frols or physics)");
    o.structure = s;
  }
  if (folds < 2)
    throw CoreError("folds: " + std::to_string(folds) + " (at least 2)");
  o.cv.folds = folds;
  o.cv.seed = seed;
  o.cv.maxParams = maxParams;
  o.cv.nested = nested;
  o.cv.saturation = saturateAt;
  o.cv.threads = threads;
  o.strict = strict;
  o.device = device;
  o.unit = unit;
  o.source = source;
  TableIdentification result;
  {
    py::gil_scoped_release release; // cross-validation takes seconds on every core
    result = unwrap(identifyTable(std::move(table), o));
  }
  py::dict d = Platform::modelDict(result.model);
  d["model_json"] = kpiModelToJson(result.model);
  d["rows"] = result.rows;
  d["chosen"] = result.id.chosen.config.label();
  py::list candidates;
  for (const CvOutcome &c : result.id.candidates) {
    py::dict e;
    e["structure"] = c.config.label();
    e["parameters"] = c.parameters;
    e["mape"] = c.metrics.mape;
    e["median_ape"] = c.metrics.medianApe;
    e["p90_ape"] = c.metrics.p90Ape;
    e["within_10pct"] = c.metrics.within10pct;
    e["bias"] = c.metrics.bias;
    candidates.append(e);
  }
  d["candidates"] = candidates;
  d["notes"] = result.notes;
  d["duplicates"] = result.duplicates;
  return d;
}

py::list diagnosticsOf(const api::FlowResult &result) {
  py::list out;
  for (const api::FlowDiagnostic &d : result.diagnostics)
    out.append(py::make_tuple(d.severity, d.location, d.message));
  return out;
}

api::AnnotateOptions annotateOptions(const std::string &platform, const std::vector<std::string> &devices,
                                     const std::vector<std::string> &kpis, const std::vector<std::string> &inputShapes,
                                     const std::vector<std::string> &hide = {}) {
  api::AnnotateOptions o;
  o.hide = hide;
  o.platform = platform;
  o.devices = devices;
  o.kpis = kpis;
  o.inputShapes = inputShapes;
  return o;
}

} // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "flydel's compiled core (use the flydel package, not this module)";
  static py::exception<CoreError> error(m, "Error");
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p)
        std::rethrow_exception(p);
    } catch (const CoreError &e) {
      error(e.what());
    }
  });

  py::list columns;
  for (const Column &c : kColumns)
    columns.append(c.name);
  m.attr("LAYER_COLUMNS") = columns;
  py::list ops, dtypes, statuses;
  for (OpKind op : kOps)
    ops.append(opKindName(op));
  for (DType t : kDTypes)
    dtypes.append(dtypeName(t));
  m.attr("OP_KINDS") = ops;
  m.attr("DTYPES") = dtypes;
  // KpiOutcome::Status in enum order: the codes of BatchPrediction's status arrays.
  m.attr("STATUSES") = py::make_tuple("no_model", "predicted", "exceeds_capacity", "does_not_fit");
  py::dict aliases;
  for (const LayerField &f : layerFields()) {
    py::list members;
    for (int64_t Layer::*member : f.members)
      for (const Column &c : kColumns)
        if (c.member == member)
          members.append(c.name);
    aliases[py::str(f.name)] = members;
  }
  m.attr("LAYER_FIELDS") = aliases;
  m.attr("DEFAULT_LAYER") = rowOf(Layer());
  m.def("embedded_platforms", [] {
    std::vector<std::string> names;
    for (std::string_view n : listEmbeddedPlatforms())
      names.emplace_back(n);
    return names;
  });
  m.def("layer_matrix", &matrixOfDicts, py::arg("layers"));
  m.def("describe_domains", &describeDomains, py::arg("feature"), py::arg("value"), py::arg("min"), py::arg("max"),
        py::arg("flags"));

  py::class_<Platform>(m, "Library")
      .def_static("load", &Platform::load, py::arg("spec"))
      .def_property_readonly("name", [](const Platform &p) { return p.library->platform.name; })
      .def_property_readonly("description", [](const Platform &p) { return p.library->platform.description; })
      .def_property_readonly("devices", &Platform::devices)
      .def_property_readonly("links", &Platform::links)
      .def_property_readonly("models", &Platform::models)
      .def("predict_one", &Platform::predictOne, py::arg("fields"), py::arg("devices") = py::none())
      .def("predict_batch", &Platform::predictBatch, py::arg("matrix"), py::arg("devices") = py::none())
      .def("time_evaluation", &Platform::timeEvaluation, py::arg("matrix"), py::arg("devices") = py::none())
      .def("excess_text", &Platform::excessText, py::arg("device"), py::arg("resources"), py::arg("demands"))
      .def("add_model", &Platform::addModel, py::arg("model_json"))
      .def("save", &Platform::save, py::arg("path"))
      .def("to_json", [](const Platform &p) { return p.library->toJson(); });

  m.def("identify", &identifyCsv, py::arg("csv_text"), py::arg("source"), py::arg("kpi"), py::arg("op"),
        py::arg("structure"), py::arg("folds"), py::arg("seed"), py::arg("max_params"), py::arg("device"),
        py::arg("unit"), py::arg("dtype"), py::arg("nested"), py::arg("strict"), py::arg("saturate_at"),
        py::arg("threads"));
  m.def(
      "annotate",
      [](const std::string &path, const std::string &platform, const std::vector<std::string> &devices,
         const std::vector<std::string> &kpis, const std::vector<std::string> &inputShapes, const std::string &format,
         const std::vector<std::string> &hide) {
        api::FlowResult result;
        {
          py::gil_scoped_release release;
          auto r = api::annotateModel(path, annotateOptions(platform, devices, kpis, inputShapes, hide), format);
          if (!r)
            throw CoreError(r.error());
          result = std::move(*r);
        }
        return py::make_tuple(result.text, diagnosticsOf(result));
      },
      py::arg("path"), py::arg("platform"), py::arg("devices"), py::arg("kpis"), py::arg("input_shapes"),
      py::arg("format"), py::arg("hide") = std::vector<std::string>());
  m.def(
      "assign",
      [](const std::string &path, const std::string &platform, const std::vector<std::string> &devices,
         const std::vector<std::string> &inputShapes, const std::string &objective, double weight,
         const std::string &mode, double reserve, const std::string &pinsFile, double timeLimitMs) {
        api::AssignOptions a;
        a.objective = objective;
        a.weight = weight;
        a.mode = mode;
        a.reserve = reserve;
        a.pinsFile = pinsFile;
        a.timeLimitMs = timeLimitMs;
        api::FlowResult result;
        {
          py::gil_scoped_release release;
          auto r = api::assignModel(path, annotateOptions(platform, devices, {}, inputShapes), a);
          if (!r)
            throw CoreError(r.error());
          result = std::move(*r);
        }
        return py::make_tuple(result.text, diagnosticsOf(result));
      },
      py::arg("path"), py::arg("platform"), py::arg("devices"), py::arg("input_shapes"), py::arg("objective"),
      py::arg("weight"), py::arg("mode"), py::arg("reserve"), py::arg("pins_file"), py::arg("time_limit_ms"));
}
