//===- Predict.cpp - A library's models evaluated on one device -----------===//

#include "flydel/Model/Predict.h"

#include <algorithm>

namespace flydel {

namespace {
/// A layer of each (op kind, variant) that exists: the model table is filled by asking Library::findModelFor
/// about it, whose choice depends on the layer only through its op kind and variant (variantOf).
std::vector<Layer> representativeLayers() {
  std::vector<Layer> layers;
  for (OpKind op : {OpKind::Conv2d, OpKind::Pool2d, OpKind::MatMul, OpKind::Elementwise, OpKind::DataMovement}) {
    Layer base;
    base.op = op;
    base.in_h = base.in_w = 2;
    base.c_in = base.c_out = 4;
    layers.push_back(base); // conv2d: dense; pool2d: windowed (1x1 window on a 2x2 map); others: any
    if (op == OpKind::Conv2d) {
      Layer depthwise = base, grouped = base;
      depthwise.groups = 4;
      grouped.groups = 2;
      layers.push_back(depthwise);
      layers.push_back(grouped); // neither dense nor depthwise: the Any variant
    }
    if (op == OpKind::Pool2d) {
      Layer global = base;
      global.kernel_h = global.kernel_w = 2;
      layers.push_back(global);
    }
  }
  return layers;
}
} // namespace

Expected<DevicePredictor> DevicePredictor::create(const Library &library, const std::string &name) {
  const Device *device = library.findDevice(name);
  if (!device) {
    std::string known;
    for (const Device &d : library.devices)
      known += (known.empty() ? "" : ", ") + d.name;
    return makeError("platform '" + library.platform.name + "' has no device '" + name + "' (devices: " + known + ")");
  }
  DevicePredictor p;
  p.library_ = &library;
  p.device_ = device;
  for (const KpiModel &model : library.models) {
    if (model.device != name)
      continue;
    auto it = std::find(p.kpis_.begin(), p.kpis_.end(), model.kpi);
    int index = static_cast<int>(it - p.kpis_.begin());
    if (it == p.kpis_.end())
      p.kpis_.push_back(model.kpi);
    std::vector<int> &order = p.order_[static_cast<int>(model.op)];
    if (std::find(order.begin(), order.end(), index) == order.end())
      order.push_back(index);
  }
  p.models_.assign(p.kpis_.size(), {});
  for (const Layer &layer : representativeLayers())
    for (size_t k = 0; k < p.kpis_.size(); ++k)
      p.models_[k][static_cast<int>(layer.op)][static_cast<int>(variantOf(layer))] =
          library.findModelFor(name, layer, p.kpis_[k]);
  for (const auto &[resource, capacity] : device->capacities) {
    auto it = std::find(p.kpis_.begin(), p.kpis_.end(), resource);
    p.capacityKpis_.push_back({resource, it == p.kpis_.end() ? -1 : static_cast<int>(it - p.kpis_.begin())});
  }
  return p;
}

void DevicePredictor::predict(const Layer &layer, const FeatureVector &features, std::vector<KpiOutcome> &outcomes,
                              std::vector<CapacityExcess> &excesses) const {
  outcomes.assign(kpis_.size(), KpiOutcome());
  excesses.clear();
  const int op = static_cast<int>(layer.op), variant = static_cast<int>(variantOf(layer));
  for (int k : order_[op]) {
    KpiOutcome &o = outcomes[k];
    o.model = models_[k][op][variant];
    if (!o.model)
      continue; // only a model of another variant exists: no prediction for this layer
    o.prediction = o.model->model.predict(features);
    o.status = KpiOutcome::Status::Predicted;
  }
  // A layer over any capacity does not fit; its resources over capacity give their demand, flagged, and every
  // other KPI no number.
  std::vector<std::pair<std::string, double>> demands;
  for (const auto &[resource, k] : capacityKpis_)
    if (k >= 0 && outcomes[k].model)
      demands.push_back({resource, outcomes[k].prediction.value});
  if (demands.empty())
    return;
  excesses = capacityExcesses(*device_, demands);
  if (excesses.empty())
    return;
  bool fits = fitsDespite(excesses);
  for (size_t k = 0; k < kpis_.size(); ++k) {
    KpiOutcome &o = outcomes[k];
    if (o.status == KpiOutcome::Status::NoModel)
      continue;
    auto excess = std::find_if(excesses.begin(), excesses.end(),
                               [&](const CapacityExcess &e) { return e.resource == kpis_[k]; });
    if (excess != excesses.end()) {
      o.status = KpiOutcome::Status::ExceedsCapacity;
      o.capacity = excess->capacity;
    } else if (!fits) {
      o.status = KpiOutcome::Status::DoesNotFit;
    }
  }
}

} // namespace flydel
