#include "flydel/Identify/Solvers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace flydel;

TEST(SolversTest, LeastSquaresRecoversCoefficientsAcrossScales) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0.0, 1e-3);
  std::uniform_real_distribution<double> u(1.0, 500.0);
  const int n = 400;
  Eigen::MatrixXd a(n, 3);
  Eigen::VectorXd b(n);
  for (int i = 0; i < n; ++i) {
    double x = u(rng);
    a(i, 0) = 1, a(i, 1) = x, a(i, 2) = x * x * x * 1e6; // columns spanning 15 decades
    b[i] = 2.0 - 0.01 * x + 3e-14 * a(i, 2) + noise(rng);
  }
  Eigen::VectorXd theta = solveLeastSquares(a, b);
  EXPECT_NEAR(theta[0], 2.0, 1e-3);
  EXPECT_NEAR(theta[1], -0.01, 1e-5);
  EXPECT_NEAR(theta[2] / 3e-14, 1.0, 1e-3);
}

TEST(SolversTest, FrolsPicksTheTrueTerms) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> g(0.0, 1.0);
  const int n = 300, m = 12;
  Eigen::MatrixXd p(n, m);
  for (int i = 0; i < n; ++i) {
    p(i, 0) = 1.0;
    for (int j = 1; j < m; ++j)
      p(i, j) = g(rng);
  }
  // Correlated decoys: column 11 is close to column 4 but not in the system.
  p.col(11) = 0.9 * p.col(4) + 0.1 * p.col(11);
  Eigen::VectorXd y = 1.5 * p.col(0) + 3.0 * p.col(4) - 2.0 * p.col(7) + 0.7 * p.col(9);
  for (int i = 0; i < n; ++i)
    y[i] += 0.01 * g(rng);
  std::vector<double> errs;
  std::vector<int> chosen = frolsSelect(p, y, 4, {0}, &errs);
  ASSERT_EQ(chosen.size(), 4u);
  EXPECT_EQ(chosen[0], 0);
  std::vector<int> rest(chosen.begin() + 1, chosen.end());
  std::sort(rest.begin(), rest.end());
  EXPECT_EQ(rest, (std::vector<int>{4, 7, 9}));
  double total = 0;
  for (double e : errs)
    total += e;
  EXPECT_GT(total, 0.9999); // the true terms explain everything but the noise
  EXPECT_LE(total, 1.0 + 1e-9);
}

TEST(SolversTest, LeastSquaresGivesNothingToANearlyCollinearColumn) {
  // Column 2 is column 1 but for 1e-14: within the rank threshold (1e-12) it is the same column, and least squares
  // must not split the fit between them with cancelling coefficients of 1e13 (Eigen's own solve keeps every pivot
  // above machine epsilon).
  const int n = 40;
  Eigen::MatrixXd a(n, 3);
  Eigen::VectorXd b(n);
  for (int i = 0; i < n; ++i) {
    double x = 1.0 + i;
    a(i, 0) = 1.0, a(i, 1) = x, a(i, 2) = x * (1 + 1e-14 * ((i * 7) % 5 - 2));
    b[i] = 2.0 + 3.0 * x + 0.01 * ((i * 13) % 7 - 3);
  }
  Eigen::VectorXd theta = solveLeastSquares(a, b);
  ASSERT_TRUE(theta.allFinite());
  EXPECT_LT(theta.cwiseAbs().maxCoeff(), 10.0) << theta.transpose();
  EXPECT_NEAR(theta[1] + theta[2], 3.0, 1e-2);
}

TEST(SolversTest, FrolsStopsOnCollinearCandidates) {
  Eigen::MatrixXd p(50, 3);
  for (int i = 0; i < 50; ++i)
    p(i, 0) = 1, p(i, 1) = i, p(i, 2) = 2 * i + 1; // column 2 is in the span of 0 and 1
  Eigen::VectorXd y = p.col(1);
  EXPECT_EQ(frolsSelect(p, y, 3, {0}).size(), 2u);
}

TEST(SolversTest, LevenbergMarquardtConvergesFromPoorStarts) {
  // y = 5 exp(-0.3 x) + 1, started far away (including the wrong sign of the rate).
  std::vector<double> x, y;
  for (int i = 0; i < 40; ++i) {
    x.push_back(0.25 * i);
    y.push_back(5.0 * std::exp(-0.3 * x.back()) + 1.0);
  }
  ResidualFunction f = [&](const Eigen::VectorXd &p, Eigen::VectorXd &r, Eigen::MatrixXd &j) {
    r.resize(x.size());
    j.resize(x.size(), 3);
    for (size_t i = 0; i < x.size(); ++i) {
      double e = std::exp(p[1] * x[i]);
      r[i] = p[0] * e + p[2] - y[i];
      j(i, 0) = e, j(i, 1) = p[0] * x[i] * e, j(i, 2) = 1;
    }
  };
  for (auto start : {Eigen::Vector3d(1, 0.1, 0), Eigen::Vector3d(-3, -2, 10), Eigen::Vector3d(0.1, -3, 5), Eigen::Vector3d(100, -0.01, -50)}) {
    Eigen::VectorXd p = start;
    LmResult result = levenbergMarquardt(f, p);
    EXPECT_TRUE(result.converged) << start.transpose();
    EXPECT_NEAR(p[0], 5.0, 1e-5) << start.transpose();
    EXPECT_NEAR(p[1], -0.3, 1e-6) << start.transpose();
    EXPECT_NEAR(p[2], 1.0, 1e-5) << start.transpose();
  }
}

TEST(SolversTest, LevenbergMarquardtSolvesRosenbrock) {
  ResidualFunction f = [](const Eigen::VectorXd &p, Eigen::VectorXd &r, Eigen::MatrixXd &j) {
    r.resize(2);
    j.resize(2, 2);
    r << 10 * (p[1] - p[0] * p[0]), 1 - p[0];
    j << -20 * p[0], 10, -1, 0;
  };
  Eigen::VectorXd p(2);
  p << -1.2, 1.0;
  LmOptions options;
  options.maxIterations = 500;
  levenbergMarquardt(f, p, options);
  EXPECT_NEAR(p[0], 1.0, 1e-6);
  EXPECT_NEAR(p[1], 1.0, 1e-6);
}

TEST(SolversTest, NonNegativeLeastSquaresHoldsCoefficientsAtZero) {
  // b = 2 x1 - 0.5 x2 + noise-free: unconstrained LS gives -0.5 for x2; the constrained optimum drops x2 and refits.
  Eigen::MatrixXd a(6, 3);
  a << 1, 1, 1000, 2, 1, 4000, 3, 2, 9000, 4, 3, 16000, 5, 5, 25000, 6, 8, 36000; // columns of different scales
  Eigen::VectorXd truth(3);
  truth << 2.0, 0.0, 0.003;
  Eigen::VectorXd b = a * truth;
  Eigen::VectorXd exact = solveNonNegative(a, b);
  EXPECT_NEAR(exact[0], 2.0, 1e-9);
  EXPECT_NEAR(exact[1], 0.0, 1e-9);
  EXPECT_NEAR(exact[2], 0.003, 1e-12);
  Eigen::VectorXd c(3);
  c << 2.0, -0.5, 0.0;
  Eigen::VectorXd bent = a * c;
  Eigen::VectorXd free = solveLeastSquares(a, bent);
  EXPECT_LT(free[1], -0.1); // the unconstrained fit wants a negative coefficient
  Eigen::VectorXd held = solveNonNegative(a, bent);
  for (Eigen::Index j = 0; j < held.size(); ++j)
    EXPECT_GE(held[j], 0.0);
  EXPECT_EQ(held[1], 0.0);
  // KKT: no held-at-zero column could lower the residual (its gradient points the other way).
  Eigen::VectorXd gradient = a.transpose() * (bent - a * held);
  for (Eigen::Index j = 0; j < held.size(); ++j) {
    if (held[j] == 0) {
      EXPECT_LE(gradient[j], 1e-6 * bent.norm() * a.col(j).norm());
    }
  }
  EXPECT_TRUE(solveNonNegative(Eigen::MatrixXd::Zero(3, 2), Eigen::VectorXd::Ones(3)).isZero());
}
