//===- Solvers.cpp - Least squares, FROLS/ERR, Levenberg-Marquardt --------===//
#include "flydel/Identify/Solvers.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace flydel {

Eigen::VectorXd columnScales(const Eigen::MatrixXd &a) {
  Eigen::VectorXd norms = a.colwise().norm().transpose();
  for (Eigen::Index j = 0; j < norms.size(); ++j)
    if (!(norms[j] > 0))
      norms[j] = 1.0;
  return norms;
}

Eigen::VectorXd solveRankRevealing(const Eigen::ColPivHouseholderQR<Eigen::MatrixXd> &qr, const Eigen::VectorXd &b) {
  // Eigen's solve() keeps every pivot above its own epsilon-based cut, whatever setThreshold() says (that only
  // changes rank()): a pivot of 1e-14 then gives two collinear columns cancelling coefficients of 1e13.
  const Eigen::Index rank = qr.rank(), cols = qr.cols();
  Eigen::VectorXd x = Eigen::VectorXd::Zero(cols);
  if (rank == 0)
    return x;
  Eigen::VectorXd c = b;
  c.applyOnTheLeft(qr.householderQ().setLength(rank).adjoint());
  Eigen::VectorXd top = qr.matrixQR().topLeftCorner(rank, rank).triangularView<Eigen::Upper>().solve(c.head(rank));
  for (Eigen::Index i = 0; i < rank; ++i)
    x[qr.colsPermutation().indices()[i]] = top[i];
  return x;
}

Eigen::VectorXd solveLeastSquares(const Eigen::MatrixXd &a, const Eigen::VectorXd &b) {
  const Eigen::VectorXd norms = columnScales(a);
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(a.rows(), a.cols());
  qr.setThreshold(1e-12);
  qr.compute(a * norms.cwiseInverse().asDiagonal());
  return solveRankRevealing(qr, b).cwiseQuotient(norms);
}

Eigen::VectorXd solveNonNegative(const Eigen::MatrixXd &a, const Eigen::VectorXd &b) {
  const Eigen::Index n = a.cols();
  const Eigen::VectorXd norms = columnScales(a);
  const Eigen::MatrixXd s = a * norms.cwiseInverse().asDiagonal();
  Eigen::VectorXd x = Eigen::VectorXd::Zero(n);
  std::vector<bool> passive(static_cast<size_t>(n), false);
  // Least squares on the passive columns; the others are held at 0.
  auto solvePassive = [&]() {
    std::vector<Eigen::Index> cols;
    for (Eigen::Index j = 0; j < n; ++j)
      if (passive[static_cast<size_t>(j)])
        cols.push_back(j);
    Eigen::MatrixXd sp(s.rows(), static_cast<Eigen::Index>(cols.size()));
    for (size_t k = 0; k < cols.size(); ++k)
      sp.col(static_cast<Eigen::Index>(k)) = s.col(cols[k]);
    Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(sp);
    qr.setThreshold(1e-12);
    Eigen::VectorXd zp = qr.solve(b);
    Eigen::VectorXd z = Eigen::VectorXd::Zero(n);
    for (size_t k = 0; k < cols.size(); ++k)
      z[cols[k]] = zp[static_cast<Eigen::Index>(k)];
    return z;
  };
  const double tolerance = 1e-12 * std::max(1.0, b.norm()) * std::max<double>(1.0, double(s.rows()));
  // Each outer step frees one column; 3n bounds the steps (the method terminates, the bound guards rounding).
  for (int outer = 0; outer < 3 * n + 3; ++outer) {
    Eigen::VectorXd w = s.transpose() * (b - s * x);
    Eigen::Index best = -1;
    double bestW = tolerance;
    for (Eigen::Index j = 0; j < n; ++j)
      if (!passive[static_cast<size_t>(j)] && w[j] > bestW)
        bestW = w[j], best = j;
    if (best < 0)
      break;
    passive[static_cast<size_t>(best)] = true;
    for (int inner = 0; inner < 3 * n + 3; ++inner) {
      Eigen::VectorXd z = solvePassive();
      if (!z.allFinite())
        return Eigen::VectorXd::Zero(n);
      bool feasible = true;
      for (Eigen::Index j = 0; j < n; ++j)
        if (passive[static_cast<size_t>(j)] && z[j] <= 0)
          feasible = false;
      if (feasible) {
        x = z;
        break;
      }
      // Step from x toward z until the first passive coefficient reaches 0; that column leaves the passive set.
      double alpha = 1.0;
      for (Eigen::Index j = 0; j < n; ++j)
        if (passive[static_cast<size_t>(j)] && z[j] <= 0)
          alpha = std::min(alpha, x[j] / (x[j] - z[j]));
      x += alpha * (z - x);
      for (Eigen::Index j = 0; j < n; ++j)
        if (passive[static_cast<size_t>(j)] && x[j] <= 1e-15 * std::max(1.0, x.cwiseAbs().maxCoeff())) {
          passive[static_cast<size_t>(j)] = false;
          x[j] = 0;
        }
    }
  }
  for (Eigen::Index j = 0; j < n; ++j)
    x[j] = std::max(0.0, x[j]);
  return x.cwiseQuotient(norms);
}

std::vector<int> frolsSelectGram(const Eigen::MatrixXd &gram, const Eigen::VectorXd &towardB, double bb, int maxTerms,
                                 const std::vector<int> &forced, std::vector<double> *errs) {
  const Eigen::Index m = gram.cols();
  // Unit-norm columns: the squared norm of column j orthogonalised against the selected ones is
  // 1 - sum_l R(l, j)^2 and its projection on b is towardB_j - sum_l R(l, j) Rb(l), R the rows of a Cholesky
  // factor grown one selected column at a time (modified Gram-Schmidt carried out on the Gram matrix); both are
  // updated as each row is made, so neither R's rows but for the next one's sake nor Rb need keeping.
  Eigen::VectorXd scale(m), norm2(m), proj(m);
  std::vector<bool> used(static_cast<size_t>(m), false);
  for (Eigen::Index j = 0; j < m; ++j) {
    scale[j] = gram(j, j) > 0 && std::isfinite(gram(j, j)) ? 1.0 / std::sqrt(gram(j, j)) : 0.0;
    norm2[j] = scale[j] > 0 ? 1.0 : 0.0; // a zero column is never selected
    proj[j] = towardB[j] * scale[j];
  }
  std::vector<Eigen::VectorXd> rows; // R(l, .), one per selected column
  std::vector<int> selected;
  if (errs)
    errs->clear();
  auto take = [&](Eigen::Index s) {
    used[static_cast<size_t>(s)] = true;
    selected.push_back(static_cast<int>(s));
    const double length = std::sqrt(norm2[s]);
    if (errs)
      errs->push_back(bb > 0 ? proj[s] * proj[s] / norm2[s] / bb : 0.0);
    Eigen::VectorXd row = gram.row(s).transpose().cwiseProduct(scale) * scale[s];
    for (size_t l = 0; l < rows.size(); ++l)
      row -= rows[l][s] * rows[l];
    row /= length;
    const double rb = proj[s] / length;
    for (Eigen::Index j = 0; j < m; ++j)
      if (!used[static_cast<size_t>(j)]) {
        norm2[j] -= row[j] * row[j];
        proj[j] -= row[j] * rb;
      }
    rows.push_back(std::move(row));
  };
  for (int f : forced)
    if (f >= 0 && f < m && !used[static_cast<size_t>(f)] && norm2[f] > 1e-10 &&
        static_cast<int>(selected.size()) < maxTerms)
      take(f);
  while (static_cast<int>(selected.size()) < maxTerms) {
    Eigen::Index best = -1;
    double bestErr = -1.0;
    for (Eigen::Index j = 0; j < m; ++j) {
      // A column (nearly) in the span of the selected ones adds nothing but ill-conditioning.
      if (used[static_cast<size_t>(j)] || !(norm2[j] > 1e-10))
        continue;
      double err = proj[j] * proj[j] / norm2[j];
      if (err > bestErr)
        bestErr = err, best = j;
    }
    if (best < 0)
      break;
    take(best);
  }
  return selected;
}

std::vector<int> frolsSelect(const Eigen::MatrixXd &candidates, const Eigen::VectorXd &b, int maxTerms,
                             const std::vector<int> &forced, std::vector<double> *errs) {
  const Eigen::Index m = candidates.cols();
  Eigen::MatrixXd q = candidates; // columns orthogonalised against the selected ones as we go
  Eigen::VectorXd originalNorm2 = candidates.colwise().squaredNorm().transpose();
  const double bb = b.squaredNorm();
  std::vector<bool> used(m, false);
  std::vector<int> selected;
  if (errs)
    errs->clear();
  // Each column's squared norm and projection on b, computed when the column last changed (while it is in cache:
  // the matrix is larger than the caches, and one pass over it per step instead of three is what this costs).
  Eigen::VectorXd norm2(m), towardB(m);
  for (Eigen::Index j = 0; j < m; ++j) {
    norm2[j] = q.col(j).squaredNorm();
    towardB[j] = q.col(j).dot(b);
  }
  auto take = [&](Eigen::Index s) {
    used[s] = true;
    selected.push_back(static_cast<int>(s));
    Eigen::VectorXd w = q.col(s);
    double ww = w.squaredNorm();
    if (errs) {
      double g = w.dot(b) / ww;
      errs->push_back(bb > 0 ? g * g * ww / bb : 0.0);
    }
    for (Eigen::Index j = 0; j < m; ++j)
      if (!used[j]) {
        q.col(j) -= (w.dot(q.col(j)) / ww) * w;
        norm2[j] = q.col(j).squaredNorm();
        towardB[j] = q.col(j).dot(b);
      }
  };
  for (int f : forced)
    if (f >= 0 && f < m && !used[f] && originalNorm2[f] > 0 && static_cast<int>(selected.size()) < maxTerms)
      take(f);
  while (static_cast<int>(selected.size()) < maxTerms) {
    Eigen::Index best = -1;
    double bestErr = -1.0;
    for (Eigen::Index j = 0; j < m; ++j) {
      if (used[j])
        continue;
      double ww = norm2[j];
      // A column (nearly) in the span of the selected ones adds nothing but ill-conditioning.
      if (!(ww > 1e-10 * originalNorm2[j]))
        continue;
      double wb = towardB[j];
      double err = wb * wb / ww;
      if (err > bestErr) {
        bestErr = err;
        best = j;
      }
    }
    if (best < 0)
      break;
    take(best);
  }
  return selected;
}

LmResult levenbergMarquardt(const ResidualFunction &residuals, Eigen::VectorXd &params, const LmOptions &options) {
  LmResult result;
  Eigen::VectorXd r;
  Eigen::MatrixXd jac;
  residuals(params, r, jac);
  double cost = 0.5 * r.squaredNorm();
  if (!std::isfinite(cost)) {
    result.cost = cost;
    return result;
  }
  double lambda = options.initialLambda;
  Eigen::VectorXd trialR;
  Eigen::MatrixXd trialJ;
  for (int it = 0; it < options.maxIterations; ++it) {
    result.iterations = it + 1;
    Eigen::MatrixXd jtj = jac.transpose() * jac;
    Eigen::VectorXd g = jac.transpose() * r;
    Eigen::VectorXd diag = jtj.diagonal().cwiseMax(1e-12 * std::max(1.0, jtj.diagonal().maxCoeff()));
    bool improved = false;
    for (int attempt = 0; attempt < 30; ++attempt) {
      Eigen::MatrixXd h = jtj;
      h.diagonal() += lambda * diag;
      Eigen::VectorXd step = h.ldlt().solve(-g);
      if (!step.allFinite()) {
        lambda *= 10;
        continue;
      }
      Eigen::VectorXd trial = params + step;
      residuals(trial, trialR, trialJ);
      double trialCost = 0.5 * trialR.squaredNorm();
      if (std::isfinite(trialCost) && trialCost < cost) {
        double relativeChange = (cost - trialCost) / std::max(cost, std::numeric_limits<double>::min());
        double stepSize = step.norm() / (params.norm() + 1e-12);
        params = trial;
        r.swap(trialR);
        jac.swap(trialJ);
        cost = trialCost;
        lambda = std::max(lambda / 10, 1e-12);
        improved = true;
        if (relativeChange < options.tolerance || stepSize < options.tolerance) {
          result.converged = true;
          result.cost = cost;
          return result;
        }
        break;
      }
      lambda *= 10;
    }
    if (!improved) {
      // No descent direction at any damping: a (local) minimum to working precision.
      result.converged = g.norm() < 1e-6 * std::max(1.0, cost) || lambda > 1e10;
      break;
    }
  }
  result.cost = cost;
  return result;
}

} // namespace flydel
