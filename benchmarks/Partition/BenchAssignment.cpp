//===- BenchAssignment.cpp - solver time on 1,000-op graphs ---------------===//
//
// Prints, for chains, residual and inception-like graphs of 1,000 and 10,000 layers on 3 devices (seeded random
// costs, an FPGA budget, one missing link), the wall time of the whole solveAssignment call under its default
// options (what the pass waits for), its passes, whether the optimum is proven, and the gap otherwise.
// Usage: flydel-bench-assign [--quick] [--objective O] [--mode M] [--loads] (--quick: 1,000-layer graphs only;
// --objective latency|energy|weighted|edp and --mode sequential|pipelined: those cases only; --loads: after each
// pipelined row, every stage's load in the assignment found, to see which stages set the period). Figures from one
// run; see docs/assign-devices.md.
//
//===----------------------------------------------------------------------===//

#include "flydel/Partition/Assignment.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

using namespace flydel;

enum class Shape { Chain, Residual, Inception };

static const char *shapeName(Shape shape) {
  return shape == Shape::Chain ? "chain" : shape == Shape::Residual ? "residual" : "inception";
}

static AssignmentProblem makeGraph(Shape shape, int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> cost(1.0, 100.0), bytes(1e3, 1e6), usage(1e2, 3e3);
  AssignmentProblem p;
  p.numDevices = 3;
  p.deviceNames = {"cpu", "gpu", "fpga"};
  p.links.assign(3, std::vector<LinkCost>(3));
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b)
      if (a != b)
        p.links[a][b] = {!(a == 0 && b == 2), cost(rng) / 10, 1e-5 * cost(rng), true, cost(rng) / 20,
                         1e-6 * cost(rng)};
  p.budgets.push_back({"alm", 2, 8e4});
  for (int v = 0; v < n; ++v) {
    AssignmentNode node{"n" + std::to_string(v), {true, true, v % 7 != 3}, {}, {}, {}, bytes(rng)};
    for (int d = 0; d < 3; ++d) {
      node.latencyUs.push_back(cost(rng));
      node.energyUj.push_back(cost(rng));
      node.resources.push_back({d == 2 ? usage(rng) : 0.0});
    }
    p.nodes.push_back(node);
  }
  for (int v = 1; v < n; ++v) {
    if (shape != Shape::Inception) {
      p.edges.push_back({v - 1, v});
      if (shape == Shape::Residual && v % 3 == 2)
        p.edges.push_back({v - 2, v});
    } else {
      int block = (v - 1) / 5, k = (v - 1) % 5, stem = block * 5;
      if (k < 4)
        p.edges.push_back({stem, v});
      else
        for (int b = 1; b <= 4; ++b)
          p.edges.push_back({stem + b, v});
    }
  }
  return p;
}

int main(int argc, char **argv) {
  bool quick = false, loads = false;
  std::string onlyObjective, onlyMode;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      quick = true;
    } else if (std::strcmp(argv[i], "--loads") == 0) {
      loads = true;
    } else if (std::strcmp(argv[i], "--objective") == 0 && i + 1 < argc) {
      onlyObjective = argv[++i];
    } else if (std::strcmp(argv[i], "--mode") == 0 && i + 1 < argc) {
      onlyMode = argv[++i];
    } else {
      std::fprintf(stderr, "usage: flydel-bench-assign [--quick] [--objective latency|energy|weighted|edp] "
                           "[--mode sequential|pipelined] [--loads]\n");
      return 2;
    }
  }
  SolverOptions defaults;
  std::printf("time limit %.0f ms (the default); time_ms: the whole call\n", defaults.timeLimitMs);
  std::printf("%-10s %-9s %-10s %6s %9s %8s %8s %9s  %-18s %s\n", "graph", "objective", "mode", "nodes", "time_ms",
              "optimal", "gap_%", "frontier", "method", "passes_ms");
  for (int n : {1000, 10000}) {
    if (n > 1000 && quick)
      break;
    for (Shape shape : {Shape::Chain, Shape::Residual, Shape::Inception}) {
      for (Objective objective : {Objective::Latency, Objective::Energy, Objective::Weighted, Objective::Edp}) {
        for (ScheduleMode mode : {ScheduleMode::Sequential, ScheduleMode::Pipelined}) {
          if ((!onlyObjective.empty() && onlyObjective != objectiveName(objective)) ||
              (!onlyMode.empty() && onlyMode != scheduleModeName(mode)))
            continue;
          AssignmentProblem p = makeGraph(shape, n, 42);
          p.objective = objective;
          p.mode = mode;
          auto start = std::chrono::steady_clock::now();
          AssignmentSolution s = solveAssignment(p, defaults);
          double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
          std::string passes;
          for (const auto &[name, phaseMs] : s.phasesMs)
            passes += (passes.empty() ? "" : ", ") + name + " " + std::to_string(static_cast<long>(phaseMs + 0.5));
          std::printf("%-10s %-9s %-10s %6zu %9.1f %8s %8.3f %9zu  %-18s %s%s%s\n", shapeName(shape),
                      objectiveName(objective), scheduleModeName(mode), p.nodes.size(), ms,
                      s.feasible ? (s.optimal ? "yes" : "no") : "-", 100 * s.gap, s.maxFrontier, s.method.c_str(),
                      passes.c_str(), s.stoppedBy.empty() ? "" : ("; stopped: " + s.stoppedBy).c_str(),
                      s.feasible ? "" : ("  infeasible: " + s.infeasibility).c_str());
          if (loads && mode == ScheduleMode::Pipelined && s.feasible) {
            std::string text;
            for (const StageLoad &stage : stageLoads(p, s.devices)) {
              char load[32];
              std::snprintf(load, sizeof load, " %.1f", stage.latencyUs);
              text += (text.empty() ? "" : ", ") + stage.stage + load;
            }
            std::printf("  stage loads (us; period %.1f): %s\n", s.cost.latencyUs, text.c_str());
          }
          std::fflush(stdout);
        }
      }
    }
  }
  return 0;
}
