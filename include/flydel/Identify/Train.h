//===- Train.h - Training a whole platform library from a spec --*- C++ -*-===//
//
// A spec file (JSON, docs/formats.md) names the platform, its devices with their measurement tables and KPI
// columns (with units), and the link tables; trainLibrary identifies every (device, op, KPI) model and fits the
// links, producing a Library ready to save.
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_IDENTIFY_TRAIN_H
#define FLYDEL_IDENTIFY_TRAIN_H

#include "flydel/Identify/Validation.h"
#include "flydel/Model/Library.h"

#include <functional>
#include <optional>
#include <string>

namespace flydel {

struct TrainOptions {
  std::string dataDir;                      // overrides the spec's data_dir when not empty
  std::optional<Structure> structure;       // overrides the spec's structure (default: auto)
  std::optional<int> folds, maxParams;      // override the spec's cv settings
  std::optional<uint64_t> seed;
  bool nested = false;                      // also nested CV figures (else the spec's "cv": {"nested": ...})
  int threads = 0;                          // workers for folds and structures (0: every core); same result
  std::function<void(const std::string &)> log; // progress lines (may be empty)
  std::function<void(const std::string &)> warn; // problems in the data that training worked around (may be empty)
};

Expected<Library> trainLibrary(const std::string &specPath, const TrainOptions &options) noexcept;

/// Fits value = intercept + slope * size by relative-error-weighted least squares. Returns false when fewer than
/// two points or a non-positive value.
bool fitAffine(const std::vector<double> &size, const std::vector<double> &value, AffineCost &cost);

} // namespace flydel

#endif // FLYDEL_IDENTIFY_TRAIN_H
