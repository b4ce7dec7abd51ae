//===- Metrics.h - Accuracy and residual statistics -------------*- C++ -*-===//
#ifndef FLYDEL_IDENTIFY_METRICS_H
#define FLYDEL_IDENTIFY_METRICS_H

#include <cstdint>
#include <vector>

namespace flydel {

/// Accuracy of predictions against (positive) measurements, from relative errors e = (pred - meas) / meas.
/// Percentages are numbers (7.5 means 7.5 %).
struct Metrics {
  int n = 0;
  double mape = 0;        // mean |e| * 100, the true MAPE
  double medianApe = 0;   // median |e| * 100
  double p90Ape = 0;      // 90th percentile of |e| * 100
  double within10pct = 0; // share of |e| <= 10 %, in percent
  double rmspe = 0;       // sqrt(mean e^2) * 100
  double bias = 0;        // |mean e| * 100: the paper scripts' figure
  // Whiteness of e ordered by prediction (structure left in the residuals shows as autocorrelation).
  double lag1Autocorrelation = 0;
  double ljungBoxQ = 0, ljungBoxP = 1;
  int ljungBoxLags = 0;
  // Normality of e.
  double jarqueBera = 0, jarqueBeraP = 1;
};

/// residualTests = false leaves the whiteness and normality figures NaN, not computed (the selection compares
/// thousands of candidates by their errors; the tests are for the chosen one).
Metrics computeMetrics(const std::vector<double> &predicted, const std::vector<double> &measured,
                       bool residualTests = true);

/// Upper tail of the chi-square distribution with `dof` degrees of freedom.
double chiSquareSurvival(double x, double dof);

/// Fold of each of n rows for k-fold cross-validation: a seeded Fisher-Yates permutation (SplitMix64, so the
/// same seed gives the same folds on every platform and standard library), row perm[i] in fold i % k.
std::vector<int> foldAssignment(int n, int k, uint64_t seed);

/// Deterministic random permutation of 0..n-1 (same generator as foldAssignment).
std::vector<int> randomPermutation(int n, uint64_t seed);

} // namespace flydel

#endif // FLYDEL_IDENTIFY_METRICS_H
