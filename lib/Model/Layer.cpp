//===- Layer.cpp - Layer descriptor and derived features ------------------===//
#include "flydel/Model/Layer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace flydel {

namespace {
struct NamedOp {
  OpKind kind;
  const char *name;
};
constexpr NamedOp kOps[] = {{OpKind::Conv2d, "conv2d"},
                            {OpKind::Pool2d, "pool2d"},
                            {OpKind::MatMul, "matmul"},
                            {OpKind::Elementwise, "elementwise"},
                            {OpKind::DataMovement, "data_movement"}};
struct NamedType {
  DType type;
  const char *name;
  int64_t bytes;
};
constexpr NamedType kTypes[] = {{DType::F64, "f64", 8}, {DType::F32, "f32", 4}, {DType::F16, "f16", 2},
                                {DType::BF16, "bf16", 2}, {DType::I32, "i32", 4}, {DType::I16, "i16", 2},
                                {DType::I8, "i8", 1}};
constexpr const char *kFeatureNames[kNumFeatures] = {
    "batch",      "in_hw",      "c_in",        "c_out",        "kernel",       "stride",
    "out_hw",     "in_pixels",  "out_pixels",  "kernel_area",  "macs",         "input_bytes",
    "output_bytes", "weight_bytes", "total_bytes", "arith_intensity", "reduction_size", "weight_count",
    "groups", "dilation", "pad", "pe", "simd", "out_folds", "in_folds", "valid_taps",
    "in_rows_read", "in_beats", "reduction_bits", "line_buffer_bram18", "weight_rom_bram18", "out_rows",
    "row_taps", "dw_tile_taps", "dw_weight_loads", "dw_tail_taps", "c_tail8", "c_pow2"};

int64_t outSize(int64_t in, int64_t pad, int64_t dilation, int64_t kernel, int64_t stride) {
  if (stride <= 0)
    return 0;
  int64_t span = in + 2 * pad - dilation * (kernel - 1) - 1;
  return span < 0 ? 0 : span / stride + 1;
}
} // namespace

const char *opKindName(OpKind kind) {
  for (const auto &op : kOps)
    if (op.kind == kind)
      return op.name;
  return "unknown";
}

bool parseOpKind(std::string_view text, OpKind &kind) {
  for (const auto &op : kOps)
    if (text == op.name) {
      kind = op.kind;
      return true;
    }
  return false;
}

const char *dtypeName(DType type) {
  for (const auto &t : kTypes)
    if (t.type == type)
      return t.name;
  return "unknown";
}

bool parseDType(std::string_view text, DType &type) {
  for (const auto &t : kTypes)
    if (text == t.name) {
      type = t.type;
      return true;
    }
  return false;
}

int64_t dtypeBytes(DType type) {
  for (const auto &t : kTypes)
    if (t.type == type)
      return t.bytes;
  return 0;
}

const char *featureName(Feature feature) {
  int index = static_cast<int>(feature);
  return index >= 0 && index < kNumFeatures ? kFeatureNames[index] : "unknown";
}

bool parseFeature(std::string_view text, Feature &feature) {
  for (int i = 0; i < kNumFeatures; ++i)
    if (text == kFeatureNames[i]) {
      feature = static_cast<Feature>(i);
      return true;
    }
  return false;
}

int64_t Layer::outH() const {
  switch (op) {
  case OpKind::Conv2d:
  case OpKind::Pool2d:
    return outSize(in_h, pad_h, dilation_h, kernel_h, stride_h);
  default:
    return in_h;
  }
}

int64_t Layer::outW() const {
  switch (op) {
  case OpKind::Conv2d:
  case OpKind::Pool2d:
    return outSize(in_w, pad_w, dilation_w, kernel_w, stride_w);
  default:
    return in_w;
  }
}

double Layer::macs() const {
  double outPixels = double(batch) * double(outH()) * double(outW());
  switch (op) {
  case OpKind::Conv2d:
    return outPixels * double(c_out) * double(c_in / (groups > 0 ? groups : 1)) * double(kernel_h * kernel_w);
  case OpKind::Pool2d:
    return outPixels * double(c_in) * double(kernel_h * kernel_w);
  case OpKind::MatMul:
    return outPixels * double(c_in) * double(c_out);
  case OpKind::Elementwise:
    return outPixels * double(c_in);
  case OpKind::DataMovement:
    return 0.0;
  }
  return 0.0;
}

double Layer::inputBytes() const {
  return double(batch) * double(in_h) * double(in_w) * double(c_in) * double(dtypeBytes(dtype));
}

double Layer::outputBytes() const {
  int64_t channels = op == OpKind::Pool2d || op == OpKind::Elementwise || op == OpKind::DataMovement ? c_in : c_out;
  return double(batch) * double(outH()) * double(outW()) * double(channels) * double(dtypeBytes(dtype));
}

double Layer::weightBytes() const {
  switch (op) {
  case OpKind::Conv2d:
    return double(c_out) * double(c_in / (groups > 0 ? groups : 1)) * double(kernel_h * kernel_w) *
           double(dtypeBytes(dtype));
  case OpKind::MatMul:
    return double(c_in) * double(c_out) * double(dtypeBytes(dtype));
  default:
    return 0.0;
  }
}

std::string Layer::check() const {
  if (batch <= 0 || in_h <= 0 || in_w <= 0 || c_in <= 0 || c_out <= 0)
    return "batch, in_h, in_w, c_in and c_out must be positive";
  // Far beyond any CNN layer, and what keeps every feature exact and quick to compute (kernels: O(kernel) loops).
  constexpr int64_t kMaxSize = int64_t{1} << 31, kMaxKernel = int64_t{1} << 20;
  for (int64_t v : {batch, in_h, in_w, c_in, c_out, stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w, groups,
                    pe, simd})
    if (v > kMaxSize)
      return "a size above 2^31 (" + std::to_string(v) + ") is beyond what the models describe";
  if (kernel_h > kMaxKernel || kernel_w > kMaxKernel)
    return "a kernel above 2^20 (" + std::to_string(std::max(kernel_h, kernel_w)) + ") is beyond what the models describe";
  if (kernel_h <= 0 || kernel_w <= 0 || stride_h <= 0 || stride_w <= 0 || dilation_h <= 0 || dilation_w <= 0)
    return "kernel, stride and dilation must be positive";
  if (pad_h < 0 || pad_w < 0)
    return "padding must not be negative";
  if (pe <= 0 || simd <= 0)
    return "pe and simd must be positive";
  if (groups <= 0 || c_in % groups != 0 || (op == OpKind::Conv2d && c_out % groups != 0))
    return "groups must be positive and divide c_in and c_out";
  if (outH() <= 0 || outW() <= 0)
    return "the output is empty (kernel larger than the padded input)";
  return {};
}

double workOf(const FeatureVector &f) {
  auto at = [&f](Feature which) { return f[static_cast<int>(which)]; };
  return at(Feature::Macs) + at(Feature::InputBytes) + at(Feature::OutputBytes) + at(Feature::WeightBytes) + 1.0;
}

int64_t ceilLog2(int64_t x) {
  int64_t bits = 0;
  while ((int64_t{1} << bits) < x)
    ++bits;
  return bits;
}

namespace {

/// Block RAM a memory of `words` x `bits` needs on 7-series, in RAMB18 units (a RAMB36 counts 2), as Yosys'
/// memory_libmap maps it (182 of the 189 window engines of the xc7-yosys campaign; depth splits into mixed shapes and
/// tiny ROMs kept partly in logic are not modelled, docs/fpga.md): the cheapest of every
/// RAMB18 shape (36x512 ... 1x16K) and RAMB36 shape (72x512 ... 1x32K, data sheet UG473), the word split over r
/// blocks side by side and, where a block row is at least twice as wide as a slice, k slices packed per row behind
/// a read multiplexer (a 1080 x 48 ROM fits two RAMB36 as 3 x 24 bits per 72-bit row).
double bram18Blocks(int64_t words, int64_t bits) {
  if (words <= 0 || bits <= 0)
    return 0.0;
  struct Shape {
    int64_t cost, width, depth;
  };
  static constexpr Shape kShapes[] = {{1, 36, 512},  {1, 18, 1024}, {1, 9, 2048},  {1, 4, 4096},  {1, 2, 8192},
                                      {1, 1, 16384}, {2, 72, 512},  {2, 36, 1024}, {2, 18, 2048}, {2, 9, 4096},
                                      {2, 4, 8192},  {2, 2, 16384}, {2, 1, 32768}};
  int64_t best = INT64_MAX;
  for (const Shape &s : kShapes)
    for (int64_t perRow = 1; perRow <= s.width;) {
      int64_t slice = s.width / perRow;              // widest slice that packs perRow to a row
      int64_t split = (bits + slice - 1) / slice;    // blocks side by side
      int64_t sliceBits = (bits + split - 1) / split; // what each block then holds per word
      int64_t packed = std::max<int64_t>(1, s.width / sliceBits);
      int64_t rows = (words + packed * s.depth - 1) / (packed * s.depth);
      best = std::min(best, s.cost * split * rows);
      // Every perRow up to `last` has the same slice, so the same cost: skip them (this runs for every layer a
      // model evaluates, on every device). Packing more per row than there are words gains nothing.
      int64_t last = s.width / slice;
      if (slice == 1 || last >= words)
        break;
      perRow = last + 1;
    }
  return double(best);
}

/// The engines of hw/ (docs/fpga.md): a line buffer of kernel_h rows whose pitch is padded to powers of two (in_w
/// pixels x in_beats beats, each at least 2, so addresses concatenate), simd lanes per word; a weight ROM with one
/// word of pe x simd (channel-wise: pe) lanes per compute beat of an output pixel.
void fpgaFeatures(const Layer &layer, double reduction, double outFolds, double inFolds, FeatureVector &f) {
  auto at = [&f](Feature which) -> double & { return f[static_cast<int>(which)]; };
  bool window = layer.op == OpKind::Conv2d || layer.op == OpKind::Pool2d;
  int64_t inBeats = (layer.c_in + layer.simd - 1) / std::max<int64_t>(layer.simd, 1);
  at(Feature::InRowsRead) =
      window ? double(std::min(layer.in_h, (layer.outH() - 1) * layer.stride_h +
                                               (layer.kernel_h - 1) * layer.dilation_h + 1 - layer.pad_h))
             : double(layer.in_h);
  at(Feature::InBeats) = double(inBeats);
  at(Feature::ReductionBits) = double(ceilLog2(int64_t(reduction) + 1));
  int64_t laneBits = 8 * dtypeBytes(layer.dtype);
  int64_t pitch = (int64_t{1} << std::max<int64_t>(1, ceilLog2(layer.in_w))) *
                  (int64_t{1} << std::max<int64_t>(1, ceilLog2(inBeats)));
  at(Feature::LineBufferBram18) = window ? bram18Blocks(layer.kernel_h * pitch, layer.simd * laneBits) : 0.0;
  bool weights = layer.op == OpKind::Conv2d;
  int64_t perGroup = layer.c_in / std::max<int64_t>(layer.groups, 1);
  int64_t lanes = layer.pe * std::min(layer.simd, perGroup);
  // A one-word ROM (1x1 kernel, one fold each way) is a constant, not a memory: the synthesizer folds it away.
  int64_t words = int64_t(outFolds * layer.kernel_h * layer.kernel_w * inFolds);
  at(Feature::WeightRomBram18) = weights && words > 1 ? bram18Blocks(words, lanes * laneBits) : 0.0;
}

} // namespace

FeatureVector computeFeatures(const Layer &layer) {
  FeatureVector f{};
  auto at = [&f](Feature which) -> double & { return f[static_cast<int>(which)]; };
  at(Feature::Batch) = double(layer.batch);
  at(Feature::InHW) = std::sqrt(double(layer.in_h) * double(layer.in_w));
  at(Feature::CIn) = double(layer.c_in);
  at(Feature::COut) = double(layer.c_out);
  at(Feature::Kernel) = std::sqrt(double(layer.kernel_h) * double(layer.kernel_w));
  at(Feature::Stride) = std::sqrt(double(layer.stride_h) * double(layer.stride_w));
  double outH = double(layer.outH()), outW = double(layer.outW());
  at(Feature::OutHW) = std::sqrt(outH * outW);
  at(Feature::InPixels) = double(layer.in_h) * double(layer.in_w);
  at(Feature::OutPixels) = outH * outW;
  at(Feature::KernelArea) = double(layer.kernel_h) * double(layer.kernel_w);
  at(Feature::Macs) = layer.macs();
  at(Feature::InputBytes) = layer.inputBytes();
  at(Feature::OutputBytes) = layer.outputBytes();
  at(Feature::WeightBytes) = layer.weightBytes();
  double total = layer.inputBytes() + layer.outputBytes() + layer.weightBytes();
  at(Feature::TotalBytes) = total;
  at(Feature::ArithIntensity) = total > 0 ? layer.macs() / total : 0.0;
  double reduction = double(layer.kernel_h) * double(layer.kernel_w);
  switch (layer.op) {
  case OpKind::Conv2d:
    reduction *= double(layer.c_in / (layer.groups > 0 ? layer.groups : 1));
    break;
  case OpKind::MatMul:
    reduction = double(layer.c_in);
    break;
  default:
    break;
  }
  at(Feature::ReductionSize) = reduction;
  at(Feature::WeightCount) = layer.op == OpKind::Conv2d || layer.op == OpKind::MatMul ? reduction * double(layer.c_out) : 0.0;
  at(Feature::Groups) = double(layer.groups);
  at(Feature::Dilation) = std::sqrt(double(layer.dilation_h) * double(layer.dilation_w));
  at(Feature::Pad) = 0.5 * double(layer.pad_h + layer.pad_w);
  at(Feature::Pe) = double(layer.pe);
  at(Feature::Simd) = double(layer.simd);
  auto ceilDiv = [](int64_t a, int64_t b) { return double((a + b - 1) / std::max<int64_t>(b, 1)); };
  at(Feature::OutFolds) = ceilDiv(layer.c_out, layer.pe);
  at(Feature::InFolds) = ceilDiv(layer.c_in / std::max<int64_t>(layer.groups, 1), layer.simd);
  // Separable: in-bounds taps along each axis, summed over that axis's output positions.
  // Per kernel tap k, the output positions o whose input o * stride - pad + k * dilation lies in [0, in): one
  // interval of o, so the count is closed-form and the cost O(kernel), whatever the map size.
  auto axisTaps = [](int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t pad, int64_t dilation) {
    if (out <= 0 || stride <= 0)
      return 0.0;
    auto floorDiv = [](int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); };
    double taps = 0;
    for (int64_t k = 0; k < kernel; ++k) {
      int64_t shift = k * dilation - pad; // input index of output 0 for this tap
      int64_t first = std::max<int64_t>(0, floorDiv(-shift + stride - 1, stride));
      int64_t last = std::min<int64_t>(out - 1, floorDiv(in - 1 - shift, stride));
      if (last >= first)
        taps += double(last - first + 1);
    }
    return taps;
  };
  bool window = layer.op == OpKind::Conv2d || layer.op == OpKind::Pool2d;
  double rowTaps =
      window ? axisTaps(layer.in_h, layer.outH(), layer.kernel_h, layer.stride_h, layer.pad_h, layer.dilation_h) : 0.0;
  at(Feature::ValidTaps) =
      window ? rowTaps * axisTaps(layer.in_w, layer.outW(), layer.kernel_w, layer.stride_w, layer.pad_w,
                                  layer.dilation_w)
             : outH * outW;
  at(Feature::OutRows) = outH;
  at(Feature::RowTaps) = rowTaps;
  at(Feature::CTail8) = static_cast<double>(layer.c_out % 8);
  at(Feature::CPow2) = static_cast<double>(layer.c_out > 0 ? std::min<int64_t>(layer.c_out & -layer.c_out, 4096) : 1);
  if (layer.isDepthwise()) {
    // Register tiles of the row-wise depthwise kernel: up to 4 vectors of 16 channels by as many output points as
    // the remaining accumulators hold; the channel tail is a masked vector.
    constexpr int64_t kLanes = 16, kMaxVectors = 4, kAccumulators = 30;
    int64_t vectors = (layer.c_out + kLanes - 1) / kLanes;
    int64_t tileVectors = std::min(kMaxVectors, std::max<int64_t>(vectors, 1));
    int64_t tilePoints = std::min<int64_t>(std::max<int64_t>(layer.outW(), 1), kAccumulators / tileVectors);
    double pointTiles = ceilDiv(layer.outW(), tilePoints);
    double iterations = rowTaps * double(layer.kernel_w) * pointTiles;
    at(Feature::DwTileTaps) = iterations * ceilDiv(vectors, tileVectors);
    at(Feature::DwWeightLoads) = iterations * double(vectors);
    at(Feature::DwTailTaps) = layer.c_out % kLanes != 0 ? iterations : 0.0;
  }
  fpgaFeatures(layer, reduction, at(Feature::OutFolds), at(Feature::InFolds), f);
  return f;
}

} // namespace flydel
