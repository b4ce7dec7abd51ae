//===- Recalibrate.cpp - adapting a library to a drifted platform ---------===//

#include "flydel/Identify/Recalibrate.h"

#include "flydel/Identify/Solvers.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>

namespace flydel {

namespace {

using Json = nlohmann::ordered_json;

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  if (v.empty())
    return NAN;
  double pos = q * static_cast<double>(v.size() - 1);
  size_t lo = static_cast<size_t>(std::floor(pos));
  size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

/// One probe of a model: what was measured and what the library predicts.
struct Pair {
  double measured, predicted;
  FeatureVector x; // the probe's features as the model sees them
};

/// A linear-in-parameters model refitted on probes by ridge regression toward `center` (the old parameters with
/// the drift's scale folded in): min sum ((f(x_i) - y_i) / y_i)^2 (log target: (ln f - ln y)^2) + alpha *
/// sum ((theta_j - center_j) / sigma_j)^2, sigma_j the parameter's own size. Where the probes say nothing the
/// parameters stay at the center. Empty when the model has no such form.
std::vector<double> ridgeRefit(const Model &model, const std::vector<double> &center, const std::vector<Pair> &pairs,
                               const std::vector<size_t> &rows, double alpha) {
  if (model.structure == Structure::Paper || model.terms.empty() || center.size() != model.terms.size())
    return {};
  const Eigen::Index k = static_cast<Eigen::Index>(model.terms.size());
  const Eigen::Index n = static_cast<Eigen::Index>(rows.size());
  Eigen::MatrixXd a(n + k, k);
  Eigen::VectorXd b(n + k);
  for (Eigen::Index r = 0; r < n; ++r) {
    const Pair &p = pairs[rows[static_cast<size_t>(r)]];
    for (Eigen::Index j = 0; j < k; ++j) {
      double t = evaluateTerm(model.terms[static_cast<size_t>(j)], p.x);
      a(r, j) = model.target == Target::Log ? t : t * model.scale / p.measured;
    }
    b[r] = model.target == Target::Log ? std::log(p.measured / model.scale) : 1.0;
  }
  for (Eigen::Index j = 0; j < k; ++j) {
    double c = center[static_cast<size_t>(j)];
    double sigma = model.target == Target::Log ? std::max(std::fabs(c), 0.05) : std::max(std::fabs(c), 1e-300);
    double w = std::sqrt(alpha) / sigma;
    a.row(n + j).setZero();
    a(n + j, j) = w;
    b[n + j] = w * c;
  }
  Eigen::VectorXd theta = solveLeastSquares(a, b);
  if (!theta.allFinite())
    return {};
  return std::vector<double>(theta.data(), theta.data() + k);
}

/// The old parameters with a scale folded in: identity target, every parameter times s; log target, ln s added to
/// the constant term (none: empty, the scale cannot be folded in).
std::vector<double> scaledCenter(const Model &model, double s) {
  std::vector<double> c = model.params;
  if (model.target == Target::Identity) {
    for (double &p : c)
      p *= s;
    return c;
  }
  for (size_t j = 0; j < model.terms.size(); ++j)
    if (model.terms[j].factors.empty()) {
      c[j] += std::log(s);
      return c;
    }
  return {};
}

/// Fewer probes than this leave a model to a factor: a ridge refit on them would say little.
constexpr size_t kMinRefitProbes = 5;

/// A linear-in-parameters model whose scale can be folded into its parameters (ridgeRefit, scaledCenter).
bool refittable(const Model &model) {
  return model.structure != Structure::Paper && !model.terms.empty() && model.params.size() == model.terms.size() &&
         !scaledCenter(model, 1.0).empty();
}

double apeOf(const Model &model, const std::vector<double> &params, const Pair &p) {
  Model m = model;
  m.params = params;
  double f = m.evaluate(p.x);
  return std::fabs(f - p.measured) / p.measured;
}

/// Fills the figures of `c` from its pairs and decides, by leave-one-out error on the probes: unchanged, the
/// median ratio as a factor, or (a model given, at least 5 probes) a ridge refit toward its scaled parameters.
void decide(ProbeComparison &c, const std::vector<Pair> &pairs, int minProbes, const Model *model = nullptr) {
  std::vector<double> ratios;
  double before = 0;
  for (const Pair &p : pairs) {
    ratios.push_back(p.measured / p.predicted);
    before += std::fabs(p.predicted - p.measured) / p.measured;
  }
  const size_t n = pairs.size();
  c.probes = static_cast<int>(n);
  c.ratioMedian = quantile(ratios, 0.5);
  c.ratioP10 = quantile(ratios, 0.1);
  c.ratioP90 = quantile(ratios, 0.9);
  c.mapeBefore = 100 * before / static_cast<double>(n);
  c.mapeLeaveOneOut = c.mapeBefore;
  if (c.probes < minProbes) {
    c.decision = "too few probes (" + std::to_string(c.probes) + " < " + std::to_string(minProbes) + ")";
    return;
  }
  const std::vector<double> alphas = {10.0, 1.0, 0.1};
  bool refits = model && n >= kMinRefitProbes && refittable(*model);
  // Each probe's error unchanged, and left out of a factor and of each refit.
  std::vector<double> unchanged(n), scaled(n);
  std::vector<std::vector<double>> refit(alphas.size(), std::vector<double>(n, 0.0));
  for (size_t i = 0; i < n; ++i) {
    std::vector<double> others;
    std::vector<size_t> rows;
    for (size_t j = 0; j < n; ++j)
      if (j != i) {
        others.push_back(ratios[j]);
        rows.push_back(j);
      }
    double s = quantile(others, 0.5);
    unchanged[i] = std::fabs(pairs[i].predicted - pairs[i].measured) / pairs[i].measured;
    scaled[i] = std::fabs(s * pairs[i].predicted - pairs[i].measured) / pairs[i].measured;
    for (size_t a = 0; refits && a < alphas.size(); ++a) {
      std::vector<double> theta = ridgeRefit(*model, scaledCenter(*model, s), pairs, rows, alphas[a]);
      refit[a][i] = theta.empty() ? INFINITY : apeOf(*model, theta, pairs[i]);
    }
  }
  // An adaptation is kept only where it lowers the leave-one-out error by more than the standard error of the
  // probe-by-probe differences: a gain within the probes' own noise leaves the model unchanged (a library
  // recalibrated on rows of its own excitation refitted one model for 0.05 points and moved predictions by 9 %).
  auto beats = [&](const std::vector<double> &errors) {
    double mean = 0, squares = 0;
    for (size_t i = 0; i < n; ++i) {
      double d = unchanged[i] - errors[i];
      mean += d, squares += d * d;
    }
    if (!std::isfinite(mean))
      return false;
    mean /= static_cast<double>(n);
    double var = std::max(0.0, squares / static_cast<double>(n) - mean * mean) * static_cast<double>(n) /
                 static_cast<double>(n - 1);
    return mean > 0 && mean > std::sqrt(var / static_cast<double>(n));
  };
  auto sum = [](const std::vector<double> &v) { return std::accumulate(v.begin(), v.end(), 0.0); };
  double best = before;
  c.decision = "unchanged (no factor or refit lowers the leave-one-out error by more than its standard error)";
  if (n > 1 && beats(scaled)) {
    best = sum(scaled);
    c.scale = c.ratioMedian;
    c.decision = "scaled";
  }
  for (size_t a = 0; refits && a < alphas.size(); ++a)
    if (sum(refit[a]) < best && beats(refit[a])) {
      best = sum(refit[a]);
      c.alpha = alphas[a];
    }
  if (c.alpha > 0) {
    std::vector<size_t> all(n);
    for (size_t j = 0; j < n; ++j)
      all[j] = j;
    c.params = ridgeRefit(*model, scaledCenter(*model, c.ratioMedian), pairs, all, c.alpha);
    if (c.params.empty()) { // the refit failed on all probes: back to the factor or nothing
      c.alpha = 0;
      best = c.decision == "scaled" ? sum(scaled) : before;
    } else {
      c.scale = 1;
      char text[96];
      std::snprintf(text, sizeof text, "refitted (ridge toward the parameters x %.3f, alpha %g)", c.ratioMedian,
                    c.alpha);
      c.decision = text;
    }
  }
  c.mapeLeaveOneOut = 100 * best / static_cast<double>(n);
}

std::string modelLabel(const KpiModel &m) {
  std::string label = opKindName(m.op);
  if (m.variant != ModelVariant::Any)
    label += std::string("/") + modelVariantName(m.variant);
  return label;
}

struct Collected {
  std::vector<const KpiModel *> models;      // in library order
  std::map<const KpiModel *, std::vector<Pair>> perModel;
  std::map<std::string, std::vector<Pair>> perKpi; // every probe of the device, by KPI
  int rowsWithoutModel = 0;
};

Expected<Collected> collect(const Library &library, const std::string &device, const MeasurementTable &probes) {
  const Device *dev = library.findDevice(device);
  if (!dev) {
    std::string names;
    for (const Device &d : library.devices)
      names += (names.empty() ? "" : ", ") + d.name;
    return makeError("library '" + library.platform.name + "' has no device '" + device + "' (it has " + names + ")");
  }
  Collected c;
  for (const KpiModel &m : library.models)
    if (m.device == device)
      c.models.push_back(&m);
  bool anyKpi = false;
  for (size_t k = 0; k < probes.kpiNames.size(); ++k) {
    const std::string &kpi = probes.kpiNames[k];
    bool modelled = std::any_of(c.models.begin(), c.models.end(), [&](const KpiModel *m) { return m->kpi == kpi; });
    if (!modelled)
      continue;
    anyKpi = true;
    for (size_t row = 0; row < probes.layers.size(); ++row) {
      double y = probes.kpiValues[k][row];
      if (!(y > 0) || !std::isfinite(y))
        continue; // not measured (empty cell) or meaningless for a ratio
      Layer layer = deviceView(*dev, probes.layers[row]);
      const KpiModel *m = library.findModelFor(device, layer, kpi);
      if (!m) {
        ++c.rowsWithoutModel;
        continue;
      }
      Prediction p = m->predict(layer);
      if (!(p.value > 0) || !std::isfinite(p.value))
        return makeError(probes.source + ":" + std::to_string(probes.lines[row]) + ": the library predicts " +
                         std::to_string(p.value) + " " + m->unit + " for this probe (" + kpi + "): not a number to "
                         "compare with");
      FeatureVector x = computeFeatures(layer);
      c.perModel[m].push_back({y, p.value, x});
      c.perKpi[kpi].push_back({y, p.value, x});
    }
  }
  if (!anyKpi)
    return makeError(probes.source + ": no KPI column that a model of device '" + device + "' predicts");
  if (c.perKpi.empty())
    return makeError(probes.source + ": no probe row that a model of device '" + device + "' predicts");
  return c;
}

/// `rowOf` (optional): each probed model's row in the report.
ProbeReport reportOf(const Collected &c, const std::string &device, const RecalibrationOptions &options,
                     std::map<const KpiModel *, size_t> *rowOf = nullptr) {
  ProbeReport report;
  report.device = device;
  report.rowsWithoutModel = c.rowsWithoutModel;
  for (const KpiModel *m : c.models) {
    auto it = c.perModel.find(m);
    if (it == c.perModel.end())
      continue;
    ProbeComparison comparison;
    comparison.kpi = m->kpi;
    comparison.model = modelLabel(*m);
    decide(comparison, it->second, options.minProbes, options.refit ? &m->model : nullptr);
    comparison.cvMape = m->cv.mape;
    comparison.shapeDrift = comparison.probes >= options.minProbes && comparison.cvMape > 0 &&
                            comparison.mapeLeaveOneOut > std::max(2 * comparison.cvMape, comparison.cvMape + 10);
    if (rowOf)
      (*rowOf)[m] = report.models.size();
    report.models.push_back(comparison);
  }
  for (const auto &[kpi, pairs] : c.perKpi) {
    ProbeComparison comparison;
    comparison.kpi = kpi;
    comparison.model = "all ops";
    decide(comparison, pairs, options.minProbes);
    report.largestDriftPct = std::max(report.largestDriftPct, 100 * std::fabs(comparison.ratioMedian - 1));
    report.models.push_back(comparison);
  }
  return report;
}

Json comparisonJson(const ProbeComparison &c) {
  return Json{{"kpi", c.kpi},
              {"model", c.model},
              {"probes", c.probes},
              {"ratio_median", c.ratioMedian},
              {"ratio_p10", c.ratioP10},
              {"ratio_p90", c.ratioP90},
              {"mape_before_pct", c.mapeBefore},
              {"mape_leave_one_out_pct", c.mapeLeaveOneOut},
              {"scale", c.scale},
              {"decision", c.decision},
              {"cv_mape_pct", c.cvMape},
              {"shape_drift", c.shapeDrift}};
}

} // namespace

Expected<ProbeReport> compareWithProbes(const Library &library, const std::string &device,
                                        const MeasurementTable &probes, const RecalibrationOptions &options) {
  auto collected = collect(library, device, probes);
  if (!collected)
    return makeError(collected.error());
  return reportOf(*collected, device, options);
}

Expected<Library> recalibrate(const Library &library, const std::string &device, const MeasurementTable &probes,
                              const std::string &provenanceJson, ProbeReport &report,
                              const RecalibrationOptions &options) {
  auto collected = collect(library, device, probes);
  if (!collected)
    return makeError(collected.error());
  std::map<const KpiModel *, size_t> rowOf;
  report = reportOf(*collected, device, options, &rowOf);
  std::map<std::string, const ProbeComparison *> deviceWide;
  for (const ProbeComparison &c : report.models)
    if (c.model == "all ops")
      deviceWide[c.kpi] = &c;
  Library out = library;
  Json record = provenanceJson.empty() ? Json::object() : Json::parse(provenanceJson);
  record["device"] = device;
  Json scaled = Json::array();
  for (size_t i = 0; i < library.models.size(); ++i) {
    const KpiModel &m = library.models[i];
    if (m.device != device)
      continue;
    double scale = 1;
    std::string from;
    if (auto row = rowOf.find(&m); row != rowOf.end()) {
      const ProbeComparison &own = report.models[row->second];
      if (own.probes >= options.minProbes && !own.params.empty()) {
        Model &model = out.models[i].model;
        Json old = model.params;
        model.params = own.params;
        for (Model &form : model.outside)
          form.scale *= own.ratioMedian;
        model.dataBound.maxValue *= own.ratioMedian;
        model.dataBound.maxPerWork *= own.ratioMedian;
        scaled.push_back(Json{{"kpi", m.kpi}, {"model", modelLabel(m)}, {"refit_alpha", own.alpha},
                              {"old_params", old}, {"from", "its probes"}});
        continue;
      }
      if (own.probes >= options.minProbes) {
        scale = own.scale;
        from = "its probes";
      }
    }
    if (from.empty()) {
      auto it = deviceWide.find(m.kpi);
      if (it == deviceWide.end())
        continue; // no probe of this KPI on the device: unchanged
      scale = it->second->scale;
      from = "the device's probes of " + m.kpi;
    }
    if (scale == 1.0)
      continue;
    Model &model = out.models[i].model;
    model.scale *= scale;
    for (Model &form : model.outside)
      form.scale *= scale;
    // The data bound describes what layers cost on the machine the library now predicts.
    model.dataBound.maxValue *= scale;
    model.dataBound.maxPerWork *= scale;
    scaled.push_back(Json{{"kpi", m.kpi}, {"model", modelLabel(m)}, {"scale", scale}, {"from", from}});
  }
  Json figures = Json::array();
  for (const ProbeComparison &c : report.models)
    figures.push_back(comparisonJson(c));
  record["figures"] = figures; // beside "probes", the tables they were measured in
  record["scaled"] = scaled;
  out.calibrations.push_back(record.dump());
  if (std::string problem = out.validate(); !problem.empty())
    return makeError("the recalibrated library is not valid: " + problem);
  return out;
}

/// The `k` rows of `rows` (model's log prediction, candidate row) that tell most about the relative change of each
/// of a refittable model's parameters, the quantities the ridge refit estimates: row i's sensitivities are
/// z_ij = d ln f / d delta_j for the parameter changes the refit penalises, delta_j = (theta_j - c_j) / sigma_j
/// (identity target: sigma_j = |theta_j|, z_ij is term j's share of the prediction; log target: sigma_j =
/// max(|theta_j|, 0.05), z_ij the term's value times sigma_j), and the rows are added greedily, each the one of
/// largest z^T M^-1 z, M = I + sum z z^T (the refit's middle ridge penalty as prior): a D-optimal design. Rows
/// spread over the predicted range pin a factor as well, but put several probes where one term dominates and none
/// where two terms trade off, which is what a drift of shape changes. Rows whose prediction the terms do not set
/// (the floor, the bounded form) or set only by cancelling each other (shares in the hundreds: noise decides
/// them) are left out. Empty where the model is not refittable (paper forms, terms without parameters) or gets
/// fewer than 5 probes (too few for the refit, decide(): a factor only, which rows spread over the range pin
/// best); may return fewer than k. Positions in `rows`.
std::vector<size_t> informativeRows(const Device &dev, const Model &model, const MeasurementTable &candidates,
                                    const std::vector<std::pair<double, size_t>> &rows, int k) {
  if (!refittable(model) || k < static_cast<int>(kMinRefitProbes))
    return {};
  const Eigen::Index p = static_cast<Eigen::Index>(model.terms.size());
  std::vector<Eigen::VectorXd> z;
  std::vector<size_t> rowOf; // each z's position in `rows`
  for (size_t at = 0; at < rows.size(); ++at) {
    FeatureVector x = computeFeatures(deviceView(dev, candidates.layers[rows[at].second]));
    Eigen::VectorXd zi(p);
    double linear = 0, magnitude = 0;
    for (Eigen::Index j = 0; j < p; ++j) {
      double theta = model.params[static_cast<size_t>(j)];
      double term = evaluateTerm(model.terms[static_cast<size_t>(j)], x);
      zi[j] = model.target == Target::Log ? term * std::max(std::fabs(theta), 0.05) : theta * term;
      linear += theta * term;
      magnitude += std::fabs(theta * term);
    }
    // The model's output before its scale: max(sum, floor) (identity), max(exp(sum), floor) (log).
    double unscaled = model.target == Target::Log ? std::exp(linear) : linear;
    if (!(unscaled > model.floor))
      continue; // the floor (a GPU launch floor), or the bounded form where not positive, sets this prediction
    if (model.target == Target::Identity) {
      if (linear < 1e-2 * magnitude)
        continue;
      zi /= linear;
    }
    if (!zi.allFinite())
      continue;
    z.push_back(std::move(zi));
    rowOf.push_back(at);
  }
  if (z.size() <= static_cast<size_t>(k))
    return rowOf;
  Eigen::MatrixXd information = Eigen::MatrixXd::Identity(p, p);
  std::vector<bool> taken(z.size(), false);
  std::vector<size_t> picked;
  for (int j = 0; j < k; ++j) {
    Eigen::LDLT<Eigen::MatrixXd> solver(information);
    size_t best = z.size();
    double bestGain = -1;
    for (size_t i = 0; i < z.size(); ++i)
      if (!taken[i]) {
        double gain = z[i].dot(solver.solve(z[i]));
        if (gain > bestGain)
          bestGain = gain, best = i;
      }
    if (best == z.size())
      break;
    taken[best] = true;
    information += z[best] * z[best].transpose();
    picked.push_back(rowOf[best]);
  }
  return picked;
}

Expected<std::vector<size_t>> chooseProbes(const Library &library, const std::string &device,
                                           const MeasurementTable &candidates, int count,
                                           const RecalibrationOptions &options) {
  const Device *dev = library.findDevice(device);
  if (!dev)
    return makeError("library '" + library.platform.name + "' has no device '" + device + "'");
  if (count < 1)
    return makeError("the number of probes must be at least 1");
  // The KPI the probes pin down: the first one the device's models predict (latency for measured hosts).
  std::string kpi;
  for (const KpiModel &m : library.models)
    if (m.device == device) {
      kpi = m.kpi;
      break;
    }
  if (kpi.empty())
    return makeError("device '" + device + "' has no model");
  std::map<const KpiModel *, std::vector<std::pair<double, size_t>>> groups; // model -> (log prediction, row)
  std::vector<const KpiModel *> order;
  for (size_t row = 0; row < candidates.layers.size(); ++row) {
    Layer layer = deviceView(*dev, candidates.layers[row]);
    const KpiModel *m = library.findModelFor(device, layer, kpi);
    if (!m)
      continue;
    double value = m->predict(layer).value;
    if (!(value > 0) || !std::isfinite(value))
      continue;
    if (!groups.count(m))
      order.push_back(m);
    groups[m].push_back({std::log(value), row});
  }
  if (groups.empty())
    return makeError(candidates.source + ": no row that a " + kpi + " model of device '" + device + "' predicts");
  // Shares: minProbes each where possible, the rest by sqrt(rows).
  std::vector<int> share(order.size(), 0);
  int left = count;
  for (size_t g = 0; g < order.size() && left > 0; ++g) {
    share[g] = std::min({options.minProbes, static_cast<int>(groups[order[g]].size()), left});
    left -= share[g];
  }
  double weights = 0;
  for (const KpiModel *m : order)
    weights += std::sqrt(static_cast<double>(groups[m].size()));
  for (int pass = 0; pass < 2 && left > 0; ++pass) {
    int startLeft = left;
    for (size_t g = 0; g < order.size() && left > 0; ++g) {
      int room = static_cast<int>(groups[order[g]].size()) - share[g];
      int extra = pass == 0 ? static_cast<int>(std::floor(startLeft * std::sqrt(static_cast<double>(
                                                                       groups[order[g]].size())) / weights))
                            : 1;
      extra = std::min({extra, room, left});
      share[g] += extra;
      left -= extra;
    }
  }
  std::vector<size_t> chosen;
  for (size_t g = 0; g < order.size(); ++g) {
    std::vector<std::pair<double, size_t>> &rows = groups[order[g]];
    std::sort(rows.begin(), rows.end());
    int k = share[g];
    // The design's rows first; what it leaves of the share (rows the terms do not set) spread over the range.
    std::vector<size_t> design = informativeRows(*dev, order[g]->model, candidates, rows, k);
    std::vector<bool> taken(rows.size(), false);
    for (size_t at : design) {
      taken[at] = true;
      chosen.push_back(rows[at].second);
    }
    const int m = k - static_cast<int>(design.size());
    for (int j = 0; j < m; ++j) {
      // Evenly spaced quantiles, ends included; a collision takes the next free row.
      size_t at = m == 1 ? rows.size() / 2
                         : static_cast<size_t>(std::lround(static_cast<double>(j) * (rows.size() - 1) / (m - 1)));
      while (taken[at])
        at = (at + 1) % rows.size();
      taken[at] = true;
      chosen.push_back(rows[at].second);
    }
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

} // namespace flydel
