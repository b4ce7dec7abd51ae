//===- Structures.cpp - Fitting the three model structures ----------------===//
#include "flydel/Identify/Structures.h"
#include "flydel/Identify/Metrics.h"
#include "flydel/Identify/Solvers.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <set>
#include <unordered_map>

namespace flydel {

namespace {

double featureOf(const FeatureVector &x, Feature f) { return x[static_cast<int>(f)]; }

bool varies(const Dataset &data, Feature f) {
  for (const FeatureVector &x : data.x)
    if (featureOf(x, f) != featureOf(data.x.front(), f))
      return true;
  return false;
}

Term makeTerm(std::initializer_list<Factor> factors) { return Term{std::vector<Factor>(factors)}; }
Factor pow1(Feature f) { return Factor{f, Factor::Op::Power, 1, 1.0}; }
Factor ceilDiv(Feature f, double d) { return Factor{f, Factor::Op::CeilDiv, 1, d}; }

Eigen::MatrixXd evaluateTerms(const std::vector<Term> &terms, const std::vector<FeatureVector> &x) {
  Eigen::MatrixXd a(static_cast<Eigen::Index>(x.size()), static_cast<Eigen::Index>(terms.size()));
  // Column by column: the matrix is column-major.
  for (size_t j = 0; j < terms.size(); ++j)
    for (size_t i = 0; i < x.size(); ++i)
      a(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = evaluateTerm(terms[j], x[i]);
  return a;
}

} // namespace

/// The term matrices of one dataset, one per term list asked for, each computed once (by whichever fit asks first;
/// the others wait for it) and then read by every subset of the rows. With the rows split into parts (the folds of
/// a cross-validation), also each part's Gram matrix of a term list, from which every fit on a union of parts selects
/// its terms without reading the rows again (the selection on the tile pool's 767 terms read the whole
/// rows x terms matrix once per selected term: 30 % of a nested identification).
class TermCache {
public:
  TermCache(std::vector<FeatureVector> x, std::vector<double> y) : x(std::move(x)), y(std::move(y)) {}
  const Eigen::MatrixXd &matrix(const std::vector<Term> &terms) {
    std::shared_ptr<Entry> entry;
    {
      std::lock_guard<std::mutex> lock(mutex);
      std::shared_ptr<Entry> &slot = entries[keyOf(terms)];
      if (!slot)
        slot = std::make_shared<Entry>();
      entry = slot;
    }
    std::call_once(entry->once, [&] { entry->a = evaluateTerms(terms, x); });
    return entry->a;
  }

  void setParts(const std::vector<int> &partOfRow) {
    std::lock_guard<std::mutex> lock(mutex);
    if (partCount > 0 || partOfRow.size() != x.size())
      return; // the first partition stays: fits on its unions may be under way
    part = partOfRow;
    partCount = part.empty() ? 0 : *std::max_element(part.begin(), part.end()) + 1;
  }

  /// The candidates' selection on the rows of `data` (a subset of the cache's rows, every one under `cap`), from
  /// per-part Gram matrices, when those rows are a union of parts (each part's rows under `cap`, all of them or
  /// none); std::nullopt otherwise. Rows are prepared for `target` as fitLinearPath prepares them.
  std::optional<std::vector<int>> selectOnParts(const std::vector<Term> &terms, Target target, double cap,
                                                const Dataset &data, int maxTerms, const std::vector<int> &forced) {
    std::shared_ptr<Grams> grams;
    std::string key = poolKey(terms, target);
    key.append(reinterpret_cast<const char *>(&cap), sizeof cap);
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (partCount == 0)
        return std::nullopt;
      std::shared_ptr<Grams> &slot = gramEntries[key];
      if (!slot)
        slot = std::make_shared<Grams>();
      grams = slot;
    }
    // Distinct rows under the cap, counted per part: a union of parts has every such row of the parts it touches.
    std::vector<int> covered(static_cast<size_t>(partCount), 0);
    std::vector<bool> seen(x.size(), false);
    for (int r : data.termCacheRows) {
      if (!(y[static_cast<size_t>(r)] < cap) || seen[static_cast<size_t>(r)])
        return std::nullopt;
      seen[static_cast<size_t>(r)] = true;
      ++covered[static_cast<size_t>(part[static_cast<size_t>(r)])];
    }
    std::call_once(grams->once, [&] { computeGrams(*grams, terms, target, cap); });
    if (grams->parts.size() != covered.size())
      return std::nullopt; // no Gram matrices for this pool
    // The selection's key: the pool, the parts the rows cover, the budget and the forced columns.
    key.insert(0, "P");
    for (size_t p = 0; p < covered.size(); ++p) {
      if (covered[p] != 0 && covered[p] != grams->parts[p].rows)
        return std::nullopt;
      key.push_back(covered[p] != 0 ? '1' : '0');
    }
    key.append(reinterpret_cast<const char *>(&maxTerms), sizeof maxTerms);
    for (int f : forced)
      key.append(reinterpret_cast<const char *>(&f), sizeof f);
    if (auto order = findSelection(key))
      return order;
    const Eigen::Index m = static_cast<Eigen::Index>(terms.size());
    Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(m, m);
    Eigen::VectorXd towardB = Eigen::VectorXd::Zero(m);
    double bb = 0;
    for (size_t p = 0; p < covered.size(); ++p) // in part order: the same sums whatever the thread count
      if (covered[p] != 0) {
        gram += grams->parts[p].gram;
        towardB += grams->parts[p].towardB;
        bb += grams->parts[p].bb;
      }
    std::vector<int> order = frolsSelectGram(gram, towardB, bb, maxTerms, forced);
    keepSelection(key, order);
    return order;
  }

  /// Selections already made, by key (selectOnParts' for unions of parts, rowSelectionKey's for selections on the
  /// rows): the squares and MAPE-fit variants of a configuration select on the same rows once.
  std::optional<std::vector<int>> findSelection(const std::string &key) {
    std::lock_guard<std::mutex> lock(mutex);
    if (auto it = selections.find(key); it != selections.end())
      return it->second;
    return std::nullopt;
  }
  void keepSelection(const std::string &key, const std::vector<int> &order) {
    std::lock_guard<std::mutex> lock(mutex);
    if (selections.size() >= 4096)
      selections.clear(); // bounded: a long run trains many tables
    selections.emplace(key, order);
  }
  /// A selection on the rows of `data` themselves (no union of parts): the pool, the budget and the rows.
  static std::string rowSelectionKey(const std::vector<Term> &terms, Target target, const Dataset &data, int maxTerms) {
    std::string key = "R" + poolKey(terms, target);
    key.append(reinterpret_cast<const char *>(&maxTerms), sizeof maxTerms);
    key.append(reinterpret_cast<const char *>(data.termCacheRows.data()), data.termCacheRows.size() * sizeof(int));
    return key;
  }

private:
  struct Entry {
    std::once_flag once;
    Eigen::MatrixXd a;
  };
  /// One part's Gram matrix of a pool, its rows prepared for the target, and how many rows it has under the cap.
  struct PartGram {
    int rows = 0;
    Eigen::MatrixXd gram;
    Eigen::VectorXd towardB;
    double bb = 0;
  };
  /// Every part's, or none where the pool is not finite on the rows or its matrices would pass kMaxGramEntries.
  struct Grams {
    std::once_flag once;
    std::vector<PartGram> parts;
  };
  void computeGrams(Grams &out, const std::vector<Term> &terms, Target target, double cap) {
    const Eigen::MatrixXd &all = matrix(terms);
    const Eigen::Index m = all.cols();
    // Per part an m x m matrix, summed for every fit: past a budget, the fits read their rows instead.
    if (!all.allFinite() ||
        static_cast<double>(partCount) * static_cast<double>(m) * static_cast<double>(m) > kMaxGramEntries)
      return;
    std::vector<PartGram> parts(static_cast<size_t>(partCount)); // moved in when whole: a throw leaves none
    for (int p = 0; p < partCount; ++p) {
      std::vector<size_t> rows;
      for (size_t r = 0; r < x.size(); ++r)
        if (part[r] == p && y[r] < cap)
          rows.push_back(r);
      // The rows as fitLinearPath prepares them: ln y against the terms, or the terms divided by y against 1.
      const Eigen::Index n = static_cast<Eigen::Index>(rows.size());
      Eigen::MatrixXd a(n, m);
      Eigen::VectorXd b(n);
      for (Eigen::Index i = 0; i < n; ++i) {
        const size_t r = rows[static_cast<size_t>(i)];
        a.row(i) = target == Target::Log ? all.row(static_cast<Eigen::Index>(r))
                                         : Eigen::RowVectorXd(all.row(static_cast<Eigen::Index>(r)) / y[r]);
        b[i] = target == Target::Log ? std::log(y[r]) : 1.0;
      }
      PartGram &g = parts[static_cast<size_t>(p)];
      g.rows = static_cast<int>(n);
      g.gram = Eigen::MatrixXd::Zero(m, m);
      g.gram.selfadjointView<Eigen::Lower>().rankUpdate(a.transpose());
      g.gram.triangularView<Eigen::StrictlyUpper>() = g.gram.transpose();
      g.towardB = a.transpose() * b;
      g.bb = b.squaredNorm();
    }
    out.parts = std::move(parts);
  }
  /// 16M doubles (128 MB): 10 folds of the 767-term tile pool take 5.9M.
  static constexpr double kMaxGramEntries = 16.0 * 1024 * 1024;
  /// A term list and the target its rows are prepared for (what a selection's Gram matrices depend on, beside rows).
  static std::string poolKey(const std::vector<Term> &terms, Target target) {
    return keyOf(terms) + (target == Target::Log ? 'L' : 'I');
  }
  /// Every field of every factor, so two term lists share a key only when they evaluate the same everywhere.
  static std::string keyOf(const std::vector<Term> &terms) {
    std::string key;
    for (const Term &term : terms) {
      for (const Factor &f : term.factors) {
        const int ints[3] = {static_cast<int>(f.feature), static_cast<int>(f.op), f.power};
        const double doubles[3] = {f.divisor, f.tileM, f.tileN};
        key.append(reinterpret_cast<const char *>(ints), sizeof ints);
        key.append(reinterpret_cast<const char *>(doubles), sizeof doubles);
      }
      key.push_back('|');
    }
    return key;
  }
  const std::vector<FeatureVector> x;
  const std::vector<double> y;
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<Entry>> entries;
  std::vector<int> part; // per row, its part (cross-validation fold)
  int partCount = 0;
  std::map<std::string, std::shared_ptr<Grams>> gramEntries;
  std::map<std::string, std::vector<int>> selections;
};

void Dataset::attachTermCache() {
  if (termCache)
    return;
  termCache = std::make_shared<TermCache>(x, y);
  termCacheRows.resize(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    termCacheRows[i] = static_cast<int>(i);
}

void Dataset::setTermCacheParts(const std::vector<int> &partOfRow) {
  if (!termCache || partOfRow.size() != size())
    return;
  for (size_t i = 0; i < termCacheRows.size(); ++i)
    if (termCacheRows[i] != static_cast<int>(i))
      return; // a subset: its parts are not the cache's rows
  termCache->setParts(partOfRow);
}

namespace {

/// Columns `columns` of the values of `terms` on every row of `data`: from its term cache where it has one (the
/// same numbers).
Eigen::MatrixXd termColumns(const std::vector<Term> &terms, const std::vector<int> &columns, const Dataset &data) {
  Eigen::MatrixXd a(static_cast<Eigen::Index>(data.size()), static_cast<Eigen::Index>(columns.size()));
  const Eigen::MatrixXd *all = data.termCache ? &data.termCache->matrix(terms) : nullptr;
  for (Eigen::Index j = 0; j < a.cols(); ++j) {
    const int c = columns[static_cast<size_t>(j)];
    for (Eigen::Index i = 0; i < a.rows(); ++i)
      a(i, j) = all ? (*all)(data.termCacheRows[static_cast<size_t>(i)], c)
                    : evaluateTerm(terms[static_cast<size_t>(c)], data.x[static_cast<size_t>(i)]);
  }
  return a;
}

/// The values of every term of `terms` on every row of `data`.
Eigen::MatrixXd termMatrix(const std::vector<Term> &terms, const Dataset &data) {
  std::vector<int> every(terms.size());
  std::iota(every.begin(), every.end(), 0);
  return termColumns(terms, every, data);
}

/// Forward selection over candidate terms, then least squares on every prefix of the selection.
/// Log target: plain LS on ln y (residuals ~ relative errors). Identity target: relative-error-weighted LS,
/// min sum(((A theta - y) / y)^2), i.e. rows divided by y against a target of ones. `cap`: every row of `train`
/// is under it (the unsaturated rows of a saturating KPI; infinity otherwise).
Expected<std::vector<Model>> fitLinearPath(Structure structure, Target target, const std::vector<Term> &candidates,
                                           const Dataset &train, int maxParams, FitLoss loss, bool fullOnly,
                                           double cap) {
  if (candidates.empty())
    return makeError("no candidate terms");
  const Eigen::Index n = static_cast<Eigen::Index>(train.size());
  const Eigen::Map<const Eigen::VectorXd> y(train.y.data(), n);
  Eigen::VectorXd b(n);
  if (target == Target::Log)
    b = y.array().log();
  else
    b.setOnes();
  const int maxTerms = std::min<int>(maxParams, static_cast<int>(std::max<Eigen::Index>(1, n - 1)));
  const double largest = y.maxCoeff();
  // Candidate 0 goes first (the constant in the generated pools: the mean level). The selection reads the per-fold
  // Gram matrices where the rows are a union of cross-validation folds, else the candidates' values on the rows.
  std::optional<std::vector<int>> order;
  if (train.termCache)
    order = train.termCache->selectOnParts(candidates, target, cap, train, maxTerms, {0});
  std::string rowKey;
  if (!order && train.termCache) {
    rowKey = TermCache::rowSelectionKey(candidates, target, train, maxTerms);
    order = train.termCache->findSelection(rowKey);
  }
  if (!order) {
    Eigen::MatrixXd all = termMatrix(candidates, train);
    if (!all.allFinite())
      return makeError("a candidate term is not finite on the training data (log of a non-positive feature?)");
    if (target == Target::Identity)
      all.array().colwise() /= y.array(); // each row divided by its measurement, a column at a time
    order = frolsSelect(all, b, maxTerms, {0});
    if (train.termCache)
      train.termCache->keepSelection(rowKey, *order);
  }
  // The selected terms and their values; the path's fits read these columns only.
  std::vector<const Term *> terms;
  for (int c : *order)
    terms.push_back(&candidates[static_cast<size_t>(c)]);
  Eigen::MatrixXd a = termColumns(candidates, *order, train);
  if (!a.allFinite())
    return makeError("a candidate term is not finite on the training data (log of a non-positive feature?)");
  if (target == Target::Identity)
    a.array().colwise() /= y.array();
  // Least squares on every prefix from one QR factorisation of the selected columns (unit norm): the factor of a
  // prefix is the leading block of the whole one. The selection leaves no column in the span of the others.
  const Eigen::Index selected = a.cols(); // at most maxTerms < n
  const Eigen::VectorXd norms = columnScales(a);
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(a * norms.cwiseInverse().asDiagonal());
  const Eigen::VectorXd qtb = (qr.householderQ().transpose() * b).head(selected);
  // The rows decide collinearity: a column with less than 1e-5 of its norm outside the span of the ones before it
  // ends the path there (a selection from Gram matrices, which square the condition number, can miss one).
  for (Eigen::Index j = 0; j < selected; ++j)
    if (!(std::fabs(qr.matrixQR()(j, j)) >= 1e-5)) {
      terms.resize(static_cast<size_t>(j));
      break;
    }
  if (terms.empty())
    return makeError("least squares failed on every candidate set");
  auto prefixSquares = [&](Eigen::Index k) {
    Eigen::VectorXd x = qr.matrixQR().topLeftCorner(k, k).triangularView<Eigen::Upper>().solve(qtb.head(k));
    return Eigen::VectorXd(x.cwiseQuotient(norms.head(k)));
  };
  std::vector<Model> path;
  auto fit = [&](const std::vector<int> &columns) {
    Eigen::MatrixXd ak(n, static_cast<Eigen::Index>(columns.size()));
    for (size_t j = 0; j < columns.size(); ++j)
      ak.col(static_cast<Eigen::Index>(j)) = a.col(columns[j]);
    return Eigen::VectorXd(loss == FitLoss::Mape ? fitLeastAbsolute(ak, b) : solveLeastSquares(ak, b));
  };
  for (size_t k = fullOnly ? terms.size() : 1; k <= terms.size(); ++k) {
    std::vector<int> columns(static_cast<size_t>(k)); // positions in `a`
    for (size_t j = 0; j < k; ++j)
      columns[j] = static_cast<int>(j);
    // At most n - 1 terms (maxTerms): every prefix has its factor in the QR.
    const Eigen::Index size = static_cast<Eigen::Index>(k);
    Eigen::VectorXd theta = prefixSquares(size);
    if (loss == FitLoss::Mape && theta.allFinite())
      theta = fitLeastAbsolute(a.leftCols(size), b, 100, 1e-3, &theta);
    if (!theta.allFinite())
      break;
    // A fixed cost per call cannot be negative: a negative constant buys a closer relative fit of the bulk at the
    // price of negative predictions for the smallest layers. Such a prefix is refitted with the constant held at 0
    // (a fixed basis is a hypothesis and is fitted as it stands). So is one that is zero but for rounding (an exact
    // fit without a fixed cost, such as an FPGA engine's DSP count): its sign is the solver's, not the data's.
    if (target == Target::Identity && !fullOnly && k > 1) {
      auto constant = std::find_if(columns.begin(), columns.end(),
                                   [&](int c) { return terms[static_cast<size_t>(c)]->factors.empty(); });
      if (constant != columns.end() && theta[constant - columns.begin()] < 1e-9 * largest) {
        columns.erase(constant);
        theta = fit(columns);
        if (!theta.allFinite())
          break;
      }
    }
    Model model;
    model.structure = structure;
    model.target = target;
    for (size_t j = 0; j < columns.size(); ++j) {
      model.terms.push_back(*terms[static_cast<size_t>(columns[j])]);
      model.params.push_back(theta[static_cast<Eigen::Index>(j)]);
    }
    path.push_back(std::move(model));
  }
  if (path.empty())
    return makeError("least squares failed on every candidate set");
  return path;
}

// --- launch floor + non-negative terms (the GPU pool) ----------------------------------------------------------

/// y = max(floor, A theta), theta >= 0, fitted on relative residuals for a given floor: rows the floor explains
/// (measured at it, predicted under it) do not pull the terms down. Returns the loss over all rows.
double fitAboveFloor(const Eigen::MatrixXd &a, const Eigen::VectorXd &y, const Eigen::VectorXd &repeatability,
                     double floor, FitLoss loss, Eigen::VectorXd &theta) {
  const Eigen::Index n = a.rows(), k = a.cols();
  std::vector<bool> active(static_cast<size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i)
    active[static_cast<size_t>(i)] = y[i] > floor;
  Eigen::VectorXd weight = Eigen::VectorXd::Ones(n);
  theta = Eigen::VectorXd::Zero(k);
  const int rounds = loss == FitLoss::Mape ? 12 : 4;
  for (int round = 0; round < rounds; ++round) {
    std::vector<Eigen::Index> rows;
    for (Eigen::Index i = 0; i < n; ++i)
      if (active[static_cast<size_t>(i)])
        rows.push_back(i);
    if (rows.empty())
      break;
    Eigen::MatrixXd aw(static_cast<Eigen::Index>(rows.size()), k);
    Eigen::VectorXd bw(static_cast<Eigen::Index>(rows.size()));
    for (size_t r = 0; r < rows.size(); ++r) {
      Eigen::Index i = rows[r];
      aw.row(static_cast<Eigen::Index>(r)) = a.row(i) * (weight[i] * repeatability[i] / y[i]);
      bw[static_cast<Eigen::Index>(r)] = weight[i] * repeatability[i];
    }
    theta = solveNonNegative(aw, bw);
    Eigen::VectorXd pred = a * theta;
    for (Eigen::Index i = 0; i < n; ++i) {
      // A layer measured well above the floor is the terms' to explain, whatever they predict now.
      active[static_cast<size_t>(i)] = pred[i] > floor || y[i] > 1.1 * floor;
      if (loss == FitLoss::Mape) // IRLS toward sum |r_i|, as fitLeastAbsolute
        weight[i] = 1.0 / std::sqrt(std::max(std::fabs(pred[i] / y[i] - 1.0), 1e-3));
    }
  }
  double cost = 0;
  Eigen::VectorXd pred = a * theta;
  for (Eigen::Index i = 0; i < n; ++i) {
    double r = std::max(pred[i], floor) / y[i] - 1.0;
    cost += repeatability[i] * (loss == FitLoss::Mape ? std::fabs(r) : r * r);
  }
  return cost / double(std::max<Eigen::Index>(n, 1));
}

/// Forward selection over non-negative candidate terms under a fitted floor: each step adds the term that lowers
/// the training loss most (the floor chosen again among quantiles of y); the path holds every prefix. The first
/// candidate (the constant) starts every model. The floor is one parameter of the budget.
Expected<std::vector<Model>> fitFloorPath(const std::vector<Term> &candidates, const Dataset &train, int maxParams,
                                          FitLoss loss) {
  if (candidates.empty())
    return makeError("no candidate terms");
  Eigen::MatrixXd a = termMatrix(candidates, train);
  if (!a.allFinite() || a.minCoeff() < 0)
    return makeError("a candidate term is negative or not finite on the training data");
  const Eigen::Index n = a.rows();
  Eigen::VectorXd y(n);
  for (Eigen::Index i = 0; i < n; ++i)
    y[i] = train.y[i];
  if (!(y.minCoeff() > 0))
    return makeError("a floor model needs positive measurements");
  // Rows weighted by how well they repeat (generalised least squares with the measured test-retest difference as
  // each row's noise): small GPU layers move with the host's launch rate between runs, large ones repeat within a
  // few per cent (../shared/data/h200). Without a retest, equal weights.
  std::vector<double> weights = train.repeatability();
  Eigen::VectorXd repeatability = Eigen::Map<const Eigen::VectorXd>(weights.data(), n);
  // Candidate floors: quantiles 0..60 % of the measurements (a floor above most rows is no floor).
  std::vector<double> sorted(y.data(), y.data() + n), floors;
  std::sort(sorted.begin(), sorted.end());
  for (int q = 0; q <= 24; ++q) {
    double f = sorted[static_cast<size_t>(std::lround(0.025 * q * double(n - 1)))];
    if (floors.empty() || f > floors.back())
      floors.push_back(f);
  }
  auto fitColumns = [&](const std::vector<int> &columns, double &bestFloor, Eigen::VectorXd &bestTheta) {
    Eigen::MatrixXd ak(n, static_cast<Eigen::Index>(columns.size()));
    for (size_t j = 0; j < columns.size(); ++j)
      ak.col(static_cast<Eigen::Index>(j)) = a.col(columns[j]);
    double best = INFINITY;
    for (double f : floors) {
      Eigen::VectorXd theta;
      double cost = fitAboveFloor(ak, y, repeatability, f, loss, theta);
      if (cost < best && theta.allFinite())
        best = cost, bestFloor = f, bestTheta = theta;
    }
    return best;
  };
  const int maxTerms = std::min<int>(maxParams - 1, static_cast<int>(std::min<Eigen::Index>(a.cols(), n - 2)));
  if (maxTerms < 1)
    return makeError("a floor model needs a budget of at least 2 parameters and 3 rows");
  std::vector<int> selected = {0};
  std::vector<Model> path;
  auto record = [&](double floor, const Eigen::VectorXd &theta) {
    Model model;
    model.structure = Structure::Physics;
    model.target = Target::Identity;
    model.floor = floor;
    for (size_t j = 0; j < selected.size(); ++j) {
      model.terms.push_back(candidates[static_cast<size_t>(selected[j])]);
      model.params.push_back(theta[static_cast<Eigen::Index>(j)]);
    }
    path.push_back(std::move(model));
  };
  double floor = 0;
  Eigen::VectorXd theta;
  if (!std::isfinite(fitColumns(selected, floor, theta)))
    return makeError("no floor fits the data");
  record(floor, theta);
  while (static_cast<int>(selected.size()) < maxTerms) {
    int bestColumn = -1;
    double bestCost = INFINITY, bestFloor = 0;
    Eigen::VectorXd bestTheta;
    for (int c = 0; c < static_cast<int>(a.cols()); ++c) {
      if (std::find(selected.begin(), selected.end(), c) != selected.end())
        continue;
      std::vector<int> columns = selected;
      columns.push_back(c);
      double f = 0;
      Eigen::VectorXd t;
      double cost = fitColumns(columns, f, t);
      if (cost < bestCost)
        bestCost = cost, bestColumn = c, bestFloor = f, bestTheta = t;
    }
    if (bestColumn < 0)
      break;
    selected.push_back(bestColumn);
    record(bestFloor, bestTheta);
  }
  return path;
}

// --- the paper's product of weak regressors ---------------------------------------------------------------------

void weakDerivatives(WeakKind kind, const double *p, double x, double *d) {
  switch (kind) {
  case WeakKind::Linear:
    d[0] = 1, d[1] = x;
    break;
  case WeakKind::Quadratic:
    d[0] = 1, d[1] = x, d[2] = x * x;
    break;
  case WeakKind::Logarithmic:
    d[0] = 1, d[1] = std::log(x);
    break;
  case WeakKind::Exponential: {
    double e = std::exp(p[1] * x);
    d[0] = e, d[1] = p[0] * x * e;
    break;
  }
  case WeakKind::Reciprocal:
    d[0] = 1, d[1] = 1 / x;
    break;
  case WeakKind::Cubic:
    d[0] = 1, d[1] = x, d[2] = x * x, d[3] = x * x * x;
    break;
  }
}

/// One-factor-at-a-time sweep for feature `which`: the rows sharing the other features' values that cover the most
/// levels of `which`; among equals, the one whose fixed levels are nearest the middle of their ranges.
std::vector<int> sweepRows(const Dataset &data, const std::vector<Feature> &features, size_t which) {
  std::map<std::vector<double>, std::vector<int>> groups;
  for (size_t i = 0; i < data.size(); ++i) {
    std::vector<double> key;
    for (size_t f = 0; f < features.size(); ++f)
      if (f != which)
        key.push_back(featureOf(data.x[i], features[f]));
    groups[key].push_back(static_cast<int>(i));
  }
  std::vector<double> lo(features.size(), INFINITY), hi(features.size(), -INFINITY);
  for (const FeatureVector &x : data.x)
    for (size_t f = 0; f < features.size(); ++f) {
      lo[f] = std::min(lo[f], featureOf(x, features[f]));
      hi[f] = std::max(hi[f], featureOf(x, features[f]));
    }
  const std::vector<int> *best = nullptr;
  size_t bestLevels = 0;
  double bestDistance = INFINITY;
  for (const auto &[key, rows] : groups) {
    std::set<double> levels;
    for (int r : rows)
      levels.insert(featureOf(data.x[r], features[which]));
    double distance = 0;
    for (size_t f = 0, k = 0; f < features.size(); ++f) {
      if (f == which)
        continue;
      double mid = 0.5 * (lo[f] + hi[f]), span = hi[f] > lo[f] ? hi[f] - lo[f] : 1.0;
      distance += std::fabs(key[k++] - mid) / span;
    }
    if (levels.size() > bestLevels || (levels.size() == bestLevels && distance < bestDistance)) {
      best = &rows;
      bestLevels = levels.size();
      bestDistance = distance;
    }
  }
  return best ? *best : std::vector<int>();
}

double paperScore(double nrmse, const std::vector<double> &params) {
  double l2 = 0;
  for (double p : params)
    l2 += p * p;
  return nrmse + 0.1 * std::sqrt(l2); // the paper's selection criterion: NRMSE + 0.1 * L2(params)
}

Expected<std::vector<Model>> fitPaper(const Dataset &train, int maxParams) {
  std::vector<Feature> features = variedBaseFeatures(train);
  if (features.empty())
    return makeError("no varying feature to build the product on");
  struct Choice {
    WeakKind kind;
    std::vector<double> params;
    double score;
  };
  std::vector<std::vector<Choice>> choices(features.size()); // per feature, all kinds sorted by score
  std::vector<double> scales(features.size());
  for (size_t f = 0; f < features.size(); ++f) {
    double scale = 0;
    for (const FeatureVector &x : train.x)
      scale = std::max(scale, featureOf(x, features[f]));
    scales[f] = scale > 0 ? scale : 1.0;
    std::vector<int> rows = sweepRows(train, features, f);
    std::vector<double> xs, ys;
    double mean = 0;
    for (int r : rows) {
      xs.push_back(featureOf(train.x[r], features[f]) / scales[f]);
      ys.push_back(train.y[r]);
      mean += train.y[r];
    }
    mean /= std::max<size_t>(1, rows.size());
    for (double &y : ys)
      y /= mean; // so the L2 penalty compares shapes, not units
    for (int k = 0; k < kNumWeakKinds; ++k) {
      WeakKind kind = static_cast<WeakKind>(k);
      if (static_cast<int>(xs.size()) < weakParamCount(kind))
        continue;
      double nrmse = INFINITY;
      std::vector<double> params = fitWeakRegressor(kind, xs, ys, &nrmse);
      if (std::isfinite(nrmse))
        choices[f].push_back({kind, params, paperScore(nrmse, params)});
    }
    if (choices[f].empty())
      return makeError(std::string("no one-factor sweep of '") + featureName(features[f]) + "' to fit");
    std::sort(choices[f].begin(), choices[f].end(), [](const Choice &a, const Choice &b) { return a.score < b.score; });
  }
  // Pick the best per feature, then trade the cheapest-to-lose choices down until the parameter budget fits.
  std::vector<size_t> pick(features.size(), 0);
  auto total = [&] {
    int sum = 0;
    for (size_t f = 0; f < features.size(); ++f)
      sum += weakParamCount(choices[f][pick[f]].kind);
    return sum;
  };
  while (total() > maxParams) {
    size_t bestF = features.size(), bestAlt = 0;
    double bestLoss = INFINITY;
    for (size_t f = 0; f < features.size(); ++f) {
      int current = weakParamCount(choices[f][pick[f]].kind);
      for (size_t a = 0; a < choices[f].size(); ++a)
        if (weakParamCount(choices[f][a].kind) < current) {
          double loss = choices[f][a].score - choices[f][pick[f]].score;
          if (loss < bestLoss)
            bestLoss = loss, bestF = f, bestAlt = a;
          break; // sorted by score: the first cheaper one is the best cheaper one
        }
    }
    if (bestF == features.size())
      return makeError("the paper structure needs at least " + std::to_string(total()) + " parameters");
    pick[bestF] = bestAlt;
  }

  Model model;
  model.structure = Structure::Paper;
  for (size_t f = 0; f < features.size(); ++f) {
    const Choice &c = choices[f][pick[f]];
    model.factors.push_back(ProductFactor{features[f], c.kind, scales[f]});
    model.params.insert(model.params.end(), c.params.begin(), c.params.end());
  }
  // The sweeps fix the shape of each factor; one overall scale (median ratio) starts LM at the right level.
  std::vector<double> ratios;
  for (size_t i = 0; i < train.size(); ++i) {
    double p = model.evaluate(train.x[i]);
    if (p > 0 && std::isfinite(p))
      ratios.push_back(train.y[i] / p);
  }
  double level = 1.0;
  if (!ratios.empty()) {
    std::nth_element(ratios.begin(), ratios.begin() + ratios.size() / 2, ratios.end());
    level = ratios[ratios.size() / 2];
  }
  if (model.factors[0].kind == WeakKind::Exponential)
    model.params[0] *= level;
  else
    for (int j = 0; j < weakParamCount(model.factors[0].kind); ++j)
      model.params[j] *= level;

  // Joint refit of the strong regressor on relative residuals (the KPI spans decades; absolute residuals would
  // fit only the largest layers).
  const size_t nf = model.factors.size();
  std::vector<int> offsets;
  int offset = 0;
  for (const ProductFactor &f : model.factors)
    offsets.push_back(offset), offset += weakParamCount(f.kind);
  Eigen::VectorXd theta = Eigen::Map<Eigen::VectorXd>(model.params.data(), model.params.size());
  ResidualFunction residuals = [&](const Eigen::VectorXd &p, Eigen::VectorXd &r, Eigen::MatrixXd &jac) {
    r.resize(train.size());
    jac.setZero(train.size(), p.size());
    std::vector<double> w(nf), prefix(nf + 1), suffix(nf + 1);
    double d[4];
    for (size_t i = 0; i < train.size(); ++i) {
      for (size_t f = 0; f < nf; ++f)
        w[f] = evaluateWeak(model.factors[f].kind, p.data() + offsets[f],
                            featureOf(train.x[i], model.factors[f].feature) / model.factors[f].scale);
      prefix[0] = 1, suffix[nf] = 1;
      for (size_t f = 0; f < nf; ++f)
        prefix[f + 1] = prefix[f] * w[f];
      for (size_t f = nf; f-- > 0;)
        suffix[f] = suffix[f + 1] * w[f];
      r[i] = (prefix[nf] - train.y[i]) / train.y[i];
      for (size_t f = 0; f < nf; ++f) {
        double others = prefix[f] * suffix[f + 1] / train.y[i];
        weakDerivatives(model.factors[f].kind, p.data() + offsets[f],
                        featureOf(train.x[i], model.factors[f].feature) / model.factors[f].scale, d);
        for (int j = 0; j < weakParamCount(model.factors[f].kind); ++j)
          jac(i, offsets[f] + j) = others * d[j];
      }
    }
  };
  LmOptions options;
  options.maxIterations = 300;
  levenbergMarquardt(residuals, theta, options);
  for (Eigen::Index j = 0; j < theta.size(); ++j)
    model.params[j] = theta[j];
  if (!model.check().empty())
    return makeError("the paper structure's refit diverged");
  return std::vector<Model>{std::move(model)};
}

} // namespace

std::string StructureConfig::label() const {
  const char *fit = loss == FitLoss::Mape ? ", mape-fit" : "";
  if (structure == Structure::Frols)
    return "frols(degree " + std::to_string(degree) + fit + ")";
  if (structure == Structure::Physics) {
    std::string name = basis == kSelectGeneric ? "select"
                       : basis == kSelectTiles ? "select-tiles"
                       : basis == kSelectCpu   ? "select-cpu"
                       : basis == kSelectFpga  ? "select-fpga"
                       : basis == kSelectGpu   ? "select-gpu"
                       : basis >= 0 && basis < static_cast<int>(physicsBases().size()) ? physicsBases()[basis].name
                                                                                         : "?";
    return "physics(" + name + fit + ")";
  }
  return structureName(structure);
}

namespace {
/// The smoothed absolute value the MAPE-fit minimises: r^2 / (2 eps) within eps of 0, |r| - eps / 2 beyond
/// (m (|r| - m / 2) / eps with m = min(|r|, eps): no branch).
inline double huber(double r, double eps) {
  const double x = std::fabs(r), m = std::min(x, eps);
  return m * (x - 0.5 * m) / eps;
}
/// sum_i huber(r_i + step d_i), in four interleaved partial sums (one running sum is bound by the adder's latency).
double huberSum(const Eigen::VectorXd &r, const Eigen::VectorXd &d, double step, double eps) {
  const Eigen::Index n = r.size(), whole = n - n % 4;
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (Eigen::Index i = 0; i < whole; i += 4) {
    s0 += huber(r[i] + step * d[i], eps);
    s1 += huber(r[i + 1] + step * d[i + 1], eps);
    s2 += huber(r[i + 2] + step * d[i + 2], eps);
    s3 += huber(r[i + 3] + step * d[i + 3], eps);
  }
  for (Eigen::Index i = whole; i < n; ++i)
    s0 += huber(r[i] + step * d[i], eps);
  return (s0 + s1) + (s2 + s3);
}
} // namespace

Eigen::VectorXd fitLeastAbsolute(const Eigen::MatrixXd &a, const Eigen::VectorXd &b, int iterations, double eps,
                                 const Eigen::VectorXd *start) {
  const Eigen::Index n = a.rows(), cols = a.cols();
  const Eigen::VectorXd norms = columnScales(a);
  // Minimises sum h(r), h the Huber function of width eps: the fixed point of reweighting rows by
  // 1 / sqrt(max(|r|, eps)), reached exactly by Newton steps on the piecewise quadratic h instead of approached by
  // reweighting (which converges linearly: 30 rounds left the sum 1e-5 off and took 4 times as long). Each step's
  // Hessian needs only the rows within eps of their target; where those do not determine every parameter, the
  // step is one of reweighting, whose majoriser always descends. Unit-norm columns; a backtracking line search
  // keeps every step a descent, so the result does not depend on the starting point but for the last digits.
  std::vector<Eigen::Index> kept;
  Eigen::VectorXd begin;
  if (start && start->size() == cols && start->allFinite()) {
    begin = start->cwiseProduct(norms);
    for (Eigen::Index j = 0; j < cols; ++j)
      kept.push_back(j);
  } else {
    Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(a.rows(), a.cols());
    qr.setThreshold(1e-12);
    qr.compute(a * norms.cwiseInverse().asDiagonal());
    begin = solveRankRevealing(qr, b); // least squares, as solveLeastSquares()
    if (!begin.allFinite() || n == 0)
      return begin.cwiseQuotient(norms);
    // Columns in the span of others (collinear terms) keep the 0 least squares gives them: the rest determine the
    // fit.
    for (Eigen::Index j = 0; j < qr.rank(); ++j)
      kept.push_back(qr.colsPermutation().indices()[j]);
    std::sort(kept.begin(), kept.end());
  }
  const Eigen::Index k = static_cast<Eigen::Index>(kept.size());
  Eigen::MatrixXd as(n, k);
  Eigen::VectorXd x(k);
  for (Eigen::Index j = 0; j < k; ++j) {
    const Eigen::Index c = kept[static_cast<size_t>(j)];
    as.col(j) = a.col(c) / norms[c];
    x[j] = begin[c];
  }
  auto result = [&]() {
    Eigen::VectorXd theta = Eigen::VectorXd::Zero(cols);
    for (Eigen::Index j = 0; j < k; ++j)
      theta[kept[static_cast<size_t>(j)]] = x[j] / norms[kept[static_cast<size_t>(j)]];
    return theta;
  };
  Eigen::VectorXd r = as * x - b;
  Eigen::VectorXd psi(n), direction(k), ad = Eigen::VectorXd::Zero(n);
  double cost = huberSum(r, ad, 0.0, eps);
  std::vector<Eigen::Index> quadratic;
  Eigen::MatrixXd rowsNear, hessian(k, k);
  for (int it = 0; it < iterations; ++it) {
    psi = (r / eps).cwiseMax(-1.0).cwiseMin(1.0);
    quadratic.clear();
    for (Eigen::Index i = 0; i < n; ++i)
      if (std::fabs(r[i]) <= eps)
        quadratic.push_back(i);
    const Eigen::VectorXd gradient = as.transpose() * psi;
    bool newton = false;
    if (static_cast<Eigen::Index>(quadratic.size()) >= k) {
      rowsNear.resize(static_cast<Eigen::Index>(quadratic.size()), k);
      for (Eigen::Index j = 0; j < k; ++j)
        for (size_t q = 0; q < quadratic.size(); ++q)
          rowsNear(static_cast<Eigen::Index>(q), j) = as(quadratic[q], j);
      hessian.setZero();
      hessian.selfadjointView<Eigen::Lower>().rankUpdate(rowsNear.transpose(), 1.0 / eps);
      Eigen::LLT<Eigen::MatrixXd> llt(hessian);
      if (llt.info() == Eigen::Success && llt.rcond() > 1e-10) {
        direction = -llt.solve(gradient);
        newton = direction.allFinite();
      }
    }
    if (!newton) {
      // One reweighting step: least squares with row weights 1 / sqrt(max(|r|, eps)).
      Eigen::VectorXd w(n);
      for (Eigen::Index i = 0; i < n; ++i)
        w[i] = 1.0 / std::sqrt(std::max(std::fabs(r[i]), eps));
      Eigen::MatrixXd aw = w.asDiagonal() * as;
      Eigen::VectorXd bw = b.cwiseProduct(w);
      Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(k, k);
      gram.selfadjointView<Eigen::Lower>().rankUpdate(aw.transpose());
      Eigen::LLT<Eigen::MatrixXd> llt(gram);
      Eigen::VectorXd next = llt.info() == Eigen::Success && llt.rcond() > 1e-9
                                 ? Eigen::VectorXd(llt.solve(aw.transpose() * bw))
                                 : solveLeastSquares(aw, bw);
      if (!next.allFinite())
        break;
      direction = next - x;
    }
    ad.noalias() = as * direction;
    const double slope = gradient.dot(direction);
    if (!(slope < 0))
      break; // no descent left: the minimum to working precision
    double step = 1.0, trialCost = cost;
    bool moved = false;
    for (int trial = 0; trial < 50; ++trial) {
      trialCost = huberSum(r, ad, step, eps);
      if (trialCost <= cost + 1e-4 * step * slope) {
        moved = true;
        break;
      }
      // The minimum of the parabola through the cost here, its slope and the cost at the step, kept within
      // [0.1, 0.5] of the step: fewer trials than halving where the step overshoots far.
      const double curvature = trialCost - cost - step * slope;
      const double next = curvature > 0 ? -slope * step * step / (2 * curvature) : 0.5 * step;
      step = std::clamp(next, 0.1 * step, 0.5 * step);
    }
    if (!moved)
      break;
    x += step * direction;
    if (it % 8 == 7) { // the residuals afresh now and then: updates alone would drift after huge steps
      r.noalias() = as * x;
      r -= b;
      trialCost = huberSum(r, ad, 0.0, eps);
    } else {
      r += step * ad;
    }
    const bool converged = cost - trialCost <= 1e-13 * cost;
    cost = trialCost;
    if (converged)
      break;
  }
  // Never worse than where it started (a step that only rounding made look like a descent).
  r.noalias() = as * x;
  r -= b;
  Eigen::VectorXd first(k);
  for (Eigen::Index j = 0; j < k; ++j)
    first[j] = begin[kept[static_cast<size_t>(j)]];
  Eigen::VectorXd r0 = as * first - b;
  if (!(huberSum(r, ad, 0.0, eps) <= huberSum(r0, ad, 0.0, eps)))
    x = first;
  return result();
}

const std::vector<PhysicsBasis> &physicsBases() {
  // Bases found by the numpy study of the tx2-c10gx data (docs/methodology.md); forward selection over the
  // generic pool covers what they do not.
  static const std::vector<PhysicsBasis> bases = {
      {"im2col", "GEMM-based conv: MACs, output, input, weight and im2col-buffer traffic, fixed overhead",
       {"1", "macs", "out_pixels*c_out", "in_pixels*c_in", "weight_count", "out_pixels*kernel_area*c_in"}},
      {"unrolled-luts", "fully unrolled layer: one multiplier per weight, adder trees of depth log(reduction)",
       {"1", "weight_count", "c_out*log(reduction_size)"}},
      {"unrolled-alms", "unrolled layer logic with packing effects of large designs",
       {"weight_count", "c_out*log(reduction_size)", "weight_count*log(reduction_size)", "reduction_size",
        "weight_count*c_out", "weight_count^2"}},
      {"unrolled-labs", "unrolled layer logic blocks",
       {"weight_count", "c_out*log(reduction_size)", "weight_count*log(reduction_size)", "reduction_size", "c_out",
        "weight_count^2"}},
      {"unrolled-memory", "unrolled layer block RAM (saturates at the device capacity)",
       {"1", "weight_count", "c_out*log(reduction_size)", "weight_count*log(reduction_size)", "reduction_size"}},
      {"unrolled-power", "static power plus a share per multiplier and per adder-tree level",
       {"1", "weight_count", "log(reduction_size)"}},
      {"tiled-gemm",
       "GPU implicit GEMM: work in whole tiles of 16-128 output pixels, 4-8 input channels and 32-128 filters, a "
       "launch floor, input traffic, per-channel cost, and a different algorithm for kernels of 11 and more",
       {"1", "ceil(out_pixels/128)*kernel*ceil(c_in/8)*ceil(c_out/128)", "[kernel>=11]*in_pixels*c_in*c_out",
        "in_pixels*c_in", "ceil(out_pixels/64)*kernel_area*ceil(c_in/4)*ceil(c_out/32)", "out_pixels*ceil(c_out/128)",
        "c_in", "[kernel>=11]*macs", "ceil(out_pixels/16)*kernel*ceil(c_out/128)",
        "ceil(out_pixels/128)*kernel*ceil(c_in/4)*ceil(c_out/128)"}},
      {"unrolled-cycles", "cycles ~ in_pixels*c_in*c_out, f_max falling with design size (c_in, c_out)",
       {"in_pixels*c_in*c_out", "in_pixels*c_in*c_out^2", "in_pixels*c_in^2*c_out", "in_pixels*c_in"}},
      {"unrolled-energy", "cycles times a power growing with the multiplier count, plus a fixed cost",
       {"in_pixels*c_in*c_out", "in_pixels*c_in*c_out^2", "in_pixels*c_in^2*c_out", "in_pixels*c_in*c_out*weight_count",
        "in_pixels*c_in", "1"}},
  };
  return bases;
}

std::vector<Feature> variedBaseFeatures(const Dataset &data) {
  std::vector<Feature> varied;
  // Batch last, and only where it varies: the paper's data (and every shipped excitation) is batch 1, and the
  // structures built on these features must still see batch where a table varies it (its work scales with it).
  for (Feature f : {Feature::InHW, Feature::CIn, Feature::Kernel, Feature::COut, Feature::Batch})
    if (!data.x.empty() && varies(data, f))
      varied.push_back(f);
  return varied;
}

std::vector<double> fitWeakRegressor(WeakKind kind, const std::vector<double> &x, const std::vector<double> &y,
                                     double *nrmse) {
  const int n = static_cast<int>(x.size()), np = weakParamCount(kind);
  std::vector<double> params(np, 0.0);
  if (nrmse)
    *nrmse = INFINITY;
  if (n < np)
    return params;
  Eigen::VectorXd theta(np);
  if (kind == WeakKind::Exponential) {
    // Start from a log-linear fit of the positive points, then LM on the absolute residuals.
    Eigen::MatrixXd a(n, 2);
    Eigen::VectorXd b(n);
    int m = 0;
    for (int i = 0; i < n; ++i)
      if (y[i] > 0)
        a(m, 0) = 1, a(m, 1) = x[i], b[m] = std::log(y[i]), ++m;
    if (m < 2)
      return params;
    Eigen::VectorXd start = solveLeastSquares(a.topRows(m), b.head(m));
    theta << std::exp(start[0]), start[1];
    ResidualFunction residuals = [&](const Eigen::VectorXd &p, Eigen::VectorXd &r, Eigen::MatrixXd &jac) {
      r.resize(n);
      jac.resize(n, 2);
      for (int i = 0; i < n; ++i) {
        double e = std::exp(p[1] * x[i]);
        r[i] = p[0] * e - y[i];
        jac(i, 0) = e;
        jac(i, 1) = p[0] * x[i] * e;
      }
    };
    levenbergMarquardt(residuals, theta);
  } else {
    Eigen::MatrixXd a(n, np);
    Eigen::VectorXd b(n);
    double d[4];
    for (int i = 0; i < n; ++i) {
      weakDerivatives(kind, nullptr, x[i], d); // linear in the parameters: the derivatives are the regressors
      for (int j = 0; j < np; ++j)
        a(i, j) = d[j];
      b[i] = y[i];
    }
    theta = solveLeastSquares(a, b);
  }
  for (int j = 0; j < np; ++j)
    params[j] = theta[j];
  double sse = 0, lo = INFINITY, hi = -INFINITY;
  for (int i = 0; i < n; ++i) {
    double e = evaluateWeak(kind, params.data(), x[i]) - y[i];
    sse += e * e;
    lo = std::min(lo, y[i]), hi = std::max(hi, y[i]);
  }
  double rmse = std::sqrt(sse / n);
  if (nrmse && std::isfinite(rmse))
    *nrmse = hi > lo ? rmse / (hi - lo) : rmse;
  return params;
}

bool mixesChannels(const Term &term) {
  bool in = false, out = false;
  for (const Factor &f : term.factors) {
    in |= f.feature == Feature::CIn;
    out |= f.feature == Feature::COut;
  }
  return in && out;
}

/// A selection pool for one table: without the channel-mixing terms where every row keeps its channels (host-amd:
/// with them, a global pool of 1,280 channels was predicted at -40 us).
/// Every row keeps its channels (c_in = c_out, one group, no weights): pools, elementwise ops, data movement; not a
/// table of square matmuls or convolutions.
static bool isChannelWise(const Dataset &data) {
  return !data.x.empty() && std::all_of(data.x.begin(), data.x.end(), [](const FeatureVector &f) {
    return featureOf(f, Feature::CIn) == featureOf(f, Feature::COut) && featureOf(f, Feature::Groups) == 1 &&
           featureOf(f, Feature::WeightCount) == 0;
  });
}

/// Every row is a GEMM with one output row: weights, and batch x out_pixels = 1 (a linear layer at batch 1, a GEMV;
/// not a global pool, whose input is its traffic).
static bool isGemv(const Dataset &data) {
  return !data.x.empty() && std::all_of(data.x.begin(), data.x.end(), [](const FeatureVector &f) {
    return featureOf(f, Feature::WeightCount) > 0 && featureOf(f, Feature::Batch) * featureOf(f, Feature::OutPixels) == 1;
  });
}

static std::vector<Term> forTable(std::vector<Term> terms, const Dataset &data) {
  if (isChannelWise(data))
    terms.erase(std::remove_if(terms.begin(), terms.end(), mixesChannels), terms.end());
  return terms;
}

std::vector<Term> physicsCandidates(const Dataset &data) {
  using F = Feature;
  std::vector<Term> terms = {
      Term{},                                                                   // fixed overhead (launch, setup)
      makeTerm({pow1(F::Macs)}),                                                // compute
      makeTerm({pow1(F::OutPixels), pow1(F::COut)}),                            // output elements written
      makeTerm({pow1(F::InPixels), pow1(F::CIn)}),                              // input elements read
      makeTerm({pow1(F::KernelArea), pow1(F::CIn), pow1(F::COut)}),             // weights read
      makeTerm({pow1(F::OutPixels), pow1(F::KernelArea), pow1(F::CIn)}),        // im2col buffer
      makeTerm({pow1(F::COut)}),                                                // per-filter cost
      makeTerm({pow1(F::CIn), pow1(F::COut)}),                                  // per (in, out) channel pair
      makeTerm({pow1(F::OutPixels)}),                                           // per output pixel
  };
  // Vector/tile quantisation: work rounded up to whole vectors of filters or channels.
  for (double v : {4.0, 8.0, 16.0, 32.0, 64.0, 128.0}) {
    terms.push_back(makeTerm({pow1(F::OutPixels), pow1(F::KernelArea), pow1(F::CIn), ceilDiv(F::COut, v)}));
    terms.push_back(makeTerm({pow1(F::OutPixels), pow1(F::KernelArea), ceilDiv(F::CIn, v), pow1(F::COut)}));
    terms.push_back(makeTerm({pow1(F::OutPixels), ceilDiv(F::COut, v)}));
    terms.push_back(makeTerm({ceilDiv(F::COut, v)}));
  }
  return forTable(std::move(terms), data);
}

std::vector<Term> tileCandidates(const Dataset &data) {
  using F = Feature;
  std::vector<Term> terms = {
      Term{},                                       // fixed cost (launch, framework floor)
      makeTerm({pow1(F::InPixels), pow1(F::CIn)}), // input read
      makeTerm({pow1(F::CIn)}),                    // per input channel
      makeTerm({pow1(F::COut)}),                   // per filter
      makeTerm({pow1(F::CIn), pow1(F::COut)}),     // per channel pair
      makeTerm({pow1(F::InPixels)}),
  };
  // Large kernels (11 and more) switch algorithm: a step times the cost drivers of a direct or FFT-like one.
  Factor large{F::Kernel, Factor::Op::AtLeast, 1, 11.0};
  terms.push_back(makeTerm({large}));
  terms.push_back(makeTerm({large, pow1(F::InPixels), pow1(F::CIn), pow1(F::COut)}));
  terms.push_back(makeTerm({large, pow1(F::Macs)}));
  terms.push_back(makeTerm({large, pow1(F::InPixels), pow1(F::CIn)}));
  terms.push_back(makeTerm({large, pow1(F::OutPixels), pow1(F::COut)}));
  // Tiled GEMM work: pixels x kernel x input channels x filters, each rounded up to whole tiles (or not tiled, or
  // absent).
  std::vector<std::vector<Factor>> pixels = {{pow1(F::OutPixels)}}, kernels = {{pow1(F::KernelArea)}, {pow1(F::Kernel)}, {}},
                                   inputs = {{pow1(F::CIn)}, {}}, outputs = {{pow1(F::COut)}, {}};
  for (double t : {16.0, 32.0, 64.0, 128.0, 256.0})
    pixels.push_back({ceilDiv(F::OutPixels, t)});
  for (double v : {4.0, 8.0, 16.0, 32.0})
    inputs.push_back({ceilDiv(F::CIn, v)});
  for (double v : {8.0, 16.0, 32.0, 64.0, 128.0})
    outputs.push_back({ceilDiv(F::COut, v)});
  for (const auto &p : pixels)
    for (const auto &k : kernels)
      for (const auto &c : inputs)
        for (const auto &o : outputs) {
          Term t;
          for (const auto *part : {&p, &k, &c, &o})
            t.factors.insert(t.factors.end(), part->begin(), part->end());
          terms.push_back(std::move(t));
        }
  return forTable(std::move(terms), data);
}

const std::vector<CandidateText> &cpuCandidateTexts() {
  // Found from the host-intel campaign (docs/measurement.md): cpu-mlir runs naive loops whose cost per MAC grows
  // with the reduction length and the weight footprint (L1 48 KiB, L2 2 MiB) and whose padded layers first copy the
  // input (a slow tensor.pad); oneDNN computes in 16-lane AVX-512 vectors of filters (blocked layouts), so small
  // and odd filter counts cost whole vectors, and runs depthwise layers with a memory-bound kernel of its own.
  static const std::vector<CandidateText> texts = {
      {"1", "fixed cost per call"},
      {"macs", "multiply-accumulates"},
      {"macs*log(reduction_size)", "cost per MAC growing with the reduction length (strided weight walk)"},
      {"macs*log(c_out)", "cost per MAC growing with the filter count (weight stride of HWCF weights)"},
      {"macs*[weight_bytes>=49152]", "weights spill the 48 KiB L1"},
      {"macs*[weight_bytes>=2e+06]", "weights spill the 2 MiB L2"},
      {"macs*[c_in>=16]", "reduction loops of a whole vector or more"},
      {"macs*[c_in>=64]", "long reduction loops"},
      {"out_pixels*c_out", "output elements written (and bias broadcast)"},
      {"in_pixels*c_in", "input elements read"},
      {"[pad>=0.5]*in_pixels*c_in", "a padded layer copies its input into a padded buffer"},
      {"weight_count", "weights read (and transposed)"},
      {"out_pixels*kernel_area*c_out", "inner reduction loops started"},
      {"out_pixels*kernel_area*ceil(c_out/16)", "kernel taps times 16-filter vectors (depthwise work, vector FMAs)"},
      {"out_pixels*reduction_size*ceil(c_out/16)", "blocked GEMM, reduction unblocked (few input channels)"},
      {"out_pixels*ceil(reduction_size/16)*ceil(c_out/16)", "blocked GEMM, reduction and filters in 16-lane blocks"},
      {"out_pixels*ceil(c_out/16)", "16-filter output vectors written"},
      {"out_pixels", "output pixels (loop and address overhead)"},
      {"ceil(c_out/16)", "per filter block (weight reorder, kernel setup)"},
      {"c_in", "per input channel"},
      // AMD Zen 3 (host-amd): 512 KiB L2 per core, and a VM's share of the L3 of a few MiB; fully connected
      // layers at batch 1 stream weights larger than that from memory at a fraction of the in-cache rate.
      {"macs*[input_bytes>=262144]", "inputs spill half of a 512 KiB L2 (pooling windows re-read from L3)"},
      {"macs*[weight_bytes>=8e+06]", "weights spill the last-level cache share (naive loops miss per MAC)"},
      {"[weight_bytes>=8e+06]*weight_count", "weights streamed from beyond the cache share once (bandwidth-bound)"},
      {"[weight_bytes>=3.2e+07]*weight_count", "weights beyond a 32 MiB L3 streamed from DRAM once"},
      {"[c_tail8>=1]*out_pixels*c_out", "channel counts off a multiple of 8: oneDNN's AVX2 pooling takes a slower path"},
      {"[output_bytes>=2e+06]*out_pixels*c_out", "outputs larger than L2 are written to memory"},
      // cpu-mlir pools fill their output, then read-modify-write each element once per window tap, each tap
      // rereading the value the previous one stored: while the output stays in L1 a tap costs ~0.8 ns; once it
      // spills (32..64 KiB on host-amd) ~1.4 ns per tap plus ~6 ns per element of two or more taps (a 1x1 pool
      // stays at ~1.1 ns per element; measured, docs/measurement.md).
      {"macs*[output_bytes>=32768]", "window taps on an output that spilled the 32 KiB L1"},
      {"[kernel_area>=2]*[output_bytes>=32768]*out_pixels*c_out", "dependent tap chains on a spilled output"},
      {"macs*[output_bytes>=65536]", "window taps on an output beyond 64 KiB"},
      {"[kernel_area>=2]*[output_bytes>=65536]*out_pixels*c_out", "dependent tap chains beyond 64 KiB"},
      // Power-of-two strides: the naive loops' walk over weights (HWCF, matmul columns) or a global pool's window
      // lands in a few cache sets (4096 x 1024 matmul: 7.9 ns per MAC against 4.7 at 1040 columns, measured).
      {"macs*[c_pow2>=256]", "strided walks at a 1 KiB multiple: cache-set conflicts"},
      {"macs*[c_pow2>=1024]", "strided walks at a 4 KiB multiple: cache-set conflicts in L2 as well"},
      {"[input_bytes>=2e+06]*in_pixels*c_in", "inputs larger than L2 are read from memory"},
      {"[stride>=2]*in_pixels*c_in", "strided layers read their input sparsely"},
      {"[stride>=2]*macs", "strided layers: input reuse lost"},
      {"[groups>=2]", "depthwise: fixed cost of its kernel"},
      {"[groups>=2]*macs", "depthwise MACs"},
      {"[groups>=2]*out_pixels*c_out", "depthwise output"},
      {"[groups>=2]*out_pixels*ceil(c_out/16)", "depthwise 16-channel output vectors"},
      {"[groups>=2]*out_pixels*kernel_area*ceil(c_out/16)", "depthwise vector FMAs"},
      {"[groups>=2]*in_pixels*c_in", "depthwise input read"},
      {"[groups>=2]*[pad>=0.5]*in_pixels*c_in", "depthwise padded-input copy"},
      {"[groups>=2]*[stride>=2]*macs", "strided depthwise MACs"},
      {"[groups>=2]*[stride>=2]*in_pixels*c_in", "strided depthwise input read"},
      {"[groups>=2]*[stride>=2]*out_pixels*kernel_area*ceil(c_out/16)", "strided depthwise vector FMAs"},
      {"[groups>=2]*c_out", "depthwise per channel"},
      // oneDNN's direct kernels skip the kernel taps that fall into the padding (cpu-mlir computes them on a
      // padded copy): on small padded maps (3x3 input, 5x5 kernel) most taps are skipped.
      {"valid_taps*c_in*ceil(c_out/16)", "dense 16-lane FMAs of in-bounds taps (per tap, input channel, vector)"},
      {"valid_taps*c_in*ceil(c_out/64)", "input broadcasts against up to 4 16-lane filter vectors"},
      {"[groups>=2]*valid_taps*ceil(c_out/16)", "depthwise vector FMAs of in-bounds taps"},
      // oneDNN's brdgmm depthwise kernel (seen with ONEDNN_VERBOSE) runs one batch-reduce call per output row and
      // block of up to 64 channels, and sets up one batch element per kernel row and 16-channel vector.
      {"[groups>=2]*out_hw*ceil(c_out/64)", "depthwise kernel calls (output rows x 64-channel blocks)"},
      {"[groups>=2]*out_hw*kernel*ceil(c_out/16)", "depthwise batch elements (rows x kernel rows x vectors)"},
      // Its work, counted from the kernel's blocking (oneDNN 2.6 jit_brdgmm_dw_conv, brdgmm kernel; one thread):
      // one call per output row, a batch element per kernel tap, register tiles of up to 4 channel vectors.
      {"[groups>=2]*out_rows", "depthwise kernel calls (one per output row)"},
      {"[groups>=2]*out_rows*kernel_area", "depthwise batch elements set up per call (one per kernel tap)"},
      {"dw_tile_taps", "depthwise register-tile iterations over in-bounds kernel taps"},
      {"dw_weight_loads", "depthwise weight vectors loaded per tile iteration"},
      {"dw_tail_taps", "depthwise tile iterations over a masked channel tail"},
      // oneDNN 2.6's AVX2 kernels (8-lane vectors, 16 registers; blocked layouts pad channels to 8; one thread):
      // jit_dw runs one call per output row and group of 3 channel blocks, tiles of 4 output points, and skips
      // padded taps; jit (dense) broadcasts an input scalar against up to 4 weight vectors; jit_1x1 likewise.
      {"[groups>=2]*out_rows*ceil(c_out/24)", "8-lane depthwise kernel calls (rows x groups of 3 channel blocks)"},
      {"[groups>=2]*row_taps*ceil(out_hw/4)*ceil(c_out/24)", "8-lane depthwise kernel-row iterations"},
      {"[groups>=2]*valid_taps*ceil(c_out/8)", "8-lane depthwise FMAs of in-bounds taps (padded lanes included)"},
      {"[groups>=2]*row_taps*kernel*ceil(out_hw/4)*ceil(c_out/8)", "8-lane depthwise weight-vector loads"},
      {"[groups>=2]*out_pixels*ceil(c_out/8)", "8-lane depthwise output vectors"},
      {"valid_taps*ceil(c_in/8)*ceil(c_out/8)", "8-lane blocked dense FMAs of in-bounds taps (channels padded to 8)"},
      {"valid_taps*c_in*ceil(c_out/32)", "input broadcasts against up to 4 weight vectors"},
      {"out_rows*ceil(c_in/8)*ceil(c_out/32)", "dense kernel calls (rows x input blocks x groups of 4 output blocks)"},
      {"out_pixels*ceil(c_in/8)*ceil(c_out/8)", "partial sums reloaded per input block"},
  };
  return texts;
}

const std::vector<CandidateText> &fpgaCandidateTexts() {
  // The engines of hw/ (docs/fpga.md): a PE x SIMD multiplier array (DSP48 slices, plus a requantisation
  // multiplier per PE lane), an adder tree of log2(SIMD) levels per PE, an accumulator per PE lane whose width grows
  // with the reduction, a line buffer of kernel rows of the input and a weight ROM (both pinned to block RAM: their
  // RAMB18 counts are features), a bias ROM in logic when there is more than one output fold, and a schedule that
  // loads the rows the next output row needs, then computes that row (no overlap): input beats + compute beats +
  // a hand-over per output row.
  static const std::vector<CandidateText> texts = {
      {"1", "fixed logic and control"},
      {"pe", "per output lane: accumulator, requantisation, clamp"},
      {"simd", "per input lane: window registers"},
      {"pe*simd", "multipliers"},
      {"pe*simd*kernel_area", "window taps feeding the multipliers"},
      {"pe*log(simd)", "adder-tree levels"},
      {"weight_count", "weight ROM entries"},
      {"weight_bytes", "weight ROM bytes"},
      {"in_hw*kernel*c_in", "line buffer (kernel rows of the input)"},
      {"in_hw*c_in", "one input row"},
      {"out_pixels*kernel_area*out_folds*in_folds", "compute beats"},
      {"out_pixels*out_folds", "output beats"},
      {"in_pixels*in_folds", "input beats"},
      {"in_pixels*c_in", "input elements"},
      {"out_pixels*c_out", "output elements"},
      {"c_out", "per output channel: bias, scale"},
      // Derived from the engines' structure (the coefficients still come from the measurements):
      {"out_pixels*kernel_area*out_folds", "compute beats of a channel-wise engine (pool: no input folds)"},
      {"in_rows_read*in_hw*in_beats", "input beats up to the last row a window reads"},
      {"in_pixels*in_beats", "input beats of the whole map (add engine)"},
      {"out_hw", "per output row: hand-over between loading and computing"},
      {"pe*reduction_bits", "accumulator bits that grow with the reduction"},
      {"pe*simd*reduction_bits", "adder-tree bits that grow with the reduction"},
      {"line_buffer_bram18", "line buffer RAMB18 blocks"},
      {"weight_rom_bram18", "weight ROM RAMB18 blocks"},
      {"[out_folds>=2]*pe", "bias ROM in logic (a constant when there is one output fold)"},
      {"pe*log(out_folds)", "bias ROM per lane: Yosys keeps it as flip-flops behind a mux tree over the folds"},
      {"log(kernel)", "window counters"},
      {"log(in_hw)", "pixel counters and line-buffer addresses"},
      {"log(in_beats)", "beat counters and line-buffer addresses"},
      {"log(out_folds)", "output-fold counter and bias-ROM address"},
  };
  return texts;
}

/// The terms of a fixed candidate pool (its texts are checked by the unit tests, so parsing cannot fail).
static std::vector<Term> termsOf(const std::vector<CandidateText> &texts) {
  std::vector<Term> terms;
  for (const CandidateText &t : texts)
    terms.push_back(*parseTerm(t.term));
  return terms;
}

std::vector<Term> fpgaCandidates(const Dataset &data) { return forTable(termsOf(fpgaCandidateTexts()), data); }

std::vector<GpuCandidateText> gpuCandidateTexts(int units) {
  // Terms for a GPU running a layer as one implicit GEMM of M = output pixels, N = filters per group and
  // K = reduction, in output tiles spread over its SMs (cuDNN, cuBLAS); docs/methodology.md cites each.
  std::string sms = std::to_string(units);
  return {
      {"1", "fixed GPU-side cost of a call above the host's issue floor"},
      {"macs", "throughput-bound work: every SM busy"},
      {"waves(64,32," + sms + ")*reduction_size", "serial reduction loop of 64x32 tiles, in waves over the SMs"},
      {"waves(128,64," + sms + ")*reduction_size", "serial reduction loop of 128x64 tiles, in waves over the SMs"},
      {"waves(128,128," + sms + ")*reduction_size", "serial reduction loop of 128x128 tiles, in waves over the SMs"},
      {"weight_bytes", "weights streamed from DRAM once (GEMV at batch 1 is bandwidth-bound)"},
      {"input_bytes", "input read from DRAM"},
      {"output_bytes", "output written to DRAM"},
  };
}

std::string attachBoundedPhysics(Model &model, const Dataset &data, bool constantOnly) noexcept {
  try {
    std::vector<Term> terms;
    for (const char *text : constantOnly ? std::vector<const char *>{"1"}
                                         : std::vector<const char *>{"1", "macs", "total_bytes", "weight_count",
                                                                     "output_bytes"})
      terms.push_back(*parseTerm(text));
    auto path = fitFloorPath(terms, data, static_cast<int>(terms.size()) + 1, FitLoss::Mape);
    if (!path)
      return path.error();
    Model form = path->back();
    if (!(form.floor > 0))
      return "no positive floor fits the data";
    std::vector<double> predicted;
    std::vector<std::pair<double, double>> workAndValue;
    for (size_t i = 0; i < data.size(); ++i) {
      predicted.push_back(form.evaluate(data.x[i]));
      workAndValue.push_back({workOf(data.x[i]), data.y[i]});
    }
    model.outsideFitMape = computeMetrics(predicted, data.y).mape;
    model.dataBound = WorkBound::of(std::move(workAndValue));
    model.outside = {std::move(form)};
    return {};
  } catch (const std::exception &e) {
    return std::string("fitting the bounded physics form failed: ") + e.what();
  } catch (...) {
    return "fitting the bounded physics form failed";
  }
}

/// `terms` without those that have a factor `reads` picks.
template <typename Pick> void dropTermsWith(std::vector<Term> &terms, Pick reads) {
  terms.erase(std::remove_if(terms.begin(), terms.end(),
                             [&](const Term &t) { return std::any_of(t.factors.begin(), t.factors.end(), reads); }),
              terms.end());
}

std::vector<Term> gpuCandidates(const Dataset &data, int units) {
  std::vector<Term> terms;
  for (const GpuCandidateText &t : gpuCandidateTexts(units))
    terms.push_back(*parseTerm(t.term));
  // A table whose every row keeps its channels (pools, elementwise ops, data movement) is no GEMM: no tiles of
  // filters, no reduction loop over channels, no weights. Its window is read in parallel, so a wave term would make
  // a global pool of a large map cost its whole window serially.
  if (isChannelWise(data))
    dropTermsWith(terms,
                  [](const Factor &f) { return f.op == Factor::Op::Waves || f.feature == Feature::WeightBytes; });
  // A table of single-row GEMMs (GEMV: batch x out_pixels = 1 on every row, a linear layer at batch 1) writes 4 N
  // bytes and reads 4 K: no traffic a GPU notices. A coefficient on those terms is a per-column or per-row cost,
  // which beyond M = 1 would price a batched GEMM by its output elements (H200 matmul, 0.5 us per kB of output: a
  // batch-64 layer with 2 input channels at 1.1 ms). The traffic of a GEMV is its weights, and its MACs are as many
  // as its weights: the two terms are one column here, and only the weights' stays true beyond one row (a MAC term
  // fitted on GEMVs, at DRAM speed, priced a 197-token GEMM at 6 times its compute-bound time).
  if (isGemv(data))
    dropTermsWith(terms, [](const Factor &f) {
      return f.feature == Feature::OutputBytes || f.feature == Feature::InputBytes || f.feature == Feature::Macs;
    });
  return forTable(std::move(terms), data);
}

std::vector<Term> cpuCandidates(const Dataset &data) { return forTable(termsOf(cpuCandidateTexts()), data); }

std::vector<Term> frolsCandidates(const Dataset &data, int degree) {
  std::vector<Feature> features = variedBaseFeatures(data);
  bool hasInHW = std::find(features.begin(), features.end(), Feature::InHW) != features.end();
  bool hasKernel = std::find(features.begin(), features.end(), Feature::Kernel) != features.end();
  if (hasInHW && hasKernel && varies(data, Feature::OutHW))
    features.push_back(Feature::OutHW); // the output side, H - k + 1, is what the MAC count scales with
  std::vector<Factor> base;
  for (Feature f : features) {
    base.push_back(Factor{f, Factor::Op::Power, 1, 1.0});
    base.push_back(Factor{f, Factor::Op::LogPower, 1, 1.0});
  }
  std::vector<Term> terms = {Term{}};
  // Multisets of base factors of size 1..degree (non-decreasing indices), equal factors merged into powers.
  std::vector<size_t> idx;
  std::function<void(size_t, int)> grow = [&](size_t start, int remaining) {
    if (!idx.empty()) {
      Term t;
      for (size_t i : idx) {
        if (!t.factors.empty() && t.factors.back().feature == base[i].feature && t.factors.back().op == base[i].op)
          ++t.factors.back().power;
        else
          t.factors.push_back(base[i]);
      }
      terms.push_back(std::move(t));
    }
    if (remaining == 0)
      return;
    for (size_t i = start; i < base.size(); ++i) {
      idx.push_back(i);
      grow(i, remaining - 1);
      idx.pop_back();
    }
  };
  grow(0, degree);
  return terms;
}

void recordDomain(Model &model, const Dataset &train) {
  // The layer geometry is always recorded, used by the model or not: a layer whose stride, groups, dilation or
  // padding was never seen in training (the tx2-c10gx data is stride-1, dense, unpadded) is then flagged as
  // extrapolated instead of being predicted silently as if it were a training layer.
  std::vector<Feature> features = {Feature::Batch,  Feature::InHW,   Feature::CIn,      Feature::COut, Feature::Kernel,
                                   Feature::Stride, Feature::Groups, Feature::Dilation, Feature::Pad};
  for (Feature f : model.featuresUsed())
    if (std::find(features.begin(), features.end(), f) == features.end())
      features.push_back(f);
  model.domain.clear();
  for (Feature f : features) {
    DomainRange range{f, INFINITY, -INFINITY};
    for (const FeatureVector &x : train.x) {
      range.min = std::min(range.min, featureOf(x, f));
      range.max = std::max(range.max, featureOf(x, f));
    }
    if (!train.x.empty())
      model.domain.push_back(range);
  }
}

Expected<std::vector<Model>> fitPath(const StructureConfig &config, const Dataset &all, int maxParams,
                                     double saturation) noexcept {
  try {
    Dataset unsaturated;
    if (saturation > 0) {
      std::vector<int> rows;
      for (size_t i = 0; i < all.size(); ++i)
        if (all.y[i] < saturation)
          rows.push_back(static_cast<int>(i));
      unsaturated = all.subset(rows);
    }
    const Dataset &train = saturation > 0 ? unsaturated : all;
    const double cap = saturation > 0 ? saturation : INFINITY;
    if (train.size() < 2)
      return makeError("too few rows to fit (" + std::to_string(train.size()) + ")");
    Expected<std::vector<Model>> path = makeError("unknown structure");
    switch (config.structure) {
    case Structure::Paper:
      path = fitPaper(train, maxParams);
      break;
    case Structure::Frols:
      path = fitLinearPath(Structure::Frols, Target::Log, frolsCandidates(train, config.degree), train, maxParams,
                           config.loss, false, cap);
      break;
    case Structure::Physics:
      if (config.basis == StructureConfig::kSelectGeneric) {
        path = fitLinearPath(Structure::Physics, Target::Identity, physicsCandidates(train), train, maxParams,
                             config.loss, false, cap);
      } else if (config.basis == StructureConfig::kSelectCpu) {
        path = fitLinearPath(Structure::Physics, Target::Identity, cpuCandidates(train), train, maxParams, config.loss,
                             false, cap);
      } else if (config.basis == StructureConfig::kSelectFpga) {
        path = fitLinearPath(Structure::Physics, Target::Identity, fpgaCandidates(train), train, maxParams, config.loss,
                             false, cap);
      } else if (config.basis == StructureConfig::kSelectGpu) {
        if (config.units <= 0)
          return makeError("the gpu pool needs the device's streaming multiprocessor count (sm_count)");
        path = fitFloorPath(gpuCandidates(train, config.units), train, maxParams, config.loss);
      } else if (config.basis == StructureConfig::kSelectTiles) {
        path = fitLinearPath(Structure::Physics, Target::Identity, tileCandidates(train), train, maxParams, config.loss,
                             false, cap);
      } else if (config.basis < 0 || config.basis >= static_cast<int>(physicsBases().size())) {
        return makeError("no physics basis " + std::to_string(config.basis));
      } else {
        const PhysicsBasis &basis = physicsBases().at(config.basis);
        if (static_cast<int>(basis.terms.size()) > maxParams)
          return makeError(std::string("basis ") + basis.name + " has more than " + std::to_string(maxParams) +
                           " terms");
        std::vector<Term> terms;
        for (const char *text : basis.terms)
          terms.push_back(*parseTerm(text));
        path = fitLinearPath(Structure::Physics, Target::Identity, terms, train, maxParams, config.loss, true, cap);
        // The fixed basis is the hypothesis: only its complete form counts.
        if (path && path->back().terms.size() != terms.size())
          return makeError(std::string("basis ") + basis.name + " is degenerate on this data");
      }
      break;
    }
    if (path && saturation > 0)
      for (Model &m : *path)
        m.upperBound = saturation;
    return path;
  } catch (const std::exception &e) {
    return makeError(std::string("fitting failed: ") + e.what());
  } catch (...) {
    return makeError("fitting failed");
  }
}

} // namespace flydel
