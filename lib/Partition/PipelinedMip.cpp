//===- PipelinedMip.cpp - pipelined assignment as a MIP (CBC) -------------===//

#include "PipelinedMip.h"

#include <cmath>
#include <limits>
#include <string>

#ifdef FLYDEL_HAVE_CBC
#include <Cbc_C_Interface.h>
#endif

namespace flydel {

bool mipAvailable() {
#ifdef FLYDEL_HAVE_CBC
  return true;
#else
  return false;
#endif
}

#ifndef FLYDEL_HAVE_CBC
MipResult solvePipelinedMip(const AssignmentProblem &, const std::vector<std::vector<int>> &, const std::vector<int> &,
                            double) {
  return {};
}
#else

namespace {

/// Columns and rows in CBC's column-major form, built row by row.
struct Model {
  std::vector<double> lower, upper, cost;
  std::vector<bool> integer;
  std::vector<std::vector<std::pair<int, double>>> columns; // per column: (row, coefficient)
  std::vector<double> rowLower, rowUpper;

  int column(double lo, double hi, double c, bool isInteger) {
    lower.push_back(lo);
    upper.push_back(hi);
    cost.push_back(c);
    integer.push_back(isInteger);
    columns.emplace_back();
    return static_cast<int>(lower.size()) - 1;
  }
  void row(const std::vector<std::pair<int, double>> &terms, double lo, double hi) {
    int r = static_cast<int>(rowLower.size());
    for (const auto &[col, coef] : terms)
      if (coef != 0)
        columns[col].push_back({r, coef});
    rowLower.push_back(lo);
    rowUpper.push_back(hi);
  }
};

} // namespace

MipResult solvePipelinedMip(const AssignmentProblem &p, const std::vector<std::vector<int>> &consumers,
                            const std::vector<int> &start, double seconds) {
  MipResult result;
  if (p.mode != ScheduleMode::Pipelined || (p.objective != Objective::Latency && p.objective != Objective::Weighted) ||
      seconds <= 0)
    return result;
  const size_t n = p.nodes.size();
  const int devices = p.numDevices;
  const double inf = std::numeric_limits<double>::infinity(); // CBC reads an infinite bound as none
  const double latencyWeight = p.objective == Objective::Latency ? 1.0 : p.weight;
  const double energyWeight = p.objective == Objective::Latency ? 0.0 : 1.0 - p.weight;

  Model m;
  const int period = m.column(0, inf, latencyWeight, false);
  std::vector<std::vector<int>> x(n, std::vector<int>(devices, -1)); // node on device
  for (size_t v = 0; v < n; ++v) {
    const AssignmentNode &node = p.nodes[v];
    std::vector<std::pair<int, double>> one;
    for (int d = 0; d < devices; ++d)
      if (node.allowed[d]) {
        x[v][d] = m.column(0, 1, energyWeight * node.energyUj[d], true);
        one.push_back({x[v][d], 1});
      }
    m.row(one, 1, 1);
    if (!node.sameDeviceAs.empty())
      for (int d = 0; d < devices; ++d)
        if (x[v][d] >= 0 && node.sameDeviceAs[d] >= 0) {
          int partner = x[node.sameDeviceAs[d]][d];
          if (partner < 0)
            m.row({{x[v][d], 1}}, 0, 0); // its producer cannot go there: neither can it
          else
            m.row({{x[v][d], 1}, {partner, -1}}, -inf, 0);
        }
  }
  // Shipments: u's output goes from a to d once if any consumer sits on d while u sits on a.
  std::vector<std::vector<std::vector<std::pair<int, double>>>> linkLoad(
      devices, std::vector<std::vector<std::pair<int, double>>>(devices));
  for (size_t u = 0; u < n; ++u)
    for (int a = 0; a < devices; ++a) {
      if (x[u][a] < 0)
        continue;
      for (int d = 0; d < devices; ++d) {
        if (d == a)
          continue;
        const LinkCost &link = p.links[a][d];
        int ship = -1;
        for (int w : consumers[u]) {
          if (x[w][d] < 0)
            continue;
          if (!link.available) {
            m.row({{x[u][a], 1}, {x[w][d], 1}}, -inf, 1);
            continue;
          }
          if (ship < 0) {
            double energy = link.hasEnergy ? link.energyFixedUj + link.energyPerByteUj * p.nodes[u].outputBytes : 0;
            ship = m.column(0, 1, energyWeight * energy, false);
            linkLoad[a][d].push_back({ship, link.latencyFixedUs + link.latencyPerByteUs * p.nodes[u].outputBytes});
          }
          m.row({{ship, 1}, {x[u][a], -1}, {x[w][d], -1}}, -1, inf);
        }
      }
    }
  // The period bounds every stage: each device's summed latency, each link's summed transfers.
  for (int d = 0; d < devices; ++d) {
    std::vector<std::pair<int, double>> load{{period, 1}};
    for (size_t v = 0; v < n; ++v)
      if (x[v][d] >= 0)
        load.push_back({x[v][d], -p.nodes[v].latencyUs[d]});
    m.row(load, 0, inf);
  }
  for (int a = 0; a < devices; ++a)
    for (int d = 0; d < devices; ++d)
      if (!linkLoad[a][d].empty()) {
        std::vector<std::pair<int, double>> load{{period, 1}};
        for (const auto &[ship, t] : linkLoad[a][d])
          load.push_back({ship, -t});
        m.row(load, 0, inf);
      }
  for (size_t b = 0; b < p.budgets.size(); ++b) {
    int d = p.budgets[b].device;
    std::vector<std::pair<int, double>> use;
    for (size_t v = 0; v < n; ++v)
      if (x[v][d] >= 0)
        use.push_back({x[v][d], p.nodes[v].resources[d][b]});
    m.row(use, -inf, p.budgets[b].capacity);
  }

  std::vector<int> startIndex(1, 0), index;
  std::vector<double> value;
  for (const auto &col : m.columns) {
    for (const auto &[r, coef] : col) {
      index.push_back(r);
      value.push_back(coef);
    }
    startIndex.push_back(static_cast<int>(index.size()));
  }
  Cbc_Model *model = Cbc_newModel();
  Cbc_loadProblem(model, static_cast<int>(m.lower.size()), static_cast<int>(m.rowLower.size()), startIndex.data(),
                  index.data(), value.data(), m.lower.data(), m.upper.data(), m.cost.data(), m.rowLower.data(),
                  m.rowUpper.data());
  for (size_t c = 0; c < m.integer.size(); ++c)
    if (m.integer[c])
      Cbc_setInteger(model, static_cast<int>(c));
  Cbc_setObjSense(model, 1);
  Cbc_setLogLevel(model, 0);
  Cbc_setParameter(model, "timeMode", "elapsed");
  Cbc_setMaximumSeconds(model, seconds);
  Cbc_setAllowableGap(model, 0);
  Cbc_setParameter(model, "ratioGap", "1e-9");
  // CBC 2.10's preprocessing crashes in its post-processing when the time limit stops it (a segfault in
  // CglPreProcess::postProcess with limits of a few ms); without it real CNNs still solve in the same 0.1 s.
  Cbc_setParameter(model, "preprocess", "off");
  if (start.size() == n) {
    std::vector<int> cols;
    std::vector<double> vals;
    for (size_t v = 0; v < n; ++v)
      for (int d = 0; d < devices; ++d)
        if (x[v][d] >= 0) {
          cols.push_back(x[v][d]);
          vals.push_back(start[v] == d ? 1.0 : 0.0);
        }
    Cbc_setMIPStartI(model, static_cast<int>(cols.size()), cols.data(), vals.data());
  }
  Cbc_solve(model);
  result.ran = true;
  result.bound = Cbc_getBestPossibleObjValue(model);
  result.provenOptimal = Cbc_isProvenOptimal(model);
  if (Cbc_numberSavedSolutions(model) > 0 || result.provenOptimal) {
    const double *solution = Cbc_bestSolution(model); // the best integer solution, not the last LP's point
    result.devices.assign(n, -1);
    bool whole = solution != nullptr;
    for (size_t v = 0; v < n && whole; ++v) {
      for (int d = 0; d < devices; ++d)
        if (x[v][d] >= 0 && solution[x[v][d]] > 0.5)
          result.devices[v] = d;
      whole = result.devices[v] >= 0;
    }
    result.solution = whole;
  }
  Cbc_deleteModel(model);
  return result;
}
#endif

} // namespace flydel
