//===- Solvers.cpp - Least squares, FROLS/ERR, Levenberg-Marquardt --------===//
#include "flydel/Identify/Solvers.h"

#include <cmath>
#include <limits>

namespace flydel {

Eigen::VectorXd solveLeastSquares(const Eigen::MatrixXd &a, const Eigen::VectorXd &b) {
  Eigen::VectorXd norms = a.colwise().norm().transpose();
  for (Eigen::Index j = 0; j < norms.size(); ++j)
    if (!(norms[j] > 0))
      norms[j] = 1.0;
  Eigen::MatrixXd scaled = a * norms.cwiseInverse().asDiagonal();
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(scaled);
  qr.setThreshold(1e-12);
  Eigen::VectorXd theta = qr.solve(b);
  return theta.cwiseQuotient(norms);
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
      if (!used[j])
        q.col(j) -= (w.dot(q.col(j)) / ww) * w;
  };
  for (int f : forced)
    if (f >= 0 && f < m && !used[f] && static_cast<int>(selected.size()) < maxTerms)
      take(f);
  while (static_cast<int>(selected.size()) < maxTerms) {
    Eigen::Index best = -1;
    double bestErr = -1.0;
    for (Eigen::Index j = 0; j < m; ++j) {
      if (used[j])
        continue;
      double ww = q.col(j).squaredNorm();
      // A column (nearly) in the span of the selected ones adds nothing but ill-conditioning.
      if (!(ww > 1e-10 * originalNorm2[j]))
        continue;
      double wb = q.col(j).dot(b);
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
