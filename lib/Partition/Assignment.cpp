//===- Assignment.cpp - exact device assignment of a layer graph ----------===//

#include "flydel/Partition/Assignment.h"
#include "flydel/Model/EnumNames.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <unordered_map>

namespace flydel {

const char *objectiveName(Objective objective) {
  switch (objective) {
  case Objective::Latency:
    return "latency";
  case Objective::Energy:
    return "energy";
  case Objective::Edp:
    return "edp";
  case Objective::Weighted:
    return "weighted";
  }
  return "?";
}

bool parseObjective(const std::string &text, Objective &objective) {
  return parseByName(text, {Objective::Latency, Objective::Energy, Objective::Edp, Objective::Weighted},
                     objectiveName, objective);
}

const char *scheduleModeName(ScheduleMode mode) {
  return mode == ScheduleMode::Sequential ? "sequential" : "pipelined";
}

bool parseScheduleMode(const std::string &text, ScheduleMode &mode) {
  return parseByName(text, {ScheduleMode::Sequential, ScheduleMode::Pipelined}, scheduleModeName, mode);
}

namespace {

/// Successor lists without duplicates, and a topological order (Kahn, smallest index first, so the order is
/// deterministic and follows program order for IR-built problems). Empty order on a cycle.
struct GraphView {
  std::vector<std::vector<int>> succs, preds;
  std::vector<int> order, position;
};

GraphView viewOf(const AssignmentProblem &p) {
  size_t n = p.nodes.size();
  GraphView g;
  g.succs.assign(n, {});
  g.preds.assign(n, {});
  for (auto [u, v] : p.edges) {
    if (u == v)
      continue;
    if (std::find(g.succs[u].begin(), g.succs[u].end(), v) == g.succs[u].end()) {
      g.succs[u].push_back(v);
      g.preds[v].push_back(u);
    }
  }
  std::vector<int> indegree(n);
  for (size_t v = 0; v < n; ++v)
    indegree[v] = static_cast<int>(g.preds[v].size());
  // A binary heap keyed by index keeps the order deterministic.
  std::vector<int> ready;
  auto push = [&](int v) {
    ready.push_back(v);
    std::push_heap(ready.begin(), ready.end(), std::greater<int>());
  };
  for (size_t v = 0; v < n; ++v)
    if (indegree[v] == 0)
      push(static_cast<int>(v));
  while (!ready.empty()) {
    std::pop_heap(ready.begin(), ready.end(), std::greater<int>());
    int v = ready.back();
    ready.pop_back();
    g.order.push_back(v);
    for (int w : g.succs[v])
      if (--indegree[w] == 0)
        push(w);
  }
  if (g.order.size() != n)
    g.order.clear();
  g.position.assign(n, -1);
  for (size_t i = 0; i < g.order.size(); ++i)
    g.position[g.order[i]] = static_cast<int>(i);
  return g;
}

/// Layout of a DP label's cost vector for a problem.
struct CostLayout {
  int latencyComponents = 0; // sequential: 1; pipelined: one per device, then one per available link
  bool energy = false;
  int energyIndex = -1;
  int resourceBase = 0;
  int size = 0;
  std::vector<std::vector<int>> linkComponent; // [from][to] -> component (pipelined), else -1

  /// Sequential latency, energy and weighted objectives are sums over nodes and transfers: one scalar holds
  /// them exactly (component 0, accumulated with the weights `latencyWeight` and `energyWeight`).
  bool scalar = false;
  double latencyWeight = 1, energyWeight = 0;

  CostLayout(const AssignmentProblem &p) {
    if ((p.mode == ScheduleMode::Sequential && p.objective != Objective::Edp) || p.objective == Objective::Energy) {
      scalar = true;
      latencyWeight = p.objective == Objective::Latency ? 1.0 : p.objective == Objective::Energy ? 0.0 : p.weight;
      energyWeight = p.objective == Objective::Latency ? 0.0 : p.objective == Objective::Energy ? 1.0 : 1 - p.weight;
      linkComponent.assign(p.numDevices, std::vector<int>(p.numDevices, -1));
      resourceBase = 1;
      size = 1 + static_cast<int>(p.budgets.size());
      return;
    }
    bool needLatency = p.objective != Objective::Energy;
    energy = p.objective != Objective::Latency;
    linkComponent.assign(p.numDevices, std::vector<int>(p.numDevices, -1));
    if (needLatency) {
      if (p.mode == ScheduleMode::Sequential) {
        latencyComponents = 1;
      } else {
        latencyComponents = p.numDevices;
        for (int a = 0; a < p.numDevices; ++a)
          for (int b = 0; b < p.numDevices; ++b)
            if (a != b && p.links[a][b].available)
              linkComponent[a][b] = latencyComponents++;
      }
    }
    int next = latencyComponents;
    if (energy)
      energyIndex = next++;
    resourceBase = next;
    size = next + static_cast<int>(p.budgets.size());
  }

  double latencyOf(const double *c, ScheduleMode mode) const {
    if (latencyComponents == 0)
      return 0;
    if (mode == ScheduleMode::Sequential)
      return c[0];
    return *std::max_element(c, c + latencyComponents);
  }

  double objectiveOf(const AssignmentProblem &p, const double *c) const;
};

double objectiveFrom(const AssignmentProblem &p, double latency, double energy) {
  switch (p.objective) {
  case Objective::Latency:
    return latency;
  case Objective::Energy:
    return energy;
  case Objective::Edp:
    return latency * energy;
  case Objective::Weighted:
    return p.weight * latency + (1 - p.weight) * energy;
  }
  return latency;
}

double CostLayout::objectiveOf(const AssignmentProblem &p, const double *c) const {
  if (scalar)
    return c[0];
  return objectiveFrom(p, latencyOf(c, p.mode), energy ? c[energyIndex] : 0.0);
}

struct LabelRecord {
  int parent;
  int device;
};

} // namespace

std::string AssignmentProblem::check() const {
  if (numDevices <= 0 || numDevices > 8)
    return "the number of devices must be between 1 and 8";
  if (static_cast<int>(deviceNames.size()) != numDevices)
    return "one name per device is needed";
  if (static_cast<int>(links.size()) != numDevices)
    return "the link table must be numDevices x numDevices";
  for (const auto &row : links)
    if (static_cast<int>(row.size()) != numDevices)
      return "the link table must be numDevices x numDevices";
  for (const AssignmentNode &node : nodes) {
    if (static_cast<int>(node.allowed.size()) != numDevices ||
        static_cast<int>(node.latencyUs.size()) != numDevices ||
        static_cast<int>(node.energyUj.size()) != numDevices ||
        static_cast<int>(node.resources.size()) != numDevices)
      return "node '" + node.name + "' needs one entry per device";
    for (const auto &r : node.resources)
      if (r.size() != budgets.size())
        return "node '" + node.name + "' needs one resource usage per budget";
  }
  for (auto [u, v] : edges)
    if (u < 0 || v < 0 || u >= static_cast<int>(nodes.size()) || v >= static_cast<int>(nodes.size()))
      return "an edge refers to a node out of range";
  GraphView g = viewOf(*this);
  for (size_t v = 0; v < nodes.size(); ++v) {
    const std::vector<int> &same = nodes[v].sameDeviceAs;
    if (same.empty())
      continue;
    if (static_cast<int>(same.size()) != numDevices)
      return "node '" + nodes[v].name + "' needs one sameDeviceAs entry per device";
    // A producer: placed before the node, so the DP still holds its device when it places the node.
    for (int u : same)
      if (u >= 0 && std::find(g.preds[v].begin(), g.preds[v].end(), u) == g.preds[v].end())
        return "node '" + nodes[v].name + "' must share a device with a node that is not its producer";
  }
  for (const Budget &b : budgets)
    if (b.device < 0 || b.device >= numDevices)
      return "budget '" + b.resource + "' refers to a device out of range";
  if (!(weight >= 0 && weight <= 1))
    return "the weight must be in [0, 1]";
  if (!nodes.empty() && g.order.empty())
    return "the graph has a cycle";
  return {};
}

namespace {
/// evaluateAssignment with the graph view computed once (exhaustive search calls it millions of times).
AssignmentCost evaluateWith(const AssignmentProblem &p, const GraphView &g, const std::vector<int> &devices) {
  AssignmentCost cost;
  size_t n = p.nodes.size();
  if (devices.size() != n) {
    cost.infeasibility = "the assignment has the wrong size";
    return cost;
  }
  double deviceTime[8] = {};
  double linkTime[8][8] = {};
  cost.resourceUse.assign(p.budgets.size(), 0.0);
  double sequential = 0, energy = 0;
  for (size_t v = 0; v < n; ++v) {
    int d = devices[v];
    const AssignmentNode &node = p.nodes[v];
    if (d < 0 || d >= p.numDevices || !node.allowed[d]) {
      cost.infeasibility = "node '" + node.name + "' cannot be placed on device '" +
                           (d >= 0 && d < p.numDevices ? p.deviceNames[d] : std::string("?")) + "'";
      return cost;
    }
    if (!node.sameDeviceAs.empty() && node.sameDeviceAs[d] >= 0 && devices[node.sameDeviceAs[d]] != d) {
      cost.infeasibility = "node '" + node.name + "' can only be placed on device '" + p.deviceNames[d] +
                           "' together with node '" + p.nodes[node.sameDeviceAs[d]].name + "'";
      return cost;
    }
    sequential += node.latencyUs[d];
    deviceTime[d] += node.latencyUs[d];
    energy += node.energyUj[d];
    auto tally = [&](const std::vector<bool> &known, int &knownNodes, int &missingNodes) {
      if (known.empty() || known[d])
        ++knownNodes;
      else if (std::find(known.begin(), known.end(), true) != known.end())
        ++missingNodes;
    };
    tally(node.latencyKnown, cost.latencyKnownNodes, cost.latencyMissingNodes);
    tally(node.energyKnown, cost.energyKnownNodes, cost.energyMissingNodes);
    for (size_t b = 0; b < p.budgets.size(); ++b)
      if (p.budgets[b].device == d)
        cost.resourceUse[b] += node.resources[d][b];
    // One transfer per other device hosting a consumer.
    unsigned shipped = 0;
    for (int w : g.succs[v]) {
      int to = devices[w];
      if (to == d || (shipped >> to) & 1u)
        continue;
      shipped |= 1u << to;
      const LinkCost &link = p.links[d][to];
      if (!link.available) {
        cost.infeasibility = "no link from device '" + p.deviceNames[d] + "' to '" + p.deviceNames[to] +
                             "' for the output of '" + node.name + "'";
        return cost;
      }
      double t = link.latencyFixedUs + link.latencyPerByteUs * node.outputBytes;
      sequential += t;
      linkTime[d][to] += t;
      if (link.hasEnergy)
        energy += link.energyFixedUj + link.energyPerByteUj * node.outputBytes;
      else
        ++cost.energyMissingTransfers;
    }
  }
  for (size_t b = 0; b < p.budgets.size(); ++b)
    if (cost.resourceUse[b] > p.budgets[b].capacity) {
      cost.infeasibility = "resource '" + p.budgets[b].resource + "' of device '" +
                           p.deviceNames[p.budgets[b].device] + "' exceeds its budget";
      return cost;
    }
  double period = 0;
  for (int a = 0; a < p.numDevices; ++a) {
    period = std::max(period, deviceTime[a]);
    for (int b = 0; b < p.numDevices; ++b)
      period = std::max(period, linkTime[a][b]);
  }
  cost.latencyUs = p.mode == ScheduleMode::Sequential ? sequential : period;
  cost.energyUj = energy;
  cost.objective = objectiveFrom(p, cost.latencyUs, cost.energyUj);
  cost.feasible = true;
  return cost;
}

} // namespace

AssignmentCost evaluateAssignment(const AssignmentProblem &p, const std::vector<int> &devices) {
  if (std::string problemError = p.check(); !problemError.empty()) {
    AssignmentCost cost;
    cost.infeasibility = problemError;
    return cost;
  }
  return evaluateWith(p, viewOf(p), devices);
}

namespace {

/// The DP. Labels whose completion bound exceeds `upperBound` (the cost of a known assignment) are pruned:
/// they cannot lead to anything better.
AssignmentSolution runDp(const AssignmentProblem &p, const SolverOptions &options,
                         double upperBound = std::numeric_limits<double>::infinity());

double relaxedLowerBound(const AssignmentProblem &p, const SolverOptions &options) {
  // Budgets dropped, objective split into additive sequential parts: each part's exact optimum bounds it below.
  auto scalarOptimum = [&](Objective objective) {
    AssignmentProblem relaxed = p;
    relaxed.budgets.clear();
    for (AssignmentNode &node : relaxed.nodes)
      for (auto &r : node.resources)
        r.clear();
    relaxed.objective = objective;
    relaxed.mode = ScheduleMode::Sequential;
    AssignmentSolution s = runDp(relaxed, options);
    return s.feasible ? s.cost.objective : 0.0;
  };
  double latency = 0, energy = 0;
  if (p.objective != Objective::Energy) {
    latency = scalarOptimum(Objective::Latency);
    if (p.mode == ScheduleMode::Pipelined) {
      // The period is at least the total work spread over every stage, and at least the slowest single node.
      int stages = p.numDevices;
      for (int a = 0; a < p.numDevices; ++a)
        for (int b = 0; b < p.numDevices; ++b)
          stages += a != b && p.links[a][b].available;
      double slowest = 0;
      for (const AssignmentNode &node : p.nodes) {
        double best = std::numeric_limits<double>::infinity();
        for (int d = 0; d < p.numDevices; ++d)
          if (node.allowed[d])
            best = std::min(best, node.latencyUs[d]);
        if (std::isfinite(best))
          slowest = std::max(slowest, best);
      }
      latency = std::max(latency / stages, slowest);
    }
  }
  if (p.objective != Objective::Latency)
    energy = scalarOptimum(Objective::Energy);
  if (p.objective == Objective::Weighted && p.mode == ScheduleMode::Sequential) {
    AssignmentProblem relaxed = p;
    relaxed.budgets.clear();
    for (AssignmentNode &node : relaxed.nodes)
      for (auto &r : node.resources)
        r.clear();
    AssignmentSolution s = runDp(relaxed, options);
    return s.feasible ? s.cost.objective : 0.0;
  }
  return objectiveFrom(p, latency, energy);
}

AssignmentSolution runDp(const AssignmentProblem &p, const SolverOptions &options, double upperBound) {
  using Clock = std::chrono::steady_clock;
  auto start = Clock::now();
  AssignmentSolution solution;
  size_t n = p.nodes.size();
  GraphView g = viewOf(p);
  CostLayout layout(p);
  const int width = layout.size;

  // frontier[i]: nodes placed at steps <= i with a consumer placed after step i (static, in order of placement).
  std::vector<std::vector<int>> frontier(n);
  {
    std::vector<int> lastUse(n, -1);
    for (size_t v = 0; v < n; ++v)
      for (int w : g.succs[v])
        lastUse[v] = std::max(lastUse[v], g.position[w]);
    std::vector<int> current;
    for (size_t i = 0; i < n; ++i) {
      current.push_back(g.order[i]);
      std::vector<int> next;
      for (int u : current)
        if (lastUse[u] > static_cast<int>(i))
          next.push_back(u);
      current = next;
      frontier[i] = current;
      solution.maxFrontier = std::max(solution.maxFrontier, current.size());
    }
  }

  // Completion bounds: the cheapest the nodes after step i can possibly add (each on its best allowed device,
  // transfers free). A label whose bound exceeds the upper bound cannot win.
  std::vector<double> restLatency(n + 1, 0.0), restEnergy(n + 1, 0.0), restSlowest(n + 1, 0.0);
  for (size_t i = n; i-- > 0;) {
    const AssignmentNode &node = p.nodes[g.order[i]];
    double lat = std::numeric_limits<double>::infinity(), en = lat;
    for (int d = 0; d < p.numDevices; ++d)
      if (node.allowed[d]) {
        lat = std::min(lat, node.latencyUs[d]);
        en = std::min(en, node.energyUj[d]);
      }
    if (!std::isfinite(lat))
      lat = en = 0; // a node allowed nowhere makes the problem infeasible anyway
    restLatency[i] = restLatency[i + 1] + lat;
    restEnergy[i] = restEnergy[i + 1] + en;
    restSlowest[i] = std::max(restSlowest[i + 1], lat);
  }
  int stages = layout.latencyComponents;
  auto completionBound = [&](const double *c, size_t nextStep) {
    if (layout.scalar)
      return c[0] + layout.latencyWeight * restLatency[nextStep] + layout.energyWeight * restEnergy[nextStep];
    double latency = 0;
    if (layout.latencyComponents) {
      if (p.mode == ScheduleMode::Sequential) {
        latency = c[0] + restLatency[nextStep];
      } else {
        double sum = 0, most = 0;
        for (int k = 0; k < layout.latencyComponents; ++k) {
          sum += c[k];
          most = std::max(most, c[k]);
        }
        latency = std::max({most, (sum + restLatency[nextStep]) / stages, restSlowest[nextStep]});
      }
    }
    double energy = layout.energy ? c[layout.energyIndex] + restEnergy[nextStep] : 0.0;
    return objectiveFrom(p, latency, energy);
  };
  const double pruneAbove = upperBound * (1 + 1e-9);

  // A state: per frontier node, its device and the devices its output was shipped to.
  struct State {
    std::vector<uint16_t> key;
    std::vector<double> costs; // labels x width
    std::vector<int> records;  // label -> index into the record arena
  };
  std::vector<LabelRecord> arena;
  std::vector<State> states(1);
  std::vector<double> zero(width, 0.0);
  states[0].costs = zero;
  states[0].records.push_back(-1);

  bool exact = true;
  std::vector<double> candidate(width), delta(width);
  std::vector<uint16_t> key;
  std::string hashKey;
  for (size_t i = 0; i < n; ++i) {
    int v = g.order[i];
    const AssignmentNode &node = p.nodes[v];
    const std::vector<int> &before = i ? frontier[i - 1] : std::vector<int>{};
    const std::vector<int> &after = frontier[i];
    bool pressed = std::chrono::duration<double, std::milli>(Clock::now() - start).count() > options.timeLimitMs;
    if (pressed)
      exact = false;

    // Where each node of the new frontier comes from in the old one (-1: it is v).
    std::vector<int> from(after.size(), -1);
    for (size_t k = 0; k < after.size(); ++k)
      for (size_t j = 0; j < before.size(); ++j)
        if (before[j] == after[k])
          from[k] = static_cast<int>(j);
    std::vector<int> predSlot; // predecessors of v in the old frontier
    for (int u : g.preds[v])
      for (size_t j = 0; j < before.size(); ++j)
        if (before[j] == u)
          predSlot.push_back(static_cast<int>(j));
    // Per device: the old-frontier slot of the producer v must share it with, or -1.
    std::vector<int> sameSlot(p.numDevices, -1);
    for (int d = 0; d < p.numDevices && !node.sameDeviceAs.empty(); ++d)
      for (size_t j = 0; j < before.size(); ++j)
        if (node.sameDeviceAs[d] >= 0 && before[j] == node.sameDeviceAs[d])
          sameSlot[d] = static_cast<int>(j);

    std::vector<State> next;
    std::unordered_map<std::string, size_t> index;
    std::vector<uint16_t> scratch(before.size());
    for (const State &state : states) {
      size_t labels = state.records.size();
      for (int d = 0; d < p.numDevices; ++d) {
        if (!node.allowed[d] || (sameSlot[d] >= 0 && (state.key[sameSlot[d]] & 0xF) != d))
          continue;
        scratch = state.key;
        std::fill(delta.begin(), delta.end(), 0.0);
        bool ok = true;
        if (layout.scalar)
          delta[0] += layout.latencyWeight * node.latencyUs[d] + layout.energyWeight * node.energyUj[d];
        if (layout.latencyComponents)
          delta[p.mode == ScheduleMode::Sequential ? 0 : d] += node.latencyUs[d];
        if (layout.energy)
          delta[layout.energyIndex] += node.energyUj[d];
        for (size_t b = 0; b < p.budgets.size(); ++b)
          if (p.budgets[b].device == d)
            delta[layout.resourceBase + b] += node.resources[d][b];
        for (int slot : predSlot) {
          int ud = scratch[slot] & 0xF;
          unsigned mask = scratch[slot] >> 4;
          if (ud == d || (mask >> d) & 1u)
            continue;
          const LinkCost &link = p.links[ud][d];
          if (!link.available) {
            ok = false;
            break;
          }
          double bytes = p.nodes[before[slot]].outputBytes;
          double t = link.latencyFixedUs + link.latencyPerByteUs * bytes;
          if (layout.scalar)
            delta[0] += layout.latencyWeight * t +
                        (link.hasEnergy ? layout.energyWeight * (link.energyFixedUj + link.energyPerByteUj * bytes)
                                        : 0.0);
          if (layout.latencyComponents)
            delta[p.mode == ScheduleMode::Sequential ? 0 : layout.linkComponent[ud][d]] += t;
          if (layout.energy && link.hasEnergy)
            delta[layout.energyIndex] += link.energyFixedUj + link.energyPerByteUj * bytes;
          scratch[slot] = static_cast<uint16_t>(ud | ((mask | (1u << d)) << 4));
        }
        if (!ok)
          continue;
        key.resize(after.size());
        for (size_t k = 0; k < after.size(); ++k)
          key[k] = from[k] < 0 ? static_cast<uint16_t>(d) : scratch[from[k]];
        hashKey.assign(reinterpret_cast<const char *>(key.data()), key.size() * sizeof(uint16_t));
        auto [it, inserted] = index.try_emplace(hashKey, next.size());
        if (inserted) {
          next.emplace_back();
          next.back().key = key;
        }
        State &target = next[it->second];
        for (size_t l = 0; l < labels; ++l) {
          const double *base = &state.costs[l * width];
          bool fits = true;
          for (int c = 0; c < width; ++c)
            candidate[c] = base[c] + delta[c];
          for (size_t b = 0; b < p.budgets.size(); ++b)
            if (candidate[layout.resourceBase + b] > p.budgets[b].capacity)
              fits = false;
          if (!fits || completionBound(candidate.data(), i + 1) > pruneAbove)
            continue;
          if (width == 2) {
            // Two components (a cost and one resource, or latency and energy): the Pareto set is a staircase kept
            // sorted by the first component, so the filter is a binary search instead of a scan.
            size_t kept = target.records.size();
            size_t lo = 0, hi = kept; // first label with c0 > candidate c0
            while (lo < hi) {
              size_t mid = (lo + hi) / 2;
              if (target.costs[2 * mid] <= candidate[0])
                lo = mid + 1;
              else
                hi = mid;
            }
            if (lo > 0 && target.costs[2 * (lo - 1) + 1] <= candidate[1])
              continue; // the label just left of it is no worse in both
            size_t end = lo;
            while (end < kept && target.costs[2 * end + 1] >= candidate[1])
              ++end; // labels it beats: larger c0 and no smaller c1
            // Equal c0 to the left with larger c1 is beaten too.
            size_t begin = lo;
            while (begin > 0 && target.costs[2 * (begin - 1)] == candidate[0] &&
                   target.costs[2 * (begin - 1) + 1] >= candidate[1])
              --begin;
            target.costs.erase(target.costs.begin() + 2 * begin, target.costs.begin() + 2 * end);
            target.records.erase(target.records.begin() + begin, target.records.begin() + end);
            target.costs.insert(target.costs.begin() + 2 * begin, candidate.begin(), candidate.end());
            arena.push_back({state.records[l], d});
            target.records.insert(target.records.begin() + begin, static_cast<int>(arena.size()) - 1);
            continue;
          }
          // Pareto filter: drop the candidate if a kept label is no worse everywhere; drop kept labels it beats.
          size_t kept = target.records.size();
          bool dominated = false;
          size_t write = 0;
          for (size_t k = 0; k < kept; ++k) {
            const double *other = &target.costs[k * width];
            bool otherNoWorse = true, candNoWorse = true;
            for (int c = 0; c < width; ++c) {
              otherNoWorse &= other[c] <= candidate[c];
              candNoWorse &= candidate[c] <= other[c];
            }
            if (otherNoWorse) {
              dominated = true;
              break;
            }
            if (!candNoWorse) {
              if (write != k) {
                std::copy(other, other + width, &target.costs[write * width]);
                target.records[write] = target.records[k];
              }
              ++write;
            }
          }
          if (dominated)
            continue;
          target.costs.resize(write * width);
          target.records.resize(write);
          target.costs.insert(target.costs.end(), candidate.begin(), candidate.end());
          arena.push_back({state.records[l], d});
          target.records.push_back(static_cast<int>(arena.size()) - 1);
        }
      }
    }
    // Keep the DP bounded: past the label cap, or the time limit, keep the labels with the best objective.
    for (State &state : next) {
      // Staircases (two components) are cheap to maintain, so they may grow larger than general Pareto sets.
      size_t cap = pressed ? 1 : (width == 2 ? 16 * options.maxLabelsPerState : options.maxLabelsPerState);
      if (state.records.size() <= cap)
        continue;
      exact = false;
      std::vector<size_t> idx(state.records.size());
      for (size_t k = 0; k < idx.size(); ++k)
        idx[k] = k;
      std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
        return layout.objectiveOf(p, &state.costs[a * width]) < layout.objectiveOf(p, &state.costs[b * width]);
      });
      std::vector<double> costs;
      std::vector<int> records;
      for (size_t k = 0; k < cap; ++k) {
        costs.insert(costs.end(), &state.costs[idx[k] * width], &state.costs[idx[k] * width] + width);
        records.push_back(state.records[idx[k]]);
      }
      state.costs = std::move(costs);
      state.records = std::move(records);
    }
    // States with no label left (every label broke a budget) are dropped.
    next.erase(std::remove_if(next.begin(), next.end(), [](const State &s) { return s.records.empty(); }),
               next.end());
    states = std::move(next);
    solution.states += states.size();
    for (const State &s : states)
      solution.labels += s.records.size();
    if (states.empty())
      break;
  }

  solution.solveMs = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  if (states.empty()) {
    solution.infeasibility = "no assignment satisfies the allowed devices, links and budgets";
    return solution;
  }
  // The frontier is empty after the last node: every remaining label is a complete assignment.
  double best = std::numeric_limits<double>::infinity();
  int bestRecord = -1;
  for (const State &state : states)
    for (size_t l = 0; l < state.records.size(); ++l) {
      double value = layout.objectiveOf(p, &state.costs[l * width]);
      if (value < best) {
        best = value;
        bestRecord = state.records[l];
      }
    }
  solution.devices.assign(n, -1);
  for (size_t i = n; i-- > 0 && bestRecord >= 0;) {
    solution.devices[g.order[i]] = arena[bestRecord].device;
    bestRecord = arena[bestRecord].parent;
  }
  solution.cost = evaluateWith(p, g, solution.devices);
  solution.feasible = solution.cost.feasible;
  if (!solution.feasible)
    solution.infeasibility = "internal error: the DP's assignment does not evaluate: " + solution.cost.infeasibility;
  solution.optimal = exact;
  solution.lowerBound = solution.cost.objective;
  return solution;
}

} // namespace

AssignmentSolution solveAssignment(const AssignmentProblem &problem, const SolverOptions &options) {
  AssignmentSolution solution;
  if (std::string problemError = problem.check(); !problemError.empty()) {
    solution.infeasibility = problemError;
    return solution;
  }
  if (problem.nodes.empty()) {
    solution.feasible = solution.optimal = true;
    solution.cost = evaluateAssignment(problem, {});
    return solution;
  }
  // A quick pass keeping few labels finds a good assignment; its cost then prunes the exact pass.
  SolverOptions quick = options;
  quick.maxLabelsPerState = std::min<size_t>(options.maxLabelsPerState, 8);
  AssignmentSolution heuristic = runDp(problem, quick);
  solution = runDp(problem, options,
                   heuristic.feasible ? heuristic.cost.objective : std::numeric_limits<double>::infinity());
  if (!solution.feasible && heuristic.feasible)
    solution = heuristic; // the exact pass ran out of time or labels before finishing
  if (solution.feasible && !solution.optimal) {
    solution.lowerBound = std::min(relaxedLowerBound(problem, options), solution.cost.objective);
    solution.gap = solution.cost.objective > 0
                       ? (solution.cost.objective - solution.lowerBound) / solution.cost.objective
                       : 0.0;
  }
  return solution;
}

AssignmentSolution solveExhaustively(const AssignmentProblem &problem) {
  AssignmentSolution solution;
  if (std::string problemError = problem.check(); !problemError.empty()) {
    solution.infeasibility = problemError;
    return solution;
  }
  size_t n = problem.nodes.size();
  double combinations = std::pow(problem.numDevices, static_cast<double>(n));
  if (combinations > std::pow(3.0, 16)) {
    solution.infeasibility = "too many combinations for exhaustive search";
    return solution;
  }
  std::vector<int> devices(n, 0);
  double best = std::numeric_limits<double>::infinity();
  GraphView view = viewOf(problem);
  while (true) {
    AssignmentCost cost = evaluateWith(problem, view, devices);
    if (cost.feasible && cost.objective < best) {
      best = cost.objective;
      solution.devices = devices;
      solution.cost = cost;
      solution.feasible = true;
    }
    size_t k = 0;
    while (k < n && ++devices[k] == problem.numDevices)
      devices[k++] = 0;
    if (k == n)
      break;
  }
  solution.optimal = solution.feasible;
  solution.lowerBound = solution.cost.objective;
  if (!solution.feasible)
    solution.infeasibility = "no assignment satisfies the allowed devices, links and budgets";
  return solution;
}

} // namespace flydel
