//===- FlydelOps.h - flydel operations --------------------------*- C++ -*-===//
#ifndef FLYDEL_DIALECT_FLYDEL_IR_FLYDELOPS_H
#define FLYDEL_DIALECT_FLYDEL_IR_FLYDELOPS_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "flydel/Dialect/Flydel/IR/FlydelAttrs.h"
#include "flydel/Dialect/Flydel/IR/FlydelDialect.h"

#define GET_OP_CLASSES
#include "flydel/Dialect/Flydel/IR/FlydelOps.h.inc"

#endif // FLYDEL_DIALECT_FLYDEL_IR_FLYDELOPS_H
