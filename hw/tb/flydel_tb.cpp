// Verilator testbench for a generated engine top (flydel-fpga gen): streams in.hex (and in2.hex) into the engine,
// compares every output beat with expected.hex (the C++ fixed-point reference), and reports cycles.
//
//   flydel_tb DIR SEED
// Run 1: input always valid, output always ready -> "cycles N": reset release to the last output beat (latency
// of one image). Run 2: random valid gaps and ready stalls (SEED) -> checks the handshakes. Both are compared.
#include "Vtop.h"
#include "verilated.h"

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <type_traits>
#include <vector>

namespace {

using Beat = std::vector<uint32_t>; // 32-bit words, least significant first

std::vector<Beat> readBeats(const std::string &path) {
  std::vector<Beat> beats;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty())
      continue;
    Beat b((line.size() * 4 + 31) / 32, 0);
    for (size_t i = 0; i < line.size(); ++i) {
      size_t bit = (line.size() - 1 - i) * 4;
      b[bit / 32] |= static_cast<uint32_t>(std::stoul(line.substr(i, 1), nullptr, 16)) << (bit % 32);
    }
    beats.push_back(b);
  }
  return beats;
}

// Verilator ports are CData/SData/IData/QData up to 64 bits and VlWide<N> above.
template <class T> void setPort(T &port, const Beat &b) {
  if constexpr (std::is_integral_v<T>)
    port = static_cast<T>(b[0] | (b.size() > 1 ? static_cast<uint64_t>(b[1]) << 32 : 0));
  else
    for (size_t i = 0; i < sizeof(T) / sizeof(uint32_t); ++i)
      port[i] = i < b.size() ? b[i] : 0;
}
template <class T> Beat getPort(const T &port, size_t words) {
  Beat b(words, 0);
  if constexpr (std::is_integral_v<T>) {
    uint64_t v = port;
    b[0] = static_cast<uint32_t>(v);
    if (words > 1)
      b[1] = static_cast<uint32_t>(v >> 32);
  } else
    for (size_t i = 0; i < words; ++i)
      b[i] = port[i];
  return b;
}

struct Lfsr {
  uint64_t s;
  bool chance(int percent) {
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    return static_cast<int>(s % 100) < percent;
  }
};

#ifdef FLYDEL_TB_ADD
constexpr bool kTwoInputs = true;
#else
constexpr bool kTwoInputs = false;
#endif

// Returns cycles to the last output beat; counts mismatches.
long run(const std::string &dir, bool stalls, uint64_t seed, long &mismatches, long &beats) {
  std::vector<Beat> in = readBeats(dir + "/in.hex"), in2 = readBeats(dir + "/in2.hex");
  std::vector<Beat> expected = readBeats(dir + "/expected.hex");
  auto ctx = std::make_unique<VerilatedContext>();
  auto top = std::make_unique<Vtop>(ctx.get());
  Lfsr rng{seed * 2654435761ULL + 1};
  top->clk = 0;
  top->rst = 1;
  top->in_valid = 0;
  top->out_ready = 0;
  for (int i = 0; i < 4; ++i) {
    top->clk = !top->clk;
    top->eval();
  }
  top->rst = 0;
  size_t ni = 0, ni2 = 0, no = 0;
  long cycle = 0, last = 0;
  const long limit = 1000L * static_cast<long>(in.size() + expected.size()) + 100000;
  // Each loop: drive inputs on the low phase, sample handshakes, rising edge.
  while ((no < expected.size() || ni < in.size()) && cycle < limit) {
    bool offer = ni < in.size() && (!stalls || rng.chance(70));
    top->in_valid = offer;
    if (offer)
      setPort(top->in_data, in[ni]);
#ifdef FLYDEL_TB_ADD
    bool offer2 = ni2 < in2.size() && (!stalls || rng.chance(70));
    top->in2_valid = offer2;
    if (offer2)
      setPort(top->in2_data, in2[ni2]);
#endif
    top->out_ready = !stalls || rng.chance(60);
    top->eval();
    bool inFire = top->in_valid && top->in_ready;
#ifdef FLYDEL_TB_ADD
    bool in2Fire = top->in2_valid && top->in2_ready;
#endif
    bool outFire = top->out_valid && top->out_ready;
    if (outFire) {
      Beat got = getPort(top->out_data, expected[no].size());
      if (got != expected[no] && mismatches++ < 5) {
        std::printf("mismatch at output beat %zu:", no);
        for (size_t w = got.size(); w-- > 0;)
          std::printf(" %08x/%08x", got[w], expected[no][w]);
        std::printf(" (got/expected)\n");
      }
      ++no;
      last = cycle + 1;
    }
    top->clk = 1;
    top->eval();
    top->clk = 0;
    top->eval();
    ni += inFire;
#ifdef FLYDEL_TB_ADD
    ni2 += in2Fire;
#endif
    ++cycle;
  }
  (void)ni2;
  if (no < expected.size()) {
    std::printf("timeout: %zu of %zu output beats after %ld cycles (%zu of %zu input beats taken)\n", no,
                expected.size(), cycle, ni, in.size());
    mismatches += static_cast<long>(expected.size() - no);
  }
  if (ni < in.size()) {
    std::printf("the engine left %zu input beats unread\n", in.size() - ni);
    ++mismatches;
  }
  beats += static_cast<long>(no);
  top->final();
  return last;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: flydel_tb DIR SEED\n");
    return 2;
  }
  // $readmemh paths in top.sv are relative: the testbench runs in DIR (flydel-fpga does this).
  std::string dir = argv[1];
  uint64_t seed = std::stoull(argv[2]);
  long mismatches = 0, beats = 0;
  long cycles = run(dir, false, seed, mismatches, beats);
  run(dir, true, seed, mismatches, beats);
  std::printf("cycles %ld\nbeats %ld\nmismatches %ld\n", cycles, beats, mismatches);
  return mismatches ? 1 : 0;
}
