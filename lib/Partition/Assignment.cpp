//===- Assignment.cpp - exact device assignment of a layer graph ----------===//

#include "flydel/Partition/Assignment.h"
#include "PipelinedMip.h"
#include "flydel/Model/EnumNames.h"
#include "flydel/Partition/DenseLp.h"

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

/// The time limit of one solveAssignment call: every pass (heuristic, exact, bounds) shares it, so the call as a
/// whole stops near it. Passes check it inside their loops, not only between steps.
struct Deadline {
  using Clock = std::chrono::steady_clock;
  Clock::time_point start = Clock::now();
  double limitMs = 0;
  double elapsedMs() const { return std::chrono::duration<double, std::milli>(Clock::now() - start).count(); }
  bool passed() const { return elapsedMs() > limitMs; }
};

/// Labels a DP state keeps before it falls back to its best ones: staircases (two components) are cheap to
/// maintain, so they may grow larger than general Pareto sets.
size_t labelCap(const SolverOptions &options, int width) {
  return width == 2 ? 16 * options.maxLabelsPerState : options.maxLabelsPerState;
}

/// Keeps the `cap` labels of (`costs`, `records`) with the lowest `score` (of a label's cost vector).
template <typename Score>
void keepBestLabels(std::vector<double> &costs, std::vector<int> &records, int width, size_t cap, Score score) {
  std::vector<size_t> idx(records.size());
  for (size_t k = 0; k < idx.size(); ++k)
    idx[k] = k;
  std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return score(&costs[a * width]) < score(&costs[b * width]); });
  std::vector<double> keptCosts;
  std::vector<int> keptRecords;
  for (size_t k = 0; k < cap && k < idx.size(); ++k) {
    keptCosts.insert(keptCosts.end(), &costs[idx[k] * width], &costs[idx[k] * width] + width);
    keptRecords.push_back(records[idx[k]]);
  }
  costs = std::move(keptCosts);
  records = std::move(keptRecords);
}

/// Inserts `candidate` into the Pareto set (`costs`, `records`) of `width`-component vectors unless a kept one is
/// no worse everywhere; drops the kept ones it beats. Returns whether it was inserted.
bool insertPareto(std::vector<double> &costs, std::vector<int> &records, int width, const double *candidate,
                  int record) {
  if (width == 2) {
    // A staircase kept sorted by the first component: a binary search instead of a scan.
    size_t kept = records.size();
    size_t lo = 0, hi = kept; // first label with c0 > candidate c0
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (costs[2 * mid] <= candidate[0])
        lo = mid + 1;
      else
        hi = mid;
    }
    if (lo > 0 && costs[2 * (lo - 1) + 1] <= candidate[1])
      return false; // the label just left of it is no worse in both
    size_t end = lo;
    while (end < kept && costs[2 * end + 1] >= candidate[1])
      ++end; // labels it beats: larger c0 and no smaller c1
    size_t begin = lo; // equal c0 to the left with larger c1 is beaten too
    while (begin > 0 && costs[2 * (begin - 1)] == candidate[0] && costs[2 * (begin - 1) + 1] >= candidate[1])
      --begin;
    costs.erase(costs.begin() + 2 * begin, costs.begin() + 2 * end);
    records.erase(records.begin() + begin, records.begin() + end);
    costs.insert(costs.begin() + 2 * begin, candidate, candidate + 2);
    records.insert(records.begin() + begin, record);
    return true;
  }
  size_t kept = records.size();
  size_t write = 0;
  for (size_t k = 0; k < kept; ++k) {
    const double *other = &costs[k * width];
    bool otherNoWorse = true, candNoWorse = true;
    for (int c = 0; c < width; ++c) {
      otherNoWorse &= other[c] <= candidate[c];
      candNoWorse &= candidate[c] <= other[c];
    }
    if (otherNoWorse) {
      // Nothing was moved yet only if write == k; restore the compacted tail otherwise.
      if (write != k) {
        for (size_t j = k; j < kept; ++j, ++write) {
          std::copy(&costs[j * width], &costs[j * width] + width, &costs[write * width]);
          records[write] = records[j];
        }
        costs.resize(write * width);
        records.resize(write);
      }
      return false;
    }
    if (!candNoWorse) {
      if (write != k) {
        std::copy(other, other + width, &costs[write * width]);
        records[write] = records[k];
      }
      ++write;
    }
  }
  costs.resize(write * width);
  records.resize(write);
  costs.insert(costs.end(), candidate, candidate + width);
  records.push_back(record);
  return true;
}

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
/// Calls `ship(to)` once per other device than node u's that hosts one of its consumers: u's output is sent to
/// each such device once, whatever the number of consumers there. Stops early when `ship` returns false.
template <typename Ship>
void forEachShipment(const GraphView &g, const std::vector<int> &devices, size_t u, Ship ship) {
  const int d = devices[u];
  unsigned shipped = 0;
  for (int w : g.succs[u]) {
    int to = devices[w];
    if (to == d || (shipped >> to) & 1u)
      continue;
    shipped |= 1u << to;
    if (!ship(to))
      return;
  }
}

/// evaluateAssignment with the graph view computed once (exhaustive search calls it millions of times).
/// `stageLoads` (optional): each pipeline stage's summed latency, devices first, then the available links in
/// [from][to] order (filled once every node is placed, budgets aside).
AssignmentCost evaluateWith(const AssignmentProblem &p, const GraphView &g, const std::vector<int> &devices,
                            std::vector<double> *stageLoads = nullptr) {
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
    bool linked = true;
    forEachShipment(g, devices, v, [&](int to) {
      const LinkCost &link = p.links[d][to];
      if (!link.available) {
        cost.infeasibility = "no link from device '" + p.deviceNames[d] + "' to '" + p.deviceNames[to] +
                             "' for the output of '" + node.name + "'";
        return linked = false;
      }
      double t = link.latencyFixedUs + link.latencyPerByteUs * node.outputBytes;
      sequential += t;
      linkTime[d][to] += t;
      if (link.hasEnergy)
        energy += link.energyFixedUj + link.energyPerByteUj * node.outputBytes;
      else
        ++cost.energyMissingTransfers;
      return true;
    });
    if (!linked)
      return cost;
  }
  if (stageLoads) {
    stageLoads->assign(deviceTime, deviceTime + p.numDevices);
    for (int a = 0; a < p.numDevices; ++a)
      for (int b = 0; b < p.numDevices; ++b)
        if (a != b && p.links[a][b].available)
          stageLoads->push_back(linkTime[a][b]);
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

std::vector<StageLoad> stageLoads(const AssignmentProblem &p, const std::vector<int> &devices) {
  if (!p.check().empty())
    return {};
  std::vector<double> loads;
  if (!evaluateWith(p, viewOf(p), devices, &loads).feasible)
    return {};
  // evaluateWith's order: the devices, then the available links from each device to each other one.
  std::vector<StageLoad> stages;
  for (int d = 0; d < p.numDevices; ++d)
    stages.push_back({p.deviceNames[d], loads[d]});
  size_t next = p.numDevices;
  for (int a = 0; a < p.numDevices; ++a)
    for (int b = 0; b < p.numDevices; ++b)
      if (a != b && p.links[a][b].available)
        stages.push_back({p.deviceNames[a] + "->" + p.deviceNames[b], loads[next++]});
  return stages;
}

std::vector<AssignmentCost> evaluateAssignments(const AssignmentProblem &p,
                                                const std::vector<std::vector<int>> &assignments) {
  std::vector<AssignmentCost> costs(assignments.size());
  if (std::string problemError = p.check(); !problemError.empty()) {
    for (AssignmentCost &cost : costs)
      cost.infeasibility = problemError;
    return costs;
  }
  GraphView g = viewOf(p);
  for (size_t i = 0; i < assignments.size(); ++i)
    costs[i] = evaluateWith(p, g, assignments[i]);
  return costs;
}

namespace {

/// The placement order and the frontier after each step, shared by every pass over a problem.
/// frontier[i]: nodes placed at steps <= i with a consumer placed after step i (in order of placement). A DP state
/// after step i holds, per frontier node, its device (low 4 bits) and the devices its output was shipped to.
struct Stepper {
  const AssignmentProblem &p;
  GraphView g;
  std::vector<std::vector<int>> frontier;
  size_t maxFrontier = 0;
  // The current step's plan (prepare()).
  size_t step = 0;
  std::vector<int> from;     // per new-frontier slot: its old-frontier slot, or -1 for the node placed now
  std::vector<int> predSlot; // old-frontier slots of the node's producers
  std::vector<int> sameSlot; // per device: old-frontier slot of the producer it must share the device with, or -1
  std::vector<uint16_t> scratch;

  explicit Stepper(const AssignmentProblem &problem) : p(problem), g(viewOf(problem)) {
    size_t n = p.nodes.size();
    frontier.resize(n);
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
      maxFrontier = std::max(maxFrontier, current.size());
    }
  }

  const std::vector<int> &before() const {
    static const std::vector<int> none;
    return step ? frontier[step - 1] : none;
  }
  const std::vector<int> &after() const { return frontier[step]; }
  int node() const { return g.order[step]; }

  void prepare(size_t i) {
    step = i;
    const std::vector<int> &old = before(), &now = after();
    int v = node();
    const AssignmentNode &n = p.nodes[v];
    from.assign(now.size(), -1);
    for (size_t k = 0; k < now.size(); ++k)
      for (size_t j = 0; j < old.size(); ++j)
        if (old[j] == now[k])
          from[k] = static_cast<int>(j);
    predSlot.clear();
    for (int u : g.preds[v])
      for (size_t j = 0; j < old.size(); ++j)
        if (old[j] == u)
          predSlot.push_back(static_cast<int>(j));
    sameSlot.assign(p.numDevices, -1);
    for (int d = 0; d < p.numDevices && !n.sameDeviceAs.empty(); ++d)
      for (size_t j = 0; j < old.size(); ++j)
        if (n.sameDeviceAs[d] >= 0 && old[j] == n.sameDeviceAs[d])
          sameSlot[d] = static_cast<int>(j);
  }

  /// Places the step's node on device `d` from state `key`: the new state's key and the cost vector it adds
  /// (node and transfers, laid out by `layout`). False when the node may not go there from this state.
  bool move(const std::vector<uint16_t> &key, int d, const CostLayout &layout, std::vector<uint16_t> &newKey,
            std::vector<double> &delta) {
    const AssignmentNode &n = p.nodes[node()];
    if (!n.allowed[d] || (sameSlot[d] >= 0 && (key[sameSlot[d]] & 0xF) != d))
      return false;
    scratch = key;
    std::fill(delta.begin(), delta.end(), 0.0);
    if (layout.scalar)
      delta[0] += layout.latencyWeight * n.latencyUs[d] + layout.energyWeight * n.energyUj[d];
    if (layout.latencyComponents)
      delta[p.mode == ScheduleMode::Sequential ? 0 : d] += n.latencyUs[d];
    if (layout.energy)
      delta[layout.energyIndex] += n.energyUj[d];
    for (size_t b = 0; b < p.budgets.size(); ++b)
      if (p.budgets[b].device == d)
        delta[layout.resourceBase + b] += n.resources[d][b];
    const std::vector<int> &old = before();
    for (int slot : predSlot) {
      int ud = scratch[slot] & 0xF;
      unsigned mask = scratch[slot] >> 4;
      if (ud == d || (mask >> d) & 1u)
        continue;
      const LinkCost &link = p.links[ud][d];
      if (!link.available)
        return false;
      double bytes = p.nodes[old[slot]].outputBytes;
      double t = link.latencyFixedUs + link.latencyPerByteUs * bytes;
      double e = link.hasEnergy ? link.energyFixedUj + link.energyPerByteUj * bytes : 0.0;
      if (layout.scalar)
        delta[0] += layout.latencyWeight * t + layout.energyWeight * e;
      if (layout.latencyComponents)
        delta[p.mode == ScheduleMode::Sequential ? 0 : layout.linkComponent[ud][d]] += t;
      if (layout.energy)
        delta[layout.energyIndex] += e;
      scratch[slot] = static_cast<uint16_t>(ud | ((mask | (1u << d)) << 4));
    }
    newKey.resize(from.size());
    for (size_t k = 0; k < from.size(); ++k)
      newKey[k] = from[k] < 0 ? static_cast<uint16_t>(d) : scratch[from[k]];
    return true;
  }
};

/// The DP. Labels whose completion bound exceeds `upperBound` (the cost of a known assignment) are pruned:
/// they cannot lead to anything better.
/// `beamWhenLate`: past the deadline, finish as a beam search over the best few states (false: keep every state and
/// stay exact, as the bound's one-component DPs need, unless `abortAt` passes: then no solution at all).
AssignmentSolution runDp(const AssignmentProblem &p, const SolverOptions &options, const Deadline &deadline,
                         double upperBound = std::numeric_limits<double>::infinity(), bool beamWhenLate = true,
                         const Deadline *abortAt = nullptr);

/// Runs past the deadline if it must: its DPs have one cost component (one label per state), so they stay exact
/// and linear in the graph.
double relaxedLowerBound(const AssignmentProblem &p, const SolverOptions &options, const Deadline &deadline) {
  // Budgets dropped, objective split into additive sequential parts: each part's exact optimum bounds it below. Its
  // DP keeps every state, so it may run past the deadline, by at most 5 % of the limit: a node feeding thousands
  // on 8 devices keeps a state per set of devices it shipped to (10k nodes: 37 s). Then each node's cheapest
  // device, transfers left out, bounds it instead.
  Deadline abortAt = deadline;
  abortAt.limitMs = std::max(deadline.limitMs, deadline.elapsedMs()) + 0.05 * deadline.limitMs;
  auto cheapest = [&](double weight) { // weight * latency + (1 - weight) * energy of each node alone
    double sum = 0;
    for (const AssignmentNode &node : p.nodes) {
      double best = std::numeric_limits<double>::infinity();
      for (int d = 0; d < p.numDevices; ++d)
        if (node.allowed[d])
          best = std::min(best, weight * node.latencyUs[d] + (1 - weight) * node.energyUj[d]);
      if (std::isfinite(best))
        sum += best;
    }
    return sum;
  };
  auto scalarOptimum = [&](Objective objective) {
    AssignmentProblem relaxed = p;
    relaxed.budgets.clear();
    for (AssignmentNode &node : relaxed.nodes)
      for (auto &r : node.resources)
        r.clear();
    relaxed.objective = objective;
    relaxed.mode = ScheduleMode::Sequential;
    AssignmentSolution s = runDp(relaxed, options, deadline, std::numeric_limits<double>::infinity(), false, &abortAt);
    if (s.feasible && s.optimal)
      return s.cost.objective;
    return cheapest(objective == Objective::Latency ? 1.0 : objective == Objective::Energy ? 0.0 : p.weight);
  };
  // Sequential weighted: one additive sum, whose own relaxed optimum is tighter than its parts' (and costs one DP).
  if (p.objective == Objective::Weighted && p.mode == ScheduleMode::Sequential)
    return scalarOptimum(Objective::Weighted);
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
  return objectiveFrom(p, latency, energy);
}

AssignmentSolution runDp(const AssignmentProblem &p, const SolverOptions &options, const Deadline &deadline,
                         double upperBound, bool beamWhenLate, const Deadline *abortAt) {
  AssignmentSolution solution;
  size_t n = p.nodes.size();
  Stepper stepper(p);
  const GraphView &g = stepper.g;
  CostLayout layout(p);
  const int width = layout.size;
  solution.maxFrontier = stepper.maxFrontier;

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
    if (abortAt && abortAt->passed())
      return AssignmentSolution{};
    stepper.prepare(i);
    bool pressed = deadline.passed();

    std::vector<State> next;
    std::unordered_map<std::string, size_t> index;
    for (size_t si = 0; si < states.size(); ++si) {
      const State &state = states[si];
      size_t labels = state.records.size();
      // Past the deadline, even inside a step, each state carries its best label only.
      if (!pressed && deadline.passed())
        pressed = true;
      size_t bestLabel = 0;
      for (size_t l = 1; pressed && l < labels; ++l)
        if (layout.objectiveOf(p, &state.costs[l * width]) < layout.objectiveOf(p, &state.costs[bestLabel * width]))
          bestLabel = l;
      for (int d = 0; d < p.numDevices; ++d) {
        size_t lBegin = pressed ? bestLabel : 0, lEnd = pressed ? bestLabel + 1 : labels;
        if (pressed && labels > 1)
          exact = false;
        if (!stepper.move(state.key, d, layout, key, delta))
          continue;
        hashKey.assign(reinterpret_cast<const char *>(key.data()), key.size() * sizeof(uint16_t));
        auto [it, inserted] = index.try_emplace(hashKey, next.size());
        if (inserted) {
          next.emplace_back();
          next.back().key = key;
        }
        State &target = next[it->second];
        for (size_t l = lBegin; l < lEnd; ++l) {
          if (!pressed && (l & 255) == 255 && deadline.passed()) {
            // Out of time inside a large Pareto set: this state and device go on with its best label only.
            pressed = true;
            exact = false;
            for (size_t k = 1; k < labels; ++k)
              if (layout.objectiveOf(p, &state.costs[k * width]) <
                  layout.objectiveOf(p, &state.costs[bestLabel * width]))
                bestLabel = k;
            if (bestLabel < l)
              l = bestLabel;
            lEnd = bestLabel + 1;
            if (l != bestLabel)
              l = bestLabel;
          }
          const double *base = &state.costs[l * width];
          bool fits = true;
          for (int c = 0; c < width; ++c)
            candidate[c] = base[c] + delta[c];
          for (size_t b = 0; b < p.budgets.size(); ++b)
            if (candidate[layout.resourceBase + b] > p.budgets[b].capacity)
              fits = false;
          if (!fits || completionBound(candidate.data(), i + 1) > pruneAbove)
            continue;
          if (pressed) {
            // Out of time: each target state keeps its one best label. A Pareto set of many-component labels
            // (pipelined: one per device and link) can hold thousands, and inserting into it costs each; a hub
            // feeding 100 nodes on 8 devices kept a 2 s call busy for 40 s.
            // One component: the best label is the whole Pareto set.
            if (width > 1)
              exact = false;
            // Labels inserted before the deadline: the best of them.
            if (target.records.size() > 1) {
              size_t keep = 0;
              for (size_t k = 1; k < target.records.size(); ++k)
                if (layout.objectiveOf(p, &target.costs[k * width]) <
                    layout.objectiveOf(p, &target.costs[keep * width]))
                  keep = k;
              target.costs.erase(target.costs.begin(),
                                 target.costs.begin() + static_cast<std::ptrdiff_t>(keep * width));
              target.costs.resize(width);
              target.records.assign(1, target.records[keep]);
            }
            if (target.records.empty() ||
                layout.objectiveOf(p, candidate.data()) < layout.objectiveOf(p, target.costs.data())) {
              target.costs.assign(candidate.begin(), candidate.end());
              target.records.assign(1, static_cast<int>(arena.size()));
              arena.push_back({state.records[l], d});
            }
            continue;
          }
          if (insertPareto(target.costs, target.records, width, candidate.data(),
                           static_cast<int>(arena.size())))
            arena.push_back({state.records[l], d});
        }
      }
    }
    // Keep the DP bounded: past the label cap, or the time limit, keep the labels with the best objective.
    for (State &state : next) {
      size_t cap = pressed ? 1 : labelCap(options, width);
      if (state.records.size() <= cap)
        continue;
      exact = false;
      keepBestLabels(state.costs, state.records, width, cap,
                     [&](const double *c) { return layout.objectiveOf(p, c); });
    }
    // States with no label left (every label broke a budget) are dropped.
    next.erase(std::remove_if(next.begin(), next.end(), [](const State &s) { return s.records.empty(); }),
               next.end());
    // Out of time, the rest of the graph is a beam search: the states with the best labels so far go on. Every
    // state goes on to every device, and a node that feeds many others keeps a state per set of devices it
    // shipped to (8 devices: up to 2^8 per device), so keeping them all made a step take milliseconds and a
    // 1,000-node graph run seconds past its limit.
    constexpr size_t kBeam = 8;
    if (beamWhenLate && pressed && next.size() > kBeam) {
      exact = false;
      std::vector<std::pair<double, size_t>> order;
      for (size_t k = 0; k < next.size(); ++k)
        order.push_back({completionBound(next[k].costs.data(), i + 1), k});
      std::nth_element(order.begin(), order.begin() + kBeam, order.end());
      std::vector<State> beam;
      for (size_t k = 0; k < kBeam; ++k)
        beam.push_back(std::move(next[order[k].second]));
      next = std::move(beam);
    }
    states = std::move(next);
    solution.states += states.size();
    for (const State &s : states)
      solution.labels += s.records.size();
    if (states.empty()) {
      solution.infeasibility = "no assignment places '" + p.nodes[g.order[i]].name +
                               "' and the ops before it within the allowed devices, links and budgets";
      break;
    }
  }
  if (states.empty())
    return solution;
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

/// The DP's states and moves, built once for Lagrangian pricing. Layer k holds the states after step k-1 (layer
/// 0: the empty start); an edge moves a state of layer k to one of layer k+1 by placing step k's node on a device.
struct StateGraph {
  struct Edge {
    uint32_t from, to;
    int device;
    double cost; // the scalar objective the move adds: the node and the transfers it causes
  };
  std::vector<size_t> layerBegin{0, 1}; // states of layer k: [layerBegin[k], layerBegin[k + 1])
  std::vector<size_t> edgeBegin{0};     // edges out of layer k: [edgeBegin[k], edgeBegin[k + 1])
  std::vector<Edge> edges;
  size_t layers() const { return layerBegin.size() - 1; }
};

enum class Built { Complete, DeadEnd, TooLarge };

/// Enumerates the reachable states (Complete), stops where no state survives a step (DeadEnd: graph.layers() - 1
/// is that step), or gives up past the deadline or `maxEdges` (TooLarge).
Built buildStateGraph(Stepper &stepper, const CostLayout &layout, const Deadline &deadline, size_t maxEdges,
                      StateGraph &graph) {
  const AssignmentProblem &p = stepper.p;
  std::vector<std::vector<uint16_t>> keys(1);
  std::vector<uint16_t> key;
  std::vector<double> delta(layout.size);
  std::string hashKey;
  for (size_t i = 0; i < p.nodes.size(); ++i) {
    stepper.prepare(i);
    std::vector<std::vector<uint16_t>> nextKeys;
    std::unordered_map<std::string, uint32_t> index;
    size_t base = graph.layerBegin.back(), prevBase = graph.layerBegin[i];
    for (size_t s = 0; s < keys.size(); ++s) {
      if ((s & 63) == 63 && deadline.passed())
        return Built::TooLarge;
      for (int d = 0; d < p.numDevices; ++d) {
        if (!stepper.move(keys[s], d, layout, key, delta))
          continue;
        hashKey.assign(reinterpret_cast<const char *>(key.data()), key.size() * sizeof(uint16_t));
        auto [it, inserted] = index.try_emplace(hashKey, static_cast<uint32_t>(nextKeys.size()));
        if (inserted)
          nextKeys.push_back(key);
        graph.edges.push_back(
            {static_cast<uint32_t>(prevBase + s), static_cast<uint32_t>(base + it->second), d, delta[0]});
      }
    }
    if (graph.edges.size() > maxEdges || base + nextKeys.size() > std::numeric_limits<uint32_t>::max() ||
        deadline.passed())
      return Built::TooLarge;
    graph.edgeBegin.push_back(graph.edges.size());
    graph.layerBegin.push_back(base + nextKeys.size());
    if (nextKeys.empty())
      return Built::DeadEnd;
    keys = std::move(nextKeys);
  }
  return Built::Complete;
}

/// Budgets priced into an additive objective (see Assignment.h). The priced problem on the state graph is a
/// shortest path: for prices λ ≥ 0, min_x cost(x) + Σ_b λ_b (use_b(x) - capacity_b) bounds the optimum below,
/// and every path that fits the budgets bounds it above.
class LagrangianSolver {
public:
  /// Over the budgets `active` lists (indices into p.budgets): budget b below is p.budgets[active[b]].
  LagrangianSolver(const AssignmentProblem &p, const StateGraph &graph, const Stepper &stepper,
                   const std::vector<size_t> &active)
      : p(p), graph(graph), order(stepper.g.order), active(active), budgets(active.size()) {
    size_t n = p.nodes.size();
    use.assign(n * p.numDevices * budgets, 0.0);
    for (size_t i = 0; i < n; ++i)
      for (size_t b = 0; b < budgets; ++b) {
        int d = p.budgets[active[b]].device;
        use[(i * p.numDevices + d) * budgets + b] = p.nodes[order[i]].resources[d][active[b]];
      }
  }

  const AssignmentProblem::Budget &budget(size_t b) const { return p.budgets[active[b]]; }
  double useOf(size_t step, int device, size_t b) const { return use[(step * p.numDevices + device) * budgets + b]; }

  /// A priced path: its cost (unpriced), resource use, devices, and the bound it proves.
  struct Path {
    double cost = 0, bound = 0;
    std::vector<double> use;
    std::vector<int> devices;
    bool fits = false;
  };

  Path shortestPath(const std::vector<double> &lambda) {
    size_t n = p.nodes.size(), states = graph.layerBegin.back();
    dist.assign(states, std::numeric_limits<double>::infinity());
    pred.assign(states, 0);
    dist[0] = 0;
    std::vector<double> price(p.numDevices);
    for (size_t k = 0; k < n; ++k) {
      prices(k, lambda, price);
      for (size_t e = graph.edgeBegin[k]; e < graph.edgeBegin[k + 1]; ++e) {
        const StateGraph::Edge &edge = graph.edges[e];
        double c = dist[edge.from] + edge.cost + price[edge.device];
        if (c < dist[edge.to]) {
          dist[edge.to] = c;
          pred[edge.to] = e;
        }
      }
    }
    Path path;
    path.use.assign(budgets, 0.0);
    path.devices.assign(n, -1);
    size_t state = graph.layerBegin[n];
    path.bound = dist[state];
    for (size_t b = 0; b < budgets; ++b)
      path.bound -= lambda[b] * budget(b).capacity;
    for (size_t k = n; k-- > 0;) {
      const StateGraph::Edge &edge = graph.edges[pred[state]];
      path.devices[order[k]] = edge.device;
      path.cost += edge.cost;
      for (size_t b = 0; b < budgets; ++b)
        path.use[b] += useOf(k, edge.device, b);
      state = edge.from;
    }
    path.fits = true;
    for (size_t b = 0; b < budgets; ++b)
      path.fits &= path.use[b] <= budget(b).capacity;
    return path;
  }

  /// Per state, the least priced cost of completing from it (λ = 0: the unpriced cost; `onlyBudget` >= 0: the
  /// least use of that budget instead).
  std::vector<double> costToGo(const std::vector<double> &lambda, int onlyBudget = -1) const {
    size_t n = p.nodes.size();
    std::vector<double> h(graph.layerBegin.back(), std::numeric_limits<double>::infinity());
    h[graph.layerBegin[n]] = 0;
    std::vector<double> price(p.numDevices);
    for (size_t k = n; k-- > 0;) {
      if (onlyBudget < 0)
        prices(k, lambda, price);
      for (size_t e = graph.edgeBegin[k + 1]; e-- > graph.edgeBegin[k];) {
        const StateGraph::Edge &edge = graph.edges[e];
        double c = onlyBudget < 0 ? edge.cost + price[edge.device] : useOf(k, edge.device, onlyBudget);
        h[edge.from] = std::min(h[edge.from], c + h[edge.to]);
      }
    }
    return h;
  }

private:
  void prices(size_t step, const std::vector<double> &lambda, std::vector<double> &price) const {
    for (int d = 0; d < p.numDevices; ++d) {
      price[d] = 0;
      for (size_t b = 0; b < budgets; ++b)
        price[d] += lambda[b] * useOf(step, d, b);
    }
  }

  const AssignmentProblem &p;
  const StateGraph &graph;
  const std::vector<int> &order;
  std::vector<size_t> active;
  size_t budgets;
  std::vector<double> use; // [step][device][budget]
  std::vector<double> dist;
  std::vector<size_t> pred;
};

/// bindingBudgets on a problem check() accepts (the solver's, checked once per call). Labels carry one component
/// per budget that can bind, and Pareto sets of few components stay small: tx2-c10gx's FPGA lists ALM, ALUT, LAB
/// and M20K, and on the bench chain's layers M20K implies the three others (labels of 2 components instead of 5:
/// the 100k chain's search took 1.0 s, now 0.36 s).
std::vector<size_t> bindingBudgetsOfChecked(const AssignmentProblem &p) {
  const size_t nb = p.budgets.size();
  std::vector<bool> kept(nb, true);
  for (size_t b = 0; b < nb; ++b) {
    const AssignmentProblem::Budget &budget = p.budgets[b];
    double most = 0;
    bool negative = false;
    for (const AssignmentNode &node : p.nodes)
      if (node.allowed[budget.device]) {
        double use = node.resources[budget.device][b];
        negative |= use < 0 || !std::isfinite(use);
        most += std::max(use, 0.0);
      }
    if (negative)
      continue; // keep it: the argument needs uses >= 0
    if (most <= budget.capacity) {
      kept[b] = false;
      continue;
    }
    for (size_t a = 0; a < nb && kept[b]; ++a) {
      if (a == b || !kept[a] || p.budgets[a].device != budget.device)
        continue;
      double ratio = 0;
      bool bounded = true;
      for (const AssignmentNode &node : p.nodes) {
        if (!node.allowed[budget.device])
          continue;
        double useB = node.resources[budget.device][b], useA = node.resources[budget.device][a];
        if (!(useA >= 0) || !std::isfinite(useA)) {
          bounded = false;
          break;
        }
        if (useB <= 0)
          continue;
        if (useA <= 0) {
          bounded = false;
          break;
        }
        ratio = std::max(ratio, useB / useA);
      }
      // A margin for rounding: implied with room to spare, or kept.
      if (bounded && ratio * p.budgets[a].capacity <= budget.capacity * (1 - 1e-9))
        kept[b] = false;
    }
  }
  std::vector<size_t> active;
  for (size_t b = 0; b < nb; ++b)
    if (kept[b])
      active.push_back(b);
  return active;
}
} // namespace

std::vector<size_t> bindingBudgets(const AssignmentProblem &p) {
  if (p.check().empty())
    return bindingBudgetsOfChecked(p);
  std::vector<size_t> all(p.budgets.size()); // sizes out of range: nothing to index, every budget kept
  for (size_t b = 0; b < all.size(); ++b)
    all[b] = b;
  return all;
}

namespace {

/// Additive objective with budgets: prices, then a label search over the state graph pruned by the priced
/// cost-to-go. False when the state graph is too large to build in time (the caller falls back to the DP).
bool solveWithPrices(const AssignmentProblem &p, const SolverOptions &options, const Deadline &deadline,
                     AssignmentSolution &solution, bool searchLabels = true) {
  Stepper stepper(p);
  CostLayout layout(p);
  StateGraph graph;
  const std::vector<size_t> active = bindingBudgetsOfChecked(p);
  size_t n = p.nodes.size(), nb = active.size();
  Built built = buildStateGraph(stepper, layout, deadline, /*maxEdges=*/size_t(1) << 26, graph);
  solution.phasesMs.push_back({"state graph", deadline.elapsedMs()});
  if (built == Built::TooLarge)
    return false;
  solution.maxFrontier = stepper.maxFrontier;
  solution.states = graph.layerBegin.back();
  solution.method = "lagrangian";
  if (built == Built::DeadEnd) {
    const AssignmentNode &node = p.nodes[stepper.g.order[graph.layers() - 2]];
    solution.infeasibility = "no assignment places '" + node.name +
                             "': the devices it may go on cannot receive its producers' outputs (no link)";
    return true;
  }
  LagrangianSolver lagrangian(p, graph, stepper, active);
  // A budget that even its least use cannot meet makes the problem infeasible, whatever the rest does.
  for (size_t b = 0; b < nb; ++b) {
    double least = lagrangian.costToGo({}, static_cast<int>(b))[0];
    if (least > lagrangian.budget(b).capacity) {
      solution.infeasibility =
          "budget '" + lagrangian.budget(b).resource + "' of device '" + p.deviceNames[lagrangian.budget(b).device] +
          "' (" + std::to_string(lagrangian.budget(b).capacity) + ") is below the least any assignment uses (" +
          std::to_string(least) + "): the ops that may only go there, or must share its device, need more";
      return true;
    }
  }

  std::vector<double> lambda(nb, 0.0), bestLambda = lambda;
  double lowerBound = -std::numeric_limits<double>::infinity(), upper = std::numeric_limits<double>::infinity();
  std::vector<int> best;
  auto closed = [&] { return std::isfinite(upper) && upper - lowerBound <= 1e-9 * std::abs(upper); };
  struct Line {
    double cost;
    std::vector<double> use;
  };
  std::vector<Line> cuts; // every priced path is a line of the dual: cost + Σ_b λ_b (use_b - capacity_b)
  auto visit = [&](const std::vector<double> &at) {
    LagrangianSolver::Path path = lagrangian.shortestPath(at);
    cuts.push_back({path.cost, path.use});
    if (path.bound > lowerBound) {
      lowerBound = path.bound;
      bestLambda = at;
    }
    if (path.fits && path.cost < upper) {
      upper = path.cost;
      best = path.devices;
    }
    return path;
  };
  // Per budget, a little above the largest saving per unit of it that a node could make by its own cost.
  std::vector<double> ceiling(nb, 0.0);
  for (size_t b = 0; b < nb; ++b) {
    int d = lagrangian.budget(b).device;
    for (size_t k = 0; k < n; ++k) {
      const AssignmentNode &node = p.nodes[stepper.g.order[k]];
      double u = lagrangian.useOf(k, d, b);
      if (!node.allowed[d] || u <= 0)
        continue;
      double own = layout.latencyWeight * node.latencyUs[d] + layout.energyWeight * node.energyUj[d];
      for (int o = 0; o < p.numDevices; ++o)
        if (o != d && node.allowed[o])
          ceiling[b] =
              std::max(ceiling[b],
                       (layout.latencyWeight * node.latencyUs[o] + layout.energyWeight * node.energyUj[o] - own) / u);
    }
    ceiling[b] = std::max(ceiling[b], 1e-12) * 1.01;
  }
  visit(lambda);
  // The dual is concave and piecewise linear: the least of the priced paths' lines, cost + Σ_b λ_b (use_b -
  // capacity_b). Kelley's cutting planes: the lines found so far bound it above; the prices that maximize that
  // model (a small LP) give the next path, whose line cuts the model down, until the model's maximum meets the
  // best bound. The prices stay in a box, widened where the model's maximum sits on its edge. With one budget
  // this is the secant search between a path over the budget and one under it. It moves every price at once:
  // coordinate ascent (bisection per budget, the method before) stalled where several budgets bind together
  // (tx2-c10gx's FPGA: ALM, ALUT, LAB and M20K of the same layers) at prices where no single one can move with
  // profit; on the bench's 10k chain it stopped 0.13 % below the optimum, with ALM and LAB priced though slack,
  // where Kelley reaches 0.003 % in 14 shortest paths (6 ms, against 35 ms for the stalled ascent).
  {
    double scale = std::abs(cuts.front().cost) > 0 ? std::abs(cuts.front().cost) : 1.0;
    std::vector<double> unit(nb), box(nb);
    for (size_t b = 0; b < nb; ++b) {
      unit[b] = lagrangian.budget(b).capacity > 0 ? lagrangian.budget(b).capacity : 1.0;
      box[b] = 4 * ceiling[b];
    }
    const size_t vars = 1 + nb;
    std::vector<double> objective(vars, 0.0), at(nb);
    objective[0] = 1;
    for (int it = 0; it < 200 && !closed() && !deadline.passed(); ++it) {
      // Variables: the bound and each budget's price per unit of its capacity, both over `scale`.
      const size_t rows = cuts.size() + nb;
      std::vector<double> a(rows * vars, 0.0), rhs(rows, 0.0);
      for (size_t x = 0; x < cuts.size(); ++x) {
        a[x * vars] = 1;
        for (size_t b = 0; b < nb; ++b)
          a[x * vars + 1 + b] = -(cuts[x].use[b] - lagrangian.budget(b).capacity) / unit[b];
        rhs[x] = cuts[x].cost / scale;
      }
      for (size_t b = 0; b < nb; ++b) {
        a[(cuts.size() + b) * vars + 1 + b] = 1;
        rhs[cuts.size() + b] = box[b] * unit[b] / scale;
      }
      DenseLpResult model = maximizeDenseLp(a, rhs, objective);
      if (model.status != DenseLpResult::Status::Optimal)
        break; // a negative cost (no row can start the simplex) or a pivot limit: keep the bound so far
      bool onEdge = false;
      for (size_t b = 0; b < nb; ++b) {
        at[b] = model.y[1 + b] * scale / unit[b];
        if (at[b] >= box[b] * (1 - 1e-9) && box[b] < 1e300) {
          box[b] *= 4;
          onEdge = true;
        }
      }
      double modelMax = model.value * scale;
      if (modelMax - lowerBound <= 1e-9 * std::abs(modelMax)) {
        if (onEdge)
          continue; // the best prices within the box, on its edge: look beyond
        break;      // the best prices there are
      }
      visit(at);
    }
  }
  solution.phasesMs.push_back({"prices", deadline.elapsedMs()});

  // The label search: (cost, use per budget) labels per state, pruned by each budget's least use to go and by the
  // priced and unpriced costs to go against the best known assignment.
  bool exact = true;
  if (!searchLabels && !closed()) {
    exact = false; // the priced bound and the best path that fits: what the caller asked for
  } else if (!closed() && !deadline.passed()) {
    solution.method = "lagrangian+labels";
    std::vector<double> h = lagrangian.costToGo(bestLambda), h0 = lagrangian.costToGo(std::vector<double>(nb, 0.0));
    std::vector<std::vector<double>> least(nb);
    for (size_t b = 0; b < nb; ++b)
      least[b] = lagrangian.costToGo({}, static_cast<int>(b));
    const int width = 1 + static_cast<int>(nb);
    const size_t cap = labelCap(options, width);
    struct Labels {
      std::vector<double> costs;
      std::vector<int> records;
    };
    bool stopped = false, capped = false;
    // Every assignment whose cost is at most `bound`, as labels pruned against it: finds the optimum when it is
    // under the bound (the labels of its prefixes are never pruned; a label that dominates one leads to one as
    // good). Returns whether it found an assignment under the bound, and takes it as the best.
    auto search = [&](double bound) {
      std::vector<Labels> labels(graph.layerBegin.back());
      labels[0].costs.assign(width, 0.0);
      labels[0].records.push_back(-1);
      std::vector<LabelRecord> arena;
      std::vector<double> candidate(width);
      const double slack = 1e-9 * std::abs(bound);
      for (size_t k = 0; k < n && !stopped; ++k) {
        for (size_t e = graph.edgeBegin[k]; e < graph.edgeBegin[k + 1]; ++e) {
          if ((e & 255) == 255 && deadline.passed()) {
            stopped = true;
            solution.stoppedBy = "time limit";
            break;
          }
          const StateGraph::Edge &edge = graph.edges[e];
          const Labels &source = labels[edge.from];
          Labels &target = labels[edge.to];
          for (size_t l = 0; l < source.records.size(); ++l) {
            const double *base = &source.costs[l * width];
            candidate[0] = base[0] + edge.cost;
            bool keep = candidate[0] + h0[edge.to] <= bound + slack;
            double priced = candidate[0] + h[edge.to];
            for (size_t b = 0; b < nb && keep; ++b) {
              candidate[1 + b] = base[1 + b] + lagrangian.useOf(k, edge.device, b);
              keep = candidate[1 + b] + least[b][edge.to] <= lagrangian.budget(b).capacity;
              priced -= bestLambda[b] * (lagrangian.budget(b).capacity - candidate[1 + b]);
            }
            if (!keep || priced > bound + slack)
              continue;
            if (insertPareto(target.costs, target.records, width, candidate.data(), static_cast<int>(arena.size())))
              arena.push_back({source.records[l], edge.device});
          }
        }
        // Past the cap, keep the cheapest labels: no longer exact.
        for (size_t s = graph.layerBegin[k + 1]; s < graph.layerBegin[k + 2]; ++s) {
          Labels &state = labels[s];
          solution.labels += state.records.size();
          if (state.records.size() <= cap)
            continue;
          capped = true;
          keepBestLabels(state.costs, state.records, width, cap, [](const double *c) { return c[0]; });
        }
        for (size_t s = graph.layerBegin[k]; s < graph.layerBegin[k + 1]; ++s)
          labels[s] = Labels(); // done with this layer
      }
      if (stopped)
        return false;
      const Labels &final = labels[graph.layerBegin[n]];
      int bestRecord = -1;
      double bestCost = std::min(bound + slack, upper);
      for (size_t l = 0; l < final.records.size(); ++l)
        if (final.costs[l * width] < bestCost) {
          bestCost = final.costs[l * width];
          bestRecord = final.records[l];
        }
      if (bestRecord < 0)
        return false;
      best.assign(n, -1);
      for (size_t k = n; k-- > 0 && bestRecord >= 0;) {
        best[stepper.g.order[k]] = arena[bestRecord].device;
        bestRecord = arena[bestRecord].parent;
      }
      upper = bestCost;
      return true;
    };
    // Deepening: the optimum lies between the dual bound and the best path that fits, and the labels a search
    // keeps grow steeply with its bound (the bench's 100k chain on tx2-c10gx: 0.22M labels bounded at 1/8 of the
    // gap, 1.7M at 1/2, 4.4M at the path). Searches bounded at 1/8, 1/4 and 1/2 of the gap, then at the path, stop
    // at the first that finds an assignment: the one found is the optimum. Each that finds none (and kept every
    // label) proves the optimum above its bound, which then bounds it below.
    const double gapFound = upper - lowerBound, boundFound = lowerBound;
    bool found = false;
    for (double fraction : {0.125, 0.25, 0.5}) {
      if (found || stopped || !std::isfinite(gapFound))
        break;
      double aspiration = boundFound + fraction * gapFound;
      if (!(aspiration < upper))
        break;
      capped = false;
      found = search(aspiration);
      if (!found && !stopped && !capped)
        lowerBound = std::max(lowerBound, aspiration);
    }
    if (!found && !stopped) {
      capped = false;
      search(upper);
    }
    // Exact when the search that decided kept every label: one bounded below the optimum that lost labels to
    // the cap proves nothing, but does not spoil a later search.
    exact = !stopped && !capped;
    if (capped && !stopped)
      solution.stoppedBy = "label cap";
    solution.phasesMs.push_back({"labels", deadline.elapsedMs()});
  } else if (!closed()) {
    exact = false;
    solution.stoppedBy = "time limit";
  }

  if (best.empty()) {
    solution.infeasibility = exact ? "no assignment fits every budget at once"
                                   : "no assignment that fits every budget was found within the time limit";
    return true;
  }
  solution.devices = best;
  solution.cost = evaluateWith(p, stepper.g, best);
  solution.feasible = solution.cost.feasible;
  if (!solution.feasible) {
    solution.infeasibility = "internal error: the priced assignment does not evaluate: " + solution.cost.infeasibility;
    return true;
  }
  solution.optimal = exact || closed();
  solution.lowerBound = solution.optimal ? solution.cost.objective : std::min(lowerBound, solution.cost.objective);
  return true;
}

/// Where the lines w_a L + (1 - w_a) E = c_a and w_b L + (1 - w_b) E = c_b cross (latency, energy): false when
/// they are parallel or the crossing is not finite. The edp bounds are taken at such crossings.
bool linesCross(double wa, double ca, double wb, double cb, double &latency, double &energy) {
  double det = wa * (1 - wb) - wb * (1 - wa);
  if (!(std::fabs(det) > 1e-15))
    return false;
  latency = (ca * (1 - wb) - cb * (1 - wa)) / det;
  energy = (wa * cb - wb * ca) / det;
  return std::isfinite(latency) && std::isfinite(energy);
}

/// Sequential edp: latency x energy of two additive sums is quasi-concave, so its minimum over the assignments lies
/// at a vertex of their (latency, energy) hull, and the weighted sums find every vertex (dichotomic search). Each
/// weighted problem is solved exactly (with prices when budgeted). Each vertex found exactly at weight w is optimal
/// for it, so no assignment lies below its line w L + (1 - w) E = w L_i + (1 - w) E_i: between two vertices i, i+1
/// the unexplored assignments lie in the triangle of i, i+1 and the point X where their lines cross, and L_X * E_X
/// bounds the segment (tighter than the box corner L_i * E_{i+1}, which X only reaches when the lines are the
/// axis-parallel ones of the two extreme vertices).
bool solveEdpBySweep(const AssignmentProblem &p, const SolverOptions &options, const Deadline &deadline,
                     AssignmentSolution &solution) {
  struct Point {
    double latency, energy;
    AssignmentSolution at;
    double weight = 0; // the weight of the latency at which it was found optimal
    double lower = 0;  // the weighted solve's proven lower bound (its value when solved exactly)
  };
  int solves = 0;
  auto solveWeighted = [&](double w, Point &point) {
    AssignmentProblem q = p;
    q.objective = Objective::Weighted;
    q.weight = w;
    AssignmentSolution s;
    if (q.budgets.empty() || !solveWithPrices(q, options, deadline, s))
      s = runDp(q, options, deadline);
    ++solves;
    s.phasesMs.clear();
    if (!s.feasible) {
      solution.infeasibility = s.infeasibility;
      return false;
    }
    point = {s.cost.latencyUs, s.cost.energyUj, s, w, s.lowerBound};
    return s.optimal;
  };
  // The least latency x energy an unexplored assignment between vertices a and b (a.latency < b.latency) can have:
  // at the crossing of their supporting lines, kept inside the box [L_a, L_b] x [E_b, E_a] against rounding.
  auto segmentBound = [](const Point &a, const Point &b) {
    double corner = a.latency * b.energy;
    // w_a L + (1 - w_a) E = c_a and w_b L + (1 - w_b) E = c_b, lowered by the solver's optimality tolerance.
    double ca = (a.weight * a.latency + (1 - a.weight) * a.energy) * (1 - 1e-9);
    double cb = (b.weight * b.latency + (1 - b.weight) * b.energy) * (1 - 1e-9);
    double l, e;
    if (!linesCross(a.weight, ca, b.weight, cb, l, e))
      return corner;
    l = std::clamp(l, a.latency, std::max(a.latency, b.latency));
    e = std::clamp(e, b.energy, std::max(b.energy, a.energy));
    return std::max(corner, l * e);
  };
  std::vector<Point> hull(2); // sorted by latency
  bool exact = solveWeighted(1.0, hull[0]);
  if (!hull[0].at.feasible)
    return true;
  exact = solveWeighted(0.0, hull[1]) && exact;
  if (!hull[1].at.feasible)
    return true;
  // Segments between consecutive vertices still to search (by the index of their left vertex); finished ones
  // are edges of the hull.
  // Per segment: open, an edge of the hull (searched, nothing below it), or pruned (L_a * E_b beats no vertex).
  enum Segment { Open, Edge, Pruned };
  std::vector<Segment> finished(
      1, !exact ? Open : hull[0].latency >= hull[1].latency || hull[0].energy <= hull[1].energy ? Edge : Open);
  bool stopped = !exact;
  // Best first: the open segment with the lowest bound, so a good vertex comes early and prunes the others.
  auto nextOpen = [&]() -> size_t {
    size_t pick = hull.size();
    for (size_t j = 0; j + 1 < hull.size(); ++j)
      if (finished[j] == Open && (pick == hull.size() || segmentBound(hull[j], hull[j + 1]) <
                                                             segmentBound(hull[pick], hull[pick + 1])))
        pick = j;
    return pick;
  };
  for (size_t i = nextOpen(); exact && i + 1 < hull.size(); i = nextOpen()) {
    if (deadline.passed()) {
      stopped = true;
      break;
    }
    const Point &a = hull[i], &b = hull[i + 1];
    double bestValue = std::numeric_limits<double>::infinity();
    for (const Point &q : hull)
      bestValue = std::min(bestValue, q.latency * q.energy);
    if (segmentBound(a, b) >= bestValue * (1 - 1e-12)) {
      finished[i] = Pruned; // nothing in this segment can beat the best vertex
      continue;
    }
    double dl = b.latency - a.latency, de = a.energy - b.energy;
    double w = de / (de + dl);
    Point c;
    bool cExact = solveWeighted(w, c);
    if (!c.at.feasible)
      return true;
    if (!cExact) {
      stopped = true; // its point is a feasible assignment, not a proven vertex
      if (c.latency * c.energy < solution.cost.objective || !solution.feasible)
        solution = c.at;
      break;
    }
    double onSegment = w * a.latency + (1 - w) * a.energy;
    double value = w * c.latency + (1 - w) * c.energy;
    if (!(value < onSegment - 1e-9 * std::abs(onSegment)) || c.latency <= a.latency || c.latency >= b.latency) {
      finished[i] = Edge;
      continue;
    }
    hull.insert(hull.begin() + i + 1, c);
    finished.insert(finished.begin() + i + 1, Open);
  }
  double bound = std::numeric_limits<double>::infinity();
  size_t best = 0;
  for (size_t i = 0; i < hull.size(); ++i) {
    if (hull[i].latency * hull[i].energy < hull[best].latency * hull[best].energy)
      best = i;
    if (i + 1 < hull.size())
      bound = std::min(bound, finished[i] == Edge ? std::min(hull[i].latency * hull[i].energy,
                                                             hull[i + 1].latency * hull[i + 1].energy)
                                                  : segmentBound(hull[i], hull[i + 1]));
  }
  if (!(solution.feasible && solution.cost.objective < hull[best].at.cost.objective)) {
    std::vector<std::pair<std::string, double>> phases = solution.phasesMs;
    solution = hull[best].at;
    solution.phasesMs = phases;
  }
  solution.cost = evaluateAssignment(p, solution.devices);
  solution.feasible = solution.cost.feasible;
  solution.method = "hull sweep (" + std::to_string(solves) + " weighted solves)";
  // The extremes not both solved exactly: their lines are not proven, only their bounds, on the least latency and
  // the least energy, whose product bounds edp.
  if (!exact)
    bound = std::max(0.0, hull[0].lower) * std::max(0.0, hull[1].lower);
  solution.optimal = exact && !stopped;
  solution.lowerBound = solution.optimal ? solution.cost.objective : std::min(bound, solution.cost.objective);
  solution.stoppedBy = solution.optimal ? "" : "time limit";
  solution.phasesMs.push_back({"hull sweep", deadline.elapsedMs()});
  return true;
}

/// A pipelined assignment's cost kept up to date node by node: every stage's load (devices and links), the energy,
/// each budget's use, and the ties broken and unavailable links used. Moving a node re-prices its neighbourhood
/// (its loads, transfers and same-device ties, and its producers' transfers), not the graph.
struct StageAccount {
  const AssignmentProblem &p;
  const GraphView &g;
  std::vector<int> mix;
  double deviceTime[8] = {}, linkTime[8][8] = {}, energy = 0;
  std::vector<double> use;
  int broken = 0; // unavailable links used + same-device ties broken
  std::vector<std::vector<int>> tiedTo; // nodes whose same-device tie names u: moving u can make or break them
  std::vector<int> touched;

  StageAccount(const AssignmentProblem &problem, const GraphView &view, std::vector<int> assignment)
      : p(problem), g(view), mix(std::move(assignment)), use(problem.budgets.size(), 0.0),
        tiedTo(problem.nodes.size()) {
    for (size_t w = 0; w < p.nodes.size(); ++w)
      for (int u : p.nodes[w].sameDeviceAs)
        if (u >= 0 && (tiedTo[u].empty() || tiedTo[u].back() != static_cast<int>(w)))
          tiedTo[u].push_back(static_cast<int>(w));
    for (size_t u = 0; u < p.nodes.size(); ++u)
      account(u, 1.0);
  }
  /// Node u's part: its own latency, energy and resources, and one transfer per other device hosting a consumer.
  void account(size_t u, double sign) {
    int d = mix[u];
    const AssignmentNode &node = p.nodes[u];
    deviceTime[d] += sign * node.latencyUs[d];
    energy += sign * node.energyUj[d];
    for (size_t b = 0; b < p.budgets.size(); ++b)
      if (p.budgets[b].device == d)
        use[b] += sign * node.resources[d][b];
    forEachShipment(g, mix, u, [&](int to) {
      const LinkCost &link = p.links[d][to];
      if (!link.available) {
        broken += sign > 0 ? 1 : -1;
        return true;
      }
      linkTime[d][to] += sign * (link.latencyFixedUs + link.latencyPerByteUs * node.outputBytes);
      if (link.hasEnergy)
        energy += sign * (link.energyFixedUj + link.energyPerByteUj * node.outputBytes);
      return true;
    });
    if (!node.sameDeviceAs.empty() && node.sameDeviceAs[d] >= 0 && mix[node.sameDeviceAs[d]] != d)
      broken += sign > 0 ? 1 : -1;
  }
  void move(int v, int device) {
    touched.assign(1, v);
    for (int u : g.preds[v])
      touched.push_back(u);
    for (int w : tiedTo[v])
      touched.push_back(w);
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    for (int u : touched)
      account(static_cast<size_t>(u), -1.0);
    mix[v] = device;
    for (int u : touched)
      account(static_cast<size_t>(u), 1.0);
  }
  /// No tie broken, no unavailable link used, every budget kept within `slack` (relative: the incremental sums
  /// carry rounding; the assignment kept is evaluated afresh).
  bool fits(double slack = 1e-12) const {
    if (broken > 0)
      return false;
    for (size_t b = 0; b < p.budgets.size(); ++b)
      if (!(use[b] <= p.budgets[b].capacity * (1 + slack)))
        return false;
    return true;
  }
  double objective() const {
    double period = 0;
    for (int a = 0; a < p.numDevices; ++a) {
      period = std::max(period, deviceTime[a]);
      for (int b = 0; b < p.numDevices; ++b)
        period = std::max(period, linkTime[a][b]);
    }
    return objectiveFrom(p, period, energy);
  }
};

/// `assignment` into `best` when it is feasible and better (evaluated afresh: the incremental sums only guide).
void keepIfBetter(const AssignmentProblem &p, const GraphView &g, std::vector<int> assignment,
                  AssignmentSolution &best) {
  AssignmentCost cost = evaluateWith(p, g, assignment);
  if (cost.feasible && (!best.feasible || cost.objective < best.cost.objective)) {
    best.feasible = true;
    best.devices = std::move(assignment);
    best.cost = cost;
  }
}

/// Pipelined objectives: the best of the assignments that take the first t nodes of the placement order from `head`
/// and the others from `tail`, for every t, into `best` (when better). Stage-weight rounds swing between assignments
/// that overload opposite stages; a cut through two of them balances the loads, which no single move does once
/// several stages share the period. Each cut is priced incrementally; the chosen one is evaluated afresh.
void bestCut(const AssignmentProblem &p, const GraphView &g, const std::vector<int> &head, const std::vector<int> &tail,
             const Deadline &deadline, AssignmentSolution &best) {
  StageAccount mix(p, g, tail);
  double bestObjective = best.feasible ? best.cost.objective : std::numeric_limits<double>::infinity();
  size_t bestT = 0;
  bool found = false;
  for (size_t t = 0; t < g.order.size(); ++t) {
    if ((t & 255) == 0 && deadline.passed())
      break;
    int v = g.order[t];
    if (mix.mix[v] == head[v])
      continue;
    mix.move(v, head[v]);
    if (!mix.fits())
      continue;
    double objective = mix.objective();
    if (objective < bestObjective * (1 - 1e-12)) {
      bestObjective = objective;
      bestT = t;
      found = true;
    }
  }
  if (!found)
    return;
  std::vector<int> chosen = tail;
  for (size_t t = 0; t <= bestT; ++t)
    chosen[g.order[t]] = head[g.order[t]];
  keepIfBetter(p, g, std::move(chosen), best);
}

/// Pipelined objectives: single-node moves from `best` while one lowers the objective (first improvement, in
/// placement order, pass after pass until one improves nothing), and swaps of two nodes within 5 % of the time
/// limit. The stage weights and their cuts leave a node here and there that one move takes off the busiest stage
/// (1k-op chain, latency: the period 0.10 % lower). Unless `deadline` stops the moves, what it returns is
/// one-move optimal.
void improveByMoves(const AssignmentProblem &p, const GraphView &g, const Deadline &deadline,
                    AssignmentSolution &best) {
  if (!best.feasible)
    return;
  StageAccount mix(p, g, best.devices);
  double current = mix.objective();
  // Moves run until `deadline` (the caller keeps the bound's time out of it): a move re-prices its producers'
  // shipments, so on a graph with a node that feeds every other one a pass costs nodes x fan-out (10k nodes: over
  // a second). Swaps, quadratic, get at most 5 % of the limit, and moves run again after them, so that the swaps'
  // cap leaves no node that one move would improve.
  Deadline local = deadline;
  local.limitMs = std::min(deadline.limitMs, deadline.elapsedMs() + 0.05 * deadline.limitMs);
  // Accepted moves keep every budget with a margin below it (the sums carry rounding; a move over the capacity by
  // rounding would make the fresh evaluation refuse the whole search).
  const double slack = -1e-12;
  auto moves = [&] {
    for (bool improved = true; improved && !deadline.passed();) {
      improved = false;
      for (size_t t = 0; t < g.order.size(); ++t) {
        if ((t & 63) == 0 && deadline.passed())
          break;
        int v = g.order[t], from = mix.mix[v];
        for (int d = 0; d < p.numDevices; ++d) {
          if (d == from || !p.nodes[v].allowed[d])
            continue;
          mix.move(v, d);
          double objective = mix.objective();
          if (mix.fits(slack) && objective < current * (1 - 1e-12)) {
            current = objective, from = d, improved = true;
          } else {
            mix.move(v, from);
          }
        }
      }
    }
  };
  // Swaps: once every single move overshoots (a node larger than the gap between two stages), exchanging two nodes
  // of different devices still balances them. Pairs in placement order, first improvement; quadratic (1k-op
  // graphs: 0.1-0.3 s; 10k: part of the pairs). Moves again after every pass that swapped.
  auto swaps = [&] {
    bool swapped = false;
    size_t tried = 0;
    for (size_t a = 0; a < g.order.size() && !local.passed(); ++a) {
      int v = g.order[a];
      for (size_t b = a + 1; b < g.order.size(); ++b) {
        if ((++tried & 63) == 0 && local.passed())
          return swapped;
        int u = g.order[b], dv = mix.mix[v], du = mix.mix[u];
        if (dv == du || !p.nodes[v].allowed[du] || !p.nodes[u].allowed[dv])
          continue;
        mix.move(v, du);
        mix.move(u, dv);
        double objective = mix.objective();
        if (mix.fits(slack) && objective < current * (1 - 1e-12)) {
          current = objective, swapped = true;
        } else {
          mix.move(u, du);
          mix.move(v, dv);
        }
      }
    }
    return swapped;
  };
  // Not for edp: its gap is the planes' bound, which the time the swaps take would weaken (1k inception graph:
  // 0.22 -> 0.31 %).
  const bool swapping = p.objective != Objective::Edp;
  do
    moves();
  while (swapping && !local.passed() && swaps());
  if (mix.mix != best.devices)
    keepIfBetter(p, g, std::move(mix.mix), best);
}

/// Pipelined latency and weighted objectives: the period is at least any convex combination of the stages' loads.
/// With weights mu on the stages the combination is additive: each node's latency on device d scaled by mu_d and
/// each link's by mu_link give a sequential problem (budgets kept) whose exact optimum bounds the objective below;
/// every assignment it returns is a candidate above. Exponentiated-gradient steps move weight to the loaded stages.
/// Returns the best lower bound (0 when none is proven) and sets `best` to the best feasible assignment found.
/// `warm` (optional): stage weights to start from and the steps already taken (a problem of the same graph solved
/// before, e.g. at another edp weight), updated on return, so a related problem does not start from uniform weights.
struct StageWeights {
  std::vector<double> mu;
  int rounds = 0;
};
double stageWeightBound(const AssignmentProblem &p, const SolverOptions &options, const Deadline &deadline,
                        AssignmentSolution &best, StageWeights *warm = nullptr) {
  GraphView g = viewOf(p);
  int stages = p.numDevices;
  for (int a = 0; a < p.numDevices; ++a)
    for (int b = 0; b < p.numDevices; ++b)
      stages += a != b && p.links[a][b].available;
  std::vector<double> mu(static_cast<size_t>(stages), 1.0 / stages);
  int firstRound = 0;
  if (warm && warm->mu.size() == mu.size()) {
    mu = warm->mu;
    firstRound = warm->rounds;
  }
  double lower = 0;
  std::vector<int> previous;
  bool pricesOnly = false;
  int round = firstRound;
  for (; round < firstRound + 200 && !deadline.passed(); ++round) {
    AssignmentProblem q = p;
    q.mode = ScheduleMode::Sequential;
    q.objective = p.objective == Objective::Weighted ? Objective::Weighted : Objective::Latency;
    for (AssignmentNode &node : q.nodes)
      for (int d = 0; d < p.numDevices; ++d)
        node.latencyUs[d] *= mu[d];
    int k = p.numDevices;
    for (int a = 0; a < p.numDevices; ++a)
      for (int b = 0; b < p.numDevices; ++b)
        if (a != b && p.links[a][b].available) {
          q.links[a][b].latencyFixedUs *= mu[k];
          q.links[a][b].latencyPerByteUs *= mu[k];
          ++k;
        }
    // Budgeted: each round's problem solved exactly (prices, then labels) while that is cheap; once a round costs
    // more than 2 % of the time, by the prices alone (their dual bound bounds the round's optimum, so the period,
    // and the best path that fits is a candidate): many cheap rounds rather than a few exact ones.
    AssignmentSolution s;
    Deadline round2pct = deadline; // an exact round stops at 2 % of the time, keeping its priced bound
    round2pct.limitMs = std::min(deadline.limitMs, deadline.elapsedMs() + 0.02 * deadline.limitMs);
    if (q.budgets.empty()) {
      s = runDp(q, options, deadline);
    } else if (!solveWithPrices(q, options, pricesOnly ? deadline : round2pct, s, /*searchLabels=*/!pricesOnly) ||
               !s.feasible) {
      s = AssignmentSolution();
      if (!solveWithPrices(q, options, deadline, s, /*searchLabels=*/false))
        s = runDp(q, options, deadline);
    }
    if (!q.budgets.empty() && round2pct.passed())
      pricesOnly = true;
    if (!s.feasible)
      break;
    // Only a proven optimum (or the priced search's own bound) bounds the combination below.
    if (s.optimal || s.method.rfind("lagrangian", 0) == 0)
      lower = std::max(lower, s.lowerBound);
    std::vector<double> loads;
    AssignmentCost cost = evaluateWith(p, g, s.devices, &loads);
    if (cost.feasible && (!best.feasible || cost.objective < best.cost.objective)) {
      best.feasible = true;
      best.devices = s.devices;
      best.cost = cost;
    }
    // Cuts through this round's assignment and the previous one, and through it and the best so far.
    if (!previous.empty()) {
      bestCut(p, g, previous, s.devices, deadline, best);
      bestCut(p, g, s.devices, previous, deadline, best);
    }
    if (best.feasible && best.devices != s.devices) {
      std::vector<int> incumbent = best.devices;
      bestCut(p, g, incumbent, s.devices, deadline, best);
      bestCut(p, g, s.devices, incumbent, deadline, best);
    }
    previous = s.devices;
    // For edp the bound is on the period alone: it never closes the gap by itself.
    if (p.objective != Objective::Edp && best.feasible && best.cost.objective - lower <= 1e-9 * best.cost.objective)
      break;
    if (loads.size() != static_cast<size_t>(stages))
      break; // not a complete assignment: no loads to weigh
    double most = *std::max_element(loads.begin(), loads.end());
    if (!(most > 0))
      break;
    double step = 2.0 / std::sqrt(round + 1.0), total = 0;
    for (int j = 0; j < stages; ++j)
      total += mu[j] *= std::exp(step * (loads[j] / most - 1.0));
    for (double &m : mu)
      m /= total;
  }
  if (warm) {
    warm->mu = mu;
    warm->rounds = round;
  }
  return lower;
}

/// The least period x energy over {P >= leastPeriod, E >= leastEnergy, w P + (1 - w) E >= least for every (w, least)
/// of `lines`}, which holds every assignment: a convex region closed upward, over which P E (growing with P and with
/// E, concave along any segment) is least at a vertex of its lower-left boundary, where two of the constraints cross.
struct EdpRegionLeast {
  double value = 0, period = 0, energy = 0;
};
EdpRegionLeast edpRegionLeast(double leastPeriod, double leastEnergy,
                              const std::vector<std::pair<double, double>> &lines) {
  std::vector<std::pair<double, double>> sides = {{1.0, leastPeriod}, {0.0, leastEnergy}};
  for (auto [w, least] : lines)
    if (least > 0 && w > 0 && w < 1)
      sides.push_back({w, least});
  auto inside = [&](double period, double energy) {
    for (auto [w, least] : sides)
      if (w * period + (1 - w) * energy < least * (1 - 1e-12))
        return false;
    return true;
  };
  EdpRegionLeast best{leastPeriod * leastEnergy, leastPeriod, leastEnergy};
  bool found = false;
  for (size_t i = 0; i < sides.size(); ++i)
    for (size_t j = i + 1; j < sides.size(); ++j) {
      double period, energy;
      if (linesCross(sides[i].first, sides[i].second, sides[j].first, sides[j].second, period, energy) &&
          inside(period, energy) && (!found || period * energy < best.value)) {
        best = {period * energy, period, energy};
        found = true;
      }
    }
  return best; // not found (rounding): the corner, a bound all the same
}

} // namespace

namespace {
/// The MIP on `q` (pipelined latency or weighted; `g` its graph view) for up to `ms`, from `start` (may be empty):
/// its assignment, evaluated afresh on q, into `out` when it fits (out.feasible).
struct MipOutcome {
  bool ran = false;    // CBC was built in and the budget covered the problem's size
  double bound = 0;    // CBC's bound on q's objective (0 when none)
  bool proven = false; // the bound meets the assignment
};
MipOutcome mipOn(const AssignmentProblem &q, const GraphView &g, const std::vector<int> &start, double ms,
                 AssignmentSolution &out) {
  MipOutcome outcome;
  out = AssignmentSolution();
  // CBC does not stop its root LP at the time limit: on the benchmark's 10k-op chain it ran 20 s against a 3 s
  // budget, 43 s on the residual graph. The root LP took 0.26-0.43 s on the 1k-op graphs, about 4e-4 ms * n^2:
  // the MIP runs only where its budget covers twice that.
  double n = static_cast<double>(q.nodes.size());
  if (ms <= 0 || ms < 8e-4 * n * n)
    return outcome;
  MipResult mip = solvePipelinedMip(q, g.succs, start, ms / 1000);
  if (!mip.ran)
    return outcome;
  outcome.ran = true;
  if (mip.solution) {
    out.cost = evaluateWith(q, g, mip.devices);
    out.feasible = out.cost.feasible;
    out.devices = mip.devices;
  }
  // A bound above an assignment known to fit is no bound (CBC reports 1e50-like values when it stops early): none.
  double known = out.feasible ? out.cost.objective : std::numeric_limits<double>::infinity();
  if (start.size() == q.nodes.size())
    if (AssignmentCost c = evaluateWith(q, g, start); c.feasible)
      known = std::min(known, c.objective);
  // Nor is one that meets it without CBC's proof: stopped before its root LP, CBC reports its best solution's
  // objective as the bound.
  bool valid = std::abs(mip.bound) < 1e30 && !(mip.bound > known * (1 + 1e-9)) &&
               (mip.provenOptimal || mip.bound < known * (1 - 1e-9));
  outcome.bound = valid ? mip.bound : 0.0;
  outcome.proven = out.feasible && mip.provenOptimal && valid && outcome.bound >= out.cost.objective * (1 - 1e-9);
  return outcome;
}
} // namespace

AssignmentSolution solveAssignment(const AssignmentProblem &problem, const SolverOptions &options) {
  Deadline deadline;
  deadline.limitMs = options.timeLimitMs;
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
  auto finish = [&](AssignmentSolution &s) -> AssignmentSolution & {
    if (s.feasible && !s.optimal)
      s.gap = s.cost.objective > 0 ? (s.cost.objective - s.lowerBound) / s.cost.objective : 0.0;
    s.solveMs = deadline.elapsedMs();
    // Phases were recorded as the elapsed time at their end; report their own durations.
    for (size_t k = s.phasesMs.size(); k-- > 1;)
      s.phasesMs[k].second -= s.phasesMs[k - 1].second;
    return s;
  };
  CostLayout layout(problem);
  if (options.prices && layout.scalar && !problem.budgets.empty() &&
      solveWithPrices(problem, options, deadline, solution))
    return finish(solution);
  if (options.prices && problem.objective == Objective::Edp && problem.mode == ScheduleMode::Sequential &&
      solveEdpBySweep(problem, options, deadline, solution))
    return finish(solution);
  std::vector<std::pair<std::string, double>> phases = solution.phasesMs;

  // A quick pass keeping few labels finds a good assignment; its cost then prunes the exact pass, which leaves
  // time for the bound that an unfinished pass needs (its DPs are cheaper than the quick pass).
  SolverOptions quick = options;
  quick.maxLabelsPerState = std::min<size_t>(options.maxLabelsPerState, 8);
  AssignmentSolution heuristic = runDp(problem, quick, deadline);
  phases.push_back({"quick dp", deadline.elapsedMs()});
  const double quickMs = deadline.elapsedMs();
  // Pipelined latency and weighted: the MIP first, from the quick pass's assignment. Its cuts prove real CNNs'
  // optima in a fraction of a second, where the stage weights below leave gaps of percents; on the benchmark's
  // synthetic 1k-op graphs it does not finish, and its incumbent and bound join what the stage weights find.
  const GraphView view = viewOf(problem);
  double mipBound = 0;
  bool mipRan = false;
  if (options.mip && options.prices && problem.mode == ScheduleMode::Pipelined &&
      (problem.objective == Objective::Latency || problem.objective == Objective::Weighted) && !deadline.passed()) {
    double ms = std::min(options.mipShare * deadline.limitMs, 0.9 * (deadline.limitMs - deadline.elapsedMs()));
    AssignmentSolution found;
    MipOutcome mip = mipOn(problem, view, heuristic.feasible ? heuristic.devices : std::vector<int>(), ms, found);
    mipBound = mip.bound;
    mipRan = mip.ran;
    if (mipRan)
      phases.push_back({"mip", deadline.elapsedMs()});
    if (found.feasible)
      keepIfBetter(problem, view, found.devices, heuristic);
    if (mip.proven && heuristic.cost.objective <= found.cost.objective) {
      solution = heuristic;
      solution.optimal = true;
      solution.lowerBound = std::min(mip.bound, heuristic.cost.objective);
      solution.method = "mip";
      solution.phasesMs = phases;
      return finish(solution);
    }
  }
  // Time kept for the bound (up to three one-label DPs, each cheaper than the quick pass), at most 15 % of the limit.
  double reserve = std::min(3 * quickMs, 0.15 * deadline.limitMs);
  bool staged = options.prices && problem.mode == ScheduleMode::Pipelined && problem.objective != Objective::Energy;
  // With stage weights to try, the exact pass first gets part of the time (real CNNs finish in it in
  // milliseconds); the stage weights then get most of it, since their cuts are what large graphs need. Pipelined
  // edp with the MIP keeps a third of that part: where the label DP does not finish quickly, the MIP's exact planes
  // are what proves it (MobileNetV2: 1.5 s of its 1.6 s went to a DP that did not finish).
  const bool edpByMip = problem.objective == Objective::Edp && options.prices && options.mip && mipAvailable();
  Deadline exactDeadline = deadline;
  exactDeadline.limitMs = std::max(0.0, (staged ? (edpByMip ? 0.05 : 0.15) : 1.0) * deadline.limitMs - reserve);
  double upper = heuristic.feasible ? heuristic.cost.objective : std::numeric_limits<double>::infinity();
  // Nothing is left for it when the quick pass used the time: the exact pass would be the same beam again.
  if (!exactDeadline.passed())
    solution = runDp(problem, options, exactDeadline, upper);
  phases.push_back({"dp", deadline.elapsedMs()});
  double stageBound = 0;
  // The stage weights' bound meets the best assignment (never for edp: it bounds the period only).
  auto closedByStages = [&] {
    return problem.objective != Objective::Edp && stageBound > 0 && upper - stageBound <= 1e-9 * upper;
  };
  // Edp: weighted problems' bounds, weight * period + (1 - weight) * energy >= bound, as (weight, bound).
  std::vector<std::pair<double, double>> lines;
  double leastEnergy = 0; // edp: a lower bound on the energy of every assignment
  if (staged && !solution.optimal && !deadline.passed()) {
    const bool edp = problem.objective == Objective::Edp;
    AssignmentSolution candidate;
    Deadline stageDeadline = deadline;
    stageDeadline.limitMs = std::max(0.0, (edp ? 0.45 : 0.8) * deadline.limitMs - reserve);
    StageWeights weights;
    bool periodProven = false;
    if (edpByMip) {
      // Edp: the least period itself where the MIP proves it (real CNNs: milliseconds), a tighter bound on the
      // period than the stage weights', whose pass it then replaces; its assignment is a candidate.
      AssignmentProblem periodOnly = problem;
      periodOnly.objective = Objective::Latency;
      AssignmentSolution fastest;
      MipOutcome period =
          mipOn(periodOnly, view, heuristic.feasible ? heuristic.devices : std::vector<int>(),
                std::min(options.mipShare * deadline.limitMs, stageDeadline.limitMs - deadline.elapsedMs()), fastest);
      stageBound = period.bound;
      periodProven = period.proven;
      if (fastest.feasible)
        keepIfBetter(problem, view, fastest.devices, candidate);
      mipRan |= period.ran;
      if (period.ran)
        phases.push_back({"mip period", deadline.elapsedMs()});
    }
    if (!periodProven) {
      AssignmentSolution staged;
      stageBound = std::max(stageBound, stageWeightBound(problem, options, stageDeadline, staged, &weights));
      if (staged.feasible)
        keepIfBetter(problem, view, staged.devices, candidate);
      phases.push_back({"stage weights", deadline.elapsedMs()});
    }
    Deadline polishDeadline = deadline; // the bound's reserve stays out of it
    polishDeadline.limitMs = std::max(0.0, deadline.limitMs - reserve);
    improveByMoves(problem, view, polishDeadline, candidate);
    phases.push_back({"moves", deadline.elapsedMs()});
    if (candidate.feasible && candidate.cost.objective < upper)
      upper = candidate.cost.objective;
    if (candidate.feasible && (!heuristic.feasible || candidate.cost.objective < heuristic.cost.objective))
      heuristic = candidate;
    if (edp && stageBound > 0) {
      // The energy factor's least value: within the budgets, the priced search's optimum, or its dual bound when it
      // does not finish in its share of the time; else (or without budgets) the budget-free label DP's optimum.
      AssignmentProblem energyOnly = problem;
      energyOnly.objective = Objective::Energy;
      energyOnly.mode = ScheduleMode::Sequential;
      bool provenEnergy = false; // the budgeted least energy itself, which no budget-free value can raise
      if (!problem.budgets.empty()) {
        Deadline energyDeadline = deadline;
        energyDeadline.limitMs =
            std::min(std::max(0.0, deadline.limitMs - reserve), deadline.elapsedMs() + 0.05 * deadline.limitMs);
        AssignmentSolution least;
        if (solveWithPrices(energyOnly, options, energyDeadline, least) && least.feasible)
          leastEnergy = least.optimal ? least.cost.objective : least.lowerBound;
        provenEnergy = least.feasible && least.optimal;
      }
      if (!provenEnergy) {
        energyOnly.budgets.clear();
        for (AssignmentNode &node : energyOnly.nodes)
          for (auto &r : node.resources)
            r.clear();
        AssignmentSolution free = runDp(energyOnly, options, deadline);
        if (free.feasible && free.optimal)
          leastEnergy = std::max(leastEnergy, free.cost.objective);
      }
      phases.push_back({"least energy", deadline.elapsedMs()});
    }
    // Cutting planes: the weighted problem w P + (1 - w) E at the weight tangent to a hyperbola P E = const, at the
    // incumbent while its assignments improve it (they are candidates too), else at the point of least P E of the
    // region the lines bound so far, which its stage bound cuts off.
    stageDeadline.limitMs = std::max(0.0, 0.92 * deadline.limitMs - reserve);
    bool moved = true;
    for (int round = 0; edp && round < 8 && heuristic.feasible && leastEnergy > 0 && !stageDeadline.passed();
         ++round) {
      double w;
      if (moved && heuristic.cost.latencyUs > 0 && heuristic.cost.energyUj > 0) {
        w = heuristic.cost.energyUj / (heuristic.cost.latencyUs + heuristic.cost.energyUj);
      } else {
        EdpRegionLeast at = edpRegionLeast(stageBound, leastEnergy, lines);
        if (!(at.value < upper * (1 - 1e-9)))
          break; // the bound meets the incumbent
        w = at.energy / (at.period + at.energy);
      }
      if (std::any_of(lines.begin(), lines.end(), [&](const auto &l) { return std::fabs(l.first - w) < 1e-9; }))
        break;
      AssignmentProblem weighted = problem;
      weighted.objective = Objective::Weighted;
      weighted.weight = w;
      AssignmentSolution tangent;
      // Half of the time left to the planes: a later plane, at a better weight, needs time too.
      Deadline roundDeadline = stageDeadline;
      roundDeadline.limitMs = deadline.elapsedMs() + (stageDeadline.limitMs - deadline.elapsedMs()) / 2;
      // The weighted problem's optimum, where the MIP proves it in half the round's time, is the tightest line;
      // else the stage weights' bound (and the MIP's, whichever is higher).
      double line = 0;
      MipOutcome plane;
      // Only where the MIP proved the least period: on graphs it cannot prove, it would take the planes' time.
      if (edpByMip && periodProven) {
        plane = mipOn(weighted, view, heuristic.devices, (roundDeadline.limitMs - deadline.elapsedMs()) / 2, tangent);
        line = plane.bound;
      }
      if (!plane.proven) {
        AssignmentSolution staged;
        line = std::max(line, stageWeightBound(weighted, options, roundDeadline, staged, &weights));
        if (staged.feasible)
          keepIfBetter(weighted, view, staged.devices, tangent);
      }
      lines.push_back({w, line});
      moved = false;
      if (tangent.feasible) {
        AssignmentCost cost = evaluateAssignment(problem, tangent.devices);
        if (cost.feasible && cost.objective < heuristic.cost.objective) {
          heuristic.devices = tangent.devices;
          heuristic.cost = cost;
          upper = std::min(upper, cost.objective);
          moved = true;
        }
      }
    }
    if (!lines.empty()) {
      phases.push_back({"weighted stage weights", deadline.elapsedMs()});
      if (moved) { // the planes' assignments improved the incumbent: moves from it
        improveByMoves(problem, view, polishDeadline, heuristic);
        upper = std::min(upper, heuristic.cost.objective);
        phases.push_back({"moves", deadline.elapsedMs()});
      }
    }
    exactDeadline.limitMs = std::max(0.0, deadline.limitMs - reserve);
    // Edp: the planes' region may already meet the incumbent (exact lines from the MIP).
    bool edpClosed = edp && stageBound > 0 && leastEnergy > 0 &&
                     edpRegionLeast(stageBound, leastEnergy, lines).value >= upper * (1 - 1e-9);
    if (!closedByStages() && !edpClosed && !exactDeadline.passed()) {
      solution = runDp(problem, options, exactDeadline, upper);
      phases.push_back({"dp", deadline.elapsedMs()});
    }
  }
  solution.method = "dp";
  // The exact pass may end with nothing better than its bound or no label (out of time): keep the best known.
  if (heuristic.feasible && (!solution.feasible || heuristic.cost.objective < solution.cost.objective)) {
    size_t frontier = std::max(solution.maxFrontier, heuristic.maxFrontier);
    solution = heuristic;
    solution.optimal = false;
    solution.maxFrontier = frontier;
  }
  if (solution.feasible && !solution.optimal) {
    solution.method = std::string(staged ? "dp+stage weights" : "dp") + (mipRan ? "+mip" : "");
    solution.stoppedBy = exactDeadline.passed() ? "time limit" : "label cap";
    double bound = relaxedLowerBound(problem, options, deadline);
    if (problem.objective == Objective::Edp && stageBound > 0 && leastEnergy > 0) {
      // The period is at least the stage bound, the energy at least its least value, and every line holds.
      bound = std::max(bound, edpRegionLeast(stageBound, leastEnergy, lines).value);
    } else if (problem.objective != Objective::Edp) {
      bound = std::max({bound, stageBound, mipBound});
    }
    solution.lowerBound = std::min(bound, solution.cost.objective);
    if (solution.lowerBound >= solution.cost.objective * (1 - 1e-9)) {
      solution.optimal = true; // the bound meets the assignment
      solution.stoppedBy.clear();
    }
    phases.push_back({"bound", deadline.elapsedMs()});
  } else if (solution.optimal && staged && closedByStages()) {
    solution.method = "dp+stage weights";
  }
  solution.phasesMs = phases;
  return finish(solution);
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
