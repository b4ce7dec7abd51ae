//===- FlydelAttrs.h - flydel attributes ------------------------*- C++ -*-===//
#ifndef FLYDEL_DIALECT_FLYDEL_IR_FLYDELATTRS_H
#define FLYDEL_DIALECT_FLYDEL_IR_FLYDELATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"

#include "flydel/Dialect/Flydel/IR/FlydelEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "flydel/Dialect/Flydel/IR/FlydelAttrs.h.inc"

#endif // FLYDEL_DIALECT_FLYDEL_IR_FLYDELATTRS_H
