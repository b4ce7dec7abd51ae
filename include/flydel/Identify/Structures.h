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
  std::string label() const;
};

/// The base features the paper uses (input size, channels, kernel, filters) that vary in the data.
std::vector<Feature> variedBaseFeatures(const Dataset &data);

/// Fits a structure on `train` and returns its models of growing complexity: for Frols and Physics, the first
/// 1, 2, ... selected terms (at most maxParams); for Paper, a single model (weak-regressor choices are trimmed
/// to fit maxParams). Never throws.
Expected<std::vector<Model>> fitPath(const StructureConfig &config, const Dataset &train, int maxParams) noexcept;

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
