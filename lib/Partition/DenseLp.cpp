//===- DenseLp.cpp - small dense linear programs --------------------------===//

#include "flydel/Partition/DenseLp.h"

#include <cmath>
#include <cstddef>

namespace flydel {

DenseLpResult maximizeDenseLp(const std::vector<double> &a, const std::vector<double> &b, const std::vector<double> &c,
                              int maxPivots) {
  DenseLpResult result;
  const size_t m = b.size(), n = c.size();
  if (a.size() != m * n)
    return result;
  for (double v : b)
    if (!std::isfinite(v) || v < 0)
      return result;
  for (double v : a)
    if (!std::isfinite(v))
      return result;
  for (double v : c)
    if (!std::isfinite(v))
      return result;

  // Tableau over the n variables and m slacks; row m is the objective's reduced costs (negated c).
  const size_t cols = n + m;
  std::vector<double> t((m + 1) * (cols + 1), 0.0);
  auto at = [&](size_t i, size_t j) -> double & { return t[i * (cols + 1) + j]; };
  std::vector<size_t> basic(m);
  for (size_t i = 0; i < m; ++i) {
    for (size_t j = 0; j < n; ++j)
      at(i, j) = a[i * n + j];
    at(i, n + i) = 1;
    at(i, cols) = b[i];
    basic[i] = n + i;
  }
  for (size_t j = 0; j < n; ++j)
    at(m, j) = -c[j];

  // Tolerances relative to the data's scale: the callers scale their rows to O(1).
  double scale = 1;
  for (double v : a)
    scale = std::fmax(scale, std::fabs(v));
  for (double v : c)
    scale = std::fmax(scale, std::fabs(v));
  const double eps = 1e-11 * scale;

  result.status = DenseLpResult::Status::PivotLimit;
  for (int pivot = 0; pivot <= maxPivots; ++pivot) {
    size_t enter = cols;
    for (size_t j = 0; j < cols && enter == cols; ++j)
      if (at(m, j) < -eps)
        enter = j; // Bland: the lowest improving column
    if (enter == cols) {
      result.status = DenseLpResult::Status::Optimal;
      break;
    }
    if (pivot == maxPivots)
      break;
    size_t leave = m;
    double bestRatio = 0;
    for (size_t i = 0; i < m; ++i) {
      double coef = at(i, enter);
      if (coef <= eps)
        continue;
      double ratio = at(i, cols) / coef;
      // Bland: among equal ratios, the row whose basic variable has the lowest index.
      if (leave == m || ratio < bestRatio - 1e-14 * std::fabs(bestRatio) ||
          (ratio <= bestRatio + 1e-14 * std::fabs(bestRatio) && basic[i] < basic[leave])) {
        leave = i;
        bestRatio = ratio;
      }
    }
    if (leave == m) {
      result.status = DenseLpResult::Status::Unbounded;
      break;
    }
    double inv = 1.0 / at(leave, enter);
    for (size_t j = 0; j <= cols; ++j)
      at(leave, j) *= inv;
    for (size_t i = 0; i <= m; ++i) {
      double f = at(i, enter);
      if (i == leave || f == 0)
        continue;
      for (size_t j = 0; j <= cols; ++j)
        at(i, j) -= f * at(leave, j);
      at(i, enter) = 0;
    }
    basic[leave] = enter;
  }
  result.y.assign(n, 0.0);
  for (size_t i = 0; i < m; ++i)
    if (basic[i] < n)
      result.y[basic[i]] = std::fmax(0.0, at(i, cols));
  result.value = 0;
  for (size_t j = 0; j < n; ++j)
    result.value += c[j] * result.y[j];
  return result;
}

} // namespace flydel
