//===- EmitVerilog.h - FPGA partitions (TOSA) to SystemVerilog --*- C++ -*-===//
//
// Lowers the FPGA partitions of a module -- functions tagged with a `flydel.device` of kind fpga (what
// --outline-partitions and --flydel-extract-device produce), or every function with a body -- to one SystemVerilog
// module each, built from the hw/ engines (flydel::fpga::Partition, see flydel/Fpga/Partition.h).
//
// Mapped TOSA ops (f32, batch 1, NHWC): conv2d (bias; a following per-channel constant mul / add -- a folded batch
// norm -- and clamp fold into it), depthwise_conv2d (multiplier 1), max_pool2d, avg_pool2d (no padding), add of two
// streams, clamp (folded into its producer when it is the producer's only use, else a 1x1 max-pool engine that only
// clamps); which ops and shapes the engines take is flydel::fpga::checkBuildable (flydel/Fpga/Capability.h), the rule
// --assign-devices applies too. Folding comes from `flydel.folding` on the op, else the options' defaults.
// Quantisation (no calibration data): int8 symmetric per-tensor weights scaled by their largest magnitude, every
// activation tensor assumed to lie in [-activationRange, activationRange]. The hardware is bit-exact to the C++
// fixed-point reference of that quantised network (flydel::fpga::evaluatePartition), not numerically equivalent to
// the f32 model. See docs/fpga.md.
//
// Every failure is a diagnostic on the culprit op (or the function) and a failure result; nothing is written then.
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_TARGET_VERILOG_EMITVERILOG_H
#define FLYDEL_TARGET_VERILOG_EMITVERILOG_H

#include "flydel/Fpga/Partition.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <map>
#include <string>
#include <vector>

namespace mlir::flydel {

struct VerilogEmitOptions {
  /// Every function with a body, not only those tagged with an FPGA device.
  bool allFunctions = false;
  /// Folding of ops without `flydel.folding` (simd is set to pe for channel-wise engines).
  int64_t defaultPe = 1, defaultSimd = 1;
  /// Every activation tensor is assumed to lie in [-activationRange, activationRange] (int8 scale range / 127).
  double activationRange = 8.0;
  /// Weights that are absent (an elided zero splat, a dense_resource without its blob) get deterministic
  /// pseudo-random int8 placeholders instead of an error: for resource and latency studies only, and said so in
  /// the generated module's header.
  bool placeholderWeights = false;
  /// First header line of every module (e.g. the command and input).
  std::string provenance;
};

/// The partition graph of one function (diagnostics on failure).
FailureOr<::flydel::fpga::Partition> buildFpgaPartition(func::FuncOp function, const VerilogEmitOptions &options);

struct EmittedVerilog {
  std::vector<::flydel::fpga::Partition> partitions;
  std::string verilog;                      // every partition's module
  std::map<std::string, std::string> files; // ROM files, named relative to the Verilog file's directory
};

/// All FPGA partitions of `module` (at least one, else an error).
FailureOr<EmittedVerilog> emitVerilog(ModuleOp module, const VerilogEmitOptions &options);

/// Writes `emitted.verilog` to `path` ("-": stdout, ROM files into the working directory) and the ROM files into
/// its directory; all of them or, on failure (a diagnostic at `loc`), none.
LogicalResult writeVerilog(const EmittedVerilog &emitted, StringRef path, Location loc);
/// The same without an MLIR context: on failure, why in `error`.
LogicalResult writeVerilog(const EmittedVerilog &emitted, StringRef path, std::string &error);

} // namespace mlir::flydel

#endif // FLYDEL_TARGET_VERILOG_EMITVERILOG_H
