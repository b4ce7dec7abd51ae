//===- FlydelDialect.cpp - flydel dialect ---------------------------------===//
//
// Registration and verification of the discardable attributes the dialect owns (flydel.platform,
// flydel.kpis, flydel.kpi_totals, flydel.device).
//
//===----------------------------------------------------------------------===//

#include "flydel/Dialect/Flydel/IR/FlydelDialect.h"
#include "flydel/Dialect/Flydel/IR/FlydelAttrs.h"
#include "flydel/Dialect/Flydel/IR/FlydelOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

using namespace mlir;
using namespace mlir::flydel;

#include "flydel/Dialect/Flydel/IR/FlydelOpsDialect.cpp.inc"

void FlydelDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "flydel/Dialect/Flydel/IR/FlydelOps.cpp.inc"
      >();
  registerAttributes();
}

/// The platform of the closest enclosing module (including `op` itself) that carries one, or null.
static PlatformAttr findPlatform(Operation *op) {
  for (Operation *cur = op; cur; cur = cur->getParentOp()) {
    if (!isa<ModuleOp>(cur))
      continue;
    if (auto platform = cur->getAttrOfType<PlatformAttr>(FlydelDialect::kPlatformAttrName))
      return platform;
  }
  return {};
}

/// Checks a device-name -> #flydel.kpi dictionary, and its names against the platform when there is one.
static LogicalResult verifyKpiDictionary(Operation *op, NamedAttribute attr) {
  auto dict = dyn_cast<DictionaryAttr>(attr.getValue());
  if (!dict)
    return op->emitOpError() << "attribute '" << attr.getName().getValue()
                             << "' must be a dictionary from device name to #flydel.kpi";
  PlatformAttr platform = findPlatform(op);
  for (NamedAttribute entry : dict) {
    if (!isa<KpiAttr>(entry.getValue()))
      return op->emitOpError() << "attribute '" << attr.getName().getValue() << "': entry '" << entry.getName().getValue()
                               << "' must be a #flydel.kpi, got " << entry.getValue();
    if (platform && !platform.lookupDevice(entry.getName().getValue()))
      return op->emitOpError() << "attribute '" << attr.getName().getValue() << "' names device '"
                               << entry.getName().getValue() << "', which platform '"
                               << platform.getName().getValue() << "' does not have";
  }
  return success();
}

LogicalResult FlydelDialect::verifyOperationAttribute(Operation *op, NamedAttribute attr) {
  StringRef name = attr.getName().getValue();

  if (name == kPlatformAttrName) {
    if (!isa<PlatformAttr>(attr.getValue()))
      return op->emitOpError() << "attribute '" << name << "' must be a #flydel.platform";
    if (!isa<ModuleOp>(op))
      return op->emitOpError() << "attribute '" << name << "' is only allowed on builtin.module";
    return success();
  }

  if (name == kKpisAttrName)
    return verifyKpiDictionary(op, attr);

  if (name == kKpiTotalsAttrName) {
    if (!isa<FunctionOpInterface>(op))
      return op->emitOpError() << "attribute '" << name << "' is only allowed on functions";
    return verifyKpiDictionary(op, attr);
  }

  if (name == kAssignmentAttrName) {
    if (!isa<FunctionOpInterface>(op))
      return op->emitOpError() << "attribute '" << name << "' is only allowed on functions";
    if (!isa<DictionaryAttr>(attr.getValue()))
      return op->emitOpError() << "attribute '" << name << "' must be a dictionary (the assignment summary)";
    return success();
  }

  if (name == kFoldingAttrName) {
    if (!isa<FoldingAttr>(attr.getValue()))
      return op->emitOpError() << "attribute '" << name << "' must be a #flydel.folding";
    return success();
  }

  if (name == kDeviceAttrName) {
    auto device = dyn_cast<DeviceAttr>(attr.getValue());
    if (!device)
      return op->emitOpError() << "attribute '" << name << "' must be a #flydel.device";
    if (PlatformAttr platform = findPlatform(op)) {
      DeviceAttr known = platform.lookupDevice(device.getName().getValue());
      if (!known)
        return op->emitOpError() << "is assigned to device '" << device.getName().getValue()
                                 << "', which platform '" << platform.getName().getValue() << "' does not have";
      if (known.getKind() != device.getKind())
        return op->emitOpError() << "is assigned to device '" << device.getName().getValue() << "' of kind '"
                                 << stringifyDeviceKind(device.getKind()) << "', but platform '"
                                 << platform.getName().getValue() << "' declares it as '"
                                 << stringifyDeviceKind(known.getKind()) << "'";
    }
    return success();
  }

  return op->emitOpError() << "unknown flydel attribute '" << name << "' (expected one of '" << kPlatformAttrName
                           << "', '" << kKpisAttrName << "', '" << kKpiTotalsAttrName << "', '" << kDeviceAttrName << "', '" << kAssignmentAttrName
                           << "', '" << kFoldingAttrName << "')";
}

#define GET_OP_CLASSES
#include "flydel/Dialect/Flydel/IR/FlydelOps.cpp.inc"

LogicalResult TransferOp::verify() {
  if (getFrom() == getTo())
    return emitOpError() << "transfers from device '" << getFrom() << "' to itself";
  if (getBytesAttr().getInt() < 0)
    return emitOpError() << "bytes must be non-negative, got " << getBytesAttr().getInt();
  if (PlatformAttr platform = findPlatform(*this)) {
    for (StringRef device : {getFrom(), getTo()})
      if (!platform.lookupDevice(device))
        return emitOpError() << "names device '" << device << "', which platform '"
                             << platform.getName().getValue() << "' does not have";
    LinkAttr link = platform.lookupLink(getFrom(), getTo());
    if (!link)
      return emitOpError() << "platform '" << platform.getName().getValue() << "' has no link from '" << getFrom()
                           << "' to '" << getTo() << "'";
    // A cost derived from an assumed link must say so.
    if (getCost() && static_cast<bool>(link.getAssumed()) != getAssumed())
      return emitOpError() << "the link from '" << getFrom() << "' to '" << getTo() << "' is "
                           << (link.getAssumed() ? "assumed, so its cost must be marked 'assumed'"
                                                 : "measured, so its cost must not be marked 'assumed'");
  }
  if (getAssumed() && !getCost())
    return emitOpError() << "is marked 'assumed' but has no cost";
  return success();
}
