//===- Validation.cpp - Cross-validation and structure selection ----------===//
#include "flydel/Identify/Validation.h"
#include "flydel/Identify/Parallel.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace flydel {

namespace {

/// Rows with identical features (repeated measurements of one layer) share a group, numbered in order of first
/// appearance; returns the number of groups.
int featureGroups(const Dataset &data, std::vector<int> &group) {
  std::map<FeatureVector, int> first;
  group.resize(data.size());
  for (size_t i = 0; i < data.size(); ++i)
    group[i] = first.emplace(data.x[i], static_cast<int>(first.size())).first->second;
  return static_cast<int>(first.size());
}

} // namespace

std::vector<int> groupedFoldAssignment(const Dataset &data, int folds, uint64_t seed) {
  std::vector<int> group;
  int groups = featureGroups(data, group);
  // Every row keeps its fold from foldAssignment except repeats, which join their layer's first row: the folds move
  // only as far as the repeats need.
  std::vector<int> fold = foldAssignment(static_cast<int>(data.size()), folds, seed), groupFold(groups, -1);
  for (size_t i = 0; i < data.size(); ++i) {
    if (groupFold[group[i]] < 0)
      groupFold[group[i]] = fold[i];
    fold[i] = groupFold[group[i]];
  }
  return fold;
}

namespace {

/// One configuration's cross-validation: an outcome per complexity, and the path fitted on all rows (what the
/// selection refits its choice from, so it is not fitted twice).
struct CvPath {
  std::vector<CvOutcome> outcomes;
  std::vector<Model> full;
};

/// A fitted path of one configuration, or why it could not be fitted.
using FittedPath = Expected<std::vector<Model>>;

/// Whether the selection among `configs` compares repeatability-weighted errors (CvOutcome::selectionMape): where
/// the table has a retest and the GPU pool, which fits with those weights, competes. The whole call alike, so that
/// scores stay comparable (with "extra_pools": ["gpu"] the generic configurations too).
bool weighsSelection(const std::vector<StructureConfig> &configs, const Dataset &data) {
  return data.hasRetest() && std::any_of(configs.begin(), configs.end(), [](const StructureConfig &c) {
           return c.structure == Structure::Physics && c.basis == StructureConfig::kSelectGpu;
         });
}

/// Σ w_i |p_i - y_i| / y_i / Σ w_i in per cent; infinite where a prediction is not finite.
double weightedMape(const std::vector<double> &predicted, const std::vector<double> &measured,
                    const std::vector<double> &weights) {
  double sum = 0, total = 0;
  for (size_t i = 0; i < measured.size(); ++i) {
    if (!std::isfinite(predicted[i]))
      return INFINITY;
    sum += weights[i] * std::fabs(predicted[i] - measured[i]) / measured[i];
    total += weights[i];
  }
  return total > 0 ? 100.0 * sum / total : INFINITY;
}

/// The out-of-fold paths of every configuration from fits already made: fitOf(c, 0) is configuration c on every
/// row of `data`, fitOf(c, 1 + k) on the rows outside part k (testRows[k], indices into data; an empty part has
/// no fit and is skipped).
std::vector<Expected<CvPath>> assemblePaths(const std::vector<StructureConfig> &configs, const Dataset &data,
                                            const std::vector<std::vector<int>> &testRows,
                                            const std::function<FittedPath &(size_t, size_t)> &fitOf, int threads) {
  const int n = static_cast<int>(data.size());
  // The GPU pool fits by generalised least squares with each row's measured repeatability; its selection then
  // compares the same weighted error (every configuration of the call alike, so that scores stay comparable).
  // Pools fitted with equal weights keep the plain MAPE (host-amd: a weighted choice gave a 15-term matmul model).
  const bool weighted = weighsSelection(configs, data);
  const std::vector<double> weights = weighted ? data.repeatability() : std::vector<double>();
  // Each configuration's slot is its own: the result does not depend on the thread count.
  std::vector<Expected<CvPath>> results(configs.size(), makeError("not assembled"));
  parallelFor(configs.size(), threads, [&](size_t c) {
    FittedPath &full = fitOf(c, 0);
    if (!full) {
      results[c] = makeError(full.error());
      return;
    }
    const size_t length = full->size();
    std::vector<std::vector<double>> predictions(length, std::vector<double>(n, NAN));
    std::string failure;
    for (size_t k = 0; k < testRows.size() && failure.empty(); ++k) {
      if (testRows[k].empty())
        continue;
      FittedPath &path = fitOf(c, 1 + k);
      if (!path) {
        failure = "fold " + std::to_string(k + 1) + ": " + path.error();
        break;
      }
      // A fold's path can stop earlier (collinear candidates): its longest model stands in.
      auto modelAt = [&](size_t p) -> const Model & { return (*path)[std::min(p, path->size() - 1)]; };
      if (std::any_of(path->begin(), path->end(), [](const Model &m) { return m.structure == Structure::Paper; })) {
        for (size_t p = 0; p < length; ++p)
          for (int i : testRows[k])
            predictions[p][i] = modelAt(p).evaluate(data.x[i]);
        continue;
      }
      // The models of a path share most of their terms: each distinct term evaluated once per row.
      std::vector<const Term *> distinct;
      std::vector<std::vector<size_t>> slotOf(length);
      for (size_t p = 0; p < length; ++p)
        for (const Term &term : modelAt(p).terms) {
          auto same = std::find_if(distinct.begin(), distinct.end(), [&](const Term *t) { return *t == term; });
          slotOf[p].push_back(static_cast<size_t>(same - distinct.begin()));
          if (same == distinct.end())
            distinct.push_back(&term);
        }
      std::vector<double> values(distinct.size()), gathered;
      for (int i : testRows[k]) {
        for (size_t u = 0; u < distinct.size(); ++u)
          values[u] = evaluateTerm(*distinct[u], data.x[i]);
        for (size_t p = 0; p < length; ++p) {
          gathered.resize(slotOf[p].size());
          for (size_t j = 0; j < slotOf[p].size(); ++j)
            gathered[j] = values[slotOf[p][j]];
          predictions[p][i] = modelAt(p).evaluateFromTerms(gathered.data());
        }
      }
    }
    if (!failure.empty()) {
      results[c] = makeError(failure);
      return;
    }
    CvPath cv;
    for (size_t p = 0; p < length; ++p) {
      CvOutcome outcome;
      outcome.config = configs[c];
      outcome.pathIndex = static_cast<int>(p);
      outcome.parameters = (*full)[p].parameterCount();
      outcome.metrics = computeMetrics(predictions[p], data.y, false);
      if (!std::isfinite(outcome.metrics.mape))
        outcome.metrics.mape = INFINITY; // a diverged fit must never win the selection
      outcome.selectionMape = weighted ? weightedMape(predictions[p], data.y, weights) : outcome.metrics.mape;
      outcome.predictions = std::move(predictions[p]);
      cv.outcomes.push_back(std::move(outcome));
    }
    cv.full = *full; // a copy: an outer fold's refit is also a part's fit of the selection
    results[c] = std::move(cv);
  });
  return results;
}

/// The parts of a fold assignment: the rows of each fold, in order.
std::vector<std::vector<int>> partsOf(const std::vector<int> &fold, size_t folds) {
  std::vector<std::vector<int>> parts(folds);
  for (size_t i = 0; i < fold.size(); ++i)
    parts[static_cast<size_t>(fold[i])].push_back(static_cast<int>(i));
  return parts;
}

/// The rows of `data` outside the parts `a` and `b` (b may be -1: outside part a only).
std::vector<int> rowsOutside(const std::vector<int> &fold, int a, int b) {
  std::vector<int> rows;
  for (size_t i = 0; i < fold.size(); ++i)
    if (fold[i] != a && fold[i] != b)
      rows.push_back(static_cast<int>(i));
  return rows;
}

/// Checks that `data` can be cross-validated with options.folds folds; the fold of each row, or the reason.
Expected<std::vector<int>> foldsFor(const Dataset &data, const CvOptions &options) {
  const int n = static_cast<int>(data.size());
  std::vector<int> group;
  const int groups = featureGroups(data, group);
  // Repeats of a layer share a fold, so folds need as many distinct layers.
  if (groups < n && options.folds > groups)
    return makeError("cannot run " + std::to_string(options.folds) + "-fold cross-validation: the " +
                     std::to_string(n) + " rows hold only " + std::to_string(groups) +
                     " distinct layers (repeats of a layer stay in one fold)");
  if (options.folds < 2 || options.folds > n)
    return makeError("cannot run " + std::to_string(options.folds) + "-fold cross-validation on " +
                     std::to_string(n) + " rows");
  return groupedFoldAssignment(data, options.folds, options.seed);
}

/// Every configuration fitted on the rows outside each entry of `leftOut` (a pair of parts of `fold`; -1: none):
/// fit s of configuration c in slot c * leftOut.size() + s. The fits are independent tasks in one pool, so the
/// cores stay busy across configurations of very different cost; each task writes its own slot, so nothing
/// depends on the thread count. A fit leaving out an empty part is not made ("not run").
std::vector<FittedPath> fitLeavingOut(const std::vector<StructureConfig> &configs, const Dataset &data,
                                      const std::vector<int> &fold, const std::vector<std::vector<int>> &parts,
                                      const std::vector<std::pair<int, int>> &leftOut, const CvOptions &options) {
  const size_t perConfig = leftOut.size();
  std::vector<FittedPath> fits(configs.size() * perConfig, makeError("not run"));
  // Slot by slot, each over every configuration: consecutive tasks fit different term pools, so a thread that
  // computes a pool's per-fold Gram matrices does not leave the others waiting for it. A slot's rows are copied
  // once, by its first task, and released by its last.
  struct SlotRows {
    std::once_flag once;
    std::shared_ptr<const Dataset> rows;
    std::atomic<size_t> pending{0};
  };
  std::vector<SlotRows> slotRows(perConfig);
  for (SlotRows &s : slotRows)
    s.pending = configs.size();
  parallelFor(fits.size(), options.threads, [&](size_t order) {
    const size_t c = order % configs.size(), slot = order / configs.size();
    auto [a, b] = leftOut[slot];
    if (a < 0) {
      fits[c * perConfig + slot] = fitPath(configs[c], data, options.maxParams, options.saturation);
      return;
    }
    SlotRows &s = slotRows[slot];
    if (!parts[static_cast<size_t>(a)].empty() && (b < 0 || !parts[static_cast<size_t>(b)].empty())) {
      std::call_once(s.once, [&] { s.rows = std::make_shared<const Dataset>(data.subset(rowsOutside(fold, a, b))); });
      fits[c * perConfig + slot] = fitPath(configs[c], *s.rows, options.maxParams, options.saturation);
    }
    if (--s.pending == 0) // every task of the slot has finished with its rows
      s.rows.reset();
  });
  return fits;
}

/// The fits of a k-fold CV: all rows, then each part left out (slot 1 + k).
std::vector<std::pair<int, int>> foldSlots(size_t folds) {
  std::vector<std::pair<int, int>> leftOut = {{-1, -1}};
  for (size_t a = 0; a < folds; ++a)
    leftOut.push_back({static_cast<int>(a), -1});
  return leftOut;
}

/// k-fold CV of every configuration (fitLeavingOut: all rows and each fold's training rows).
std::vector<Expected<CvPath>> crossValidatePaths(const std::vector<StructureConfig> &configs,
                                                 const Dataset &input, const CvOptions &options) {
  // Every fit below reads the candidate terms' values from one cache: the caller's, else one made here on a copy.
  Dataset cached;
  if (!input.termCache) {
    cached = input;
    cached.attachTermCache();
  }
  const Dataset &data = input.termCache ? input : cached;
  auto fold = foldsFor(data, options);
  if (!fold)
    return std::vector<Expected<CvPath>>(configs.size(), makeError(fold.error()));
  if (!input.termCache)
    cached.setTermCacheParts(*fold); // a cache of its own: its fits select on sums of per-fold Gram matrices
  std::vector<std::vector<int>> parts = partsOf(*fold, static_cast<size_t>(options.folds));
  const size_t perConfig = static_cast<size_t>(options.folds) + 1;
  std::vector<FittedPath> fits = fitLeavingOut(configs, data, *fold, parts, foldSlots(parts.size()), options);
  return assemblePaths(
      configs, data, parts, [&](size_t c, size_t slot) -> FittedPath & { return fits[c * perConfig + slot]; },
      options.threads);
}

} // namespace

Expected<std::vector<CvOutcome>> crossValidatePath(const StructureConfig &config, const Dataset &data,
                                                   const CvOptions &options) noexcept {
  try {
    auto paths = crossValidatePaths({config}, data, options);
    if (!paths.front())
      return makeError(paths.front().error());
    return std::move(paths.front()->outcomes);
  } catch (const std::exception &e) {
    return makeError(std::string("cross-validation failed: ") + e.what());
  } catch (...) {
    return makeError("cross-validation failed");
  }
}

std::vector<StructureConfig> configsFor(Structure structure) {
  std::vector<StructureConfig> configs;
  if (structure == Structure::Paper)
    return {StructureConfig{Structure::Paper, 0}};
  // Linear in the parameters: each configuration with both losses (relative least squares, MAPE-fit).
  for (FitLoss loss : {FitLoss::Squares, FitLoss::Mape}) {
    if (structure == Structure::Frols) {
      for (int degree : {2, 3})
        configs.push_back(StructureConfig{Structure::Frols, degree, StructureConfig::kSelectGeneric, loss});
      continue;
    }
    for (int pool : {StructureConfig::kSelectGeneric, StructureConfig::kSelectTiles})
      configs.push_back(StructureConfig{Structure::Physics, 0, pool, loss});
    for (size_t b = 0; b < physicsBases().size(); ++b)
      configs.push_back(StructureConfig{Structure::Physics, 0, static_cast<int>(b), loss});
  }
  return configs;
}

std::vector<StructureConfig> poolConfigs(std::string_view pool) {
  int basis = pool == "cpu"    ? StructureConfig::kSelectCpu
              : pool == "fpga" ? StructureConfig::kSelectFpga
              : pool == "gpu"  ? StructureConfig::kSelectGpu
                               : 0;
  if (basis == 0)
    return {};
  std::vector<StructureConfig> configs;
  for (FitLoss loss : {FitLoss::Squares, FitLoss::Mape})
    configs.push_back(StructureConfig{Structure::Physics, 0, basis, loss});
  return configs;
}

std::vector<StructureConfig> autoConfigs() {
  std::vector<StructureConfig> configs;
  for (Structure s : {Structure::Paper, Structure::Frols, Structure::Physics})
    for (const StructureConfig &c : configsFor(s))
      configs.push_back(c);
  return configs;
}

CvFigures cvFiguresOf(const Identification &id, const CvOptions &options, int rows) {
  const Metrics &m = id.chosen.metrics;
  CvFigures cv{m.mape, m.medianApe, m.p90Ape, m.within10pct, m.bias, m.rmspe, options.folds, rows, options.seed};
  if (id.nested.n > 0) {
    cv.hasNested = true;
    cv.nestedMape = id.nested.mape, cv.nestedMedianApe = id.nested.medianApe;
    cv.nestedP90Ape = id.nested.p90Ape, cv.nestedWithin10pct = id.nested.within10pct;
  }
  return cv;
}

namespace {

/// The selection of identify() on one dataset: the best-scoring complexity of every configuration that
/// cross-validates, and the lowest of those.
Expected<Identification> select(const Dataset &data, const std::vector<StructureConfig> &configs,
                                std::vector<Expected<CvPath>> paths, const CvOptions &options) {
  Identification result;
  bool found = false;
  // Every complexity of every configuration, with its configuration's index (the one-standard-error rule).
  std::vector<std::pair<const CvOutcome *, size_t>> all;
  size_t chosenConfig = 0;
  for (size_t c = 0; c < configs.size(); ++c) {
    const StructureConfig &config = configs[c];
    if (!paths[c]) {
      result.skipped.push_back({config, paths[c].error()});
      continue;
    }
    const std::vector<CvOutcome> *outcomes = &paths[c]->outcomes;
    if (options.oneStandardError)
      for (const CvOutcome &o : *outcomes)
        if (o.parameters <= options.maxParams && std::isfinite(o.selectionMape))
          all.push_back({&o, c});
    const CvOutcome *best = nullptr;
    for (const CvOutcome &o : *outcomes)
      if (o.parameters <= options.maxParams && (!best || o.score(options) < best->score(options)))
        best = &o;
    if (!best) {
      result.skipped.push_back({config, "no model within " + std::to_string(options.maxParams) + " parameters"});
      continue;
    }
    result.candidates.push_back(*best);
    if (!found || best->score(options) < result.chosen.score(options)) {
      result.chosen = *best;
      chosenConfig = c;
      found = true;
    }
  }
  if (found && options.oneStandardError) {
    // The standard error of the best candidate's selection figure, from its out-of-fold absolute errors (weighted
    // as that figure is, with the effective number of rows (sum w)^2 / sum w^2; plain: n).
    const CvOutcome &best = result.chosen;
    std::vector<double> w = weighsSelection(configs, data) ? data.repeatability() : std::vector<double>(data.size(), 1.0);
    double mean = 0, var = 0, total = 0, squares = 0;
    size_t n = 0;
    for (size_t i = 0; i < best.predictions.size(); ++i)
      if (std::isfinite(best.predictions[i])) {
        double a = std::fabs(best.predictions[i] - data.y[i]) / data.y[i] * 100.0;
        mean += w[i] * a, var += w[i] * a * a, total += w[i], squares += w[i] * w[i], ++n;
      }
    double effective = n > 0 ? total * total / squares : 0;
    if (n > 1 && effective > 1) {
      mean /= total;
      double se = std::sqrt(std::max(0.0, var / total - mean * mean) / (effective - 1));
      const CvOutcome *pick = &best;
      for (auto [o, c] : all)
        if (o->selectionMape <= best.selectionMape + se &&
            (o->parameters < pick->parameters ||
             (o->parameters == pick->parameters && o->score(options) < pick->score(options))))
          pick = o, chosenConfig = c;
      result.chosen = *pick;
    }
  }
  if (!found) {
    std::string errors;
    for (const SkippedConfig &s : result.skipped)
      errors += (errors.empty() ? "" : "; ") + s.config.label() + ": " + s.why;
    return makeError(errors.empty() ? "no structure fits within the parameter budget" : errors);
  }
  // The residual tests, for the chosen candidate only.
  result.chosen.metrics = computeMetrics(result.chosen.predictions, data.y);
  if (!std::isfinite(result.chosen.metrics.mape))
    result.chosen.metrics.mape = INFINITY;
  // The chosen model is the chosen complexity of its configuration's path on every row, already fitted by the CV.
  const std::vector<Model> &path = paths[chosenConfig]->full;
  result.model = path[std::min<size_t>(static_cast<size_t>(result.chosen.pathIndex), path.size() - 1)];
  return result;
}

} // namespace

Expected<Identification> identify(const Dataset &input, const std::vector<StructureConfig> &configs,
                                  const CvOptions &options) noexcept {
  try {
    // One term cache for the selection and every nested selection (their rows are subsets of these).
    Dataset data = input;
    data.attachTermCache();
    // One error, not one per structure.
    auto fold = foldsFor(data, options);
    if (!fold)
      return makeError(fold.error());
    // Every fit below is on a union of folds: it selects its terms on sums of per-fold Gram matrices.
    data.setTermCacheParts(*fold);
    // One partition for the selection and the nested CV: outer fold k trains on the rows outside part k and selects
    // by a (folds - 1)-fold CV over the other parts, so its inner fits leave out parts k and j, the same rows as
    // outer fold j's inner fit leaving out j and k. Every fit is made once: per configuration, all rows, each
    // part left out (the selection's folds, and each outer fold's refit of its choice) and, nested, each pair of
    // parts left out; 56 fits for 10 folds instead of 121 with a fresh inner partition per outer fold.
    const size_t folds = static_cast<size_t>(options.folds);
    std::vector<std::vector<int>> parts = partsOf(*fold, folds);
    std::vector<std::pair<int, int>> leftOut = foldSlots(folds);
    std::vector<std::vector<size_t>> pairSlot(folds, std::vector<size_t>(folds, 0));
    if (options.nested && folds >= 3) // 2 folds: no pair leaves rows (each outer fold partitions afresh, below)
      for (size_t a = 0; a < folds; ++a)
        for (size_t b = a + 1; b < folds; ++b) {
          pairSlot[a][b] = pairSlot[b][a] = leftOut.size();
          leftOut.push_back({static_cast<int>(a), static_cast<int>(b)});
        }
    const size_t perConfig = leftOut.size();
    std::vector<FittedPath> fits = fitLeavingOut(configs, data, *fold, parts, leftOut, options);
    auto selected =
        select(data, configs,
               assemblePaths(
                   configs, data, parts,
                   [&](size_t c, size_t slot) -> FittedPath & { return fits[c * perConfig + slot]; }, options.threads),
               options);
    if (!selected)
      return makeError(selected.error());
    Identification result = std::move(*selected);
    recordDomain(result.model, data);
    if (options.nested) {
      // The outer folds' selections are independent: one task each, each writing its own slot.
      std::vector<Expected<Identification>> choices(folds, makeError("no rows"));
      parallelFor(folds, options.threads, [&](size_t k) {
        if (parts[k].empty())
          return; // every row of this fold was a repeat that joined another fold
        std::vector<int> trainRows = rowsOutside(*fold, static_cast<int>(k), -1);
        Dataset train = data.subset(trainRows);
        // The other parts, as rows of `train`.
        std::vector<int> position(data.size(), -1);
        for (size_t r = 0; r < trainRows.size(); ++r)
          position[static_cast<size_t>(trainRows[r])] = static_cast<int>(r);
        std::vector<std::vector<int>> inner;
        std::vector<size_t> innerPart;
        for (size_t j = 0; j < folds; ++j)
          if (j != k) {
            inner.emplace_back();
            for (int i : parts[j])
              inner.back().push_back(position[static_cast<size_t>(i)]);
            innerPart.push_back(j);
          }
        // Fewer than two other parts (2 folds, or repeats gathered in few): no inner CV over them; the selection
        // partitions the outer training rows afresh, as on a table of its own.
        size_t innerParts = 0;
        for (const std::vector<int> &part : inner)
          innerParts += !part.empty();
        choices[k] =
            innerParts < 2
                ? select(train, configs, crossValidatePaths(configs, train, options), options)
                : select(train, configs,
                         assemblePaths(
                             configs, train, inner,
                             [&](size_t c, size_t slot) -> FittedPath & {
                               return fits[c * perConfig + (slot == 0 ? 1 + k : pairSlot[k][innerPart[slot - 1]])];
                             },
                             options.threads),
                         options);
      });
      std::vector<double> predictions(data.size(), NAN);
      for (size_t k = 0; k < folds; ++k) {
        if (parts[k].empty())
          continue;
        if (!choices[k])
          return makeError("nested CV, outer fold " + std::to_string(k + 1) + ": " + choices[k].error());
        for (int i : parts[k])
          predictions[static_cast<size_t>(i)] = choices[k]->model.evaluate(data.x[static_cast<size_t>(i)]);
      }
      result.nested = computeMetrics(predictions, data.y);
      if (!std::isfinite(result.nested.mape))
        result.nested.mape = INFINITY;
    }
    return result;
  } catch (const std::exception &e) {
    return makeError(std::string("identification failed: ") + e.what());
  } catch (...) {
    return makeError("identification failed");
  }
}

} // namespace flydel
