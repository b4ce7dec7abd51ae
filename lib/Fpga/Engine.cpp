//===- Engine.cpp - engine parameters, fixed-point reference, generation --===//
#include "flydel/Fpga/Engine.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace flydel::fpga {

namespace {

const char *const kKindNames[] = {"conv", "depthwise", "maxpool", "avgpool", "add"};

// SplitMix64: the same data from the same seed on every machine (no std distributions).
struct Rng {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  int8_t byte() { return static_cast<int8_t>(next() & 0xff); }
};

int8_t clampRequant(int64_t acc, int64_t mult, int shift, int lo, int hi) {
  // Arithmetic right shift of a signed value (floor), as the RTL's >>>, with round-half-up.
  int64_t v = (acc * mult + (int64_t{1} << (shift - 1))) >> shift;
  return static_cast<int8_t>(std::clamp<int64_t>(v, lo, hi));
}

std::string hexBytes(const int8_t *lanes, int n) {
  // Lane 0 in the least significant byte: the last two hex digits.
  std::string s;
  char buf[3];
  for (int i = n - 1; i >= 0; --i) {
    std::snprintf(buf, sizeof buf, "%02x", static_cast<uint8_t>(lanes[i]));
    s += buf;
  }
  return s;
}

bool writeText(const std::string &path, const std::string &text) {
  std::ofstream out(path);
  out << text;
  return static_cast<bool>(out);
}

// A stream of [pixels][channels] as beats of `lanes` channels.
std::string beats(const std::vector<int8_t> &values, int lanes) {
  std::string s;
  for (size_t i = 0; i < values.size(); i += lanes)
    s += hexBytes(values.data() + i, lanes) + "\n";
  return s;
}

} // namespace

const char *engineKindName(EngineKind kind) { return kKindNames[static_cast<int>(kind)]; }

bool parseEngineKind(const std::string &text, EngineKind &kind) {
  for (int i = 0; i < 5; ++i)
    if (text == kKindNames[i]) {
      kind = static_cast<EngineKind>(i);
      return true;
    }
  return false;
}

int EngineConfig::outH() const { return kind == EngineKind::Add ? h : (h + 2 * p - k) / s + 1; }
int EngineConfig::outW() const { return kind == EngineKind::Add ? w : (w + 2 * p - k) / s + 1; }
int EngineConfig::reduction() const {
  if (kind == EngineKind::Add)
    return 2;
  return kind == EngineKind::Conv ? k * k * cin : k * k;
}
int EngineConfig::accWidth() const { return 17 + int(ceilLog2(reduction() + 1)); }

std::string EngineConfig::check() const {
  auto positive = [](int v) { return v >= 1; };
  if (!positive(h) || !positive(w) || !positive(cin) || !positive(cout) || !positive(k) || !positive(s) ||
      !positive(pe) || !positive(simd) || p < 0)
    return "sizes must be positive (padding non-negative)";
  if (h > 32767 || w > 32767)
    return "rows and columns must be below 32768 (16-bit counters)";
  if (kind != EngineKind::Conv && cout != cin)
    return std::string(engineKindName(kind)) + ": output channels must equal input channels";
  if (cout % pe)
    return "pe must divide the output channels";
  if (kind == EngineKind::Conv ? cin % simd : simd != pe)
    return kind == EngineKind::Conv ? "simd must divide the input channels" : "simd must equal pe (channel-wise engine)";
  if (kind == EngineKind::Add)
    return mult >= 1 && mult <= 65535 && multB >= 1 && multB <= 65535 && shift >= 1 && shift <= 40 && lo <= hi
               ? ""
               : "add: mult, multB in 1..65535, shift in 1..40, lo <= hi";
  if (p >= k)
    return "padding must be smaller than the kernel";
  if (s > k)
    return "stride must not exceed the kernel (the line buffer holds k rows)";
  if (h + 2 * p < k || w + 2 * p < k)
    return "kernel larger than the padded input";
  if (mult < 1 || mult > 65535 || shift < 1 || shift > 40)
    return "mult must be in 1..65535 and shift in 1..40";
  if (lo < -128 || hi > 127 || lo > hi)
    return "clamp bounds must satisfy -128 <= lo <= hi <= 127";
  return "";
}

std::string EngineConfig::id() const {
  std::ostringstream s;
  s << engineKindName(kind) << "_h" << h << "w" << w << "_c" << cin << "x" << cout << "_k" << k << "s" << this->s
    << "p" << p << "_pe" << pe << "s" << simd;
  return s.str();
}

Expected<EngineConfig> engineForLayer(const Layer &l, int pe, int simd) {
  EngineConfig c;
  c.h = static_cast<int>(l.in_h);
  c.w = static_cast<int>(l.in_w);
  c.cin = static_cast<int>(l.c_in);
  c.cout = static_cast<int>(l.c_out);
  c.pe = pe;
  c.simd = simd;
  if (l.batch != 1 || l.dilation_h != 1 || l.dilation_w != 1)
    return makeError("fpga engines take batch 1 and no dilation");
  if (l.op == OpKind::Conv2d || l.op == OpKind::Pool2d) {
    if (l.kernel_h != l.kernel_w || l.stride_h != l.stride_w || l.pad_h != l.pad_w)
      return makeError("fpga engines take square kernels, strides and padding");
    c.k = static_cast<int>(l.kernel_h);
    c.s = static_cast<int>(l.stride_h);
    c.p = static_cast<int>(l.pad_h);
  }
  switch (l.op) {
  case OpKind::Conv2d:
    if (l.groups == 1)
      c.kind = EngineKind::Conv;
    else if (l.groups == l.c_in && l.c_in == l.c_out)
      c.kind = EngineKind::Depthwise;
    else
      return makeError("fpga engines take dense or depthwise convolutions only");
    break;
  case OpKind::Pool2d:
    c.kind = EngineKind::MaxPool;
    c.cout = c.cin;
    break;
  case OpKind::Elementwise:
    c.kind = EngineKind::Add;
    c.cout = c.cin;
    c.k = 1, c.s = 1, c.p = 0;
    break;
  default:
    return makeError(std::string("no fpga engine for ") + opKindName(l.op));
  }
  if (c.kind != EngineKind::Conv)
    c.simd = c.pe;
  chooseQuantisation(c);
  if (std::string why = c.check(); !why.empty())
    return makeError(why);
  return c;
}

void chooseQuantisation(EngineConfig &c) {
  // Random int8 operands: a sum of n products has a spread of about sqrt(n) * 74^2; scale it to about 32.
  if (c.kind == EngineKind::AvgPool) { // a true average: mult / 2^16 = 1 / k^2
    c.shift = 16;
    c.mult = std::max(1, static_cast<int>(std::lround(65536.0 / (c.k * c.k))));
    return;
  }
  int n = c.reduction();
  double spread = c.kind == EngineKind::Conv || c.kind == EngineKind::Depthwise ? std::sqrt(n) * 5461.0
                                                                                : 74.0;
  c.mult = 181;
  c.multB = 97;
  c.shift = std::clamp(static_cast<int>(std::lround(std::log2(spread * c.mult / 32.0))), 1, 40);
}

EngineData randomData(const EngineConfig &c, uint64_t seed) {
  Rng rng{seed};
  EngineData d;
  d.input.resize(static_cast<size_t>(c.h) * c.w * c.cin);
  for (int8_t &v : d.input)
    v = rng.byte();
  if (c.kind == EngineKind::Add) {
    d.input2.resize(d.input.size());
    for (int8_t &v : d.input2)
      v = rng.byte();
  }
  if (c.kind == EngineKind::Conv || c.kind == EngineKind::Depthwise) {
    size_t perFilter = static_cast<size_t>(c.k) * c.k * (c.kind == EngineKind::Conv ? c.cin : 1);
    d.weights.resize(perFilter * c.cout);
    for (int8_t &v : d.weights)
      v = rng.byte();
    d.bias.resize(c.cout);
    int64_t range = int64_t{1} << std::min(c.accWidth() - 3, 24);
    for (int32_t &b : d.bias)
      b = static_cast<int32_t>(static_cast<int64_t>(rng.next() % (2 * range)) - range);
  }
  return d;
}

std::vector<int8_t> reference(const EngineConfig &c, const EngineData &d) {
  int oh = c.outH(), ow = c.outW();
  std::vector<int8_t> out(static_cast<size_t>(oh) * ow * c.cout);
  if (c.kind == EngineKind::Add) {
    for (size_t i = 0; i < out.size(); ++i)
      out[i] = clampRequant(int64_t{d.input[i]} * c.mult + int64_t{d.input2[i]} * c.multB, 1, c.shift, c.lo, c.hi);
    return out;
  }
  auto in = [&](int y, int x, int ch) { return int64_t{d.input[(static_cast<size_t>(y) * c.w + x) * c.cin + ch]}; };
  for (int oy = 0; oy < oh; ++oy)
    for (int ox = 0; ox < ow; ++ox)
      for (int co = 0; co < c.cout; ++co) {
        int64_t acc = c.kind == EngineKind::MaxPool ? -128 : 0;
        for (int ky = 0; ky < c.k; ++ky)
          for (int kx = 0; kx < c.k; ++kx) {
            int iy = oy * c.s - c.p + ky, ix = ox * c.s - c.p + kx;
            if (iy < 0 || iy >= c.h || ix < 0 || ix >= c.w)
              continue; // padding: zero for sums, never the maximum
            switch (c.kind) {
            case EngineKind::Conv:
              for (int ci = 0; ci < c.cin; ++ci)
                acc += in(iy, ix, ci) * d.weights[((static_cast<size_t>(co) * c.k + ky) * c.k + kx) * c.cin + ci];
              break;
            case EngineKind::Depthwise:
              acc += in(iy, ix, co) * d.weights[(static_cast<size_t>(co) * c.k + ky) * c.k + kx];
              break;
            case EngineKind::MaxPool:
              acc = std::max(acc, in(iy, ix, co));
              break;
            default:
              acc += in(iy, ix, co);
            }
          }
        size_t o = (static_cast<size_t>(oy) * ow + ox) * c.cout + co;
        if (c.kind == EngineKind::MaxPool)
          out[o] = static_cast<int8_t>(std::clamp<int64_t>(acc, c.lo, c.hi));
        else
          out[o] = clampRequant(acc + (d.bias.empty() ? 0 : d.bias[co]), c.mult, c.shift, c.lo, c.hi);
      }
  return out;
}

RomImages romImages(const EngineConfig &c, const EngineData &d) {
  // ROM words: weights in the order the engine reads them (nf, ky, kx, sf), lane p*SIMD+s = channel
  // (nf*PE+p, sf*SIMD+s); biases one word of PE 32-bit lanes per output fold.
  std::string wmem, bmem;
  if (c.kind == EngineKind::Conv || c.kind == EngineKind::Depthwise) {
    bool conv = c.kind == EngineKind::Conv;
    int sf = conv ? c.cin / c.simd : 1, lanes = conv ? c.simd : 1;
    std::vector<int8_t> word(static_cast<size_t>(c.pe) * lanes);
    for (int nf = 0; nf < c.cout / c.pe; ++nf)
      for (int ky = 0; ky < c.k; ++ky)
        for (int kx = 0; kx < c.k; ++kx)
          for (int f = 0; f < sf; ++f) {
            for (int pp = 0; pp < c.pe; ++pp)
              for (int s = 0; s < lanes; ++s) {
                int co = nf * c.pe + pp;
                word[pp * lanes + s] =
                    conv ? d.weights[((static_cast<size_t>(co) * c.k + ky) * c.k + kx) * c.cin + f * c.simd + s]
                         : d.weights[(static_cast<size_t>(co) * c.k + ky) * c.k + kx];
              }
            wmem += hexBytes(word.data(), static_cast<int>(word.size())) + "\n";
          }
    for (int nf = 0; nf < c.cout / c.pe; ++nf) {
      for (int pp = c.pe - 1; pp >= 0; --pp) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%08x", static_cast<uint32_t>(d.bias[nf * c.pe + pp]));
        bmem += buf;
      }
      bmem += "\n";
    }
  }
  return {wmem, bmem};
}

std::string hexBeats(const std::vector<int8_t> &values, int lanes) { return beats(values, lanes); }

Expected<bool> writeEngine(const EngineConfig &c, const EngineData &d, const std::string &dir) {
  if (std::string why = c.check(); !why.empty())
    return makeError(c.id() + ": " + why);
  ::mkdir(dir.c_str(), 0777);
  int inLanes = c.inBeatLanes();
  std::ostringstream top;
  top << "// Generated by flydel-fpga for " << c.id() << "; engines in hw/.\n"
      << "module top(input logic clk, input logic rst,\n"
      << "  input logic in_valid, output logic in_ready, input logic [" << 8 * inLanes - 1 << ":0] in_data,\n";
  if (c.kind == EngineKind::Add)
    top << "  input logic in2_valid, output logic in2_ready, input logic [" << 8 * c.pe - 1 << ":0] in2_data,\n";
  top << "  output logic out_valid, input logic out_ready, output logic [" << 8 * c.pe - 1 << ":0] out_data);\n";
  if (c.kind == EngineKind::Add) {
    top << "  flydel_add_engine #(.PE(" << c.pe << "), .MA(" << c.mult << "), .MB(" << c.multB << "), .SHIFT("
        << c.shift << "), .LO(" << c.lo << "), .HI(" << c.hi << ")) u (\n"
        << "    .clk, .rst, .a_valid(in_valid), .a_ready(in_ready), .a_data(in_data), .b_valid(in2_valid),\n"
        << "    .b_ready(in2_ready), .b_data(in2_data), .out_valid, .out_ready, .out_data);\n";
  } else {
    top << "  flydel_window_engine #(.MODE(" << static_cast<int>(c.kind) << "), .H(" << c.h << "), .W(" << c.w
        << "), .CIN(" << c.cin << "), .COUT(" << c.cout << "), .K(" << c.k << "), .S(" << c.s << "), .P(" << c.p
        << "),\n    .PE(" << c.pe << "), .SIMD(" << c.simd << "), .MULT(" << c.mult << "), .SHIFT(" << c.shift
        << "), .LO(" << c.lo << "), .HI(" << c.hi << "), .WFILE(\"weights.mem\"), .BFILE(\"bias.mem\")) u (.*);\n";
  }
  top << "endmodule\n";

  RomImages roms = romImages(c, d);
  std::ostringstream cfg;
  cfg << "engine " << engineKindName(c.kind) << "\nh " << c.h << "\nw " << c.w << "\ncin " << c.cin << "\ncout "
      << c.cout << "\nk " << c.k << "\ns " << c.s << "\np " << c.p << "\npe " << c.pe << "\nsimd " << c.simd
      << "\nmult " << c.mult << "\nmultB " << c.multB << "\nshift " << c.shift << "\nlo " << c.lo << "\nhi "
      << c.hi << "\naccw " << c.accWidth() << "\n";
  bool ok = writeText(dir + "/top.sv", top.str()) && writeText(dir + "/weights.mem", roms.weights) &&
            writeText(dir + "/bias.mem", roms.bias) && writeText(dir + "/in.hex", beats(d.input, inLanes)) &&
            writeText(dir + "/in2.hex", beats(d.input2, c.pe)) &&
            writeText(dir + "/expected.hex", beats(reference(c, d), c.pe)) &&
            writeText(dir + "/config.txt", cfg.str());
  if (!ok)
    return makeError("cannot write the engine files under " + dir);
  return true;
}

} // namespace flydel::fpga
