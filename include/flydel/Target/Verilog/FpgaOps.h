//===- FpgaOps.h - TOSA ops as requests to the FPGA engines -----*- C++ -*-===//
//
// Reads an op of the IR into the MLIR-free ::flydel::fpga::OpRequest that flydel/Fpga/Capability.h judges. Both
// --emit-verilog (which builds the engines) and --assign-devices (which must not place an op on an FPGA that
// emission would refuse) read ops through these functions and ask checkBuildable(), so they cannot disagree.
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_TARGET_VERILOG_FPGAOPS_H
#define FLYDEL_TARGET_VERILOG_FPGAOPS_H

#include "flydel/Fpga/Capability.h"

#include "mlir/IR/Operation.h"

#include <string>

namespace mlir::flydel {

/// A type as the capability rule sees it.
::flydel::fpga::TensorShape describeFpgaTensor(Type type);

/// What the op asks of the engines (OpClass::Other for an op no engine implements). An add or mul with exactly one
/// weight-like operand is a ScaleAdd / ScaleMul, an add of two activations the add engine.
::flydel::fpga::OpClass classifyFpgaOp(Operation *op);

/// ScaleMul / ScaleAdd: the activation operand (the other one is the constant); else the first operand.
Value getFpgaStreamOperand(Operation *op);
/// ScaleMul / ScaleAdd: the constant operand (the one getFpgaStreamOperand does not return).
Value getFpgaConstantOperand(Operation *op);

/// The op with its shapes and attributes, at pe = simd = 1; a ScaleMul / ScaleAdd's producer is read from the IR
/// (through earlier scale ops, every value on the way used once).
::flydel::fpga::OpRequest describeFpgaOp(Operation *op);

/// Empty when an FPGA engine can build `op` as it stands (pe = simd = 1), else why not.
std::string checkFpgaBuildable(Operation *op);

/// For an op the engines build only inside its producer (fpga::foldsIntoProducer: a folded batch norm's mul / add),
/// that producer, which must be on the same FPGA; else null.
Operation *getFpgaFoldTarget(Operation *op);

} // namespace mlir::flydel

#endif // FLYDEL_TARGET_VERILOG_FPGAOPS_H
