//===- Engine.h - FPGA streaming engines: parameters, reference, generation --*- C++ -*-===//
//
// MLIR-free. An EngineConfig describes one instance of an engine of hw/ (flydel_window_engine, flydel_add_engine);
// reference() computes, in C++ fixed point, exactly what the RTL computes; writeEngine() generates the top module
// and the ROM initialisation files; the Verilator testbench (hw/tb/flydel_tb.cpp) compares the two beat by beat.
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_FPGA_ENGINE_H
#define FLYDEL_FPGA_ENGINE_H

#include "flydel/Model/Expected.h"
#include "flydel/Model/Layer.h"

#include <cstdint>
#include <string>
#include <vector>

namespace flydel::fpga {

/// The RTL MODE parameter of flydel_window_engine for the first four; Add is flydel_add_engine.
enum class EngineKind { Conv = 0, Depthwise = 1, MaxPool = 2, AvgPool = 3, Add = 4 };
const char *engineKindName(EngineKind kind);
bool parseEngineKind(const std::string &text, EngineKind &kind);

struct EngineConfig {
  EngineKind kind = EngineKind::Conv;
  int h = 8, w = 8;     // input rows, columns
  int cin = 8, cout = 8; // cout == cin except for Conv
  int k = 3, s = 1, p = 1; // square kernel, stride, padding per side
  int pe = 1, simd = 1; // output channels per cycle, input channels per cycle (== pe unless Conv)
  int mult = 1, multB = 1, shift = 1; // requantisation: ((acc + bias) * mult + 2^(shift-1)) >> shift (Add: a*mult + b*multB)
  int lo = -128, hi = 127;            // activation: clamp (lo = 0: ReLU)

  int outH() const;
  int outW() const;
  int inBeatLanes() const { return kind == EngineKind::Conv ? simd : pe; }
  /// Products summed per output (the adder/accumulator depth).
  int reduction() const;
  /// Accumulator width the RTL derives: 17 + clog2(reduction + 1).
  int accWidth() const;
  /// Empty when the RTL supports the configuration, else why not.
  std::string check() const;
  /// A short identifier, also a file-name stem: conv_h8w8_c8x8_k3s1p1_pe2s2.
  std::string id() const;
};

/// Maps a layer of the measurement schema to an engine (conv2d: dense or depthwise; pool2d: max; elementwise: add).
Expected<EngineConfig> engineForLayer(const Layer &layer, int pe, int simd);
/// A requantisation (mult, shift) that keeps random-data outputs mostly inside int8 instead of saturating.
void chooseQuantisation(EngineConfig &config);

/// Weights OHWI [cout][k][k][cin] (Depthwise: [c][k][k]), bias [cout]; activations NHWC, batch 1.
struct EngineData {
  std::vector<int8_t> weights;
  std::vector<int32_t> bias;
  std::vector<int8_t> input, input2; // input2: the second operand of Add
};
EngineData randomData(const EngineConfig &config, uint64_t seed);

/// Bit-exact model of the RTL: the output feature map [outH][outW][cout].
std::vector<int8_t> reference(const EngineConfig &config, const EngineData &data);

/// The ROM images writeEngine() writes (hex, one ROM word per line): weights in the order the engine reads them,
/// biases one word of PE 32-bit lanes per output fold. Both empty for engines without weights.
struct RomImages {
  std::string weights, bias;
};
RomImages romImages(const EngineConfig &config, const EngineData &data);
/// An int8 [pixels][channels] tensor as stream beats of `lanes` channels, one hex line per beat (lane 0 last).
std::string hexBeats(const std::vector<int8_t> &values, int lanes);

/// Writes DIR/top.sv (module `top`, ports in_*, in2_* for Add, out_*), DIR/weights.mem, DIR/bias.mem (hex, one ROM
/// word per line), DIR/in.hex, DIR/in2.hex, DIR/expected.hex (one stream beat per line) and DIR/config.txt.
Expected<bool> writeEngine(const EngineConfig &config, const EngineData &data, const std::string &dir);

/// Directory of the engine library sources (hw/), installed or in the source tree.
std::string hwDir();

struct SynthResult {
  int lut = 0;     // LUT1..LUT6 plus LUTs used as distributed RAM (RAM32M/RAM64M: 4, RAM32X1D/RAM64X1D: 2, ...)
  int ff = 0;      // FDRE, FDSE, FDCE, FDPE
  int dsp = 0;     // DSP48E1
  double bram = 0; // RAMB36E1 + RAMB18E1 / 2, in BRAM36 units
  double seconds = 0;
};
/// Runs `yosys synth_xilinx -family xc7 -flatten` on DIR/top.sv with the engines; the log goes to DIR/yosys.log.
Expected<SynthResult> synthesize(const std::string &dir, const std::string &yosys = "yosys");

struct SimResult {
  long cycles = 0;     // reset release to the last output beat, input always valid and output always ready
  long mismatches = 0; // output beats differing from expected.hex, over both runs
  long beats = 0;
  double buildSeconds = 0; // 0 when the verilated model came from the cache
};
/// Verilates DIR/top.sv with the testbench into CACHE/<hash of sources and parameters> (reused across data), runs
/// it once with free-flowing handshakes (cycles) and once with random stalls on both sides (seed), and compares.
Expected<SimResult> simulate(const std::string &dir, const std::string &cacheDir, uint64_t seed = 1,
                             const std::string &verilator = "verilator");

/// Whether an executable is on PATH.
bool haveProgram(const std::string &name);

} // namespace flydel::fpga

#endif
