//===- Excitation.h - Excitation designs for platform measurements --*- C++ -*-===//
//
// An excitation is the set of layers a platform is measured on before its flydels are identified. Its design
// decides what the models can learn: every parameter must move over its whole range, in combination with the
// others, within what the platform can run (caps on memory and MACs). MLIR-free.
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_MEASURE_EXCITATION_H
#define FLYDEL_MEASURE_EXCITATION_H

#include "flydel/Model/Expected.h"
#include "flydel/Model/Layer.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace flydel::measure {

enum class Design { Prbs, Uniform, LogUniform, Lhs, Sobol };
const char *designName(Design design);
bool parseDesign(std::string_view text, Design &design);

/// Deterministic 64-bit generator (SplitMix64): the same seed gives the same plan on every platform and library
/// version, which std::uniform_*_distribution does not promise.
class Rng {
public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next();
  /// Uniform in [0, 1).
  double uniform();

private:
  uint64_t state_;
};

/// Points in the unit cube [0,1)^dims. Every generator is a pure function of (n, dims, seed, ...).
std::vector<std::vector<double>> uniformPoints(int n, int dims, uint64_t seed);
/// Latin hypercube: each of the n equal strata of every dimension holds exactly one point.
std::vector<std::vector<double>> latinHypercube(int n, int dims, uint64_t seed);
/// Sobol sequence (Joe-Kuo direction numbers, up to kSobolMaxDims dimensions) with a seeded random digital shift,
/// which keeps its stratification: the first 2^k points put one point in each dyadic interval of width 2^-k.
constexpr int kSobolMaxDims = 10;
std::vector<std::vector<double>> sobolPoints(int n, int dims, uint64_t seed);
/// The paper's multi-level pseudo-random sequence: each dimension holds one of `levels` values (centres of
/// `levels` equal cells of [0,1)), the level drawn from a per-dimension 31-bit maximal-length LFSR
/// (x^31 + x^28 + 1) and held for a pseudo-random 1..maxHold steps, so parameters change at different times.
std::vector<std::vector<double>> prbsPoints(int n, int dims, uint64_t seed, int levels, int maxHold);

/// A parameter's range: an integer interval (mapped linearly or logarithmically) or a list of choices.
struct ParamRange {
  int64_t lo = 1, hi = 1;
  std::vector<int64_t> choices; // when non-empty, the parameter takes one of these
  /// Maps u in [0,1) to a value; `logScale` spaces an interval geometrically (CNN sizes span decades).
  int64_t map(double u, bool logScale) const;
};

/// What to excite, for one op kind. Ranges that do not apply to the op kind are ignored:
/// conv2d: in_hw, c_in, c_out, kernel, stride, depthwise (share of depthwise layers, groups = c_in = c_out), valid
/// (share of unpadded layers);
/// pool2d: in_hw, c_in (= c_out), kernel, stride; matmul: rows (in_h, in_w = 1), c_in, c_out;
/// elementwise and data_movement: in_hw, c_in.
struct DesignSpace {
  OpKind op = OpKind::Conv2d;
  DType dtype = DType::F32;
  ParamRange inHW{7, 112, {}};
  ParamRange cIn{3, 256, {}};
  ParamRange cOut{8, 256, {}};
  ParamRange kernel{1, 1, {1, 3, 5, 7}};
  ParamRange stride{1, 1, {1, 2}};
  ParamRange rows{1, 4096, {}};
  double depthwiseShare = 0.0;
  /// pool2d: share of global pools (kernel = the whole map, stride 1, no padding), which end most classifiers and
  /// whose windows are far larger than the 2x2 and 3x3 ones of the rest of the design. Their width is drawn apart
  /// from their height (rectangular maps, as in OCR heads).
  double globalShare = 0.0;
  /// conv2d and pool2d: share of layers without padding ("valid"; real models pad strided layers explicitly, and a
  /// padded and an unpadded layer of the same size cost differently on some backends). 0 (default): all "same".
  double validShare = 0.0;
  /// "same" padding, as CNNs use: kernel / 2 per side for convolutions, (kernel - 1) / 2 for pooling (a 2x2 pool
  /// is unpadded, a 3x3 one pads 1); otherwise none.
  bool samePad = true;
  /// Channel counts (matmul: input and output widths) at or above this are rounded to a multiple of it (0 or 1: any
  /// count). Real CNN layers mostly have channel counts that are multiples of 8 or 16, which vector libraries
  /// compute in whole vectors.
  int64_t channelMultiple = 0;
  /// conv2d, pool2d and matmul: share of layers whose channel counts (c_in and c_out) are rounded to the nearest
  /// power of two inside their range, as most real CNN layers have them (64..4096): naive loops that walk memory at
  /// a power-of-two stride hit a few cache sets, which counts drawn from a range almost never show.
  double pow2Share = 0.0;
  /// Caps (0: none): bytes of input + output + weights, and MACs (element operations for pool/elementwise).
  double maxBytes = 0, maxMacs = 0, minMacs = 0;
  /// conv2d: reject layers no CNN has, which independent draws of kernel, input size and groups produce: 1x1
  /// depthwise convolutions (a per-channel scale) and kernels larger than the input (padding then holds most taps,
  /// which libraries skip and the MAC count includes). Measuring them only to drop them later wastes campaign time.
  bool realistic = false;
};

struct DesignOptions {
  Design design = Design::Lhs;
  int n = 100;
  uint64_t seed = 1;
  /// Map interval ranges on a log scale (default for all designs but `uniform`; `loguniform` always does).
  bool logScale = true;
  int prbsLevels = 5;
  int prbsMaxHold = 4;
  /// Candidate points tried per accepted layer before giving up (caps and duplicates reject points).
  int maxTriesPerPoint = 50;
};

/// Number of unit-cube dimensions the space uses for its op kind.
int designDims(const DesignSpace &space);
/// The layer a unit-cube point maps to (before caps).
Layer layerAt(const DesignSpace &space, const std::vector<double> &u, bool logScale);
/// Empty when the layer is valid and within the caps, else why not.
std::string checkCaps(const DesignSpace &space, const Layer &layer);

/// n distinct layers within the caps, in design order. Points the caps reject or that repeat an earlier layer are
/// skipped and the sequence continues (so a capped LHS is only approximately stratified). Fails when fewer than
/// n layers are found within n * maxTriesPerPoint candidates, naming how many were found.
Expected<std::vector<Layer>> generateDesign(const DesignSpace &space, const DesignOptions &options) noexcept;

/// The layer columns of the measurement schema (docs/formats.md) that plans and measurements write.
const std::vector<std::string> &layerColumnNames();
/// The layer's cells for layerColumnNames().
std::vector<std::string> layerCells(const Layer &layer);

/// A plan: the measurement schema with the KPI columns empty. `comments` become '#' lines above the header.
std::string writePlanCsv(const std::vector<Layer> &layers, const std::vector<std::string> &kpiColumns,
                         const std::vector<std::string> &comments);

} // namespace flydel::measure

#endif // FLYDEL_MEASURE_EXCITATION_H
