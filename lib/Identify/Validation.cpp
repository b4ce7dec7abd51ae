//===- Validation.cpp - Cross-validation and structure selection ----------===//
#include "flydel/Identify/Validation.h"
#include "flydel/Identify/Parallel.h"

#include <algorithm>
#include <cmath>
#include <map>

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

/// k-fold CV of every configuration. The fits (each configuration on all rows and on each fold's training rows)
/// are independent tasks in one pool, so the cores stay busy across configurations of very different cost; each
/// task writes its own slot and the slots are combined in order, so nothing depends on the thread count.
std::vector<Expected<CvPath>> crossValidatePaths(const std::vector<StructureConfig> &configs,
                                                 const Dataset &input, const CvOptions &options) {
  // Every fit below reads the candidate terms' values from one cache: the caller's (a nested selection's rows are
  // a subset of the outer data), else one made here on a copy.
  Dataset cached;
  if (!input.termCache) {
    cached = input;
    cached.attachTermCache();
  }
  const Dataset &data = input.termCache ? input : cached;
  const int n = static_cast<int>(data.size());
  std::vector<int> group;
  const int groups = featureGroups(data, group);
  if (options.folds < 2 || options.folds > groups)
    return std::vector<Expected<CvPath>>(
        configs.size(), makeError("cannot run " + std::to_string(options.folds) + "-fold cross-validation on " +
                                  std::to_string(n) + " rows" +
                                  (groups < n ? " (" + std::to_string(groups) + " distinct layers)" : std::string())));
  std::vector<int> fold = groupedFoldAssignment(data, options.folds, options.seed);
  const size_t folds = static_cast<size_t>(options.folds), perConfig = folds + 1;
  std::vector<std::vector<int>> testRows(folds);
  for (int i = 0; i < n; ++i)
    testRows[static_cast<size_t>(fold[i])].push_back(i);
  // The training rows of every fold, made once and shared by every configuration.
  std::vector<Dataset> trainSets(folds);
  for (size_t k = 0; k < folds; ++k) {
    if (testRows[k].empty())
      continue; // every row of this fold was a repeat that joined another fold
    std::vector<int> trainRows;
    for (int i = 0; i < n; ++i)
      if (fold[i] != static_cast<int>(k))
        trainRows.push_back(i);
    trainSets[k] = data.subset(trainRows);
  }
  // Task c * (folds + 1): configuration c on every row; task c * (folds + 1) + 1 + k: on fold k's training rows.
  std::vector<Expected<std::vector<Model>>> fits(configs.size() * perConfig, makeError("not run"));
  parallelFor(fits.size(), options.threads, [&](size_t task) {
    const StructureConfig &config = configs[task / perConfig];
    const size_t k = task % perConfig;
    if (k == 0)
      fits[task] = fitPath(config, data, options.maxParams, options.saturation);
    else if (!testRows[k - 1].empty())
      fits[task] = fitPath(config, trainSets[k - 1], options.maxParams, options.saturation);
  });
  std::vector<Expected<CvPath>> results;
  for (size_t c = 0; c < configs.size(); ++c) {
    auto &full = fits[c * perConfig];
    if (!full) {
      results.push_back(makeError(full.error()));
      continue;
    }
    const size_t length = full->size();
    std::vector<std::vector<double>> predictions(length, std::vector<double>(n, NAN));
    std::string failure;
    for (size_t k = 0; k < folds && failure.empty(); ++k) {
      if (testRows[k].empty())
        continue;
      auto &path = fits[c * perConfig + 1 + k];
      if (!path) {
        failure = "fold " + std::to_string(k + 1) + ": " + path.error();
        break;
      }
      for (size_t p = 0; p < length; ++p) {
        // A fold's path can stop earlier (collinear candidates): its longest model stands in.
        const Model &model = (*path)[std::min(p, path->size() - 1)];
        for (int i : testRows[k])
          predictions[p][i] = model.evaluate(data.x[i]);
      }
    }
    if (!failure.empty()) {
      results.push_back(makeError(failure));
      continue;
    }
    CvPath cv;
    for (size_t p = 0; p < length; ++p) {
      CvOutcome outcome;
      outcome.config = configs[c];
      outcome.pathIndex = static_cast<int>(p);
      outcome.parameters = (*full)[p].parameterCount();
      outcome.metrics = computeMetrics(predictions[p], data.y);
      if (!std::isfinite(outcome.metrics.mape))
        outcome.metrics.mape = INFINITY; // a diverged fit must never win the selection
      outcome.predictions = std::move(predictions[p]);
      cv.outcomes.push_back(std::move(outcome));
    }
    cv.full = std::move(*full);
    results.push_back(std::move(cv));
  }
  return results;
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
                                const CvOptions &options) {
  Identification result;
  bool found = false;
  // Every complexity of every configuration, with its configuration's index (the one-standard-error rule).
  std::vector<std::pair<const CvOutcome *, size_t>> all;
  std::vector<Expected<CvPath>> paths = crossValidatePaths(configs, data, options);
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
        if (o.parameters <= options.maxParams && std::isfinite(o.metrics.mape))
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
    // The standard error of the best candidate's MAPE, from its out-of-fold absolute errors.
    const CvOutcome &best = result.chosen;
    double mean = 0, var = 0;
    size_t n = 0;
    for (size_t i = 0; i < best.predictions.size(); ++i)
      if (std::isfinite(best.predictions[i])) {
        double a = std::fabs(best.predictions[i] - data.y[i]) / data.y[i] * 100.0;
        mean += a, var += a * a, ++n;
      }
    if (n > 1) {
      mean /= double(n);
      double se = std::sqrt(std::max(0.0, var / double(n) - mean * mean) / double(n - 1));
      const CvOutcome *pick = &best;
      for (auto [o, c] : all)
        if (o->metrics.mape <= best.metrics.mape + se &&
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
    // Repeats of a layer share a fold, so folds need as many distinct layers (one error, not one per structure).
    std::vector<int> group;
    if (int groups = featureGroups(data, group); groups < static_cast<int>(data.size()) && options.folds > groups)
      return makeError("cannot run " + std::to_string(options.folds) + "-fold cross-validation: the " +
                       std::to_string(data.size()) + " rows hold only " + std::to_string(groups) +
                       " distinct layers (repeats of a layer stay in one fold)");
    auto selected = select(data, configs, options);
    if (!selected)
      return makeError(selected.error());
    Identification result = std::move(*selected);
    recordDomain(result.model, data);
    if (options.nested) {
      const int n = static_cast<int>(data.size());
      // Other folds than the inner ones (seed + 1), so no outer test row is chosen the same way twice.
      std::vector<int> fold = groupedFoldAssignment(data, options.folds, options.seed + 1);
      std::vector<double> predictions(static_cast<size_t>(n), NAN);
      for (int k = 0; k < options.folds; ++k) {
        std::vector<int> trainRows, testRows;
        for (int i = 0; i < n; ++i)
          (fold[i] == k ? testRows : trainRows).push_back(i);
        if (testRows.empty())
          continue; // every row of this fold was a repeat that joined another fold
        Dataset train = data.subset(trainRows);
        auto inner = select(train, configs, options);
        if (!inner)
          return makeError("nested CV, outer fold " + std::to_string(k + 1) + ": " + inner.error());
        const Model &m = inner->model;
        for (int i : testRows)
          predictions[static_cast<size_t>(i)] = m.evaluate(data.x[i]);
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
