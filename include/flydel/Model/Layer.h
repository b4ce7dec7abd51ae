//===- Layer.h - The one description of a CNN layer -------------*- C++ -*-===//
//
// Every part of flydel (measurement tables, identification, the platform library and the MLIR pass) describes
// a layer with this struct and derives performance features from it with computeFeatures(), so a feature means
// the same thing at training time and at prediction time.
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_MODEL_LAYER_H
#define FLYDEL_MODEL_LAYER_H

#include "flydel/Model/Expected.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace flydel {

/// DataMovement: reshape, transpose, concat, pad, slice (bytes moved, no arithmetic).
enum class OpKind { Conv2d, Pool2d, MatMul, Elementwise, DataMovement };
enum class DType { F64, F32, F16, BF16, I32, I16, I8 };

const char *opKindName(OpKind kind);
bool parseOpKind(std::string_view text, OpKind &kind);
const char *dtypeName(DType type);
bool parseDType(std::string_view text, DType &type);
int64_t dtypeBytes(DType type);

/// A layer as the hardware sees it. Conv2d: NCHW input [batch, c_in, in_h, in_w], c_out filters of
/// [c_in/groups, kernel_h, kernel_w]. Pool2d: c_out == c_in, window kernel_h x kernel_w. MatMul (fully connected):
/// [batch*in_h*in_w, c_in] x [c_in, c_out] (in_h = in_w = 1 for a plain linear layer). Elementwise: one op per
/// element of the [batch, c_in, in_h, in_w] input.
struct Layer {
  OpKind op = OpKind::Conv2d;
  int64_t batch = 1;
  int64_t in_h = 1, in_w = 1;
  int64_t c_in = 1, c_out = 1;
  int64_t kernel_h = 1, kernel_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_h = 0, pad_w = 0; // per side
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t groups = 1;
  DType dtype = DType::F32;
  /// Folding of a streaming FPGA implementation: output channels (PE) and input channels (SIMD) processed in
  /// parallel. 1 for layers that are not FPGA engines; a property of the implementation, which the FPGA flydels
  /// need as inputs like the layer's shape.
  int64_t pe = 1, simd = 1;

  int64_t outH() const;
  int64_t outW() const;
  /// A convolution with one filter per input channel (groups == c_in > 1).
  bool isDepthwise() const { return op == OpKind::Conv2d && groups > 1 && groups == c_in; }
  /// A pool of the whole map into one pixel (global average or max pooling, as classifiers end).
  bool isGlobalPool() const {
    return op == OpKind::Pool2d && kernel_h == in_h && kernel_w == in_w && pad_h == 0 && pad_w == 0;
  }
  /// Multiply-accumulates (Conv2d, MatMul) or element operations (Pool2d, Elementwise).
  double macs() const;
  double inputBytes() const;
  double outputBytes() const;
  double weightBytes() const;
  /// Empty string when the layer is well formed, else what is wrong (non-positive sizes, empty output, ...).
  std::string check() const;
};

/// Features performance models may use. Square-grid data (the paper's) only fixes the geometric means, so the
/// spatial features in_hw, kernel and out_hw are sqrt(h*w): exact on square layers, area-preserving otherwise.
enum class Feature : int {
  Batch,
  InHW,      // sqrt(in_h * in_w)
  CIn,
  COut,
  Kernel,    // sqrt(kernel_h * kernel_w)
  Stride,    // sqrt(stride_h * stride_w)
  OutHW,     // sqrt(out_h * out_w)
  InPixels,  // in_h * in_w
  OutPixels, // out_h * out_w
  KernelArea,
  Macs,
  InputBytes,
  OutputBytes,
  WeightBytes,
  TotalBytes,
  ArithIntensity, // macs / total bytes
  ReductionSize,  // products summed per output: kernel_area * c_in / groups (adder-tree depth ~ its log)
  WeightCount,    // weight elements: c_out * reduction_size (multipliers of a fully unrolled layer)
  Groups,         // convolution groups (c_in for depthwise)
  Dilation,       // sqrt(dilation_h * dilation_w)
  Pad,            // mean padding per side, (pad_h + pad_w) / 2
  Pe,             // FPGA folding: output channels in parallel
  Simd,           // FPGA folding: input channels in parallel
  OutFolds,       // ceil(c_out / pe): passes over the output channels
  InFolds,        // ceil(c_in / groups / simd): passes over the input channels per output
  ValidTaps,      // kernel taps that land inside the unpadded input, summed over the output positions
  // Quantities of a streaming FPGA engine (hw/, docs/fpga.md) with the folding pe x simd; stream lanes carry one
  // element of dtype each.
  InRowsRead,     // input rows some window reads: min(in_h, (out_h - 1) * stride_h + kernel_h - pad_h); else in_h
  InBeats,        // ceil(c_in / simd): stream beats per input pixel
  ReductionBits,  // ceil(log2(reduction_size + 1)): accumulator growth over the products summed per output
  LineBufferBram18, // 7-series RAMB18 blocks of a line buffer of kernel_h rows, row pitch padded to powers of two
  WeightRomBram18,  // 7-series RAMB18 blocks of a weight ROM of pe * min(simd, c_in / groups) lanes
  // Output rows, and the work of a row-wise depthwise kernel (0 for other layers) with 16-lane vectors and 30
  // accumulator registers, as oneDNN's AVX-512 brdgmm_dw runs one thread: per output row, register tiles of
  // up to 4 channel vectors x floor(30 / vectors) output points, each looping over the in-bounds kernel rows and
  // all kernel columns (docs/methodology.md).
  OutRows,        // out_h
  RowTaps,        // in-bounds kernel rows summed over the output rows (the row loop of padding-skipping kernels)
  DwTileTaps,     // tile x tap iterations: sum over output rows of in-bounds kernel rows, x kernel_w x tiles per row
  DwWeightLoads,  // weight vectors loaded: one per channel vector of a tile per iteration
  DwTailTaps,     // iterations over a channel tail (c % 16 != 0): masked vectors
  CTail8,         // c_out % 8: output channels past the last whole 8-lane vector (oneDNN's AVX2 kernels)
  // The largest power of two dividing c_out, up to 4096. Naive loops walk HWCF weights, matmul weight columns and
  // global-pool windows at a stride of c_out elements; a stride of 1 KiB or more that is a power of two maps every
  // step of the walk to the same few cache sets (associativity conflicts), as the 64..4096 counts of real CNNs do.
  CPow2,
  Count
};
constexpr int kNumFeatures = static_cast<int>(Feature::Count);
using FeatureVector = std::array<double, kNumFeatures>;

const char *featureName(Feature feature);
bool parseFeature(std::string_view text, Feature &feature);

/// All features of a layer. Allocation-free.
FeatureVector computeFeatures(const Layer &layer);

/// A layer's work in one number: MACs (or element operations) plus bytes moved plus 1, the scale the physics of
/// every KPI grows with (the bound of a model's extrapolation, flydel-identify --check-library).
double workOf(const FeatureVector &features);

/// The smallest b with 2^b >= x (Verilog's $clog2): widths and power-of-two pitches of the FPGA engines.
int64_t ceilLog2(int64_t x);

} // namespace flydel

#endif // FLYDEL_MODEL_LAYER_H
