//===- Library.h - Platform library: devices, links, KPI models -*- C++ -*-===//
//
// The platform library is a versioned JSON file (schema in docs/formats.md) describing one platform: its devices,
// the links between them and, per device and (op kind, KPI), an identified Model with its training domain and
// cross-validation figures. Loading validates everything and reports the first problem with its JSON path.
// No function here lets an exception escape.
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_MODEL_LIBRARY_H
#define FLYDEL_MODEL_LIBRARY_H

#include "flydel/Model/Expected.h"
#include "flydel/Model/Model.h"

#include <map>
#include <set>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flydel {

constexpr int kLibrarySchemaVersion = 1;
constexpr const char *kLibrarySchemaName = "flydel-platform-library";
constexpr const char *kModelSchemaName = "flydel-kpi-model";

enum class DeviceKind { Cpu, Gpu, Fpga };
const char *deviceKindName(DeviceKind kind);
bool parseDeviceKind(std::string_view text, DeviceKind &kind);

struct Device {
  std::string name;
  DeviceKind kind = DeviceKind::Cpu;
  std::string description;
  std::map<std::string, double> capacities; // e.g. {"alm": 80330, "m20k": 587}; empty when unbounded
  /// The data type the device computes every layer in, whatever the model's (flydel's FPGA engines: int8). Its
  /// models are then evaluated at it; unset: at the layer's own type.
  std::optional<DType> dtype;
  /// Capacities whose excess the design tools map onto other resources, as measured designs built with that
  /// resource at its capacity show (Quartus puts the memory beyond the M20K blocks into logic): an excess there is
  /// flagged but decides no fit by itself. Every name is a capacity's.
  std::set<std::string> spills;
  /// The code-generation target of the device where its compiler needs one (NVIDIA GPUs: "sm_62", the chip
  /// flydel-compile lowers GPU partitions for); empty: unknown.
  std::string chip;
};

/// A resource demand above what the device has.
struct CapacityExcess {
  std::string resource; // a capacity's name, which is also the KPI column of its model (e.g. "alm")
  double demand = 0.0, capacity = 0.0;
  bool spills = false; // the resource is one of Device::spills: no misfit by itself
};
/// Whether a layer with these excesses fits: none of them is of a resource that cannot spill.
bool fitsDespite(const std::vector<CapacityExcess> &excesses);

/// The resources whose predicted demand exceeds the device's capacity, in the order given. `demands` pairs a KPI
/// column with its predicted value (the unclipped demand, Model::predict); columns the device states no capacity
/// for are never an excess. A layer with any excess does not fit the device: it cannot be built there, so it has
/// no latency or energy there either.
std::vector<CapacityExcess> capacityExcesses(const Device &device,
                                             const std::vector<std::pair<std::string, double>> &demands);
/// "alm demand 2.1e+06 > capacity 80330" (the excesses joined by ", "; a spilling one ends "(spills onto
/// other resources)").
std::string describeExcesses(const std::vector<CapacityExcess> &excesses);

/// The layer as a device's models see it: in the device's fixed data type when it has one, and folded (pe, simd)
/// only on an FPGA — CPU and GPU models describe the unfolded layer. Every evaluation of a device's models
/// (annotate-kpis, the folding search, flydel-identify --predict) goes through it, so they agree.
Layer deviceView(const Device &device, Layer layer) noexcept;

/// Affine transfer cost: value = intercept + slope * size_kbit, size in kbit (1024 bits) of data moved.
struct AffineCost {
  double intercept = 0.0;
  double slopePerKbit = 0.0;
  std::string unit; // unit of the value, e.g. "ms"
  double mape = 0.0; // fit quality on the link measurements, percent
  int n = 0;
  double evaluateKbit(double kbit) const { return intercept + slopePerKbit * kbit; }
  double evaluateBytes(double bytes) const { return evaluateKbit(bytes * 8.0 / 1024.0); }
};

struct Link {
  std::string from, to;
  AffineCost latency; // unit "ms"
  bool hasEnergy = false;
  AffineCost energy; // unit "J"; only meaningful when hasEnergy
  std::string source;
  /// The cost parameters are stated assumptions, not fitted to measurements (no fit figures; `source` says what
  /// was assumed and why). Carried into the IR so that every cost derived from the link is labelled.
  bool assumed = false;
};

/// Cross-validation figures of a model (percentages as numbers: 7.5 means 7.5 %).
struct CvFigures {
  double mape = 0, medianApe = 0, p90Ape = 0, within10pct = 0, bias = 0, rmspe = 0;
  int folds = 0, n = 0;
  unsigned long long seed = 0;
  /// Nested CV of the whole selection (the structure and order chosen again inside every outer fold): what a model
  /// chosen this way does on unseen rows. The figures above are of the chosen model's own folds, optimistic when
  /// many candidates compete. hasNested is false where it was not computed (spec "cv": {"nested": false}).
  bool hasNested = false;
  double nestedMape = 0, nestedMedianApe = 0, nestedP90Ape = 0, nestedWithin10pct = 0;
};

/// Which layers of an op kind a model covers. Depthwise and dense convolutions run different kernels (CPU
/// libraries) or engines (FPGA), and a global pool (the whole map into one pixel, as classifiers end) walks memory
/// differently from a windowed one, so a platform may identify them separately; a layer uses the model of its own
/// variant when the library has one, else the op kind's model for any layer.
enum class ModelVariant { Any, Dense, Depthwise, Windowed, Global };
constexpr int kNumModelVariants = static_cast<int>(ModelVariant::Global) + 1;
const char *modelVariantName(ModelVariant variant);
bool parseModelVariant(std::string_view text, ModelVariant &variant);
/// The op kind whose layers a variant divides (conv2d: dense, depthwise; pool2d: windowed, global).
OpKind variantOp(ModelVariant variant) noexcept;
/// Empty when models (or tables: `what`) of `op` may carry `variant`, else why not.
std::string variantProblem(ModelVariant variant, OpKind op, const char *what);
/// Dense: groups == 1. Depthwise: groups > 1 and groups == c_in (grouped convolutions are neither). Global: a pool
/// with a 1x1 output whose window covers the whole (unpadded) map. Windowed: any other pool.
bool variantMatches(ModelVariant variant, const Layer &layer) noexcept;
/// The specific variant a layer belongs to (Any for grouped convolutions and ops without variants); the variants of
/// an op kind are disjoint.
ModelVariant variantOf(const Layer &layer) noexcept;

struct KpiModel {
  std::string device;
  OpKind op = OpKind::Conv2d;
  ModelVariant variant = ModelVariant::Any;
  std::string kpi;  // column name, e.g. "latency_ms"
  std::string unit; // e.g. "ms", "J", "W", "ALM"
  Model model;
  CvFigures cv;
  std::string source; // where the training data came from

  Prediction predict(const Layer &layer) const noexcept { return model.predict(layer); }
};

struct PlatformInfo {
  std::string name;
  std::string description;
};

class Library {
public:
  static Expected<Library> load(const std::string &path) noexcept;
  static Expected<Library> parse(std::string_view text, std::string_view sourceName = "<string>") noexcept;
  /// JSON text (compact: one model per line). Empty string only if serialisation itself failed (never expected).
  std::string toJson() const noexcept;
  /// Writes atomically (temporary file then rename). Returns false and sets *error on failure.
  bool save(const std::string &path, std::string *error) const noexcept;
  /// Validates cross references (devices named by links and models exist, no duplicate models). Empty if fine.
  std::string validate() const;

  PlatformInfo platform;
  std::vector<Device> devices;
  std::vector<Link> links;
  std::vector<KpiModel> models;
  /// What the library was recalibrated from, oldest first: one JSON object per recalibration (source library,
  /// device, probe tables, machine, date, per-model scales and figures), kept verbatim.
  std::vector<std::string> calibrations;

  const Device *findDevice(std::string_view name) const noexcept;
  const Link *findLink(std::string_view from, std::string_view to) const noexcept;
  const KpiModel *findModel(std::string_view device, OpKind op, std::string_view kpi,
                            ModelVariant variant = ModelVariant::Any) const noexcept;
  /// The model a layer uses: its variant's model when present, else the op kind's model for any layer, else (a grouped
  /// convolution) the dense model.
  const KpiModel *findModelFor(std::string_view device, const Layer &layer, std::string_view kpi) const noexcept;
};

/// One KPI model as a standalone JSON document (what `flydel-identify -o MODEL.json` writes).
std::string kpiModelToJson(const KpiModel &model) noexcept;
Expected<KpiModel> parseKpiModel(std::string_view text, std::string_view sourceName = "<string>") noexcept;

/// Writes text to path atomically: a temporary file in the same directory, then rename. False + *error on failure.
bool writeFileAtomically(const std::string &path, const std::string &text, std::string *error) noexcept;

} // namespace flydel

#endif // FLYDEL_MODEL_LIBRARY_H
