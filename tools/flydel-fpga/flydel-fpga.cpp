//===- flydel-fpga.cpp - generate, verify and synthesize FPGA engines -----===//
//
//   flydel-fpga gen    ENGINE-OPTIONS -o DIR            top.sv, ROM files, random stimulus and expected output
//   flydel-fpga verify ENGINE-OPTIONS -o DIR [--cache C] gen + Verilator run compared with the C++ reference
//   flydel-fpga synth  ENGINE-OPTIONS -o DIR            gen + yosys synth_xilinx (xc7): LUT, FF, DSP, BRAM
//
// ENGINE-OPTIONS: --engine conv|depthwise|maxpool|avgpool|add --h N --w N --c-in N --c-out N --k N --s N --p N
//                 --pe N --simd N [--lo N --hi N] [--seed N]
//
// MLIR-free: the engines and their reference live in FlydelFpga.
//
//===----------------------------------------------------------------------===//
#include "flydel/Fpga/Engine.h"
#include "flydel/Model/TextParse.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>
#include <string>

using namespace flydel::fpga;

namespace {

int usage() {
  std::fprintf(stderr, "usage: flydel-fpga gen|verify|synth --engine conv|depthwise|maxpool|avgpool|add --h N --w N "
                       "--c-in N --c-out N --k N --s N --p N --pe N --simd N [--lo N --hi N --seed N] -o DIR "
                       "[--cache DIR]\n");
  return 2;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2)
    return usage();
  std::string command = argv[1];
  if (command != "gen" && command != "verify" && command != "synth")
    return usage();
  static const std::set<std::string> kKnown = {"engine", "h",  "w",  "c-in", "c-out", "k",    "s",    "p",
                                                "pe",     "simd", "lo", "hi",   "seed",  "o",    "cache"};
  std::map<std::string, std::string> opts;
  for (int i = 2; i < argc; i += 2) {
    std::string key = argv[i];
    if (key.size() < 2 || key[0] != '-')
      return usage();
    std::string name = key.substr(key.find_first_not_of('-'));
    // An unknown option used to be ignored (a typo silently left a default in place).
    if (!kKnown.count(name)) {
      std::fprintf(stderr, "flydel-fpga: error: unknown option '%s'\n", key.c_str());
      return usage();
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "flydel-fpga: error: option %s needs a value\n", key.c_str());
      return usage();
    }
    opts[name] = argv[i + 1];
  }
  EngineConfig c;
  if (!parseEngineKind(opts.count("engine") ? opts["engine"] : "conv", c.kind)) {
    std::fprintf(stderr, "flydel-fpga: error: unknown engine '%s'\n", opts["engine"].c_str());
    return 1;
  }
  // Whole string, in range: atoi read "abc" as 0 and wrapped 99999999999 to a small int.
  bool bad = false;
  auto num = [&](const char *name, int64_t fallback, int64_t lo = 1,
                 int64_t hi = std::numeric_limits<int32_t>::max()) -> int64_t {
    auto it = opts.find(name);
    if (it == opts.end() || bad)
      return fallback;
    int64_t v = 0;
    std::string why;
    if (!flydel::parseStrictInteger(it->second, lo, hi, v, &why)) {
      std::fprintf(stderr, "flydel-fpga: error: option --%s: '%s' is %s\n", name, it->second.c_str(), why.c_str());
      bad = true;
      return fallback;
    }
    return v;
  };
  constexpr int64_t kIntMin = std::numeric_limits<int32_t>::min(), kIntMax = std::numeric_limits<int32_t>::max();
  c.h = static_cast<int>(num("h", 8));
  c.w = static_cast<int>(num("w", c.h));
  c.cin = static_cast<int>(num("c-in", 8));
  c.cout = c.kind == EngineKind::Conv ? static_cast<int>(num("c-out", c.cin)) : c.cin;
  c.k = static_cast<int>(num("k", 3));
  c.s = static_cast<int>(num("s", 1));
  c.p = static_cast<int>(num("p", 0, 0));
  if (c.kind == EngineKind::Add)
    c.k = 1, c.s = 1, c.p = 0;
  c.pe = static_cast<int>(num("pe", 1));
  c.simd = c.kind == EngineKind::Conv ? static_cast<int>(num("simd", 1)) : c.pe;
  chooseQuantisation(c);
  c.lo = static_cast<int>(num("lo", -128, kIntMin, kIntMax));
  c.hi = static_cast<int>(num("hi", 127, kIntMin, kIntMax));
  uint64_t seed = static_cast<uint64_t>(num("seed", 1, 0, std::numeric_limits<int64_t>::max()));
  if (bad)
    return 2;
  std::string dir = opts.count("o") ? opts["o"] : "";
  if (dir.empty())
    return usage();
  if (std::string why = c.check(); !why.empty()) {
    std::fprintf(stderr, "flydel-fpga: error: %s: %s\n", c.id().c_str(), why.c_str());
    return 1;
  }
  auto written = writeEngine(c, randomData(c, seed), dir);
  if (!written) {
    std::fprintf(stderr, "flydel-fpga: error: %s\n", written.error().c_str());
    return 1;
  }
  if (command == "gen") {
    std::printf("%s: accumulator %d bits, %d output beats\n", c.id().c_str(), c.accWidth(),
                c.outH() * c.outW() * c.cout / c.pe);
    return 0;
  }
  if (command == "verify") {
    auto sim = simulate(dir, opts.count("cache") ? opts["cache"] : dir + "/cache", seed);
    if (!sim) {
      std::fprintf(stderr, "flydel-fpga: error: %s\n", sim.error().c_str());
      return 1;
    }
    std::printf("%s %s: cycles %ld, %ld output beats compared, %ld mismatches\n", sim->mismatches ? "FAIL" : "PASS",
                c.id().c_str(), sim->cycles, sim->beats, sim->mismatches);
    return sim->mismatches ? 1 : 0;
  }
  auto syn = synthesize(dir);
  if (!syn) {
    std::fprintf(stderr, "flydel-fpga: error: %s\n", syn.error().c_str());
    return 1;
  }
  std::printf("%s: lut %d ff %d dsp %d bram36 %g (yosys %.1f s)\n", c.id().c_str(), syn->lut, syn->ff, syn->dsp,
              syn->bram, syn->seconds);
  return 0;
}
