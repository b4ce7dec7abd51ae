//===- FlydelOps.td - flydel operations --------------------*- tablegen -*-===//
//
// The dialect's operations (partitions, transfers) arrive with the device-assignment work; this file exists so
// the dialect documentation and op registration have one home from the start.
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_DIALECT_FLYDEL_IR_FLYDELOPS_TD
#define FLYDEL_DIALECT_FLYDEL_IR_FLYDELOPS_TD

include "flydel/Dialect/Flydel/IR/FlydelDialect.td"
include "flydel/Dialect/Flydel/IR/FlydelAttrs.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/OpBase.td"

class Flydel_Op<string mnemonic, list<Trait> traits = []> : Op<Flydel_Dialect, mnemonic, traits>;

def Flydel_TransferOp : Flydel_Op<"transfer", [Pure, SameOperandsAndResultType]> {
  let summary = "A value moving from one device to another";
  let description = [{
    Makes explicit, after `--outline-partitions`, every value that crosses from a partition on one device to a
    partition on another. The value is unchanged; the op carries the predicted cost of the move (from the
    platform's link model, for the value's size in bytes) so that later passes and reports can account for it.
    On a single host (for example when every partition runs on the CPU) `--flydel-lower-transfers` replaces it
    with its operand.

    `assumed` marks a cost that comes from a link whose parameters are stated assumptions, not measurements
    (`#flydel.link<..., assumed>`).

    ```mlir
    %1 = flydel.transfer %0 : tensor<1x56x56x64xf32> from "gpu" to "fpga" bytes 802816
        cost #flydel.kpi<latency_us = 501.4>
    %2 = flydel.transfer %1 : tensor<1x56x56x64xf32> from "fpga" to "cpu" bytes 802816
        cost #flydel.kpi<latency_us = 794.0> assumed
    ```
  }];
  let arguments = (ins AnyType:$input, StrAttr:$from, StrAttr:$to, I64Attr:$bytes,
                       OptionalAttr<Flydel_KpiAttr>:$cost, UnitAttr:$assumed);
  let results = (outs AnyType:$result);
  let assemblyFormat = [{
    $input `:` type($input) `from` $from `to` $to `bytes` $bytes (`cost` qualified($cost)^)? (`assumed` $assumed^)?
    attr-dict
  }];
  let hasVerifier = 1;
}

#endif // FLYDEL_DIALECT_FLYDEL_IR_FLYDELOPS_TD
