//===- Structures.h - Fitting the three model structures --------*- C++ -*-===//
#ifndef FLYDEL_IDENTIFY_STRUCTURES_H
#define FLYDEL_IDENTIFY_STRUCTURES_H

#include "flydel/Identify/Table.h"
#include "flydel/Model/Expected.h"
#include "flydel/Model/Model.h"

#include <Eigen/Dense>

#include <string>
#include <vector>

namespace flydel {

/// How the parameters of a linear-in-parameters structure (frols, physics) are fitted.
enum class FitLoss {
  /// Least squares on relative residuals (physics: min sum(((pred - y) / y)^2); frols: LS on ln y).
  Squares,
  /// "MAPE-fit": start from the least-squares fit, then iteratively reweighted least squares with weights
  /// 1 / max(|r_i|, eps) on the same residuals, which minimises sum |r_i| -- the MAPE itself (physics), or the mean
  /// absolute log error (frols). Fixed iteration count: deterministic.
  Mape,
};

/// One candidate structure with its order setting.
struct StructureConfig {
  /// Physics: forward selection over the generic pool (physicsCandidates()) or over the tile pool
  /// (tileCandidates()) or over the CPU pool (cpuCandidates(); only where a spec asks for it, "extra_pools");
  /// basis >= 0 is a fixed basis of physicsBases().
  static constexpr int kSelectGeneric = -1, kSelectTiles = -2, kSelectCpu = -3, kSelectFpga = -4, kSelectGpu = -5;
  Structure structure = Structure::Physics;
  int degree = 2;                // Frols: maximum total degree of the candidate monomials
  int basis = kSelectGeneric;    // Physics: index into physicsBases(), or kSelectGeneric / kSelectTiles / kSelectCpu
  FitLoss loss = FitLoss::Squares; // Frols, Physics
  /// kSelectGpu: the device's streaming multiprocessors (the units its GEMM tiles are spread over; > 0).
  int units = 0;
  std::string label() const;
};

/// A named, fixed physical basis: a hypothesis about how one kind of hardware spends time, energy or resources.
struct PhysicsBasis {
  const char *name;
  const char *why;
  std::vector<const char *> terms; // term syntax of formatTerm()
};
const std::vector<PhysicsBasis> &physicsBases();

/// The base features the paper uses (input size, channels, kernel, filters), and batch, that vary in the data.
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

/// Candidate terms of the tile pool: work rounded up to whole tiles -- output pixels to multiples of 16..256,
/// input channels of 4..32, output channels of 8..128 (cuDNN/GEMM tiles), times kernel or kernel area -- plus a
/// fixed cost, input traffic, per-channel costs, and step terms for kernels of 11 and more (a different
/// algorithm). See docs/methodology.md.
std::vector<Term> tileCandidates(const Dataset &data);

/// Candidate terms of the CPU pool, for convolutions on a CPU (naive loops or a JIT library with blocked layouts):
/// MACs, MACs scaled by the reduction length and by cache-level steps of the weight footprint, work in whole 16-lane
/// vectors of filters, output and input traffic, the copy a padded layer makes of its input, strided layers, and
/// depthwise terms gated by [groups>=2] (a depthwise layer runs another kernel than a dense one). Term texts and
/// reasons: cpuCandidateTexts(). See docs/methodology.md.
std::vector<Term> cpuCandidates(const Dataset &data);
/// Whether a term multiplies input by output channels. Every candidate pool leaves such terms out for a table whose
/// every row keeps its channels (pools, elementwise, data movement: c_in = c_out, one group), where the product is
/// one channel count squared, which fits noise and extrapolates badly.
bool mixesChannels(const Term &term);
struct CandidateText {
  const char *term;
  const char *why;
};
const std::vector<CandidateText> &cpuCandidateTexts();

/// Candidate terms of folded streaming FPGA engines (PE x SIMD MAC arrays, line buffers, weight ROMs): the
/// "fpga" pool a spec may ask for. See docs/fpga.md.
std::vector<Term> fpgaCandidates(const Dataset &data);
const std::vector<CandidateText> &fpgaCandidateTexts();

/// Candidate terms of the GPU pool (kSelectGpu) for a device of `units` streaming multiprocessors: a fixed cost,
/// throughput-bound work (MACs), the serial reduction loop of implicit-GEMM tiles run in waves over the SMs, DRAM
/// traffic (input, output, weights) for memory-bound layers. Every term is >= 0, so with non-negative coefficients
/// and the launch floor the model is positive and grows no faster than its terms. Texts and reasons:
/// gpuCandidateTexts(). See docs/methodology.md.
/// A table of GEMVs (batch x out_pixels = 1 on every row) has no output_bytes or input_bytes term (a per-column or
/// per-row cost, not traffic, which beyond one row would grow with the output elements) and no macs term (as many as
/// the weights there: only weight_bytes stays true beyond one row).
std::vector<Term> gpuCandidates(const Dataset &data, int units);
struct GpuCandidateText {
  std::string term; // names the unit count
  const char *why;
};
std::vector<GpuCandidateText> gpuCandidateTexts(int units);

/// Gives `model` its bounded physics form (Model::outside): y = max(floor, sum theta_j t_j), theta >= 0, over the
/// constant, MACs, bytes moved, weight count and output bytes (constantOnly: the constant alone, for a power, which
/// no layer size makes grow), fitted with the MAPE-fit and a fitted floor on the model's training rows; and what
/// those rows cost (Model::dataBound, outsideFitMape). Empty on success, else why not.
std::string attachBoundedPhysics(Model &model, const Dataset &data, bool constantOnly) noexcept;

/// The MAPE-fit: minimises sum h(a theta - b) (rows already weighted), h the Huber function of width eps (|r| beyond
/// eps, r^2 / (2 eps) within), by Newton steps (at most `iterations`) from `start`, or from least squares without
/// one (then columns collinear with others get 0; a start is for columns of full rank).
Eigen::VectorXd fitLeastAbsolute(const Eigen::MatrixXd &a, const Eigen::VectorXd &b, int iterations = 100,
                                 double eps = 1e-3, const Eigen::VectorXd *start = nullptr);

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
