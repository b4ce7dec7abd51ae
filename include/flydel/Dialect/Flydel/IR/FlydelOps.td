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

class Flydel_Op<string mnemonic, list<Trait> traits = []> : Op<Flydel_Dialect, mnemonic, traits>;

#endif // FLYDEL_DIALECT_FLYDEL_IR_FLYDELOPS_TD
