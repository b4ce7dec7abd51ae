//===- Structures.h - Fitting the three model structures --------*- C++ -*-===//
#ifndef FLYDEL_IDENTIFY_STRUCTURES_H
#define FLYDEL_IDENTIFY_STRUCTURES_H

#include "flydel/Identify/Table.h"
#include "flydel/Model/Expected.h"
#include "flydel/Model/Model.h"

#include <string>
#include <vector>

namespace flydel {

/// One candidate structure with its order setting.
struct StructureConfig {
  Structure structure = Structure::Physics;
  int degree = 2; // Frols: maximum total degree of the candidate monomials
  int basis = -1;  // Physics: index into physicsBases(), or -1 for forward selection over physicsCandidates()
  std::string label() const;
};

/// A named, fixed physical basis: a hypothesis about how one kind of hardware spends time, energy or resources.
struct PhysicsBasis {
  const char *name;
  const char *why;
  std::vector<const char *> terms; // term syntax of formatTerm()
};
const std::vector<PhysicsBasis> &physicsBases();

/// The base features the paper uses (input size, channels, kernel, filters) that vary in the data.
std::vector<Feature> variedBaseFeatures(const Dataset &data);

/// Fits a structure on `train` and returns its models of growing complexity: for Frols and Physics, the first
/// 1, 2, ... selected terms (at most maxParams); for Paper, a single model (weak-regressor choices are trimmed
/// to fit maxParams). Never throws.
/// saturation > 0: the KPI is capped by a device capacity; rows at or above it are left out of the fit (their value
/// is the cap, not the design's demand) and every model saturates there.
Expected<std::vector<Model>> fitPath(const StructureConfig &config, const Dataset &train, int maxParams,
                                     double saturation = 0.0) noexcept;

/// Candidate terms of the physics basis (see docs/methodology.md).
std::vector<Term> physicsCandidates(const Dataset &data);

/// Candidate monomials of the sparse polynomial structure (raw and log base features, total degree <= degree).
std::vector<Term> frolsCandidates(const Dataset &data, int degree);

/// Weak-regressor fit on one sweep (x already scaled), as the paper does: returns params; nrmse receives the
/// normalised RMS error on the sweep.
std::vector<double> fitWeakRegressor(WeakKind kind, const std::vector<double> &x, const std::vector<double> &y,
                                     double *nrmse);

/// Records the training range of the layer's base features and of every feature the model reads.
void recordDomain(Model &model, const Dataset &train);

} // namespace flydel

#endif // FLYDEL_IDENTIFY_STRUCTURES_H
