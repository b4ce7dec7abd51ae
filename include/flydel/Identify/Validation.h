//===- Validation.h - Cross-validation and structure selection --*- C++ -*-===//
#ifndef FLYDEL_IDENTIFY_VALIDATION_H
#define FLYDEL_IDENTIFY_VALIDATION_H

#include "flydel/Identify/Metrics.h"
#include "flydel/Model/Library.h"
#include "flydel/Identify/Structures.h"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

namespace flydel {

struct CvOptions {
  int folds = 10;
  uint64_t seed = 1;
  int maxParams = 16;
  /// Selection score = CV MAPE * (1 + parsimony * parameters): 1 % of relative MAPE per parameter (the MAPE being
  /// CvOutcome::selectionMape: repeatability-weighted where the GPU pool competes on a table with a retest).
  double parsimony = 0.01;
  /// > 0: the KPI saturates at this device capacity (see fitPath).
  double saturation = 0.0;
  /// Also the nested CV of the whole selection (identify): the error a model chosen this way makes on rows neither
  /// its fit nor its selection saw. Costs (1 + k + k (k - 1) / 2) / (1 + k) times the selection's fits for k
  /// folds (about 5 for 10), each fit shared by the outer folds that need it.
  bool nested = false;
  /// The one-standard-error rule: among every configuration and complexity, the fewest parameters whose CV MAPE is
  /// within one standard error (of the mean APE) of the lowest score's, instead of the lowest score itself (both
  /// weighted as selectionMape is).
  bool oneStandardError = false;
  /// Workers for the folds and structures (0: every core). Results do not depend on it.
  int threads = 0;
};

/// Cross-validated figures of one model complexity of one structure.
struct CvOutcome {
  StructureConfig config;
  int pathIndex = 0;  // position on the structure's path (terms - 1 for Frols/Physics)
  int parameters = 0; // parameters of the model fitted on all rows
  Metrics metrics;
  /// What the selection compares: the MAPE itself, or, where the table has a retest and the GPU pool (fitted with
  /// each row weighted by its repeatability) competes, the MAPE with each row's error weighted the same way
  /// (Dataset::repeatability()). A row whose two runs differ by 40 % cannot tell two structures apart; counted
  /// like a repeatable one, such rows pick the smallest model that sits between the noisy rows.
  double selectionMape = INFINITY;
  std::vector<double> predictions; // out-of-fold prediction of every row
  /// CV MAPEs below kExactMapePct are rounding noise of an exact fit (a deterministic KPI such as FPGA cycles):
  /// they count as equal, so the fewest parameters win instead of the fit whose rounding happened to be smaller.
  static constexpr double kExactMapePct = 1e-3;
  double score(const CvOptions &options) const {
    return std::max(selectionMape, kExactMapePct) * (1 + options.parsimony * parameters);
  }
};

/// The fold of each row of `data`: rows with identical features (repeated measurements of one layer) share a fold,
/// so a repeat in the training part never predicts its twin in the test part. Each row keeps its fold of
/// foldAssignment(n, folds, seed) except a repeat, which joins the fold of its layer's first row: without repeats
/// this is foldAssignment(n, folds, seed), and a few repeats move only themselves (a fold may end up empty).
std::vector<int> groupedFoldAssignment(const Dataset &data, int folds, uint64_t seed);

/// k-fold CV of every complexity on a structure's path (one outcome per path position, the full-data path's
/// parameter counts). Folds come from groupedFoldAssignment(data, folds, seed); fails when there are fewer distinct
/// layers than folds.
Expected<std::vector<CvOutcome>> crossValidatePath(const StructureConfig &config, const Dataset &data,
                                                   const CvOptions &options) noexcept;

/// A configuration identify could not use, and why (no one-factor sweep, too few rows, a diverged fit, ...).
struct SkippedConfig {
  StructureConfig config;
  std::string why;
};

struct Identification {
  Model model;                       // refitted on all rows, with its training domain
  CvOutcome chosen;                  // its CV figures (selected on these same folds: optimistic when many compete)
  std::vector<CvOutcome> candidates; // the best complexity of each structure tried, in the order tried
  std::vector<SkippedConfig> skipped; // every configuration that could not be cross-validated, in the order tried
  /// With CvOptions::nested: out-of-fold figures of the whole procedure (selection repeated inside every outer
  /// fold on its training rows only); n == 0 otherwise.
  Metrics nested;
};

/// The figures a library records for an identification of `rows` rows: the chosen model's CV, and the nested CV
/// where it was run.
CvFigures cvFiguresOf(const Identification &id, const CvOptions &options, int rows);

/// The structures "auto" tries: paper, frols of degree 2 and 3, physics.
std::vector<StructureConfig> autoConfigs();
/// The configurations of one structure (Frols: degrees 2 and 3; Physics: forward selection over the generic and
/// the tile pool, and each fixed basis), each linear one fitted with both losses (FitLoss::Squares, then Mape).
std::vector<StructureConfig> configsFor(Structure structure);
/// The configurations of an extra candidate pool a spec may add to its structures ("extra_pools": ["cpu"]): forward
/// selection over that pool with both losses. Empty for an unknown pool name.
std::vector<StructureConfig> poolConfigs(std::string_view pool);

/// Cross-validates each configuration, picks the lowest score (CV MAPE penalised by parameters, at most
/// options.maxParams) and refits it on all rows. With options.nested, also the nested CV figures: the outer folds
/// are the selection's (groupedFoldAssignment(data, folds, seed)), and each outer fold repeats the whole selection
/// on its training rows by a (folds - 1)-fold CV over the other folds (a fit leaving out folds j and k serves both
/// outer folds, so each is made once).
Expected<Identification> identify(const Dataset &data, const std::vector<StructureConfig> &configs,
                                  const CvOptions &options) noexcept;

} // namespace flydel

#endif // FLYDEL_IDENTIFY_VALIDATION_H
