//===- Excitation.cpp - Excitation designs --------------------------------===//
#include "flydel/Measure/Excitation.h"
#include "flydel/Model/EnumNames.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>
#include <tuple>

namespace flydel::measure {

const char *designName(Design design) {
  switch (design) {
  case Design::Prbs: return "prbs";
  case Design::Uniform: return "uniform";
  case Design::LogUniform: return "loguniform";
  case Design::Lhs: return "lhs";
  case Design::Sobol: return "sobol";
  }
  return "?";
}

bool parseDesign(std::string_view text, Design &design) {
  return parseByName(text, {Design::Prbs, Design::Uniform, Design::LogUniform, Design::Lhs, Design::Sobol}, designName,
                     design);
}

uint64_t Rng::next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

std::vector<std::vector<double>> uniformPoints(int n, int dims, uint64_t seed) {
  Rng rng(seed);
  std::vector<std::vector<double>> points(n, std::vector<double>(dims));
  for (auto &p : points)
    for (double &x : p)
      x = rng.uniform();
  return points;
}

std::vector<std::vector<double>> latinHypercube(int n, int dims, uint64_t seed) {
  Rng rng(seed);
  std::vector<std::vector<double>> points(n, std::vector<double>(dims));
  std::vector<int> perm(n);
  for (int d = 0; d < dims; ++d) {
    for (int i = 0; i < n; ++i)
      perm[i] = i;
    for (int i = n - 1; i > 0; --i) // Fisher-Yates
      std::swap(perm[i], perm[rng.next() % static_cast<uint64_t>(i + 1)]);
    for (int i = 0; i < n; ++i)
      points[i][d] = (perm[i] + rng.uniform()) / n;
  }
  return points;
}

namespace {
// Joe & Kuo (2008) primitive polynomials and initial direction numbers for dimensions 2..10: {s, a, m_1..m_s}.
struct SobolInit {
  int s, a;
  uint32_t m[5];
};
constexpr SobolInit kSobolInit[kSobolMaxDims - 1] = {
    {1, 0, {1}},          {2, 1, {1, 3}},         {3, 1, {1, 3, 1}},         {3, 2, {1, 1, 1}},
    {4, 1, {1, 1, 3, 3}}, {4, 4, {1, 3, 5, 13}},  {5, 2, {1, 1, 5, 5, 17}},   {5, 4, {1, 1, 5, 5, 5}},
    {5, 7, {1, 1, 7, 11, 19}}};
constexpr int kSobolBits = 32;

std::vector<uint32_t> sobolDirections(int dim) {
  std::vector<uint32_t> v(kSobolBits);
  if (dim == 0) {
    for (int k = 0; k < kSobolBits; ++k)
      v[k] = 1u << (kSobolBits - 1 - k);
    return v;
  }
  const SobolInit &init = kSobolInit[dim - 1];
  std::vector<uint32_t> m(kSobolBits);
  for (int k = 0; k < kSobolBits; ++k) {
    if (k < init.s) {
      m[k] = init.m[k];
      continue;
    }
    // m_k = 2 a_1 m_{k-1} ^ 4 a_2 m_{k-2} ^ ... ^ 2^s m_{k-s} ^ m_{k-s}
    uint32_t value = m[k - init.s] ^ (m[k - init.s] << init.s);
    for (int j = 1; j < init.s; ++j)
      if ((init.a >> (init.s - 1 - j)) & 1)
        value ^= m[k - j] << j;
    m[k] = value;
  }
  for (int k = 0; k < kSobolBits; ++k)
    v[k] = m[k] << (kSobolBits - 1 - k);
  return v;
}
} // namespace

std::vector<std::vector<double>> sobolPoints(int n, int dims, uint64_t seed) {
  Rng rng(seed);
  std::vector<std::vector<double>> points(n, std::vector<double>(dims));
  for (int d = 0; d < std::min(dims, kSobolMaxDims); ++d) {
    std::vector<uint32_t> v = sobolDirections(d);
    uint32_t shift = static_cast<uint32_t>(rng.next() >> 32);
    for (int i = 0; i < n; ++i) {
      uint32_t x = 0;
      for (int k = 0; k < kSobolBits && (static_cast<uint64_t>(i) >> k); ++k)
        if ((static_cast<uint64_t>(i) >> k) & 1)
          x ^= v[k];
      points[i][d] = static_cast<double>(x ^ shift) * 0x1.0p-32;
    }
  }
  return points;
}

std::vector<std::vector<double>> prbsPoints(int n, int dims, uint64_t seed, int levels, int maxHold) {
  levels = std::max(levels, 2);
  maxHold = std::max(maxHold, 1);
  Rng rng(seed);
  std::vector<std::vector<double>> points(n, std::vector<double>(dims));
  for (int d = 0; d < dims; ++d) {
    uint32_t lfsr = static_cast<uint32_t>(rng.next() & 0x7FFFFFFF);
    if (lfsr == 0)
      lfsr = 1; // the all-zero state is the LFSR's fixed point
    auto bits = [&](int count) {
      uint32_t out = 0;
      for (int b = 0; b < count; ++b) {
        uint32_t bit = ((lfsr >> 30) ^ (lfsr >> 27)) & 1; // taps 31, 28
        lfsr = ((lfsr << 1) | bit) & 0x7FFFFFFF;
        out = (out << 1) | bit;
      }
      return out;
    };
    int level = 0, hold = 0;
    for (int i = 0; i < n; ++i) {
      if (hold == 0) {
        level = static_cast<int>(bits(16) % static_cast<uint32_t>(levels));
        hold = 1 + static_cast<int>(bits(8) % static_cast<uint32_t>(maxHold));
      }
      --hold;
      points[i][d] = (level + 0.5) / levels;
    }
  }
  return points;
}

int64_t ParamRange::map(double u, bool logScale) const {
  u = std::clamp(u, 0.0, std::nextafter(1.0, 0.0));
  if (!choices.empty())
    return choices[static_cast<size_t>(u * static_cast<double>(choices.size()))];
  if (hi <= lo)
    return lo;
  double value;
  if (logScale && lo > 0) // geometric: equal ratios between cells; +1 on hi keeps it reachable after flooring
    value = std::exp(std::log(static_cast<double>(lo)) +
                     u * (std::log(static_cast<double>(hi) + 1.0) - std::log(static_cast<double>(lo))));
  else
    value = lo + u * static_cast<double>(hi - lo + 1);
  return std::clamp(static_cast<int64_t>(std::floor(value)), lo, hi);
}

int designDims(const DesignSpace &space) {
  switch (space.op) {
  case OpKind::Conv2d: return 5 + (space.depthwiseShare > 0) + (space.validShare > 0) + (space.pow2Share > 0);
  case OpKind::Pool2d: return 4 + 2 * (space.globalShare > 0) + (space.validShare > 0) + (space.pow2Share > 0);
  case OpKind::MatMul: return 3 + (space.pow2Share > 0);
  case OpKind::Elementwise:
  case OpKind::DataMovement: return 2;
  }
  return 0;
}

Layer layerAt(const DesignSpace &space, const std::vector<double> &u, bool logScale) {
  Layer l;
  l.op = space.op;
  l.dtype = space.dtype;
  auto spatial = [&](int64_t hw) { l.in_h = l.in_w = hw; };
  auto window = [&](int64_t k, int64_t s) {
    l.kernel_h = l.kernel_w = k;
    l.stride_h = l.stride_w = s;
    // "same": k / 2 for a convolution; a pooling window pads (k - 1) / 2 (2x2 pools are unpadded in real models).
    l.pad_h = l.pad_w = !space.samePad ? 0 : space.op == OpKind::Pool2d ? (k - 1) / 2 : k / 2;
  };
  // The power-of-two draw takes the last dimension, so the other dimensions keep their places.
  bool pow2 = space.pow2Share > 0 && u[designDims(space) - 1] < space.pow2Share;
  auto channels = [&](const ParamRange &range, double x) {
    int64_t c = range.map(x, logScale), m = space.channelMultiple;
    if (pow2 && range.choices.empty()) {
      // The nearest power of two on a log scale, kept inside the range (a range without one keeps its draw).
      int64_t below = 1;
      while (below * 2 <= c)
        below *= 2;
      int64_t nearest = static_cast<double>(c) * static_cast<double>(c) >= 2.0 * static_cast<double>(below * below)
                            ? below * 2
                            : below;
      for (int64_t p : {nearest, nearest == below ? below * 2 : below})
        if (p >= range.lo && p <= range.hi)
          return p;
      return c;
    }
    if (m <= 1 || c < m)
      return c;
    int64_t rounded = (c + m / 2) / m * m; // nearest multiple, kept inside the range
    if (rounded > range.hi)
      rounded -= m;
    return rounded >= std::max(range.lo, m) ? rounded : c;
  };
  switch (space.op) {
  case OpKind::Conv2d:
    spatial(space.inHW.map(u[0], logScale));
    l.c_in = channels(space.cIn, u[1]);
    l.c_out = channels(space.cOut, u[2]);
    window(space.kernel.map(u[3], logScale), space.stride.map(u[4], logScale));
    if (space.depthwiseShare > 0 && u[5] < space.depthwiseShare) {
      l.c_out = l.c_in; // a depthwise layer keeps its channels
      l.groups = l.c_in;
    }
    if (space.validShare > 0 && u[space.depthwiseShare > 0 ? 6 : 5] < space.validShare)
      l.pad_h = l.pad_w = 0;
    break;
  case OpKind::Pool2d:
    spatial(space.inHW.map(u[0], logScale));
    l.c_in = l.c_out = channels(space.cIn, u[1]);
    window(space.kernel.map(u[2], logScale), space.stride.map(u[3], logScale));
    if (space.validShare > 0 && u[4] < space.validShare)
      l.pad_h = l.pad_w = 0; // AlexNet-style 3x3/2 pools without padding
    if (int g = space.validShare > 0 ? 5 : 4; space.globalShare > 0 && u[g] < space.globalShare) {
      l.in_w = space.inHW.map(u[g + 1], logScale); // classifier heads pool rectangular maps too (3 x 96)
      l.kernel_h = l.in_h;
      l.kernel_w = l.in_w;
      l.stride_h = l.stride_w = 1;
      l.pad_h = l.pad_w = 0;
    }
    break;
  case OpKind::MatMul:
    l.in_h = space.rows.map(u[0], logScale);
    l.in_w = 1;
    l.c_in = channels(space.cIn, u[1]);
    l.c_out = channels(space.cOut, u[2]);
    break;
  case OpKind::Elementwise:
  case OpKind::DataMovement:
    spatial(space.inHW.map(u[0], logScale));
    l.c_in = l.c_out = space.cIn.map(u[1], logScale);
    break;
  }
  return l;
}

std::string checkCaps(const DesignSpace &space, const Layer &layer) {
  std::string problem = layer.check();
  if (!problem.empty())
    return problem;
  double bytes = layer.inputBytes() + layer.outputBytes() + layer.weightBytes();
  if (space.maxBytes > 0 && bytes > space.maxBytes)
    return "uses " + std::to_string(bytes) + " bytes, above the cap";
  if (space.maxMacs > 0 && layer.macs() > space.maxMacs)
    return "has " + std::to_string(layer.macs()) + " MACs, above the cap";
  if (layer.macs() < space.minMacs)
    return "has " + std::to_string(layer.macs()) + " MACs, below the floor";
  if (space.realistic && layer.isDepthwise() && layer.kernel_h * layer.kernel_w == 1)
    return "is a 1x1 depthwise convolution";
  if (space.realistic && layer.op == OpKind::Conv2d && (layer.kernel_h > layer.in_h || layer.kernel_w > layer.in_w))
    return "has a kernel larger than its input";
  return {};
}

namespace {
auto layerKey(const Layer &l) {
  return std::make_tuple(static_cast<int>(l.op), l.batch, l.in_h, l.in_w, l.c_in, l.c_out, l.kernel_h, l.kernel_w,
                         l.stride_h, l.stride_w, l.pad_h, l.pad_w, l.groups);
}
} // namespace

Expected<std::vector<Layer>> generateDesign(const DesignSpace &space, const DesignOptions &options) noexcept {
  try {
    if (options.n <= 0)
      return makeError("the number of layers must be positive, got " + std::to_string(options.n));
    int dims = designDims(space);
    if (options.design == Design::Sobol && dims > kSobolMaxDims)
      return makeError("sobol supports at most " + std::to_string(kSobolMaxDims) + " dimensions");
    int candidates = options.n * std::max(options.maxTriesPerPoint, 1);
    std::vector<std::vector<double>> points;
    bool logScale = options.logScale;
    switch (options.design) {
    case Design::Uniform:
      points = uniformPoints(candidates, dims, options.seed);
      logScale = false;
      break;
    case Design::LogUniform:
      points = uniformPoints(candidates, dims, options.seed);
      logScale = true;
      break;
    case Design::Lhs: {
      // Stratify the first n candidates; the rest (used only when caps or duplicates reject) come in further
      // hypercubes of n, so each block is stratified in its own right.
      for (int start = 0; start < candidates; start += options.n) {
        auto block = latinHypercube(options.n, dims, options.seed + static_cast<uint64_t>(start));
        points.insert(points.end(), block.begin(), block.end());
      }
      break;
    }
    case Design::Sobol:
      points = sobolPoints(candidates, dims, options.seed);
      break;
    case Design::Prbs:
      points = prbsPoints(candidates, dims, options.seed, options.prbsLevels, options.prbsMaxHold);
      break;
    }
    std::vector<Layer> layers;
    std::set<decltype(layerKey(Layer()))> seen;
    for (const auto &p : points) {
      if (static_cast<int>(layers.size()) == options.n)
        break;
      Layer l = layerAt(space, p, logScale);
      if (!checkCaps(space, l).empty() || !seen.insert(layerKey(l)).second)
        continue;
      layers.push_back(l);
    }
    if (static_cast<int>(layers.size()) < options.n)
      return makeError("only " + std::to_string(layers.size()) + " distinct " + opKindName(space.op) +
                       " layers within the ranges and caps after " + std::to_string(candidates) +
                       " candidates (asked for " + std::to_string(options.n) +
                       "): widen the ranges, raise the caps or ask for fewer");
    return layers;
  } catch (...) {
    return makeError("out of memory while generating the design");
  }
}

const std::vector<std::string> &layerColumnNames() {
  static const std::vector<std::string> names = {"op",       "batch",    "in_h",   "in_w",   "c_in",
                                                 "c_out",    "kernel_h", "kernel_w", "stride_h", "stride_w",
                                                 "pad_h",    "pad_w",    "dilation", "groups", "dtype"};
  return names;
}

std::vector<std::string> layerCells(const Layer &l) {
  auto s = [](int64_t v) { return std::to_string(v); };
  return {opKindName(l.op), s(l.batch),    s(l.in_h),     s(l.in_w),  s(l.c_in),
          s(l.c_out),       s(l.kernel_h), s(l.kernel_w), s(l.stride_h), s(l.stride_w),
          s(l.pad_h),       s(l.pad_w),    s(l.dilation_h), s(l.groups), dtypeName(l.dtype)};
}

std::string writePlanCsv(const std::vector<Layer> &layers, const std::vector<std::string> &kpiColumns,
                         const std::vector<std::string> &comments) {
  std::ostringstream out;
  for (const std::string &c : comments)
    out << "# " << c << "\n";
  std::vector<std::string> header = layerColumnNames();
  header.insert(header.end(), kpiColumns.begin(), kpiColumns.end());
  for (size_t i = 0; i < header.size(); ++i)
    out << (i ? "," : "") << header[i];
  out << "\n";
  for (const Layer &l : layers) {
    std::vector<std::string> cells = layerCells(l);
    for (size_t i = 0; i < cells.size(); ++i)
      out << (i ? "," : "") << cells[i];
    for (size_t i = 0; i < kpiColumns.size(); ++i)
      out << ",";
    out << "\n";
  }
  return out.str();
}

} // namespace flydel::measure
