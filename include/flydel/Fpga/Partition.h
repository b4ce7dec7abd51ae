//===- Partition.h - an FPGA partition as a dataflow graph of engines --*- C++ -*-===//
//
// MLIR-free. A Partition is a dataflow graph of hw/ engines (EngineConfig with int8 weights, int32 biases and its
// requantisation) between int8 NHWC input and output streams. generatePartition() writes one SystemVerilog module
// per partition that instantiates the engines and wires their valid/ready streams, adding the plumbing of
// hw/flydel_stream.sv where needed:
//   - a lane-width converter (flydel_stream_dwc) where a producer's beat (PE lanes) differs from its consumer's
//     (SIMD lanes for conv, PE otherwise);
//   - a broadcast fork (flydel_stream_fork) for a stream with several consumers, with a FIFO (flydel_stream_fifo)
//     on the branches that must absorb the skew of a join (fifoDepth()).
// Weight and bias ROMs are initialised by $readmemh from files named `<module>_n<node>_{w,b}.mem`, relative to the
// directory the simulator or synthesizer runs in (the engines take file names); the generator returns them beside
// the module text, writeGenerated() puts them in one directory.
//
// evaluatePartition() is the composed bit-exact reference (Engine.h's reference() node by node); verifyPartition()
// simulates a partition with Verilator against it.
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_FPGA_PARTITION_H
#define FLYDEL_FPGA_PARTITION_H

#include "flydel/Fpga/Engine.h"

#include <map>
#include <string>
#include <vector>

namespace flydel::fpga {

/// A stream: a node's output (node >= 0) or a partition input (input >= 0); exactly one is set.
struct StreamRef {
  int node = -1;
  int input = -1;
  static StreamRef ofNode(int n) { return {n, -1}; }
  static StreamRef ofInput(int i) { return {-1, i}; }
  bool operator==(const StreamRef &o) const { return node == o.node && input == o.input; }
};

struct PartitionNode {
  std::string name;                // layer name (op location): comments and messages
  EngineConfig config;             // shape, folding (pe, simd), requantisation, clamp
  std::vector<int8_t> weights;     // Conv: OHWI [cout][k][k][cin]; Depthwise: [c][k][k]; else empty
  std::vector<int32_t> bias;       // Conv, Depthwise: [cout]; else empty
  std::vector<StreamRef> operands; // one (Add: a, b), nodes earlier in the list or inputs
};

/// An int8 NHWC input stream of h x w x c, `lanes` channels per beat (lanes divides c).
struct PartitionInput {
  std::string name;
  int h = 1, w = 1, c = 1, lanes = 1;
};

struct Partition {
  std::string name;                 // the module name (a Verilog identifier)
  std::vector<std::string> header;  // comment lines at the top of the module (provenance, assumptions)
  std::vector<PartitionInput> inputs;
  std::vector<PartitionNode> nodes; // in a topological order
  std::vector<StreamRef> outputs;   // streams leaving the partition, at their producer's lanes
};

/// SystemVerilog keywords and the names the generated code uses itself (`top`, `flydel_*`): not module names.
bool isReservedModuleName(const std::string &name);

/// Empty when the graph is well formed (operands earlier, shapes compatible, every engine's check() passes,
/// weights and biases sized), else why not, naming the node.
std::string checkPartition(const Partition &partition);

/// Rows, columns, channels and channels per beat of a stream.
struct StreamShape {
  int h = 0, w = 0, c = 0, lanes = 0;
  long beats() const { return static_cast<long>(h) * w * c / lanes; }
};
StreamShape streamShape(const Partition &partition, StreamRef ref);

/// FIFO depth in beats on the edge from a forked stream to the consumer `node` (operand `operand`; node -1: the
/// partition output `operand`). 0: no FIFO. On a residual join add(x, f(x)), where f is a chain of single-use
/// window engines, the direct edge x -> add gets a bound on how far the fork runs ahead of the add (rows the chain
/// can hold, composed engine by engine, plus two rows), the chain's edge none; every other branch of a fork gets
/// the whole tensor, which can never deadlock.
long fifoDepth(const Partition &partition, StreamRef forked, int node, int operand);

/// The generated module and the ROM files it reads (file name -> content).
struct GeneratedPartition {
  std::string verilog;
  std::map<std::string, std::string> files;
};
/// Checks (checkPartition()) and generates. Ports: clk, rst (synchronous, active high), in<i>_{valid,ready,data},
/// out<j>_{valid,ready,data}; data is 8 x lanes bits, channel c of a beat in bits [8*lane +: 8].
Expected<GeneratedPartition> generatePartition(const Partition &partition);

/// Writes DIR/<file> (the module) and the ROM files beside it.
Expected<bool> writeGenerated(const GeneratedPartition &generated, const std::string &dir, const std::string &file);

/// Composed bit-exact reference: the outputs (NHWC) for the given inputs (NHWC, one per partition input).
std::vector<std::vector<int8_t>> evaluatePartition(const Partition &partition,
                                                   const std::vector<std::vector<int8_t>> &inputs);

/// Writes DIR/top.sv (the module and a wrapper `top` with hw/tb/flydel_tb.cpp's ports: one or two inputs, one
/// output), the ROM files, random inputs (seed) and the composed reference's output, then runs simulate().
Expected<SimResult> verifyPartition(const Partition &partition, const std::string &dir, const std::string &cacheDir,
                                    uint64_t seed = 1, const std::string &verilator = "verilator");

} // namespace flydel::fpga

#endif
