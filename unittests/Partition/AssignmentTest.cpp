//===- AssignmentTest.cpp - the DP solver against exhaustive search -------===//

#include "flydel/Partition/Assignment.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <string>

using namespace flydel;

namespace {

enum class Shape { Chain, Residual, Inception };

const char *shapeName(Shape shape) {
  return shape == Shape::Chain ? "chain" : shape == Shape::Residual ? "residual" : "inception";
}

/// A random layer graph of `n` nodes on 3 devices: costs spread over two orders of magnitude, some nodes
/// without a model on some device, links missing in one direction, FPGA resources under a budget.
AssignmentProblem randomProblem(Shape shape, int n, unsigned seed, Objective objective, ScheduleMode mode,
                                bool budget) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> cost(1.0, 100.0), bytes(1e3, 1e6), usage(1e3, 3e4);
  std::bernoulli_distribution unavailable(0.15);
  AssignmentProblem p;
  p.numDevices = 3;
  p.deviceNames = {"cpu", "gpu", "fpga"};
  p.objective = objective;
  p.mode = mode;
  p.weight = 0.3;
  p.links.assign(3, std::vector<LinkCost>(3));
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b) {
      if (a == b)
        continue;
      LinkCost &l = p.links[a][b];
      l.available = !(a == 0 && b == 2); // no cpu -> fpga link
      l.latencyFixedUs = cost(rng) / 10;
      l.latencyPerByteUs = 1e-5 * cost(rng);
      l.hasEnergy = (a + b) % 2 == 1;
      l.energyFixedUj = cost(rng) / 20;
      l.energyPerByteUj = 1e-6 * cost(rng);
    }
  if (budget)
    p.budgets.push_back({"alm", 2, 6e4});
  for (int v = 0; v < n; ++v) {
    AssignmentNode node;
    node.name = "n" + std::to_string(v);
    node.allowed.assign(3, true);
    for (int d = 0; d < 3; ++d) {
      node.latencyUs.push_back(cost(rng));
      node.energyUj.push_back(cost(rng));
      node.resources.push_back(std::vector<double>(p.budgets.size(), d == 2 ? usage(rng) : 0.0));
    }
    if (v > 0 && unavailable(rng))
      node.allowed[1 + rng() % 2] = false;
    node.outputBytes = bytes(rng);
    p.nodes.push_back(node);
  }
  for (int v = 1; v < n; ++v) {
    switch (shape) {
    case Shape::Chain:
      p.edges.push_back({v - 1, v});
      break;
    case Shape::Residual:
      // Blocks of three: a -> b -> c, and a skip a -> c.
      p.edges.push_back({v - 1, v});
      if (v % 3 == 2 && v >= 2)
        p.edges.push_back({v - 2, v});
      break;
    case Shape::Inception: {
      // Blocks: a stem fans out to three branches that a concat joins.
      int block = (v - 1) / 4, k = (v - 1) % 4, stem = block * 4;
      if (k < 3) {
        p.edges.push_back({stem, v});
      } else {
        for (int b = 1; b <= 3; ++b)
          p.edges.push_back({stem + b, v});
      }
      break;
    }
    }
  }
  return p;
}

/// The default solve of `p` (into `priced`) against the plain label DP (no prices, no time limit): the same
/// feasibility and, when feasible, a proven optimum of the same cost. Returns the label DP's solution.
AssignmentSolution matchLabelDp(const AssignmentProblem &p, AssignmentSolution &priced, const std::string &what) {
  SolverOptions plain;
  plain.prices = false;
  plain.timeLimitMs = 1e9;
  AssignmentSolution reference = solveAssignment(p, plain);
  priced = solveAssignment(p);
  EXPECT_EQ(priced.feasible, reference.feasible)
      << what << ": " << priced.infeasibility << " / " << reference.infeasibility;
  if (reference.feasible && priced.feasible) {
    EXPECT_TRUE(reference.optimal) << what;
    EXPECT_TRUE(priced.optimal) << what << ": " << priced.method << " " << priced.stoppedBy;
    EXPECT_NEAR(priced.cost.objective, reference.cost.objective, 1e-9 * reference.cost.objective)
        << what << ": " << priced.method;
  }
  return reference;
}

/// Ties about a third of the consumers to their producer on the fpga (device 2): there only together, as a batch
/// norm's mul / add with its convolution. Returns how many.
int tieToProducers(AssignmentProblem &p, std::mt19937 &rng) {
  int tied = 0;
  for (auto [u, v] : p.edges)
    if (rng() % 3 == 0) {
      p.nodes[v].sameDeviceAs.assign(3, -1);
      p.nodes[v].sameDeviceAs[2] = u;
      ++tied;
    }
  return tied;
}

/// The default solve of `p` against exhaustive search (into `brute`): the same feasibility and, when feasible, the
/// same optimum. Returns the solve.
AssignmentSolution matchExhaustive(const AssignmentProblem &p, AssignmentSolution &brute, const std::string &what) {
  EXPECT_EQ(p.check(), "") << what;
  AssignmentSolution solved = solveAssignment(p);
  brute = solveExhaustively(p);
  EXPECT_EQ(solved.feasible, brute.feasible) << what << ": " << solved.infeasibility << " / " << brute.infeasibility;
  if (solved.feasible && brute.feasible) {
    EXPECT_NEAR(solved.cost.objective, brute.cost.objective, 1e-9 * brute.cost.objective)
        << what << ": " << solved.method;
  }
  return solved;
}

/// Stopped by each of `limitsMs`, a solve of `p` must bound `optimum` below, wherever it stops.
void expectTrueBoundsWhenHurried(const AssignmentProblem &p, double optimum, std::initializer_list<double> limitsMs,
                                 const std::string &what) {
  for (double limitMs : limitsMs) {
    SolverOptions hurried;
    hurried.timeLimitMs = limitMs;
    AssignmentSolution early = solveAssignment(p, hurried);
    if (early.feasible) {
      EXPECT_LE(early.lowerBound, optimum * (1 + 1e-9)) << what << " stopped at " << limitMs << " ms: " << early.method;
    }
  }
}

struct Case {
  Shape shape;
  int nodes;
};

class AssignmentVsExhaustive : public ::testing::TestWithParam<Case> {};

TEST_P(AssignmentVsExhaustive, OptimumEqualsExhaustiveSearch) {
  const Case c = GetParam();
  int checked = 0, infeasible = 0;
  unsigned seed = 1;
  for (Objective objective : {Objective::Latency, Objective::Energy, Objective::Edp, Objective::Weighted}) {
    for (ScheduleMode mode : {ScheduleMode::Sequential, ScheduleMode::Pipelined}) {
      for (bool budget : {false, true}) {
        // The largest graphs only for one combination each, to keep the suite fast.
        if (c.nodes > 12 && (objective != Objective::Edp || budget != (mode == ScheduleMode::Pipelined)))
          continue;
        AssignmentProblem p = randomProblem(c.shape, c.nodes, seed++, objective, mode, budget);
        ASSERT_EQ(p.check(), "");
        AssignmentSolution dp = solveAssignment(p);
        AssignmentSolution brute = solveExhaustively(p);
        ASSERT_EQ(dp.feasible, brute.feasible) << dp.infeasibility << " / " << brute.infeasibility;
        if (!brute.feasible) {
          ++infeasible;
          continue;
        }
        EXPECT_TRUE(dp.optimal);
        EXPECT_NEAR(dp.cost.objective, brute.cost.objective, 1e-9 * brute.cost.objective)
            << objectiveName(objective) << " " << scheduleModeName(mode) << (budget ? " budget" : "");
        // The DP's own assignment must evaluate to what it reports.
        AssignmentCost again = evaluateAssignment(p, dp.devices);
        EXPECT_TRUE(again.feasible);
        EXPECT_DOUBLE_EQ(again.objective, dp.cost.objective);
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 0);
  EXPECT_LT(infeasible, checked + infeasible);
}

INSTANTIATE_TEST_SUITE_P(RandomGraphs, AssignmentVsExhaustive,
                         ::testing::Values(Case{Shape::Chain, 6}, Case{Shape::Chain, 10}, Case{Shape::Chain, 14},
                                           Case{Shape::Residual, 8}, Case{Shape::Residual, 11},
                                           Case{Shape::Residual, 14}, Case{Shape::Inception, 9},
                                           Case{Shape::Inception, 13}));

TEST(AssignmentTest, TransferIsPaidOncePerDestinationDevice) {
  // a feeds b and c; a only runs on the cpu, b and c only on the gpu: one cpu->gpu transfer, not two.
  AssignmentProblem p;
  p.numDevices = 2;
  p.deviceNames = {"cpu", "gpu"};
  p.links.assign(2, std::vector<LinkCost>(2));
  p.links[0][1] = {true, 5.0, 0.0, false, 0, 0};
  p.links[1][0] = {true, 5.0, 0.0, false, 0, 0};
  for (int v = 0; v < 3; ++v) {
    AssignmentNode node;
    node.name = "n" + std::to_string(v);
    node.allowed = {v == 0, v != 0};
    node.latencyUs = {1.0, 1.0};
    node.energyUj = {1.0, 1.0};
    node.resources = {{}, {}};
    p.nodes.push_back(node);
  }
  p.edges = {{0, 1}, {0, 2}};
  AssignmentSolution s = solveAssignment(p);
  ASSERT_TRUE(s.feasible);
  EXPECT_DOUBLE_EQ(s.cost.latencyUs, 3.0 + 5.0);
}

TEST(AssignmentTest, StageLoadsAreTheDevicesAndLinksOfThePipeline) {
  // a (cpu) feeds b (gpu) and c (cpu); b feeds c: cpu 1 + 4, gpu 2, cpu->gpu 5 + 0.1 * 10, gpu->cpu 3 + 0.5 * 20.
  AssignmentProblem p;
  p.numDevices = 3;
  p.deviceNames = {"cpu", "gpu", "fpga"};
  p.links.assign(3, std::vector<LinkCost>(3));
  p.links[0][1] = {true, 5.0, 0.1, false, 0, 0};
  p.links[1][0] = {true, 3.0, 0.5, false, 0, 0};
  p.links[0][2] = {true, 1.0, 0.0, false, 0, 0};
  AssignmentNode a{"a", {true, true, true}, {1, 9, 9}, {1, 1, 1}, {{}, {}, {}}, 10};
  AssignmentNode b{"b", {true, true, true}, {9, 2, 9}, {1, 1, 1}, {{}, {}, {}}, 20};
  AssignmentNode c{"c", {true, true, true}, {4, 9, 9}, {1, 1, 1}, {{}, {}, {}}, 30};
  p.nodes = {a, b, c};
  p.edges = {{0, 1}, {0, 2}, {1, 2}};
  p.mode = ScheduleMode::Pipelined;
  std::vector<StageLoad> stages = stageLoads(p, {0, 1, 0});
  ASSERT_EQ(stages.size(), 6u); // three devices, three links
  std::vector<std::string> names;
  for (const StageLoad &s : stages)
    names.push_back(s.stage);
  EXPECT_EQ(names, (std::vector<std::string>{"cpu", "gpu", "fpga", "cpu->gpu", "cpu->fpga", "gpu->cpu"}));
  std::vector<double> expected = {5, 2, 0, 6, 0, 13};
  for (size_t i = 0; i < stages.size(); ++i)
    EXPECT_DOUBLE_EQ(stages[i].latencyUs, expected[i]) << stages[i].stage;
  EXPECT_DOUBLE_EQ(evaluateAssignment(p, {0, 1, 0}).latencyUs, 13.0); // the period: the busiest stage
  // No link gpu->fpga: the assignment is infeasible, and has no stages.
  EXPECT_TRUE(stageLoads(p, {0, 1, 2}).empty());
  EXPECT_TRUE(stageLoads(p, {0, 1}).empty());
}

TEST(AssignmentTest, MissingLinkAndBudgetMakeItInfeasible) {
  AssignmentProblem p;
  p.numDevices = 2;
  p.deviceNames = {"cpu", "fpga"};
  p.links.assign(2, std::vector<LinkCost>(2)); // no links at all
  p.budgets.push_back({"alm", 1, 100.0});
  AssignmentNode a{"a", {true, false}, {1, 1}, {1, 1}, {{0}, {0}}, 10};
  AssignmentNode b{"b", {false, true}, {1, 1}, {1, 1}, {{0}, {50}}, 10};
  p.nodes = {a, b};
  p.edges = {{0, 1}};
  AssignmentSolution s = solveAssignment(p);
  EXPECT_FALSE(s.feasible);
  p.links[0][1] = {true, 1.0, 0.0, false, 0, 0};
  s = solveAssignment(p);
  ASSERT_TRUE(s.feasible);
  EXPECT_EQ(s.devices, (std::vector<int>{0, 1}));
  p.nodes[1].resources[1][0] = 150; // over the 100 ALM budget
  EXPECT_FALSE(solveAssignment(p).feasible);
  EXPECT_NE(evaluateAssignment(p, {0, 1}).infeasibility.find("exceeds its budget"), std::string::npos);
}

TEST(AssignmentTest, LabelCapFallsBackWithAnHonestGap) {
  AssignmentProblem p = randomProblem(Shape::Residual, 20, 7, Objective::Edp, ScheduleMode::Pipelined, true);
  SolverOptions tight;
  tight.maxLabelsPerState = 2;
  tight.mip = false; // the MIP's exact planes prove this one whatever the cap
  AssignmentSolution capped = solveAssignment(p, tight);
  AssignmentSolution full = solveAssignment(p);
  ASSERT_TRUE(capped.feasible);
  ASSERT_TRUE(full.feasible);
  EXPECT_TRUE(full.optimal);
  // Two labels per state cannot hold this problem's Pareto sets: the solver must say it is not proven optimal,
  // and its bound must be a true lower bound.
  EXPECT_FALSE(capped.optimal);
  EXPECT_LE(capped.lowerBound, full.cost.objective * (1 + 1e-12));
  EXPECT_GE(capped.cost.objective, full.cost.objective * (1 - 1e-12));
  EXPECT_NEAR(capped.gap, (capped.cost.objective - capped.lowerBound) / capped.cost.objective, 1e-12);
}

TEST(AssignmentTest, StageWeightCutsBalanceAPipeline) {
  // Two labels per state cannot solve a pipelined latency problem, so the stage weights search for it: their rounds
  // swing between assignments that overload opposite stages, and the cuts through them must find a balanced
  // assignment near the optimum (exact here: the full label DP), with a true lower bound.
  for (Shape shape : {Shape::Chain, Shape::Residual}) {
    AssignmentProblem p = randomProblem(shape, 24, 5, Objective::Latency, ScheduleMode::Pipelined, true);
    SolverOptions tight;
    tight.maxLabelsPerState = 2;
    tight.mip = false; // the stage weights' own search (the MIP proves these at once)
    AssignmentSolution capped = solveAssignment(p, tight);
    AssignmentSolution full = solveAssignment(p);
    ASSERT_TRUE(capped.feasible && full.feasible && full.optimal) << shapeName(shape);
    EXPECT_EQ(evaluateAssignment(p, capped.devices).objective, capped.cost.objective);
    EXPECT_LE(capped.lowerBound, full.cost.objective * (1 + 1e-12)) << shapeName(shape);
    EXPECT_LE(capped.cost.objective, 1.02 * full.cost.objective) << shapeName(shape);
  }
}

TEST(AssignmentTest, PipelinedAssignmentsAreOneMoveOptimal) {
  // Graphs too large for the label DP: the stage weights and their cuts give an assignment, and single-node moves
  // then take it as far as they can. No single move to an allowed device may improve what the solver returns.
  for (Shape shape : {Shape::Chain, Shape::Residual, Shape::Inception})
    for (Objective objective : {Objective::Latency, Objective::Weighted}) {
      AssignmentProblem p = randomProblem(shape, 400, 11, objective, ScheduleMode::Pipelined, true);
      SolverOptions options;
      options.timeLimitMs = 400;
      AssignmentSolution s = solveAssignment(p, options);
      ASSERT_TRUE(s.feasible) << shapeName(shape);
      ASSERT_FALSE(s.optimal) << shapeName(shape) << ": the label DP finished, nothing for the moves to do";
      std::string phases;
      for (const auto &[name, ms] : s.phasesMs)
        phases += name + " " + std::to_string(ms) + "; ";
      std::vector<int> devices = s.devices;
      for (size_t v = 0; v < p.nodes.size(); ++v) {
        int from = devices[v];
        for (int d = 0; d < p.numDevices; ++d) {
          if (d == from || !p.nodes[v].allowed[d])
            continue;
          devices[v] = d;
          AssignmentCost c = evaluateAssignment(p, devices);
          EXPECT_FALSE(c.feasible && c.objective < s.cost.objective * (1 - 1e-9))
              << shapeName(shape) << " " << objectiveName(objective) << ": moving " << p.nodes[v].name << " to "
              << p.deviceNames[d] << " gives " << c.objective << " < " << s.cost.objective << " (" << phases << ")";
        }
        devices[v] = from;
      }
    }
}

TEST(AssignmentTest, RejectsMalformedProblems) {
  AssignmentProblem p;
  p.numDevices = 1;
  p.deviceNames = {"cpu"};
  p.links.assign(1, std::vector<LinkCost>(1));
  AssignmentNode a{"a", {true}, {1}, {1}, {{}}, 1};
  p.nodes = {a, a};
  p.edges = {{0, 1}, {1, 0}};
  EXPECT_EQ(p.check(), "the graph has a cycle");
  EXPECT_FALSE(solveAssignment(p).feasible);
}

TEST(AssignmentTest, SameDeviceTieKeepsANodeWithItsProducer) {
  // a runs on the cpu only; b is cheaper on the fpga but may go there only with a (a batch norm an FPGA folds into
  // its convolution): b stays on the cpu.
  AssignmentProblem p;
  p.numDevices = 2;
  p.deviceNames = {"cpu", "fpga"};
  p.links.assign(2, std::vector<LinkCost>(2));
  p.links[0][1] = {true, 1.0, 0.0, false, 0, 0};
  AssignmentNode a{"a", {true, false}, {10, 1}, {1, 1}, {{}, {}}, 10};
  AssignmentNode b{"b", {true, true}, {10, 1}, {1, 1}, {{}, {}}, 10};
  p.nodes = {a, b};
  p.edges = {{0, 1}};
  EXPECT_EQ(solveAssignment(p).devices, (std::vector<int>{0, 1}));
  p.nodes[1].sameDeviceAs = {-1, 0};
  ASSERT_EQ(p.check(), "");
  AssignmentSolution s = solveAssignment(p);
  ASSERT_TRUE(s.feasible);
  EXPECT_EQ(s.devices, (std::vector<int>{0, 0}));
  EXPECT_EQ(evaluateAssignment(p, {0, 1}).infeasibility,
            "node 'b' can only be placed on device 'fpga' together with node 'a'");
  // The tie must name a producer, so that the DP still knows its device.
  p.edges.clear();
  EXPECT_EQ(p.check(), "node 'b' must share a device with a node that is not its producer");
}

TEST(AssignmentTest, PipelinedMipMatchesExhaustiveSearch) {
  // The MIP's own model of the pipeline (a binary per node and device, a shipment per producer and device pair,
  // the period above every stage, budgets, same-device ties, the missing cpu -> fpga link) must give the
  // exhaustive optimum, and prove it on its own (method "mip").
  if (!mipAvailable()) {
    const char *ci = std::getenv("CI");
    if (ci && std::string(ci) == "true")
      FAIL() << "built without CBC (coinor-libcbc-dev), which CI installs (scripts/setup.sh)";
    GTEST_SKIP() << "built without CBC (coinor-libcbc-dev)";
  }
  int checked = 0, byMip = 0;
  unsigned seed = 900;
  for (Shape shape : {Shape::Chain, Shape::Residual, Shape::Inception})
    for (Objective objective : {Objective::Latency, Objective::Weighted})
      for (bool budget : {false, true})
        for (int tie = 0; tie < 2; ++tie) {
          AssignmentProblem p = randomProblem(shape, 11, seed++, objective, ScheduleMode::Pipelined, budget);
          if (budget)
            p.budgets[0].capacity = 5e4; // a few nodes fit on the fpga
          std::mt19937 rng(seed);
          if (tie)
            tieToProducers(p, rng);
          AssignmentSolution brute;
          AssignmentSolution mip =
              matchExhaustive(p, brute, std::string(shapeName(shape)) + " " + objectiveName(objective) +
                                            (budget ? " budget" : "") + (tie ? " ties" : ""));
          if (!brute.feasible || !mip.feasible)
            continue;
          EXPECT_TRUE(mip.optimal) << mip.method;
          byMip += mip.method == "mip";
          ++checked;
        }
  EXPECT_GT(checked, 18);
  EXPECT_EQ(byMip, checked); // every one proven by the MIP itself
}

TEST(AssignmentTest, SameDeviceTiesMatchExhaustiveSearch) {
  int checked = 0, tied = 0, binding = 0;
  unsigned seed = 100;
  for (Shape shape : {Shape::Chain, Shape::Residual, Shape::Inception})
    for (Objective objective : {Objective::Latency, Objective::Edp})
      for (ScheduleMode mode : {ScheduleMode::Sequential, ScheduleMode::Pipelined}) {
        AssignmentProblem p = randomProblem(shape, 9, seed++, objective, mode, /*budget=*/true);
        std::mt19937 rng(seed);
        tied += tieToProducers(p, rng);
        AssignmentSolution brute;
        AssignmentSolution dp = matchExhaustive(p, brute, std::string(shapeName(shape)) + " " + objectiveName(objective));
        if (!brute.feasible || !dp.feasible)
          continue;
        for (size_t v = 0; v < p.nodes.size(); ++v) {
          if (!p.nodes[v].sameDeviceAs.empty() && dp.devices[v] == 2) {
            EXPECT_EQ(dp.devices[p.nodes[v].sameDeviceAs[2]], 2);
          }
        }
        // The ties must bind somewhere, or this test would pass with a solver that ignores them.
        AssignmentProblem free = p;
        for (AssignmentNode &node : free.nodes)
          node.sameDeviceAs.clear();
        AssignmentSolution untied = solveExhaustively(free);
        binding += untied.feasible && untied.cost.objective < brute.cost.objective * (1 - 1e-9);
        ++checked;
      }
  EXPECT_GT(checked, 6);
  EXPECT_GT(tied, 12);
  EXPECT_GT(binding, 0);
}

TEST(AssignmentTest, PricesAndHullSweepMatchTheLabelDp) {
  // Graphs too large for exhaustive search, small enough for the plain label DP to finish: the priced search
  // (budgeted additive objectives) and the hull sweep (sequential edp) must find the same optimum.
  int checked = 0, binding = 0;
  unsigned seed = 300;
  for (Shape shape : {Shape::Chain, Shape::Residual, Shape::Inception})
    for (Objective objective : {Objective::Latency, Objective::Energy, Objective::Weighted, Objective::Edp})
      for (int n : {40, 90}) {
        AssignmentProblem p = randomProblem(shape, n, seed++, objective, ScheduleMode::Sequential, true);
        p.budgets[0].capacity = 1.5e5; // a handful of nodes fit on the fpga
        AssignmentSolution priced;
        AssignmentSolution reference = matchLabelDp(
            p, priced, std::string(shapeName(shape)) + " " + objectiveName(objective) + " n=" + std::to_string(n));
        if (!reference.feasible || !priced.feasible)
          continue;
        EXPECT_NE(priced.method, "dp");
        if (objective == Objective::Edp) {
          // Stopped part way, the sweep's bound (from the supporting lines of the vertices it found) must stay
          // below the optimum, wherever it stops.
          expectTrueBoundsWhenHurried(p, reference.cost.objective, {0.5, 1.0, 2.0, 4.0, 8.0},
                                      std::string(shapeName(shape)) + " n=" + std::to_string(n));
        }
        AssignmentProblem unbudgeted = p;
        unbudgeted.budgets.clear();
        for (AssignmentNode &node : unbudgeted.nodes)
          for (auto &r : node.resources)
            r.clear();
        AssignmentSolution free = solveAssignment(unbudgeted);
        binding += free.cost.objective < reference.cost.objective * (1 - 1e-9);
        ++checked;
      }
  EXPECT_GT(checked, 18);
  EXPECT_GT(binding, 6); // the budget must bind, or the prices would never be exercised
}

TEST(AssignmentTest, SeveralBudgetsOfOneDeviceMatchTheLabelDp) {
  // An FPGA's resources bind together: one layer's ALM, ALUT, LAB and M20K grow with its size. Coordinate ascent on
  // the prices stalled there; the cutting-plane prices, the budgets other budgets imply (left out of the labels)
  // and the deepening searches must still find the label DP's optimum, and stopped early keep a true bound.
  int checked = 0, implied = 0, binding = 0;
  unsigned seed = 700;
  for (Shape shape : {Shape::Chain, Shape::Residual, Shape::Inception})
    for (Objective objective : {Objective::Latency, Objective::Energy, Objective::Weighted})
      for (int variant = 0; variant < 3; ++variant) {
        AssignmentProblem p = randomProblem(shape, 60, seed++, objective, ScheduleMode::Sequential, false);
        std::mt19937 rng(seed);
        std::uniform_real_distribution<double> size(1.0, 6.0), noise(0.8, 1.2);
        // variant 0: ALUT exactly twice ALM under twice its capacity (tied, kept); 1: M20K in whole blocks, and a
        // LAB budget that ALM implies; 2: every ratio free, nothing implied.
        p.budgets = {{"alm", 2, 9e3}, {"alut", 2, 1.8e4}, {"lab", 2, 900}, {"m20k", 2, 40}};
        for (AssignmentNode &node : p.nodes) {
          double s = size(rng);
          for (int d = 0; d < 3; ++d)
            node.resources[d].assign(4, 0.0);
          std::vector<double> &r = node.resources[2];
          r[0] = 1e3 * s;
          r[1] = variant == 0 ? 2 * r[0] : 2e3 * s * noise(rng);
          r[2] = 100 * s * noise(rng);
          r[3] = variant == 1 ? std::ceil(s) * 2 : 5 * s * noise(rng);
        }
        if (variant == 1) {
          // M20K per ALM reaches 4e-3 (s just above 1): times ALM's 9e3, 36 blocks, more than these 30, so M20K
          // can bind; LAB per ALM stays under 0.12, times 9e3 within its 1e4.
          p.budgets[3].capacity = 30;
          p.budgets[2].capacity = 1e4;
        }
        AssignmentSolution priced;
        AssignmentSolution reference =
            matchLabelDp(p, priced, std::string(shapeName(shape)) + " " + objectiveName(objective) + " variant " +
                                        std::to_string(variant));
        if (!reference.feasible || !priced.feasible)
          continue;
        EXPECT_TRUE(evaluateAssignment(p, priced.devices).feasible);
        expectTrueBoundsWhenHurried(p, reference.cost.objective, {0.05, 0.2, 1.0},
                                    std::string(shapeName(shape)) + " variant " + std::to_string(variant));
        // Variant 0's tie keeps both (no room to spare), variant 1 leaves LAB out, variant 2 keeps all four.
        std::vector<size_t> kept = bindingBudgets(p);
        if (variant == 1) {
          EXPECT_EQ(kept, (std::vector<size_t>{0, 1, 3})) << shapeName(shape);
          ++implied;
        } else {
          EXPECT_EQ(kept, (std::vector<size_t>{0, 1, 2, 3})) << shapeName(shape) << " variant " << variant;
        }
        AssignmentProblem unbudgeted = p;
        unbudgeted.budgets.clear();
        for (AssignmentNode &node : unbudgeted.nodes)
          for (auto &r : node.resources)
            r.clear();
        binding += solveAssignment(unbudgeted).cost.objective < reference.cost.objective * (1 - 1e-9);
        ++checked;
      }
  EXPECT_GT(checked, 20);
  EXPECT_GT(implied, 5);
  EXPECT_GT(binding, 12); // the budgets must bind, or the prices would never be exercised
}

TEST(AssignmentTest, BindingBudgetsLeaveOutOnlyWhatCannotBind) {
  AssignmentProblem p = randomProblem(Shape::Chain, 10, 5, Objective::Latency, ScheduleMode::Sequential, false);
  for (AssignmentNode &node : p.nodes)
    node.allowed[2] = true;
  p.budgets = {{"alm", 2, 4e3}, {"alut", 2, 8e3}, {"dsp", 2, 1e9}, {"m20k", 2, 100}};
  for (size_t i = 0; i < p.nodes.size(); ++i) {
    AssignmentNode &node = p.nodes[i];
    for (int d = 0; d < 3; ++d)
      node.resources[d].assign(4, 0.0);
    double alm = 1e3 * (1 + i % 2);
    node.resources[2] = {alm, 1.5 * alm, 10, 20.0 * (2 - i % 2)};
  }
  // ALUT at 1.5 x ALM, and 1.5 x ALM's capacity fits ALUT's: implied. DSP never binds (10 nodes x 10 << 1e9).
  // ALM and M20K bind, and neither implies the other (their ratio swings between nodes).
  EXPECT_EQ(bindingBudgets(p), (std::vector<size_t>{0, 3}));
  // A node without ALM that uses ALUT breaks the ratio: ALUT stays.
  p.nodes[3].resources[2][0] = 0;
  EXPECT_EQ(bindingBudgets(p), (std::vector<size_t>{0, 1, 3}));
  // ...unless it may not go on that device at all.
  p.nodes[3].allowed[2] = false;
  EXPECT_EQ(bindingBudgets(p), (std::vector<size_t>{0, 3}));
  // A negative use keeps the budget (the argument needs uses >= 0).
  p.nodes[4].resources[2][2] = -1;
  EXPECT_EQ(bindingBudgets(p), (std::vector<size_t>{0, 2, 3}));
}

TEST(AssignmentTest, PipelinedEdpPlanesKeepATrueBound) {
  // Pipelined edp stopped by its time limit bounds the optimum by cutting planes (stage bound, least budgeted
  // energy, weighted problems): on graphs the plain label DP solves exactly, every bound it reports must stay below
  // that optimum, wherever the limit stops it.
  int bounded = 0;
  unsigned seed = 500;
  for (Shape shape : {Shape::Chain, Shape::Residual, Shape::Inception})
    for (int n : {16, 20}) {
      AssignmentProblem p = randomProblem(shape, n, seed++, Objective::Edp, ScheduleMode::Pipelined, true);
      p.budgets[0].capacity = 1.5e5;
      SolverOptions plain;
      plain.prices = false;
      plain.timeLimitMs = 1e9;
      AssignmentSolution reference = solveAssignment(p, plain);
      if (!reference.feasible || !reference.optimal)
        continue; // the label cap: no reference optimum
      for (double limitMs : {1.0, 2.0, 5.0, 20.0}) {
        SolverOptions hurried;
        hurried.timeLimitMs = limitMs;
        AssignmentSolution s = solveAssignment(p, hurried);
        if (!s.feasible)
          continue;
        EXPECT_GE(s.cost.objective, reference.cost.objective * (1 - 1e-9));
        EXPECT_LE(s.lowerBound, reference.cost.objective * (1 + 1e-9))
            << shapeName(shape) << " at " << limitMs << " ms: " << s.method;
        bounded += !s.optimal && s.lowerBound > 0;
      }
    }
  EXPECT_GT(bounded, 0) << "no run stopped with a bound of its own: the planes were not exercised";
}

TEST(AssignmentTest, TimeLimitCoversTheWholeCallAndKeepsAnHonestBound) {
  // No time at all: every pass stops at once, yet the answer is a feasible assignment with a true lower bound.
  for (Objective objective : {Objective::Latency, Objective::Edp})
    for (ScheduleMode mode : {ScheduleMode::Sequential, ScheduleMode::Pipelined}) {
      AssignmentProblem p = randomProblem(Shape::Residual, 20, 11, objective, mode, true);
      p.budgets[0].capacity = 1.5e5;
      SolverOptions none;
      none.timeLimitMs = 0;
      AssignmentSolution s = solveAssignment(p, none);
      AssignmentSolution full = solveAssignment(p);
      ASSERT_TRUE(full.feasible);
      ASSERT_TRUE(full.optimal) << objectiveName(objective) << " " << scheduleModeName(mode);
      if (!s.feasible) {
        // Stopping may lose every assignment that fits the budget; it must then say so, not claim infeasibility.
        EXPECT_NE(s.infeasibility.find("time limit"), std::string::npos) << s.infeasibility;
        continue;
      }
      EXPECT_TRUE(evaluateAssignment(p, s.devices).feasible);
      if (!s.optimal) {
        EXPECT_EQ(s.stoppedBy, "time limit");
        EXPECT_LE(s.lowerBound, full.cost.objective * (1 + 1e-9));
        EXPECT_GE(s.cost.objective, full.cost.objective * (1 - 1e-9));
      }
      EXPECT_FALSE(s.method.empty());
    }
}

TEST(AssignmentTest, AHubOnManyDevicesStaysNearItsTimeLimit) {
  // One node feeds every other one, on 8 devices: the DP keeps a state per set of devices the hub shipped to, and a
  // pipelined label has a component per device and link. Past the limit the search finishes as a narrow beam and
  // the bound falls back to each node's cheapest device (it took 40 s against a 2 s limit on 100 nodes).
  const int devices = 8, n = 300;
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> cost(1.0, 100.0), bytes(1e3, 1e6);
  AssignmentProblem p;
  p.numDevices = devices;
  for (int d = 0; d < devices; ++d)
    p.deviceNames.push_back("d" + std::to_string(d));
  p.mode = ScheduleMode::Pipelined;
  p.links.assign(devices, std::vector<LinkCost>(devices));
  for (int a = 0; a < devices; ++a)
    for (int b = 0; b < devices; ++b)
      if (a != b) {
        LinkCost &l = p.links[a][b];
        l.available = true, l.latencyFixedUs = cost(rng) / 10, l.latencyPerByteUs = 1e-6 * cost(rng);
      }
  for (int v = 0; v < n; ++v) {
    AssignmentNode node;
    node.name = "n" + std::to_string(v);
    node.allowed.assign(devices, true);
    for (int d = 0; d < devices; ++d) {
      node.latencyUs.push_back(cost(rng));
      node.energyUj.push_back(cost(rng));
      node.resources.push_back({});
    }
    node.outputBytes = bytes(rng);
    p.nodes.push_back(node);
    if (v > 0)
      p.edges.push_back({v - 1, v});
    if (v > 1)
      p.edges.push_back({0, v});
  }
  SolverOptions options;
  options.timeLimitMs = 200;
  AssignmentSolution s = solveAssignment(p, options);
  ASSERT_TRUE(s.feasible);
  EXPECT_FALSE(s.optimal);
  EXPECT_GT(s.lowerBound, 0);
  EXPECT_LE(s.lowerBound, s.cost.objective);
  EXPECT_LT(s.solveMs, 5 * options.timeLimitMs) << "a hang past the limit, not a timing";
  // The fallback bound is a true bound: checked against exhaustive search on a hub of 11 nodes.
  AssignmentProblem small = randomProblem(Shape::Chain, 11, 4, Objective::Latency, ScheduleMode::Pipelined, false);
  for (int v = 2; v < 11; ++v)
    small.edges.push_back({0, v});
  AssignmentSolution exhaustive = solveExhaustively(small);
  SolverOptions none;
  none.timeLimitMs = 0;
  AssignmentSolution hurried = solveAssignment(small, none);
  ASSERT_TRUE(exhaustive.feasible && hurried.feasible);
  EXPECT_LE(hurried.lowerBound, exhaustive.cost.objective * (1 + 1e-9));
  EXPECT_GT(hurried.lowerBound, 0);
}

TEST(AssignmentTest, InfeasibleBudgetIsNamed) {
  AssignmentProblem p = randomProblem(Shape::Chain, 30, 5, Objective::Latency, ScheduleMode::Sequential, true);
  // Node 7 may only go on the fpga and needs more than its whole budget.
  p.nodes[7].allowed = {false, false, true};
  p.nodes[7].resources[2][0] = 2 * p.budgets[0].capacity;
  AssignmentSolution s = solveAssignment(p);
  ASSERT_FALSE(s.feasible);
  EXPECT_NE(s.infeasibility.find("budget 'alm' of device 'fpga'"), std::string::npos) << s.infeasibility;
  SolverOptions plain;
  plain.prices = false;
  s = solveAssignment(p, plain);
  ASSERT_FALSE(s.feasible);
  EXPECT_NE(s.infeasibility.find("'n7'"), std::string::npos) << s.infeasibility;
}

} // namespace

TEST(AssignmentTest, CostCountsWhatItsSumsAreMadeOf) {
  AssignmentProblem p;
  p.numDevices = 2;
  p.deviceNames = {"cpu", "fpga"};
  p.links.assign(2, std::vector<LinkCost>(2));
  p.links[0][1] = {true, 1.0, 0.0, false, 0, 0}; // cpu -> fpga, no link energy
  // a: energy known everywhere (empty flags); b: energy modelled nowhere; c: energy known on the cpu only.
  AssignmentNode a{"a", {true, true}, {1, 1}, {2, 2}, {{}, {}}, 10};
  AssignmentNode b{"b", {true, true}, {1, 1}, {0, 0}, {{}, {}}, 10, {true, true}, {false, false}};
  AssignmentNode c{"c", {true, true}, {1, 1}, {3, 0}, {{}, {}}, 10, {true, true}, {true, false}};
  p.nodes = {a, b, c};
  p.edges = {{0, 1}, {0, 2}}; // a feeds b and c, both on the fpga: one transfer
  AssignmentCost cost = evaluateAssignment(p, {0, 1, 1});
  ASSERT_TRUE(cost.feasible) << cost.infeasibility;
  EXPECT_EQ(cost.latencyKnownNodes, 3);
  EXPECT_EQ(cost.latencyMissingNodes, 0);
  EXPECT_EQ(cost.energyKnownNodes, 1);       // a
  EXPECT_EQ(cost.energyMissingNodes, 1);     // c, predicted on the cpu but placed on the fpga; b is in neither
  EXPECT_EQ(cost.energyMissingTransfers, 1); // a's output shipped once to the fpga
  EXPECT_DOUBLE_EQ(cost.energyUj, 2.0);      // the lower bound the counts qualify
}
