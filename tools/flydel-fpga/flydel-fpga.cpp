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

#include <cstdio>
#include <cstdlib>
#include <map>
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
  std::map<std::string, std::string> opts;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string key = argv[i];
    if (key.rfind("-", 0) != 0)
      return usage();
    opts[key.substr(key.find_first_not_of('-'))] = argv[i + 1];
  }
  if ((argc - 2) % 2)
    return usage();
  EngineConfig c;
  if (!parseEngineKind(opts.count("engine") ? opts["engine"] : "conv", c.kind)) {
    std::fprintf(stderr, "flydel-fpga: error: unknown engine '%s'\n", opts["engine"].c_str());
    return 1;
  }
  auto num = [&](const char *name, int fallback) {
    auto it = opts.find(name);
    return it == opts.end() ? fallback : std::atoi(it->second.c_str());
  };
  c.h = num("h", 8);
  c.w = num("w", c.h);
  c.cin = num("c-in", 8);
  c.cout = c.kind == EngineKind::Conv ? num("c-out", c.cin) : c.cin;
  c.k = num("k", 3);
  c.s = num("s", 1);
  c.p = num("p", 0);
  if (c.kind == EngineKind::Add)
    c.k = 1, c.s = 1, c.p = 0;
  c.pe = num("pe", 1);
  c.simd = c.kind == EngineKind::Conv ? num("simd", 1) : c.pe;
  chooseQuantisation(c);
  c.lo = num("lo", -128);
  c.hi = num("hi", 127);
  uint64_t seed = static_cast<uint64_t>(num("seed", 1));
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
