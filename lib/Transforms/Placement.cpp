//===- Placement.cpp - a device assignment as a pins file -----------------===//

#include "flydel/Transforms/Placement.h"

#include "flydel/Dialect/Flydel/IR/FlydelAttrs.h"
#include "flydel/Dialect/Flydel/IR/FlydelDialect.h"
#include "flydel/Interfaces/LayerOpInterface.h"

#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/JSON.h"

#include <map>

using namespace mlir;
using namespace mlir::flydel;

std::string mlir::flydel::pinNameOf(Operation *op) {
  std::string name = getLayerName(op);
  return name.empty() ? op->getName().getStringRef().str() : name;
}

Placement mlir::flydel::collectPlacement(ModuleOp module) {
  // Per name, the devices of its computing ops and of its layout ops, in program order.
  struct Devices {
    llvm::SetVector<StringRef> computing, layout;
  };
  std::map<std::string, Devices> byName;
  std::vector<std::string> names; // program order
  llvm::SetVector<StringRef> unnamed;
  module.walk([&](Operation *op) {
    auto device = op->getAttrOfType<DeviceAttr>(FlydelDialect::kDeviceAttrName);
    if (!device || isa<FunctionOpInterface>(op))
      return;
    if (getLayerName(op).empty()) {
      unnamed.insert(op->getName().getStringRef());
      return;
    }
    std::string name = pinNameOf(op);
    if (!byName.count(name))
      names.push_back(name);
    Devices &d = byName[name];
    (isLayoutOp(op) ? d.layout : d.computing).insert(device.getName().getValue());
  });
  Placement placement;
  llvm::json::Object object;
  std::vector<std::string> order;
  for (const std::string &name : names) {
    const Devices &devices = byName[name];
    // A pin names the computing ops where the name has any (AssignDevices' rule), else its layout ops.
    const llvm::SetVector<StringRef> &pinned = devices.computing.empty() ? devices.layout : devices.computing;
    if (pinned.size() != 1) {
      placement.notPinnable.push_back("'" + name + "' (on " + llvm::join(pinned, " and ") + ")");
      continue;
    }
    object[name] = pinned.front().str();
    order.push_back(name);
    ++placement.named;
  }
  for (StringRef opName : unnamed)
    placement.notPinnable.push_back(opName.str() + " ops without a layer name");
  // llvm::json sorts keys; program order reads better and diffs better between runs.
  std::string text = "{\n";
  for (size_t i = 0; i < order.size(); ++i) {
    text += "  " + llvm::formatv("{0}", llvm::json::Value(order[i])).str() + ": " +
            llvm::formatv("{0}", *object.get(order[i])).str() + (i + 1 < order.size() ? ",\n" : "\n");
  }
  text += "}\n";
  placement.json = std::move(text);
  return placement;
}
