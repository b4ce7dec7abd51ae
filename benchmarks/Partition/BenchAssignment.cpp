//===- BenchAssignment.cpp - solver time on 1,000-op graphs ---------------===//
//
// Prints, for residual and inception-like graphs of 1,000 layers on 3 devices (seeded random costs, an FPGA
// budget, one missing link), the solve time of each objective and mode, whether the optimum is proven, and the
// gap otherwise. Figures from one run; see docs/assign-devices.md.
//
//===----------------------------------------------------------------------===//

#include "flydel/Partition/Assignment.h"

#include <cstdio>
#include <random>

using namespace flydel;

static AssignmentProblem makeGraph(bool inception, int n, unsigned seed) {
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
    if (!inception) {
      p.edges.push_back({v - 1, v});
      if (v % 3 == 2)
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

int main() {
  std::printf("%-10s %-9s %-10s %5s %9s %8s %8s %9s\n", "graph", "objective", "mode", "nodes", "time_ms", "optimal",
              "gap_%", "frontier");
  for (bool inception : {false, true}) {
    for (Objective objective : {Objective::Latency, Objective::Energy, Objective::Weighted, Objective::Edp}) {
      for (ScheduleMode mode : {ScheduleMode::Sequential, ScheduleMode::Pipelined}) {
        AssignmentProblem p = makeGraph(inception, 1000, 42);
        p.objective = objective;
        p.mode = mode;
        SolverOptions options;
        options.timeLimitMs = 5000;
        AssignmentSolution s = solveAssignment(p, options);
        std::printf("%-10s %-9s %-10s %5zu %9.1f %8s %8.3f %9zu%s\n", inception ? "inception" : "residual",
                    objectiveName(objective), scheduleModeName(mode), p.nodes.size(), s.solveMs,
                    s.feasible ? (s.optimal ? "yes" : "no") : "-", 100 * s.gap, s.maxFrontier,
                    s.feasible ? "" : "  infeasible");
      }
    }
  }
  return 0;
}
