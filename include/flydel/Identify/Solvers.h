//===- Solvers.h - Least squares, FROLS/ERR, Levenberg-Marquardt -*- C++ -*-===//
#ifndef FLYDEL_IDENTIFY_SOLVERS_H
#define FLYDEL_IDENTIFY_SOLVERS_H

#include <Eigen/Dense>

#include <functional>
#include <vector>

namespace flydel {

/// Least squares min ||A theta - b|| with columns equilibrated (features span many decades) and column-pivoting
/// QR, so collinear columns get zero weight instead of huge opposite ones.
Eigen::VectorXd solveLeastSquares(const Eigen::MatrixXd &a, const Eigen::VectorXd &b);

/// The Euclidean norm of each column of `a`, 1 for a zero column: the scales the solvers equilibrate columns by.
Eigen::VectorXd columnScales(const Eigen::MatrixXd &a);

/// Non-negative least squares min ||A theta - b|| subject to theta >= 0 (Lawson and Hanson's active-set method),
/// columns equilibrated as in solveLeastSquares. With non-negative terms it makes a model that cannot predict a
/// negative value and grows no faster than its fastest term. Returns zeros where nothing fits (never NaN when A
/// and b are finite).
Eigen::VectorXd solveNonNegative(const Eigen::MatrixXd &a, const Eigen::VectorXd &b);

/// Least squares from a column-pivoted QR, using only the pivots rank() counts (its threshold applied): columns
/// beyond the rank get 0.
Eigen::VectorXd solveRankRevealing(const Eigen::ColPivHouseholderQR<Eigen::MatrixXd> &qr, const Eigen::VectorXd &b);

/// Forward Regression Orthogonal Least Squares (Billings): greedily selects up to maxTerms columns of `candidates`
/// maximising the Error Reduction Ratio for target b, with modified Gram-Schmidt orthogonalisation. `forced`
/// columns are taken first, in order. Returns the selected columns in selection order; errs (optional) receives
/// each selected term's ERR. Stops early when the remaining columns are collinear with the selected ones (less than
/// 1e-5 of their norm outside the selected span).
std::vector<int> frolsSelect(const Eigen::MatrixXd &candidates, const Eigen::VectorXd &b, int maxTerms,
                             const std::vector<int> &forced = {}, std::vector<double> *errs = nullptr);
/// The same selection from the candidates' Gram matrix A^T A, A^T b and b^T b: O(terms x candidates) per step,
/// so the folds of a cross-validation select from sums of per-fold Gram matrices without reading the rows. The
/// squared norms it compares lose what the selected set's squared condition number costs: a caller that has the
/// rows checks the selected columns on them (fitLinearPath does, in its QR).
std::vector<int> frolsSelectGram(const Eigen::MatrixXd &gram, const Eigen::VectorXd &towardB, double bb, int maxTerms,
                                 const std::vector<int> &forced = {}, std::vector<double> *errs = nullptr);

/// Levenberg-Marquardt with Marquardt's diagonal scaling. `residuals(params, r, J)` fills the residual vector
/// and its Jacobian (rows = residuals). Returns true when it converged (relative cost change or step below
/// tolerance); params holds the best point found either way.
struct LmOptions {
  int maxIterations = 200;
  double tolerance = 1e-10;
  double initialLambda = 1e-3;
};
struct LmResult {
  bool converged = false;
  int iterations = 0;
  double cost = 0.0; // 0.5 * ||r||^2 at the returned point
};
using ResidualFunction = std::function<void(const Eigen::VectorXd &, Eigen::VectorXd &, Eigen::MatrixXd &)>;
LmResult levenbergMarquardt(const ResidualFunction &residuals, Eigen::VectorXd &params,
                            const LmOptions &options = LmOptions());

} // namespace flydel

#endif // FLYDEL_IDENTIFY_SOLVERS_H
