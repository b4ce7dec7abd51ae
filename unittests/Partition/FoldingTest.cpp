//===- FoldingTest.cpp - FPGA folding search against exhaustive search ----===//

#include "flydel/Model/Library.h"
#include "flydel/Partition/Folding.h"

#include <gtest/gtest.h>

#include <random>

using namespace flydel;

namespace {

Layer conv(int64_t cin, int64_t cout, int64_t groups = 1) {
  Layer l;
  l.op = OpKind::Conv2d;
  l.in_h = l.in_w = 8;
  l.c_in = cin;
  l.c_out = cout;
  l.kernel_h = l.kernel_w = 3;
  l.pad_h = l.pad_w = 1;
  l.groups = groups;
  return l;
}

TEST(Folding, LegalFoldingsOfDenseConv) {
  std::vector<Folding> f = legalFoldings(conv(6, 8));
  ASSERT_EQ(f.size(), 16u); // pe in {1,2,4,8} x simd in {1,2,3,6}
  EXPECT_EQ(f.front(), (Folding{1, 1}));
  EXPECT_EQ(f.back(), (Folding{8, 6}));
  for (size_t i = 1; i < f.size(); ++i)
    EXPECT_LE(f[i - 1].pe * f[i - 1].simd, f[i].pe * f[i].simd);
  for (Folding x : f)
    EXPECT_EQ(checkFolding(conv(6, 8), x), "");
}

TEST(Folding, ChannelWiseLayersFoldPeEqualsSimd) {
  Layer dw = conv(12, 12, 12);
  ASSERT_TRUE(isChannelWise(dw));
  std::vector<Folding> f = legalFoldings(dw);
  ASSERT_EQ(f.size(), 6u); // divisors of 12
  for (Folding x : f)
    EXPECT_EQ(x.pe, x.simd);
  EXPECT_NE(checkFolding(dw, {4, 2}).find("simd = pe"), std::string::npos);
  EXPECT_NE(checkFolding(dw, {5, 5}).find("pe 5 does not divide the 12 channels"), std::string::npos);

  Layer pool = dw;
  pool.op = OpKind::Pool2d;
  pool.groups = 1;
  EXPECT_EQ(legalFoldings(pool).size(), 6u);
  Layer move = pool;
  move.op = OpKind::DataMovement;
  EXPECT_TRUE(legalFoldings(move).empty());
  EXPECT_NE(checkFolding(move, {1, 1}).find("no FPGA engine"), std::string::npos);
}

TEST(Folding, DenseChecksNameTheChannels) {
  EXPECT_NE(checkFolding(conv(6, 8), {3, 1}).find("pe 3 does not divide the 8 output channels"), std::string::npos);
  EXPECT_NE(checkFolding(conv(6, 8), {1, 4}).find("simd 4 does not divide the 6 input channels"), std::string::npos);
}

/// A random partition: each layer's candidates follow the engines' physics (time ~ work / (pe*simd) plus a
/// per-layer overhead; resources grow with pe*simd, differently per resource), with noise so that no folding
/// order is exactly monotone.
FoldingProblem randomProblem(unsigned seed, int layers, int resources, FoldingObjective objective, double tightness) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  FoldingProblem p;
  p.objective = objective;
  const char *names[] = {"lut", "ff", "dsp", "bram36"};
  for (int r = 0; r < resources; ++r)
    p.resources.push_back(names[r]);
  std::vector<double> peak(resources, 0.0);
  for (int l = 0; l < layers; ++l) {
    Layer layer = conv(1 + rng() % 3 * 2 + 2, 4 * (1 + rng() % 2)); // c_in 2..6, c_out 4 or 8
    if (u(rng) < 0.3)
      layer = conv(layer.c_out, layer.c_out, layer.c_out); // depthwise
    FoldingLayer fl;
    fl.name = "layer" + std::to_string(l);
    double work = 1e4 * (0.2 + u(rng)), overhead = 200 * u(rng);
    for (Folding f : legalFoldings(layer)) {
      FoldingCandidate c;
      c.folding = f;
      double par = double(f.pe * f.simd);
      c.time = work / par * (0.9 + 0.2 * u(rng)) + overhead;
      for (int r = 0; r < resources; ++r)
        c.use.push_back((50 + 30 * par * (1 + r)) * (0.9 + 0.2 * u(rng)));
      for (int r = 0; r < resources; ++r)
        peak[r] = std::max(peak[r], c.use[r]);
      fl.candidates.push_back(c);
    }
    if (l == 1 && layers > 2) { // a user-given folding: one candidate
      fl.candidates.resize(1);
      fl.fixed = true;
    }
    p.layers.push_back(fl);
  }
  for (int r = 0; r < resources; ++r)
    p.budget.push_back(peak[r] * layers * tightness);
  return p;
}

TEST(Folding, ExactSearchMatchesExhaustiveSearch) {
  int compared = 0, infeasibleCases = 0, greedyWorse = 0;
  for (FoldingObjective objective : {FoldingObjective::Throughput, FoldingObjective::Latency})
    for (unsigned seed = 1; seed <= 60; ++seed) {
      int layers = 2 + seed % 4, resources = 1 + seed % 3;
      double tightness = 0.05 + 0.1 * (seed % 5);
      FoldingProblem p = randomProblem(seed, layers, resources, objective, tightness);
      if (solveFoldingExhaustively(p).infeasibility == "too many combinations for exhaustive search")
        continue;
      FoldingSolution exact = solveFolding(p), brute = solveFoldingExhaustively(p), greedy = greedyFolding(p);
      ASSERT_EQ(exact.feasible, brute.feasible) << "seed " << seed << ": " << exact.infeasibility;
      ++compared;
      if (!brute.feasible) {
        ++infeasibleCases;
        EXPECT_FALSE(exact.infeasibility.empty());
        continue;
      }
      EXPECT_TRUE(exact.optimal);
      EXPECT_NEAR(foldingObjectiveValue(p, exact.choice), foldingObjectiveValue(p, brute.choice),
                  1e-9 * foldingObjectiveValue(p, brute.choice))
          << foldingObjectiveName(objective) << " seed " << seed;
      EXPECT_TRUE(evaluateFolding(p, exact.choice).feasible);
      if (greedy.feasible) {
        EXPECT_TRUE(evaluateFolding(p, greedy.choice).feasible);
        EXPECT_GE(foldingObjectiveValue(p, greedy.choice), foldingObjectiveValue(p, exact.choice) * (1 - 1e-12));
        greedyWorse += foldingObjectiveValue(p, greedy.choice) > foldingObjectiveValue(p, exact.choice) * (1 + 1e-9);
      }
      // A given folding stays.
      if (p.layers.size() > 2) {
        EXPECT_EQ(exact.choice[1], 0);
      }
    }
  EXPECT_GE(compared, 100);
  EXPECT_GT(infeasibleCases, 0); // the tight budgets do bite
  EXPECT_LT(infeasibleCases, compared / 2);
  std::printf("compared %d cases (%d infeasible); greedy strictly worse in %d\n", compared, infeasibleCases,
              greedyWorse);
}

TEST(Folding, RealisticSizesAreSolvedExactly) {
  // About the size of an mlperftiny network placed on the FPGA: 40 layers, 4 resources, a budget that binds.
  for (FoldingObjective objective : {FoldingObjective::Throughput, FoldingObjective::Latency}) {
    FoldingProblem p = randomProblem(7, 40, 4, objective, 0.05);
    FoldingSolution s = solveFolding(p), greedy = greedyFolding(p);
    ASSERT_TRUE(s.feasible) << s.infeasibility;
    // Bisection over the bottleneck time proves throughput optimal; the latency objective (a multiple-choice
    // knapsack over several resources) exceeds the node limit at this size and keeps the best found.
    if (objective == FoldingObjective::Throughput)
      EXPECT_TRUE(s.optimal) << s.nodes << " nodes";
    else
      std::printf("latency, 40 layers: %s after %zu nodes, %.4g vs greedy %.4g\n", s.optimal ? "optimal" : "not proven",
                  s.nodes, foldingObjectiveValue(p, s.choice), foldingObjectiveValue(p, greedy.choice));
    ASSERT_TRUE(greedy.feasible);
    EXPECT_LE(foldingObjectiveValue(p, s.choice), foldingObjectiveValue(p, greedy.choice) * (1 + 1e-12));
    EXPECT_TRUE(evaluateFolding(p, s.choice).feasible);
  }
}

TEST(Folding, ThroughputBalancesTheSlowestLayer) {
  // Two layers, one resource: a heavy layer and a light one. With room for 8 lanes in all, the heavy layer gets the
  // parallelism; the light one stays small.
  FoldingProblem p;
  p.resources = {"dsp"};
  p.budget = {10};
  auto layer = [](const char *name, double work) {
    FoldingLayer l;
    l.name = name;
    for (int par : {1, 2, 4, 8})
      l.candidates.push_back({{par, 1}, work / par, {double(par)}, false});
    return l;
  };
  p.layers = {layer("heavy", 800), layer("light", 100)};
  FoldingSolution s = solveFolding(p);
  ASSERT_TRUE(s.feasible);
  EXPECT_TRUE(s.optimal);
  EXPECT_EQ(p.layers[0].candidates[s.choice[0]].folding.pe, 8);
  EXPECT_EQ(p.layers[1].candidates[s.choice[1]].folding.pe, 1); // 100 <= 800/8: no need for more
  EXPECT_DOUBLE_EQ(s.maxTime, 100);
  EXPECT_EQ(greedyFolding(p).choice, s.choice);
}

TEST(Folding, NoFitNamesTheBudgetAndTheLayers) {
  FoldingProblem p;
  p.resources = {"lut", "dsp"};
  p.budget = {1000, 5};
  FoldingLayer a{"conv_a", {{{1, 1}, 10, {100, 4}, false}, {{2, 1}, 5, {150, 8}, false}}, false};
  FoldingLayer b{"conv_b", {{{1, 1}, 10, {100, 3}, false}}, true};
  p.layers = {a, b};
  FoldingSolution s = solveFolding(p);
  EXPECT_FALSE(s.feasible);
  EXPECT_NE(s.infeasibility.find("dsp 7, over its budget of 5"), std::string::npos) << s.infeasibility;
  EXPECT_NE(s.infeasibility.find("conv_a 4"), std::string::npos) << s.infeasibility;
  EXPECT_NE(s.infeasibility.find("conv_b [given folding] 3"), std::string::npos) << s.infeasibility;
  EXPECT_EQ(solveFoldingExhaustively(p).feasible, false);
}

TEST(Folding, MalformedProblemsAreRejected) {
  FoldingProblem p;
  p.resources = {"lut"};
  p.budget = {10};
  p.layers = {FoldingLayer{"x", {}, false}};
  EXPECT_NE(solveFolding(p).infeasibility.find("layer x has no candidate"), std::string::npos);
  p.layers = {FoldingLayer{"x", {{{1, 1}, -1, {1}, false}}, false}};
  EXPECT_NE(solveFolding(p).infeasibility.find("time must be"), std::string::npos);
}

constexpr const char *kLibrary = R"({
"schema": "flydel-platform-library", "schema_version": 1,
"platform": {"name": "toy", "description": "test"},
"devices": [{"name": "fpga", "kind": "fpga", "capacities": {"lut": 1000, "dsp": 20}}],
"links": [],
"models": [
 {"device": "fpga", "op": "conv2d", "kpi": "latency_ms", "unit": "ms", "structure": "physics", "target": "identity",
  "terms": ["out_pixels*kernel_area*out_folds*in_folds"], "params": [1e-5], "domain": {"pe": [1, 4]},
  "cv": {"mape": 1, "median_ape": 1, "p90_ape": 1, "within_10pct": 100, "bias": 0, "rmspe": 1, "folds": 10, "seed": 1, "n": 10}},
 {"device": "fpga", "op": "conv2d", "kpi": "lut", "unit": "LUT", "structure": "physics", "target": "identity",
  "terms": ["1", "pe*simd"], "params": [200, 50], "domain": {}, "saturate_at": 1000,
  "cv": {"mape": 1, "median_ape": 1, "p90_ape": 1, "within_10pct": 100, "bias": 0, "rmspe": 1, "folds": 10, "seed": 1, "n": 10}},
 {"device": "fpga", "op": "pool2d", "kpi": "latency_ms", "unit": "ms", "structure": "physics", "target": "identity",
  "terms": ["1", "pe"], "params": [1, -0.5], "domain": {},
  "cv": {"mape": 1, "median_ape": 1, "p90_ape": 1, "within_10pct": 100, "bias": 0, "rmspe": 1, "folds": 10, "seed": 1, "n": 10}}
]})";

TEST(Folding, EvaluatesTheLibraryAtEachFolding) {
  auto lib = Library::parse(kLibrary);
  ASSERT_TRUE(lib.ok()) << lib.error();
  EXPECT_EQ(foldingTimeKpi(*lib, "fpga"), "latency_ms");
  EXPECT_EQ(foldingTimeKpi(*lib, "nothing"), "");

  Layer l = conv(4, 4); // 8x8 output, 3x3 kernel
  std::vector<std::string> unmodeled, notes;
  auto c = evaluateFoldings(*lib, "fpga", l, legalFoldings(l), "latency_ms", {"lut", "dsp"}, &unmodeled, &notes);
  ASSERT_TRUE(c.ok()) << c.error();
  // pe*simd = 16 saturates lut at the capacity: dropped, noted. The other 8 remain.
  ASSERT_EQ(c->size(), 8u);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("pe 4, simd 4: lut saturates"), std::string::npos) << notes[0];
  EXPECT_EQ(unmodeled, std::vector<std::string>{"dsp"});
  const FoldingCandidate &first = c->front();
  EXPECT_EQ(first.folding, (Folding{1, 1}));
  EXPECT_DOUBLE_EQ(first.time, 1e-5 * 64 * 9 * 4 * 4);
  EXPECT_DOUBLE_EQ(first.use[0], 250);
  EXPECT_DOUBLE_EQ(first.use[1], 0); // no dsp model: not counted (listed in unmodeled)
  EXPECT_FALSE(first.extrapolated);
  const FoldingCandidate &last = c->back(); // pe 4, simd 2: pe inside [1, 4]
  EXPECT_DOUBLE_EQ(last.time, 1e-5 * 64 * 9 * 1 * 2);

  // A pool whose time model goes negative at pe >= 3: those foldings are dropped.
  Layer pool = l;
  pool.op = OpKind::Pool2d;
  notes.clear();
  auto p = evaluateFoldings(*lib, "fpga", pool, legalFoldings(pool), "latency_ms", {"lut"}, nullptr, &notes);
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p->size(), 2u); // pe 1 and 2 (1 - 0.5*4 < 0)
  EXPECT_NE(notes.at(0).find("not a valid prediction"), std::string::npos);

  Layer fc = l;
  fc.op = OpKind::MatMul;
  auto none = evaluateFoldings(*lib, "fpga", fc, legalFoldings(fc), "latency_ms", {"lut"}, nullptr, nullptr);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error(), "no latency_ms model for matmul on device 'fpga'");
}

} // namespace

namespace {

TEST(Folding, SearchLimitIsReportedNotProvenInfeasible) {
  // Two resources; each layer's least-resource candidate uses the first one, and two of those do not fit, while
  // one of each does. Greedy (which starts from the least-resource candidates) finds nothing; the exact search
  // does; with a node limit of 1 it stops and says it did not prove infeasibility.
  for (FoldingObjective objective : {FoldingObjective::Throughput, FoldingObjective::Latency}) {
    FoldingProblem p;
    p.objective = objective;
    p.resources = {"dsp", "bram36"};
    p.budget = {10, 10};
    for (const char *name : {"a", "b"})
      p.layers.push_back(FoldingLayer{name, {{{1, 1}, 5, {6, 0}, false}, {{2, 1}, 4, {0, 7}, false}}, false});
    FoldingSolution greedy = greedyFolding(p);
    EXPECT_FALSE(greedy.feasible);
    EXPECT_NE(greedy.infeasibility.find("other combinations not searched"), std::string::npos) << greedy.infeasibility;
    FoldingSolution exact = solveFolding(p);
    ASSERT_TRUE(exact.feasible) << exact.infeasibility;
    EXPECT_TRUE(exact.optimal);
    EXPECT_DOUBLE_EQ(foldingObjectiveValue(p, exact.choice),
                     foldingObjectiveValue(p, solveFoldingExhaustively(p).choice));
    FoldingSolution limited = solveFolding(p, 1);
    EXPECT_FALSE(limited.feasible);
    EXPECT_FALSE(limited.optimal);
    EXPECT_NE(limited.infeasibility.find("not proven infeasible"), std::string::npos) << limited.infeasibility;
  }
}

} // namespace

namespace {

TEST(Folding, EvaluatesAtTheDevicesDataType) {
  // The device computes int8 whatever the layer's type: a model on bytes sees 1 byte per element.
  std::string text = R"({
"schema": "flydel-platform-library", "schema_version": 1, "platform": {"name": "t"},
"devices": [{"name": "fpga", "kind": "fpga", "capacities": {"bram36": 10}, "dtype": "i8"}], "links": [],
"models": [
 {"device": "fpga", "op": "conv2d", "kpi": "cycles", "unit": "cycles", "structure": "physics", "target": "identity",
  "terms": ["input_bytes"], "params": [1], "domain": {},
  "cv": {"mape": 1, "median_ape": 1, "p90_ape": 1, "within_10pct": 100, "bias": 0, "rmspe": 1, "folds": 10, "seed": 1, "n": 10}}
]})";
  auto lib = Library::parse(text);
  ASSERT_TRUE(lib.ok()) << lib.error();
  EXPECT_EQ(foldingTimeKpi(*lib, "fpga"), "cycles");
  Layer l = conv(4, 4); // f32, 8x8x4 input: 256 elements
  auto c = evaluateFoldings(*lib, "fpga", l, {{1, 1}}, "cycles", {"bram36"}, nullptr, nullptr);
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_DOUBLE_EQ(c->front().time, 256.0); // not 1024 (f32)
}

} // namespace
