//===- Placement.cpp - a device assignment as a pins file -----------------===//

#include "flydel/Transforms/Placement.h"

#include "flydel/Dialect/Flydel/IR/FlydelAttrs.h"
#include "flydel/Dialect/Flydel/IR/FlydelDialect.h"
#include "flydel/Interfaces/LayerOpInterface.h"
#include "flydel/Model/TextParse.h"

#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include <map>

using namespace mlir;
using namespace mlir::flydel;

std::string mlir::flydel::pinNameOf(Operation *op) {
  std::string name = getLayerName(op);
  return name.empty() ? op->getName().getStringRef().str() : name;
}

std::optional<llvm::StringMap<std::string>> mlir::flydel::readPins(StringRef path,
                                                                  llvm::function_ref<bool(StringRef)> isDevice,
                                                                  StringRef platform, std::string &error) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer) {
    error = "cannot read pins file '" + path.str() + "': " + buffer.getError().message();
    return std::nullopt;
  }
  std::string_view text = ::flydel::skipUtf8Bom((*buffer)->getBuffer());
  llvm::Expected<llvm::json::Value> json = llvm::json::parse(StringRef(text.data(), text.size()));
  if (!json) {
    error = "pins file '" + path.str() + "' is not valid JSON: " + llvm::toString(json.takeError());
    return std::nullopt;
  }
  const llvm::json::Object *object = json->getAsObject();
  if (!object) {
    error = "pins file '" + path.str() + "' must be an object {\"layer name\": \"device\"}";
    return std::nullopt;
  }
  llvm::StringMap<std::string> pins;
  for (const auto &entry : *object) {
    std::optional<StringRef> device = entry.second.getAsString();
    if (!device) {
      error = "pin '" + entry.first.str() + "' must name a device";
      return std::nullopt;
    }
    if (!isDevice(*device)) {
      error = "pin '" + entry.first.str() + "' names device '" + device->str() + "', which platform '" +
              platform.str() + "' does not have";
      return std::nullopt;
    }
    pins[entry.first.str()] = device->str();
  }
  return pins;
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
  // Written by hand in program order (llvm::json sorts keys): reads and diffs better between runs.
  std::string text = "{";
  for (const std::string &name : names) {
    const Devices &devices = byName[name];
    // A pin names the computing ops where the name has any (AssignDevices' rule), else its layout ops.
    const llvm::SetVector<StringRef> &pinned = devices.computing.empty() ? devices.layout : devices.computing;
    if (pinned.size() != 1) {
      placement.notPinnable.push_back("'" + name + "' (on " + llvm::join(pinned, " and ") + ")");
      continue;
    }
    text += (placement.named++ ? ",\n  " : "\n  ") + llvm::formatv("{0}", llvm::json::Value(name)).str() + ": " +
            llvm::formatv("{0}", llvm::json::Value(pinned.front())).str();
  }
  for (StringRef opName : unnamed)
    placement.notPinnable.push_back(opName.str() + " ops without a layer name");
  text += "\n}\n";
  placement.json = std::move(text);
  return placement;
}
