#include "flydel/Identify/Solvers.h"
#include "flydel/Identify/Structures.h"
#include "flydel/Identify/Validation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>

using namespace flydel;

namespace {

/// A full grid of conv layers with y = truth(features) * (1 + noise).
template <typename Truth> Dataset syntheticGrid(Truth truth, double noise, uint64_t seed) {
  std::mt19937_64 rng(seed);
  // A normal distribution needs a positive deviation (libstdc++ asserts it): noise 0 draws nothing.
  std::normal_distribution<double> g(0.0, noise > 0 ? noise : 1.0);
  Dataset d;
  d.kpi = "y";
  int line = 2;
  // Channel counts off the usual vector widths, so quantised terms (ceil(c/8)) cannot pass for exact ones.
  for (int h : {8, 16, 24, 32, 48, 64})
    for (int c : {3, 17, 37, 70, 121})
      for (int k : {1, 3, 5})
        for (int n : {1, 13, 50, 97, 130}) {
          Layer l;
          l.in_h = l.in_w = h, l.c_in = c, l.kernel_h = l.kernel_w = k, l.c_out = n;
          FeatureVector f = computeFeatures(l);
          d.x.push_back(f);
          d.y.push_back(truth(f) * (1 + (noise > 0 ? g(rng) : 0.0)));
          d.lines.push_back(line++);
        }
  return d;
}

double at(const FeatureVector &f, Feature which) { return f[static_cast<int>(which)]; }

} // namespace

TEST(StructuresTest, PhysicsRecoversKnownCoefficients) {
  auto truth = [](const FeatureVector &f) {
    return 0.8 + 2e-7 * at(f, Feature::Macs) + 3e-5 * at(f, Feature::OutPixels) * at(f, Feature::COut);
  };
  Dataset d = syntheticGrid(truth, 0.01, 1);
  // The fixed im2col basis contains the truth: its coefficients must come back.
  StructureConfig config{Structure::Physics, 0, 0};
  ASSERT_STREQ(physicsBases()[0].name, "im2col");
  auto path = fitPath(config, d, 16);
  ASSERT_TRUE(path) << path.error();
  const Model &m = path->back();
  for (size_t j = 0; j < m.terms.size(); ++j) {
    std::string t = formatTerm(m.terms[j]);
    if (t == "1") {
      EXPECT_NEAR(m.params[j], 0.8, 0.02);
    } else if (t == "macs") {
      EXPECT_NEAR(m.params[j] / 2e-7, 1.0, 0.02);
    } else if (t == "out_pixels*c_out") {
      EXPECT_NEAR(m.params[j] / 3e-5, 1.0, 0.05);
    }
  }
  // Forward selection is greedy: a quantised MAC term can enter first, but within four terms both true terms
  // are in and take the weight.
  auto select = fitPath(StructureConfig{Structure::Physics, 0, -1}, d, 4);
  ASSERT_TRUE(select) << select.error();
  std::map<std::string, double> coef;
  for (size_t j = 0; j < select->back().terms.size(); ++j)
    coef[formatTerm(select->back().terms[j])] = select->back().params[j];
  ASSERT_TRUE(coef.count("macs") && coef.count("out_pixels*c_out"));
  EXPECT_NEAR(coef["macs"] / 2e-7, 1.0, 0.05);
  EXPECT_NEAR(coef["out_pixels*c_out"] / 3e-5, 1.0, 0.1);
}

TEST(StructuresTest, FrolsFitsAPowerLaw) {
  // A power law is linear in the log features; greedy ERR may reach it through product terms first, so the
  // check is on accuracy: within the 2 % noise on every grid point once the path is long enough.
  auto truth = [](const FeatureVector &f) {
    return 0.01 * std::pow(at(f, Feature::CIn), 0.8) * at(f, Feature::COut) * std::pow(at(f, Feature::OutHW), 2);
  };
  Dataset d = syntheticGrid(truth, 0.02, 2);
  auto path = fitPath(StructureConfig{Structure::Frols, 2}, d, 10);
  ASSERT_TRUE(path) << path.error();
  const Model &m = path->back();
  EXPECT_EQ(m.target, Target::Log);
  EXPECT_LE(m.parameterCount(), 10);
  std::vector<double> pred;
  for (const FeatureVector &x : d.x)
    pred.push_back(m.evaluate(x));
  EXPECT_LT(computeMetrics(pred, d.y).mape, 2.0);
  // And a longer path is never worse on the training data.
  std::vector<double> shortPred;
  for (const FeatureVector &x : d.x)
    shortPred.push_back((*path)[2].evaluate(x));
  EXPECT_LE(computeMetrics(pred, d.y).rmspe, computeMetrics(shortPred, d.y).rmspe + 1e-9);
}

TEST(StructuresTest, PaperProductFitsASeparableKpi) {
  auto truth = [](const FeatureVector &f) {
    return (1 + 0.1 * at(f, Feature::InHW)) * (2 + 0.01 * at(f, Feature::CIn) * at(f, Feature::CIn) / 100) *
           (1 + at(f, Feature::Kernel)) * (5 + at(f, Feature::COut));
  };
  Dataset d = syntheticGrid(truth, 0.0, 3);
  auto path = fitPath(StructureConfig{Structure::Paper, 0}, d, 16);
  ASSERT_TRUE(path) << path.error();
  const Model &m = path->front();
  EXPECT_EQ(m.factors.size(), 4u);
  EXPECT_LE(m.parameterCount(), 16);
  double worst = 0;
  for (size_t i = 0; i < d.size(); ++i)
    worst = std::max(worst, std::fabs(m.evaluate(d.x[i]) / d.y[i] - 1));
  EXPECT_LT(worst, 1e-3);
}

TEST(StructuresTest, SelectionPrefersTheTrueStructureAndRespectsTheBudget) {
  auto truth = [](const FeatureVector &f) { return 0.5 + 1e-6 * at(f, Feature::Macs); };
  Dataset d = syntheticGrid(truth, 0.02, 4);
  CvOptions options;
  options.maxParams = 6;
  auto id = identify(d, autoConfigs(), options);
  ASSERT_TRUE(id) << id.error();
  EXPECT_EQ(id->chosen.config.structure, Structure::Physics);
  EXPECT_LE(id->model.parameterCount(), 6);
  EXPECT_LT(id->chosen.metrics.mape, 2.5); // noise is 2 % (MAPE of N(0, 0.02) is 1.6 %)
  EXPECT_FALSE(id->model.domain.empty());
  // Same seed, same answer.
  auto again = identify(d, autoConfigs(), options);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->chosen.metrics.mape, id->chosen.metrics.mape);
}

TEST(StructuresTest, SaturationFitsBelowTheCapacity) {
  auto truth = [](const FeatureVector &f) { return std::min(587.0, 2.0 + 0.05 * at(f, Feature::WeightCount)); };
  Dataset d = syntheticGrid(truth, 0.0, 5);
  auto path = fitPath(StructureConfig{Structure::Physics, 0, -1}, d, 4, 587.0);
  ASSERT_TRUE(path) << path.error();
  const Model &m = path->back();
  EXPECT_EQ(m.upperBound, 587.0);
  for (size_t i = 0; i < d.size(); ++i)
    EXPECT_NEAR(m.evaluate(d.x[i]), d.y[i], 1e-6 * d.y[i]);
}

TEST(StructuresTest, MapeFitBeatsRelativeLeastSquaresOnHeavyTailedNoise) {
  // Relative noise from a Student-t with 1.5 degrees of freedom (infinite variance): squared relative residuals
  // are dominated by a few outliers, the absolute ones are not. Evaluated on clean truth at every grid point.
  auto truth = [](const FeatureVector &f) {
    return 0.5 + 4e-7 * at(f, Feature::Macs) + 2e-5 * at(f, Feature::InPixels) * at(f, Feature::CIn);
  };
  std::mt19937_64 rng(11);
  std::student_t_distribution<double> t(1.5);
  Dataset d = syntheticGrid(truth, 0.0, 1);
  for (double &y : d.y)
    y *= std::exp(0.05 * std::clamp(t(rng), -12.0, 12.0)); // positive, heavy-tailed, median-unbiased
  StructureConfig ls{Structure::Physics, 0, 0, FitLoss::Squares};
  StructureConfig mape{Structure::Physics, 0, 0, FitLoss::Mape};
  auto lsPath = fitPath(ls, d, 16), mapePath = fitPath(mape, d, 16), again = fitPath(mape, d, 16);
  ASSERT_TRUE(lsPath && mapePath && again);
  auto error = [&](const Model &m) {
    double sum = 0;
    for (const FeatureVector &x : d.x)
      sum += std::fabs(m.evaluate(x) / truth(x) - 1);
    return sum / d.x.size();
  };
  double lsError = error(lsPath->back()), mapeError = error(mapePath->back());
  EXPECT_LT(mapeError, 0.5 * lsError) << "relative LS " << lsError << ", MAPE-fit " << mapeError;
  EXPECT_LT(mapeError, 0.01);
  // Deterministic: the same data gives bit-identical parameters.
  EXPECT_EQ(mapePath->back().params, again->back().params);
  EXPECT_EQ(mape.label(), "physics(im2col, mape-fit)");
}

TEST(StructuresTest, FitLeastAbsoluteMinimisesTheAbsoluteResiduals) {
  // An intercept-only fit under L1 is the median; under LS, the mean.
  Eigen::MatrixXd a = Eigen::MatrixXd::Ones(5, 1);
  Eigen::VectorXd b(5);
  b << 1.0, 2.0, 3.0, 4.0, 100.0;
  EXPECT_NEAR(solveLeastSquares(a, b)[0], 22.0, 1e-9);
  EXPECT_NEAR(fitLeastAbsolute(a, b, 100, 1e-9)[0], 3.0, 1e-3);
}

TEST(StructuresTest, FitLeastAbsoluteHandlesCollinearColumns) {
  // Two identical columns: the normal equations are singular, so the reweighted fits fall back to the pivoted QR
  // and the fit stays finite and as good as with one copy of the column.
  Eigen::MatrixXd a(6, 3);
  Eigen::VectorXd b(6);
  for (int i = 0; i < 6; ++i) {
    a(i, 0) = 1.0, a(i, 1) = a(i, 2) = i + 1.0;
    b[i] = 2.0 + 3.0 * (i + 1.0) + (i == 4 ? 50.0 : 0.0); // one outlier the L1 fit ignores
  }
  Eigen::VectorXd theta = fitLeastAbsolute(a, b);
  ASSERT_TRUE(theta.allFinite());
  EXPECT_NEAR(theta[0], 2.0, 1e-2);
  EXPECT_NEAR(theta[1] + theta[2], 3.0, 1e-2);
}

TEST(StructuresTest, TermCacheChangesNoFit) {
  // Fits on a subset of rows read the candidate terms from the parent's cache: the very same numbers as
  // evaluating them on the subset, so every model of the path is bit-identical.
  auto truth = [](const FeatureVector &f) { return 0.3 + 2e-7 * at(f, Feature::Macs) + 1e-4 * at(f, Feature::CIn); };
  Dataset d = syntheticGrid(truth, 0.05, 3);
  std::vector<int> rows;
  for (int i = 0; i < static_cast<int>(d.size()); i += 3)
    rows.push_back(i);
  Dataset cached = d;
  cached.attachTermCache();
  for (const StructureConfig &config : {StructureConfig{Structure::Frols, 2, StructureConfig::kSelectGeneric,
                                                        FitLoss::Mape},
                                        StructureConfig{Structure::Physics, 0, StructureConfig::kSelectGeneric}}) {
    auto plain = fitPath(config, d.subset(rows), 8), viaCache = fitPath(config, cached.subset(rows), 8);
    ASSERT_TRUE(plain && viaCache) << config.label();
    ASSERT_EQ(plain->size(), viaCache->size()) << config.label();
    for (size_t p = 0; p < plain->size(); ++p)
      EXPECT_EQ((*plain)[p].params, (*viaCache)[p].params) << config.label() << " at " << p;
  }
  EXPECT_TRUE(cached.subset(rows).termCache);
  EXPECT_EQ(cached.subset(rows).termCacheRows[1], rows[1]);
}

TEST(StructuresTest, SelectionOnFoldGramsMatchesSelectionOnRows) {
  // Fits on a union of cross-validation folds select their terms from sums of per-fold Gram matrices; the same rows
  // without a cache select from the rows themselves. The same terms, hence the same columns and bit-identical
  // parameters; rows that are not a union of folds fall back to the rows. (The two sums round differently, so
  // candidates that tie to the last digits may be taken in another order: the paths stop at 6 terms, before the
  // selection picks among noise terms.)
  auto truth = [](const FeatureVector &f) {
    return 0.2 + 3e-8 * at(f, Feature::Macs) + 2e-6 * at(f, Feature::InputBytes) + 1e-4 * at(f, Feature::COut);
  };
  Dataset d = syntheticGrid(truth, 0.05, 7);
  std::vector<int> fold = foldAssignment(static_cast<int>(d.size()), 5, 3);
  Dataset cached = d;
  cached.attachTermCache();
  cached.setTermCacheParts(fold);
  std::vector<int> union13, ragged, repeated;
  for (int i = 0; i < static_cast<int>(d.size()); ++i) {
    if (fold[static_cast<size_t>(i)] != 1 && fold[static_cast<size_t>(i)] != 3)
      union13.push_back(i);
    if (i % 7 != 0)
      ragged.push_back(i);
  }
  // As many rows per fold as folds 0, 2 and 4 hold, but some twice and others not at all (a bootstrap): no union.
  std::map<int, std::pair<int, int>> lastOfFold; // fold -> (rows so far, the last one)
  for (int i : union13) {
    auto &[count, last] = lastOfFold[fold[static_cast<size_t>(i)]];
    repeated.push_back(count++ % 5 == 4 ? last : i);
    last = repeated.back();
  }
  for (const std::vector<int> *rows : {&union13, &ragged, &repeated})
    for (const StructureConfig &config :
         {StructureConfig{Structure::Frols, 3, StructureConfig::kSelectGeneric, FitLoss::Mape},
          StructureConfig{Structure::Physics, 0, StructureConfig::kSelectTiles},
          StructureConfig{Structure::Physics, 0, StructureConfig::kSelectGeneric, FitLoss::Mape}}) {
      auto plain = fitPath(config, d.subset(*rows), 6), onFolds = fitPath(config, cached.subset(*rows), 6);
      ASSERT_TRUE(plain && onFolds) << config.label();
      ASSERT_EQ(plain->size(), onFolds->size()) << config.label();
      for (size_t p = 0; p < plain->size(); ++p) {
        ASSERT_EQ((*plain)[p].terms.size(), (*onFolds)[p].terms.size()) << config.label() << " at " << p;
        for (size_t t = 0; t < (*plain)[p].terms.size(); ++t)
          EXPECT_EQ(formatTerm((*plain)[p].terms[t]), formatTerm((*onFolds)[p].terms[t])) << config.label();
        EXPECT_EQ((*plain)[p].params, (*onFolds)[p].params) << config.label() << " at " << p;
      }
    }
}

TEST(StructuresTest, FitLeastAbsoluteReachesTheSmoothedMinimum) {
  // A line with heavy-tailed errors: the result is where the smoothed absolute loss has zero gradient, whatever
  // the starting point.
  std::mt19937_64 rng(11);
  std::cauchy_distribution<double> noise(0.0, 0.05);
  const int n = 400;
  Eigen::MatrixXd a(n, 3);
  Eigen::VectorXd b(n);
  for (int i = 0; i < n; ++i) {
    double x = i / double(n);
    a(i, 0) = 1, a(i, 1) = x, a(i, 2) = 1e3 * x * x; // columns of very different scales
    b[i] = 1 + 2 * x + 3e3 * x * x + noise(rng);
  }
  const double eps = 1e-3;
  Eigen::VectorXd theta = fitLeastAbsolute(a, b, 100, eps);
  Eigen::VectorXd r = a * theta - b;
  Eigen::VectorXd psi = (r / eps).cwiseMax(-1.0).cwiseMin(1.0);
  Eigen::VectorXd gradient = a.transpose() * psi;
  for (int j = 0; j < 3; ++j) // each column's gradient against its norm (a unit-norm column's is at most sqrt(n))
    EXPECT_LT(std::fabs(gradient[j]) / a.col(j).norm(), 1e-6) << "column " << j;
  Eigen::VectorXd far(3);
  far << -50, 80, 0.5;
  Eigen::VectorXd again = fitLeastAbsolute(a, b, 100, eps, &far);
  for (int j = 0; j < 3; ++j)
    EXPECT_NEAR(again[j], theta[j], 1e-6 * std::max(1.0, std::fabs(theta[j])));
  EXPECT_NEAR(theta[0], 1.0, 0.05);
  EXPECT_NEAR(theta[2], 3.0, 0.05);
}

TEST(StructuresTest, TilePoolHasTheQuantisedAndLargeKernelTerms) {
  Dataset d = syntheticGrid([](const FeatureVector &) { return 1.0; }, 0.0, 1);
  std::set<std::string> names;
  for (const Term &t : tileCandidates(d))
    names.insert(formatTerm(t));
  for (const char *expected : {"1", "in_pixels*c_in", "c_in", "[kernel>=11]*macs",
                               "ceil(out_pixels/128)*kernel*ceil(c_in/8)*ceil(c_out/128)",
                               "ceil(out_pixels/64)*kernel_area*ceil(c_in/4)*ceil(c_out/32)"})
    EXPECT_TRUE(names.count(expected)) << expected;
  EXPECT_LE(names.size(), 800u);
}

TEST(StructuresTest, CpuPoolSeparatesDenseAndDepthwiseLayers) {
  // Dense and depthwise layers mixed in one table: dense cost per MAC, depthwise cost per 16-channel vector FMA and
  // a padded-input copy. The CPU pool has gated depthwise terms, so one linear model fits both variants.
  std::mt19937_64 rng(5);
  std::normal_distribution<double> g(0.0, 0.01);
  Dataset d;
  d.kpi = "y";
  int line = 2;
  for (int h : {8, 17, 32, 56})
    for (int c : {3, 16, 37, 96, 200})
      for (int k : {1, 3, 5})
        for (int pad : {0, 1})
          for (bool depthwise : {false, true}) {
            Layer l;
            l.in_h = l.in_w = h, l.c_in = c, l.kernel_h = l.kernel_w = k, l.pad_h = l.pad_w = pad * (k / 2);
            l.c_out = depthwise ? c : 2 * c + 5;
            l.groups = depthwise ? c : 1;
            FeatureVector f = computeFeatures(l);
            double y = 0.002 + 1e-8 * at(f, Feature::Macs) +
                       (depthwise ? 4e-8 * at(f, Feature::OutPixels) * at(f, Feature::KernelArea) *
                                        std::ceil(at(f, Feature::COut) / 16)
                                  : 0.0) +
                       (at(f, Feature::Pad) >= 0.5 ? 3e-9 * at(f, Feature::InPixels) * at(f, Feature::CIn) : 0.0);
            d.x.push_back(f);
            d.y.push_back(y * (1 + g(rng)));
            d.lines.push_back(line++);
          }
  std::set<std::string> names;
  for (const CandidateText &t : cpuCandidateTexts()) {
    ASSERT_TRUE(parseTerm(t.term)) << t.term;
    EXPECT_EQ(formatTerm(*parseTerm(t.term)), t.term); // the text round-trips: what the library will store
    names.insert(t.term);
  }
  EXPECT_EQ(names.size(), cpuCandidates(d).size());
  ASSERT_EQ(poolConfigs("cpu").size(), 2u);
  EXPECT_TRUE(poolConfigs("tpu").empty());
  EXPECT_EQ(poolConfigs("cpu")[0].label(), "physics(select-cpu)");
  CvOptions cv;
  auto cpu = crossValidatePath(poolConfigs("cpu")[0], d, cv);
  auto generic = crossValidatePath(StructureConfig{Structure::Physics, 0, StructureConfig::kSelectGeneric}, d, cv);
  ASSERT_TRUE(cpu && generic);
  double bestCpu = INFINITY, bestGeneric = INFINITY;
  for (const CvOutcome &o : *cpu)
    bestCpu = std::min(bestCpu, o.metrics.mape);
  for (const CvOutcome &o : *generic)
    bestGeneric = std::min(bestGeneric, o.metrics.mape);
  EXPECT_LT(bestCpu, 3.0);
  EXPECT_LT(bestCpu, bestGeneric);
}

TEST(StructuresTest, CpuPoolHasNoChannelMixingTermsForChannelWiseTables) {
  // A pool keeps its channels: a term in c_in * c_out would be a channel count squared. Such tables get none; a
  // table with dense convolutions keeps the whole pool.
  auto table = [](bool pools) {
    Dataset d;
    d.kpi = "y";
    for (int c : {8, 64, 512}) {
      Layer l;
      l.op = pools ? OpKind::Pool2d : OpKind::Conv2d;
      l.in_h = l.in_w = 14, l.c_in = c, l.c_out = pools ? c : 2 * c, l.kernel_h = l.kernel_w = 3;
      d.x.push_back(computeFeatures(l));
      d.y.push_back(1.0);
      d.lines.push_back(static_cast<int>(d.lines.size()) + 2);
    }
    return d;
  };
  std::vector<Term> dense = cpuCandidates(table(false)), pools = cpuCandidates(table(true));
  EXPECT_EQ(dense.size(), cpuCandidateTexts().size());
  EXPECT_TRUE(std::any_of(dense.begin(), dense.end(), mixesChannels));
  EXPECT_LT(pools.size(), dense.size());
  EXPECT_FALSE(std::any_of(pools.begin(), pools.end(), mixesChannels));
}

TEST(StructuresTest, GpuPoolFitsALaunchFloorAndStaysPositive) {
  // y = max(0.02, 0.004 + 2e-5 * waves(64,32,132) * reduction): a host that issues a call every 20 us hides
  // every kernel shorter than that. A noiseless grid: the pool must find the floor and the wave term.
  Term waves = *parseTerm("waves(64,32,132)*reduction_size");
  Dataset d = syntheticGrid(
      [&](const FeatureVector &f) { return std::max(0.02, 0.004 + 2e-5 * evaluateTerm(waves, f)); }, 0.0, 1);
  StructureConfig gpu{Structure::Physics, 0, StructureConfig::kSelectGpu, FitLoss::Squares};
  EXPECT_FALSE(fitPath(gpu, d, 6)); // no SM count: an error, not a guess
  gpu.units = 132;
  auto path = fitPath(gpu, d, 6);
  ASSERT_TRUE(path) << path.error();
  const Model &best = path->at(1); // the constant, then the wave term
  EXPECT_EQ(formatTerm(best.terms.at(1)), "waves(64,32,132)*reduction_size");
  EXPECT_NEAR(best.floor, 0.02, 1e-12);
  EXPECT_NEAR(best.params.at(1), 2e-5, 1e-8);
  EXPECT_EQ(best.parameterCount(), 3);
  // Every model of the path, on layers far outside the grid, is positive and finite.
  for (const Model &m : *path)
    for (int64_t h : {1, 7, 4096})
      for (int64_t c : {1, 3, 8192}) {
        Layer l;
        l.in_h = l.in_w = h, l.c_in = c, l.c_out = c;
        double y = m.evaluate(computeFeatures(l));
        EXPECT_TRUE(y > 0 && std::isfinite(y)) << formatTerm(m.terms.back()) << " at h " << h << " c " << c;
      }
  // Every candidate text parses and round-trips: what the library stores.
  for (const GpuCandidateText &t : gpuCandidateTexts(132)) {
    ASSERT_TRUE(parseTerm(t.term)) << t.term;
    EXPECT_EQ(formatTerm(*parseTerm(t.term)), t.term);
  }
  EXPECT_EQ(poolConfigs("gpu").size(), 2u);
  // A table of GEMVs (linear layers at batch 1) has no output or input byte terms; a batched one keeps them.
  auto hasBytesTerm = [](const std::vector<Term> &terms) {
    return std::any_of(terms.begin(), terms.end(), [](const Term &t) {
      std::string text = formatTerm(t);
      return text == "output_bytes" || text == "input_bytes";
    });
  };
  Dataset gemv;
  for (int n : {10, 100, 1000}) {
    Layer l;
    l.op = OpKind::MatMul, l.in_h = l.in_w = 1, l.c_in = 64, l.c_out = n;
    gemv.x.push_back(computeFeatures(l));
    gemv.y.push_back(0.02);
    gemv.lines.push_back(n);
  }
  EXPECT_FALSE(hasBytesTerm(gpuCandidates(gemv, 132)));
  std::vector<Term> gemvTerms = gpuCandidates(gemv, 132);
  EXPECT_FALSE(std::any_of(gemvTerms.begin(), gemvTerms.end(), [](const Term &t) { return formatTerm(t) == "macs"; }));
  EXPECT_TRUE(std::any_of(gemvTerms.begin(), gemvTerms.end(),
                          [](const Term &t) { return formatTerm(t) == "weight_bytes"; }));
  EXPECT_TRUE(hasBytesTerm(gpuCandidates(d, 132)));
  // Square GEMVs (c_in = c_out on every row) are still GEMMs with weights, not a channel-wise table.
  Dataset square;
  for (int n : {256, 768, 4096}) {
    Layer l;
    l.op = OpKind::MatMul, l.in_h = l.in_w = 1, l.c_in = n, l.c_out = n;
    square.x.push_back(computeFeatures(l));
    square.y.push_back(0.02);
    square.lines.push_back(n);
  }
  std::vector<Term> squareTerms = gpuCandidates(square, 132);
  EXPECT_TRUE(std::any_of(squareTerms.begin(), squareTerms.end(),
                          [](const Term &t) { return formatTerm(t) == "weight_bytes"; }));
  Layer batched;
  batched.op = OpKind::MatMul, batched.batch = 8, batched.in_h = batched.in_w = 1, batched.c_in = 64, batched.c_out = 5;
  gemv.x.push_back(computeFeatures(batched));
  gemv.y.push_back(0.03);
  gemv.lines.push_back(1);
  EXPECT_TRUE(hasBytesTerm(gpuCandidates(gemv, 132)));
}

TEST(StructuresTest, BatchIsAFeatureOfEveryStructure) {
  // y = 0.1 * batch * in_hw^2 * c_out: every structure must see batch where the table varies it.
  Dataset d;
  d.kpi = "y";
  for (int b : {1, 2, 4, 8})
    for (int h : {8, 16, 32, 64})
      for (int c : {4, 16, 64}) {
        Layer l;
        l.batch = b, l.in_h = l.in_w = h, l.c_in = 3, l.c_out = c;
        d.x.push_back(computeFeatures(l));
        d.y.push_back(0.1 * b * h * h * c);
        d.lines.push_back(static_cast<int>(d.y.size()) + 1);
      }
  EXPECT_EQ(variedBaseFeatures(d).back(), Feature::Batch);
  Layer one, four;
  one.in_h = one.in_w = 20, one.c_in = 3, one.c_out = 10;
  four = one;
  four.batch = 4;
  for (StructureConfig config : {StructureConfig{Structure::Frols, 2}, StructureConfig{Structure::Paper, 0}}) {
    auto path = fitPath(config, d, 16);
    ASSERT_TRUE(path) << config.label() << ": " << path.error();
    const Model &m = path->back();
    double ratio = m.evaluate(computeFeatures(four)) / m.evaluate(computeFeatures(one));
    EXPECT_NEAR(ratio, 4.0, 0.4) << config.label();
  }
}

TEST(StructuresTest, NestedCvAndTheOneStandardErrorRule) {
  // y = 1 + 0.002 * macs with 5 % noise: the selection finds it; the nested figure is computed on rows neither the
  // fit nor the choice saw, and the one-SE rule never picks more parameters than the lowest score.
  Dataset d = syntheticGrid([](const FeatureVector &f) { return 1.0 + 0.002 * at(f, Feature::Macs); }, 0.05, 3);
  std::vector<StructureConfig> configs = {StructureConfig{Structure::Physics, 0, StructureConfig::kSelectGeneric},
                                          StructureConfig{Structure::Frols, 2}};
  CvOptions cv;
  cv.folds = 5;
  cv.maxParams = 6;
  auto plain = identify(d, configs, cv);
  ASSERT_TRUE(plain) << plain.error();
  EXPECT_EQ(plain->nested.n, 0);
  cv.nested = true;
  auto nested = identify(d, configs, cv);
  ASSERT_TRUE(nested) << nested.error();
  EXPECT_EQ(nested->nested.n, static_cast<int>(d.size()));
  EXPECT_GT(nested->nested.mape, 2.0); // 5 % noise cannot be fitted away
  EXPECT_LT(nested->nested.mape, 2.0 * plain->chosen.metrics.mape);
  // Two and three folds: an outer fold with fewer than two other folds to select by partitions its rows afresh.
  for (int folds : {2, 3}) {
    cv.folds = folds;
    auto few = identify(d, configs, cv);
    ASSERT_TRUE(few) << folds << " folds: " << few.error();
    EXPECT_EQ(few->nested.n, static_cast<int>(d.size())) << folds << " folds";
    EXPECT_GT(few->nested.mape, 2.0) << folds << " folds";
  }
  cv.folds = 5;
  cv.nested = false;
  cv.oneStandardError = true;
  auto oneSe = identify(d, configs, cv);
  ASSERT_TRUE(oneSe) << oneSe.error();
  EXPECT_LE(oneSe->chosen.parameters, plain->chosen.parameters);
  // A configuration that cannot be cross-validated is listed with the reason.
  configs.push_back(StructureConfig{Structure::Physics, 0, StructureConfig::kSelectGpu}); // no SM count
  auto skipped = identify(d, configs, cv);
  ASSERT_TRUE(skipped) << skipped.error();
  ASSERT_EQ(skipped->skipped.size(), 1u);
  EXPECT_NE(skipped->skipped[0].why.find("streaming multiprocessor"), std::string::npos) << skipped->skipped[0].why;
}

TEST(StructuresTest, SelectionWeightsErrorsByHowWellRowsRepeat) {
  // A wave term and a MAC term above a 20 us floor. The layers near the floor were measured again 40 % off (a host
  // that changed speed between runs) and carry that noise; the others repeat within 1 %. Counted alike, the noisy
  // rows hide what the MAC term adds; weighted by how well each row repeats, the selection keeps more of the path.
  Term waves = *parseTerm("waves(64,32,132)*reduction_size");
  Dataset d = syntheticGrid(
      [&](const FeatureVector &f) {
        return std::max(0.02, 0.004 + 1e-5 * evaluateTerm(waves, f) + 1e-11 * at(f, Feature::Macs));
      },
      0.0, 5);
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-1, 1);
  for (size_t i = 0; i < d.size(); ++i) {
    bool noisy = d.y[i] < 0.03;
    d.y[i] *= 1 + (noisy ? 0.4 : 0.01) * u(rng);
    d.retest.push_back(d.y[i] * (noisy ? 1.4 : 1.01));
  }
  StructureConfig gpu{Structure::Physics, 0, StructureConfig::kSelectGpu, FitLoss::Squares};
  gpu.units = 132;
  CvOptions cv;
  cv.folds = 5;
  cv.maxParams = 6;
  std::vector<double> w = d.repeatability();
  EXPECT_NEAR(w[0], d.y[0] < 0.03 ? 1 / 0.42 : 1 / 0.03, 1e-9);
  auto weighted = identify(d, {gpu}, cv);
  ASSERT_TRUE(weighted) << weighted.error();
  auto outcomes = crossValidatePath(gpu, d, cv);
  ASSERT_TRUE(outcomes) << outcomes.error();
  const CvOutcome *byWeighted = nullptr, *byPlain = nullptr;
  auto score = [&](const CvOutcome &o, double mape) { return mape * (1 + cv.parsimony * o.parameters); };
  for (const CvOutcome &o : *outcomes) {
    double sum = 0, total = 0;
    for (size_t i = 0; i < d.size(); ++i)
      sum += w[i] * std::fabs(o.predictions[i] - d.y[i]) / d.y[i], total += w[i];
    EXPECT_NEAR(o.selectionMape, 100 * sum / total, 1e-9);
    if (!byWeighted || score(o, o.selectionMape) < score(*byWeighted, byWeighted->selectionMape))
      byWeighted = &o;
    if (!byPlain || score(o, o.metrics.mape) < score(*byPlain, byPlain->metrics.mape))
      byPlain = &o;
  }
  // The data tells the two criteria apart, and the selection follows the weighted one (a longer path: the terms
  // the repeatable rows need).
  ASSERT_NE(byWeighted->parameters, byPlain->parameters);
  EXPECT_GT(byWeighted->parameters, byPlain->parameters);
  EXPECT_EQ(weighted->chosen.parameters, byWeighted->parameters);
  // The reported figure is the plain MAPE; without a retest the selection compares the plain MAPE.
  EXPECT_EQ(weighted->chosen.metrics.mape, byWeighted->metrics.mape);
  d.retest.clear();
  auto plain = identify(d, {gpu}, cv);
  ASSERT_TRUE(plain) << plain.error();
  EXPECT_EQ(plain->chosen.selectionMape, plain->chosen.metrics.mape);
  EXPECT_EQ(plain->chosen.parameters, byPlain->parameters);
}
