//===- DenseLp.h - small dense linear programs -------------------*- C++ -*-===//
//
// MLIR-free: a dense primal simplex for the few-variable master problems of the assignment solver's price search
// (one row per priced path, one column per budget). Not a general LP solver: the origin must be feasible
// (b >= 0), so the slack basis starts it without a first phase.
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_PARTITION_DENSELP_H
#define FLYDEL_PARTITION_DENSELP_H

#include <vector>

namespace flydel {

struct DenseLpResult {
  enum class Status { Optimal, Unbounded, PivotLimit, BadInput };
  Status status = Status::BadInput;
  std::vector<double> y; // the solution (the last vertex visited unless Optimal)
  double value = 0;      // c . y
};

/// Maximizes c . y subject to A y <= b and y >= 0, where A is row-major (rows x c.size()) and every b_i >= 0.
/// Bland's rule: no cycling on degenerate vertices. BadInput on mismatched sizes, a negative or non-finite b_i, or
/// a non-finite coefficient.
DenseLpResult maximizeDenseLp(const std::vector<double> &a, const std::vector<double> &b, const std::vector<double> &c,
                              int maxPivots = 10000);

} // namespace flydel

#endif // FLYDEL_PARTITION_DENSELP_H
