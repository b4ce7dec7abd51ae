//===- FlydelDialect.h - flydel dialect -------------------------*- C++ -*-===//
#ifndef FLYDEL_DIALECT_FLYDEL_IR_FLYDELDIALECT_H
#define FLYDEL_DIALECT_FLYDEL_IR_FLYDELDIALECT_H

#include "mlir/IR/Dialect.h"

#include "flydel/Dialect/Flydel/IR/FlydelOpsDialect.h.inc"

#endif // FLYDEL_DIALECT_FLYDEL_IR_FLYDELDIALECT_H
