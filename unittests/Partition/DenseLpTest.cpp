//===- DenseLpTest.cpp - the small dense simplex ---------------------------===//

#include "flydel/Partition/DenseLp.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace flydel;

namespace {

TEST(DenseLpTest, SolvesATextbookProgram) {
  // max 3x + 5y s.t. x <= 4, 2y <= 12, 3x + 2y <= 18: optimum (2, 6), value 36.
  DenseLpResult r = maximizeDenseLp({1, 0, 0, 2, 3, 2}, {4, 12, 18}, {3, 5});
  ASSERT_EQ(r.status, DenseLpResult::Status::Optimal);
  EXPECT_NEAR(r.y[0], 2, 1e-12);
  EXPECT_NEAR(r.y[1], 6, 1e-12);
  EXPECT_NEAR(r.value, 36, 1e-12);
}

TEST(DenseLpTest, DegenerateVerticesDoNotCycle) {
  // Beale's example, which cycles under the largest-coefficient rule; Bland's rule ends at the optimum 5/4, at
  // (1, 0, 1, 0). max 3/4 x1 - 20 x2 + 1/2 x3 - 6 x4 s.t. the three rows below (b = 0, 0, 1).
  DenseLpResult r = maximizeDenseLp({0.25, -8, -1, 9, 0.5, -12, -0.5, 3, 0, 0, 1, 0}, {0, 0, 1}, {0.75, -20, 0.5, -6});
  ASSERT_EQ(r.status, DenseLpResult::Status::Optimal);
  EXPECT_NEAR(r.value, 1.25, 1e-12);
  EXPECT_NEAR(r.y[0], 1, 1e-12);
  EXPECT_NEAR(r.y[2], 1, 1e-12);
}

TEST(DenseLpTest, ReportsUnboundedAndBadInput) {
  EXPECT_EQ(maximizeDenseLp({1, -1}, {1}, {1, 1}).status, DenseLpResult::Status::Unbounded);
  EXPECT_EQ(maximizeDenseLp({1, 1}, {-1}, {1, 1}).status, DenseLpResult::Status::BadInput);   // origin infeasible
  EXPECT_EQ(maximizeDenseLp({1, 1, 1}, {1}, {1, 1}).status, DenseLpResult::Status::BadInput); // sizes
  EXPECT_EQ(maximizeDenseLp({1, NAN}, {1}, {1, 1}).status, DenseLpResult::Status::BadInput);
  EXPECT_EQ(maximizeDenseLp({1, 0, 0, 1}, {1, 1}, {1, 1}, /*maxPivots=*/1).status, DenseLpResult::Status::PivotLimit);
}

TEST(DenseLpTest, CuttingPlaneMastersMatchEnumeration) {
  // The shape the price search solves: max t s.t. t <= a_x + s_x . lambda per line x, 0 <= lambda <= box. With two
  // prices the optimum lies at a vertex of the lines' lower envelope; a fine grid over the box comes within its
  // step of it, and never above it.
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> value(0.5, 1.5), slope(-1, 1);
  for (int trial = 0; trial < 50; ++trial) {
    int lines = 3 + trial % 8;
    std::vector<double> a, b, c = {1, 0, 0};
    std::vector<std::pair<double, std::pair<double, double>>> cut;
    for (int x = 0; x < lines; ++x) {
      double v = value(rng), s0 = slope(rng), s1 = slope(rng);
      cut.push_back({v, {s0, s1}});
      a.insert(a.end(), {1, -s0, -s1});
      b.push_back(v);
    }
    a.insert(a.end(), {0, 1, 0, 0, 0, 1});
    b.insert(b.end(), {2, 2});
    DenseLpResult r = maximizeDenseLp(a, b, c);
    ASSERT_EQ(r.status, DenseLpResult::Status::Optimal);
    double grid = -1e9;
    for (int i = 0; i <= 200; ++i)
      for (int j = 0; j <= 200; ++j) {
        double l0 = 0.01 * i, l1 = 0.01 * j, least = 1e9;
        for (auto &[v, s] : cut)
          least = std::min(least, v + s.first * l0 + s.second * l1);
        grid = std::max(grid, least);
      }
    EXPECT_GE(r.value, grid - 1e-12) << "trial " << trial;
    EXPECT_LE(r.value, grid + 0.03) << "trial " << trial; // slopes within 1, grid step 0.01 in each price
    double least = 1e9;
    for (auto &[v, s] : cut)
      least = std::min(least, v + s.first * r.y[1] + s.second * r.y[2]);
    EXPECT_NEAR(least, r.value, 1e-9) << "trial " << trial; // the solution attains its value
  }
}

} // namespace
