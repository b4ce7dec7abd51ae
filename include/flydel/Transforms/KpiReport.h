//===- KpiReport.h - the per-layer report of annotated KPIs -----*- C++ -*-===//
//
// What --flydel-kpi-report writes, as a function: flydel-predict and the Python package (flydel.annotate) render
// the same report from the same annotations.
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_TRANSFORMS_KPIREPORT_H
#define FLYDEL_TRANSFORMS_KPIREPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <string>

namespace mlir::flydel {

/// The report of a module annotated by --annotate-kpis in `format` (text, csv or json), without the rows `hide`
/// names (the pass's hide= option: layout, no-model), appended to `text`. Fails with an error on the module for an
/// unknown format or hide, or a module without annotations.
LogicalResult renderKpiReport(ModuleOp module, StringRef format, ArrayRef<std::string> hide, std::string &text);

/// The name the report gives an op: the ONNX node name an importer put in a NameLoc, else file:line, else "?".
std::string reportLayerName(Operation *op);

} // namespace mlir::flydel

#endif // FLYDEL_TRANSFORMS_KPIREPORT_H
