//===- FpgaYosysBackend.h - the fpga-yosys measurement backend --*- C++ -*-===//
//
// Not a timed backend: per layer of the plan it generates the FINN-style engine (hw/), synthesizes it with Yosys
// for 7-series (LUT, FF, DSP48, BRAM counts) and simulates it with Verilator (cycles). latency_ms is cycles at a
// stated clock; energy is not measured by this flow.
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_TOOLS_MEASURE_FPGAYOSYSBACKEND_H
#define FLYDEL_TOOLS_MEASURE_FPGAYOSYSBACKEND_H

#include <string>

namespace flydel::measure {

struct FpgaYosysOptions {
  std::string plan, output;
  std::string workDir;   // generated engines, logs and the Verilator model cache; default OUTPUT.work
  double clockMhz = 100; // stated, not timed
  int pe = 1, simd = 1;  // folding when the plan has no pe/simd columns
};

/// Measures every layer not yet in OUTPUT; returns the process exit code.
int runFpgaYosys(const FpgaYosysOptions &options);

} // namespace flydel::measure

#endif
