//===- Assignment.h - exact device assignment of a layer graph --*- C++ -*-===//
//
// MLIR-free: chooses a device for every node of a DAG of layers, given each node's predicted cost on each device,
// the transfer cost of a node's output to another device, and resource budgets. The MLIR pass builds a Problem
// from annotated IR; tests compare the solver with exhaustive search on the same Problem.
//
// Cost model (one inference):
//  - a node's latency and energy on its device (unknown costs, e.g. no model on any device, count as 0 and are
//    reported by the caller);
//  - a node's output is shipped once to every other device that hosts one of its consumers, at the link's affine
//    cost in its output bytes; a device pair without a link cannot exchange data;
//  - sequential mode: latency is the sum of all node and transfer latencies (no overlap);
//    pipelined mode: frames stream, the period is the busiest stage: a device's summed node latencies, or a link's
//    summed transfer latencies;
//  - energy is the sum of node and transfer energies (a link without an energy model contributes nothing, and
//    the Problem says so);
//  - objective latency, energy, edp (latency x energy) or weighted (w * latency_us + (1 - w) * energy_uj);
//  - resources: the summed usage of the nodes placed on a device must fit its budget, for every budgeted resource;
//  - a node may require a producer on the same device (AssignmentNode::sameDeviceAs).
//
// The solver is a dynamic program over a topological order whose state is the device (and the set of devices its
// output has been shipped to) of every "frontier" node: nodes already placed that still have unplaced consumers.
// For chains the frontier holds one node; residual and inception blocks a handful. Each state keeps the Pareto set
// of partial cost vectors, so non-additive objectives (edp, pipelined) and budgets stay exact.
//
// Budgets with an additive objective (sequential latency, energy, weighted; energy in either mode) are solved by
// Lagrangian relaxation on the DP's state graph: the budgets are priced into the costs, the priced problem is a
// shortest path (exact, linear in the graph), and the best prices (Kelley's cutting planes, each step a small LP:
// DenseLp.h) give a lower bound and, from their feasible paths, an upper bound; a label search pruned by the
// priced cost-to-go of every state then closes the gap. Budgets that others imply (bindingBudgets) are left out.
//
// Pipelined latency and weighted objectives are first tried as a MIP (CBC, when the build has it: mipAvailable()),
// which proves real CNNs' optima in milliseconds; past its share of the time, stage-weight bounds (a convex
// combination of the stages' loads is additive) and local search take over, and pipelined edp adds cutting planes.
//
// One time limit covers the whole call. When it (or the label cap) is reached, the passes keep their best labels
// only and the result is reported as not proven optimal, with a lower bound and the gap.
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_PARTITION_ASSIGNMENT_H
#define FLYDEL_PARTITION_ASSIGNMENT_H

#include <string>
#include <vector>

namespace flydel {

enum class Objective { Latency, Energy, Edp, Weighted };
enum class ScheduleMode { Sequential, Pipelined };

const char *objectiveName(Objective objective);
bool parseObjective(const std::string &text, Objective &objective);
const char *scheduleModeName(ScheduleMode mode);
bool parseScheduleMode(const std::string &text, ScheduleMode &mode);

/// Affine transfer cost of a link: fixed + per_byte * bytes.
struct LinkCost {
  bool available = false;
  double latencyFixedUs = 0, latencyPerByteUs = 0;
  bool hasEnergy = false;
  double energyFixedUj = 0, energyPerByteUj = 0;
};

struct AssignmentNode {
  std::string name;
  /// Per device: may the node go there (it has a model there and no pin forbids it).
  std::vector<bool> allowed;
  std::vector<double> latencyUs, energyUj; // per device
  /// Per device, per budgeted resource: usage when placed there.
  std::vector<std::vector<double>> resources;
  double outputBytes = 0;
  /// Per device: whether latencyUs / energyUj there is a prediction (a missing one is 0 in the sums). Empty: all.
  std::vector<bool> latencyKnown, energyKnown;
  /// Per device (empty: none): a producer this node may go there only together with, or -1. An FPGA builds a
  /// batch norm's per-channel mul / add only folded into the convolution before it.
  std::vector<int> sameDeviceAs;
};

struct AssignmentProblem {
  int numDevices = 0;
  std::vector<std::string> deviceNames;
  std::vector<AssignmentNode> nodes;
  std::vector<std::pair<int, int>> edges; // producer -> consumer, node indices
  std::vector<std::vector<LinkCost>> links; // [from][to]
  /// Budgeted resources: name, the device they belong to, and the amount available.
  struct Budget {
    std::string resource;
    int device = 0;
    double capacity = 0;
  };
  std::vector<Budget> budgets;

  Objective objective = Objective::Latency;
  ScheduleMode mode = ScheduleMode::Sequential;
  double weight = 0.5; // Objective::Weighted

  /// Empty when well formed; else what is wrong (sizes, a cycle, an edge out of range).
  std::string check() const;
};

/// What an assignment costs under the problem's model.
struct AssignmentCost {
  bool feasible = false;
  std::string infeasibility; // why not, naming a node, link or budget
  double latencyUs = 0;      // sequential: sum; pipelined: the period
  double energyUj = 0;
  double objective = 0;
  /// What the sums are made of: nodes whose KPI is predicted on their device, nodes whose KPI is predicted on some
  /// device but not theirs, and transfers over links without an energy model. With missing terms a sum is a lower
  /// bound; with no known term it is no number at all. Nodes with a KPI predicted nowhere count in neither.
  int latencyKnownNodes = 0, latencyMissingNodes = 0;
  int energyKnownNodes = 0, energyMissingNodes = 0, energyMissingTransfers = 0;
  std::vector<double> resourceUse; // per budget
};

AssignmentCost evaluateAssignment(const AssignmentProblem &problem, const std::vector<int> &devices);
/// Several assignments of one problem, checked and viewed once (the single-device baselines of a large graph).
std::vector<AssignmentCost> evaluateAssignments(const AssignmentProblem &problem,
                                                const std::vector<std::vector<int>> &assignments);

/// A stage of pipelined mode: a device (its summed node latencies) or a link "from->to" (its summed transfer
/// latencies). In pipelined mode the period is the largest. A node whose latency is unknown on its device counts
/// as 0, as in AssignmentCost (latencyMissingNodes says how many): the loads are then lower bounds.
struct StageLoad {
  std::string stage;
  double latencyUs = 0;
};

/// Every stage's load under `devices`: the devices in order, then each available link, by source then target
/// device. Empty when the assignment is not feasible (evaluateAssignment says why).
std::vector<StageLoad> stageLoads(const AssignmentProblem &problem, const std::vector<int> &devices);

struct SolverOptions {
  /// For the whole call: the passes share it and check it inside their loops.
  double timeLimitMs = 10000;
  /// Price budgets of additive objectives and sweep the hull for sequential edp (false: the plain label DP only,
  /// which tests compare them with).
  bool prices = true;
  /// Labels kept per DP state before the solver falls back to the best ones (and stops claiming optimality).
  size_t maxLabelsPerState = 4096;
  /// Pipelined latency and weighted objectives: a MIP (CBC) first, for up to `mipShare` of the time limit, when
  /// the build has CBC (mipAvailable()); pipelined edp: the least period's MIP in the same share, then exact
  /// planes where it was proven. False: the DP and stage weights only.
  bool mip = true;
  double mipShare = 0.3;
};

struct AssignmentSolution {
  bool feasible = false;
  std::string infeasibility;
  std::vector<int> devices;
  AssignmentCost cost;
  bool optimal = false;
  double lowerBound = 0; // on the objective; equals cost.objective when optimal
  double gap = 0;        // (objective - lowerBound) / objective
  size_t maxFrontier = 0, states = 0, labels = 0;
  /// How the result was obtained: "dp" (label DP), "lagrangian" (prices close the gap), "lagrangian+labels"
  /// (prices, then a pruned label search), "mip" (CBC, pipelined), "hull sweep (...)", "dp+stage weights" (with
  /// "+mip" when the MIP ran); and why it is not proven optimal, if it is not ("time limit", "label cap").
  std::string method, stoppedBy;
  /// The whole call, and its passes in order (name, milliseconds).
  double solveMs = 0;
  std::vector<std::pair<std::string, double>> phasesMs;
};

AssignmentSolution solveAssignment(const AssignmentProblem &problem, const SolverOptions &options = {});

/// The budgets that can bind, as indices into problem.budgets; the priced search carries only these. A budget is
/// left out when it cannot bind: even every node that may go on its device, at its use there, fits it; or each
/// such node uses at most ρ times as much of it as of another budget kept on the same device, and ρ times that
/// one's capacity fits it (whatever fits that one fits this one). Needs uses >= 0; a budget with a negative or
/// non-finite use is kept.
std::vector<size_t> bindingBudgets(const AssignmentProblem &problem);

/// Whether this build has CBC, for the pipelined MIP (SolverOptions::mip).
bool mipAvailable();

/// Every assignment, for testing: feasible only when some assignment is. Refuses more than 3^16 combinations.
AssignmentSolution solveExhaustively(const AssignmentProblem &problem);

} // namespace flydel

#endif // FLYDEL_PARTITION_ASSIGNMENT_H
