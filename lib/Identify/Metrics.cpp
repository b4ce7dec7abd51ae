//===- Metrics.cpp - Accuracy and residual statistics ---------------------===//
#include "flydel/Identify/Metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace flydel {

namespace {

/// The q-quantile (linear interpolation between order statistics) of `values`, whose elements it reorders; every
/// element before position `from` is at most every element from there on (the partition a previous call left).
/// The same value as sorting, in linear time: the selection compares thousands of candidates.
double quantileOf(std::vector<double> &values, double q, size_t from = 0) {
  if (values.empty())
    return 0.0;
  double pos = q * double(values.size() - 1);
  size_t lo = static_cast<size_t>(std::floor(pos));
  std::nth_element(values.begin() + static_cast<std::ptrdiff_t>(std::min(from, lo)),
                   values.begin() + static_cast<std::ptrdiff_t>(lo), values.end());
  double low = values[lo], high = low;
  if (lo + 1 < values.size())
    high = *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(lo + 1), values.end());
  return low + (pos - double(lo)) * (high - low);
}

/// Regularised lower incomplete gamma P(a, x): series for x < a + 1, continued fraction otherwise.
double gammaP(double a, double x) {
  if (x <= 0)
    return 0.0;
  double logPrefix = a * std::log(x) - x - std::lgamma(a);
  if (x < a + 1) {
    double sum = 1.0 / a, term = sum;
    for (int n = 1; n < 1000; ++n) {
      term *= x / (a + n);
      sum += term;
      if (std::fabs(term) < std::fabs(sum) * 1e-15)
        break;
    }
    return sum * std::exp(logPrefix);
  }
  // Lentz's method for the continued fraction of Q(a, x).
  const double tiny = 1e-300;
  double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
  for (int i = 1; i < 1000; ++i) {
    double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::fabs(d) < tiny)
      d = tiny;
    c = b + an / c;
    if (std::fabs(c) < tiny)
      c = tiny;
    d = 1 / d;
    double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1) < 1e-15)
      break;
  }
  return 1.0 - std::exp(logPrefix) * h;
}

uint64_t splitMix64(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

} // namespace

double chiSquareSurvival(double x, double dof) {
  if (!(x > 0))
    return 1.0;
  return std::clamp(1.0 - gammaP(dof / 2, x / 2), 0.0, 1.0);
}

std::vector<int> randomPermutation(int n, uint64_t seed) {
  std::vector<int> perm(std::max(n, 0));
  std::iota(perm.begin(), perm.end(), 0);
  uint64_t state = seed;
  for (int i = n - 1; i > 0; --i) {
    // Rejection sampling keeps the choice unbiased.
    uint64_t bound = uint64_t(i) + 1, limit = UINT64_MAX - UINT64_MAX % bound, r;
    do
      r = splitMix64(state);
    while (r >= limit);
    std::swap(perm[i], perm[r % bound]);
  }
  return perm;
}

std::vector<int> foldAssignment(int n, int k, uint64_t seed) {
  std::vector<int> perm = randomPermutation(n, seed), fold(std::max(n, 0));
  for (int i = 0; i < n; ++i)
    fold[perm[i]] = k > 0 ? i % k : 0;
  return fold;
}

Metrics computeMetrics(const std::vector<double> &predicted, const std::vector<double> &measured, bool residualTests) {
  Metrics m;
  size_t n = std::min(predicted.size(), measured.size());
  m.n = static_cast<int>(n);
  if (n == 0)
    return m;
  std::vector<double> e(n), a(n);
  for (size_t i = 0; i < n; ++i) {
    e[i] = (predicted[i] - measured[i]) / measured[i];
    a[i] = std::fabs(e[i]) * 100.0;
  }
  double sum = 0, sum2 = 0;
  int within = 0;
  for (size_t i = 0; i < n; ++i) {
    sum += e[i];
    sum2 += e[i] * e[i];
    within += a[i] <= 10.0 + 1e-12;
  }
  double mean = sum / double(n);
  m.mape = std::accumulate(a.begin(), a.end(), 0.0) / double(n);
  m.medianApe = quantileOf(a, 0.5);
  m.p90Ape = quantileOf(a, 0.9, static_cast<size_t>(std::floor(0.5 * double(n - 1))));
  m.within10pct = 100.0 * within / double(n);
  m.rmspe = std::sqrt(sum2 / double(n)) * 100.0;
  m.bias = std::fabs(mean) * 100.0;

  if (!residualTests) { // not computed: no figure that reads as a pass
    m.lag1Autocorrelation = m.ljungBoxQ = m.ljungBoxP = m.jarqueBera = m.jarqueBeraP = NAN;
    return m;
  }
  // Normality: Jarque-Bera from the sample skewness and kurtosis (chi-square, 2 dof).
  double m2 = 0, m3 = 0, m4 = 0;
  for (double v : e) {
    double d = v - mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  m2 /= double(n), m3 /= double(n), m4 /= double(n);
  if (m2 > 0) {
    double skew = m3 / std::pow(m2, 1.5), kurt = m4 / (m2 * m2);
    m.jarqueBera = double(n) / 6.0 * (skew * skew + (kurt - 3) * (kurt - 3) / 4.0);
    m.jarqueBeraP = chiSquareSurvival(m.jarqueBera, 2);
  }

  // Whiteness: residuals ordered by predicted value; Ljung-Box over min(10, n/5) lags.
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t i, size_t j) { return predicted[i] < predicted[j]; });
  int lags = static_cast<int>(std::min<size_t>(10, n / 5));
  if (m2 > 0 && lags > 0) {
    double q = 0;
    for (int lag = 1; lag <= lags; ++lag) {
      double c = 0;
      for (size_t t = lag; t < n; ++t)
        c += (e[order[t]] - mean) * (e[order[t - lag]] - mean);
      double rho = c / (m2 * double(n));
      if (lag == 1)
        m.lag1Autocorrelation = rho;
      q += rho * rho / double(n - lag);
    }
    m.ljungBoxQ = double(n) * double(n + 2) * q;
    m.ljungBoxLags = lags;
    m.ljungBoxP = chiSquareSurvival(m.ljungBoxQ, lags);
  }
  return m;
}

} // namespace flydel
