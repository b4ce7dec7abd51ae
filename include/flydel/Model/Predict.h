//===- Predict.h - A library's models evaluated on one device ---*- C++ -*-===//
//
// What `flydel-identify --predict` reports for a layer on a device, as data: every KPI the device's models give for
// the layer's op kind (its variant's model where the library has one), evaluated on the layer as the device sees it
// (deviceView), with the extrapolation status and the feasibility annotate-kpis applies (a resource over capacity
// "exceeds_capacity" with its demand; the other KPIs of a layer that does not fit, "does_not_fit" and no value).
// The tool and the Python package both print from it, so they agree by construction. Which model serves which
// (op kind, variant, KPI) is resolved once per predictor; predicting allocates only for excesses. MLIR-free.
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_MODEL_PREDICT_H
#define FLYDEL_MODEL_PREDICT_H

#include "flydel/Model/Library.h"

#include <array>
#include <string>
#include <vector>

namespace flydel {

/// One KPI of one layer on one device.
struct KpiOutcome {
  enum class Status { NoModel, Predicted, ExceedsCapacity, DoesNotFit };
  Status status = Status::NoModel;
  const KpiModel *model = nullptr; // null when NoModel
  Prediction prediction;           // the model's prediction (also kept for DoesNotFit, whose value is not reported)
  double capacity = 0.0;           // ExceedsCapacity: the device's capacity of this resource
  /// The value reported: the prediction, the demand for ExceedsCapacity; meaningless for NoModel and DoesNotFit.
  double value() const { return prediction.value; }
  bool hasValue() const { return status == Status::Predicted || status == Status::ExceedsCapacity; }
};

class DevicePredictor {
public:
  /// Fails when the library has no such device (the message names the devices it has).
  static Expected<DevicePredictor> create(const Library &library, const std::string &device);

  const Device &device() const { return *device_; }
  /// Every KPI column the device has a model for, in the library's order: the index of predict()'s outcomes.
  const std::vector<std::string> &kpis() const { return kpis_; }
  /// The KPI indices a layer of this op kind may have, in the library's order of its models of that op kind
  /// (the order flydel-identify --predict prints them in).
  const std::vector<int> &kpiOrder(OpKind op) const { return order_[static_cast<int>(op)]; }

  /// Evaluates the layer: outcomes[k] for every k of kpis() (resized to it), the resources over capacity in
  /// `excesses` (in the order of the device's capacities). The layer does not fit when !fitsDespite(excesses).
  void predict(const Layer &layer, std::vector<KpiOutcome> &outcomes, std::vector<CapacityExcess> &excesses) const {
    predict(layer, computeFeatures(view(layer)), outcomes, excesses);
  }
  /// As above, given the features of view(layer): devices that see a layer alike can share them (batches).
  void predict(const Layer &layer, const FeatureVector &features, std::vector<KpiOutcome> &outcomes,
               std::vector<CapacityExcess> &excesses) const;
  /// The layer as this device's models see it (deviceView: its data type, folded only on an FPGA).
  Layer view(const Layer &layer) const { return deviceView(*device_, layer); }

private:
  static constexpr int kNumOps = static_cast<int>(OpKind::DataMovement) + 1;
  const Library *library_ = nullptr;
  const Device *device_ = nullptr;
  std::vector<std::string> kpis_;
  std::array<std::vector<int>, kNumOps> order_;
  /// [kpi][op][variant]: the model Library::findModelFor gives a layer of that op kind and variant (null: none).
  std::vector<std::array<std::array<const KpiModel *, kNumModelVariants>, kNumOps>> models_;
  /// (capacity name, its KPI index or -1), in the order of Device::capacities.
  std::vector<std::pair<std::string, int>> capacityKpis_;
};

} // namespace flydel

#endif // FLYDEL_MODEL_PREDICT_H
