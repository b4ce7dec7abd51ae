//===- Sanity.h - Physical sanity of a library's models ---------*- C++ -*-===//
//
// A model identified from an excitation is used on layers far from it. Whatever its structure, a KPI model must
// predict a finite, positive value for every valid layer, and outside its training domain it must not grow faster
// than the layer's physical work (MACs and bytes moved): a polynomial in log features can reach 10^200 W where a
// count of work grows by 10^3. checkSanity() evaluates a model on a fixed-seed random grid of valid layers of its op
// kind and variant, from tiny to far beyond any training domain, as --annotate-kpis would (the device's view of the
// layer), and reports what breaks.
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_MODEL_SANITY_H
#define FLYDEL_MODEL_SANITY_H

#include "flydel/Model/Library.h"

#include <cstdint>
#include <string>

namespace flydel {

struct SanityOptions {
  int samples = 2000;
  uint64_t seed = 1;
  /// Out of the domain, a prediction above this many times the bound (the largest prediction inside the domain,
  /// plus the layer's work (MACs + bytes + 1) at the largest cost per unit of work of the larger half of the layers
  /// inside) grows faster than the physics.
  double growthLimit = 10.0;
};

struct SanityReport {
  int samples = 0, inDomain = 0;
  int nonFinite = 0, nonPositive = 0, tooSteep = 0;
  /// Largest prediction outside the domain over its bound (0 without layers inside the domain).
  double worstGrowth = 0.0;
  /// The first offending layer and what it got, for the message ("" when sane).
  std::string example;
  bool sane() const { return nonFinite == 0 && nonPositive == 0 && tooSteep == 0; }
};

/// Evaluates `model` of `device` on the random layer grid. Never throws.
SanityReport checkSanity(const KpiModel &model, const Device &device, const SanityOptions &options = {}) noexcept;

} // namespace flydel

#endif // FLYDEL_MODEL_SANITY_H
