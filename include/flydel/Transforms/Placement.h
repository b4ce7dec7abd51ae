//===- Placement.h - a device assignment as a pins file --------*- C++ -*-===//
//
// What --assign-devices decided, as the JSON its `pins` option reads ({"layer name": "device"}), so a placement
// can be saved, edited and replayed (flydel-compile --save-placement / --pins).
//
//===----------------------------------------------------------------------===//

#ifndef FLYDEL_TRANSFORMS_PLACEMENT_H
#define FLYDEL_TRANSFORMS_PLACEMENT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringMap.h"

#include <optional>

#include <string>
#include <vector>

namespace mlir::flydel {

/// The name a pin addresses an op by: its layer name (the ONNX node name the importer put in its location), else
/// its op name.
std::string pinNameOf(Operation *op);

struct Placement {
  std::string json; // {"layer name": "device", ...}, names in program order
  int named = 0;    // layer names written
  /// Ops the file cannot pin: without a layer name of their own (an op name names every op of its kind), or whose
  /// name covers ops on different devices. --assign-devices decides them again on replay.
  std::vector<std::string> notPinnable;
};

/// Reads a pins file ({"layer name": "device"}; a UTF-8 byte order mark is skipped), every pin naming a device
/// for which `isDevice` holds (`platform` names the platform in the message). On failure, `error` says why,
/// naming the file or the pin. The one reader of --assign-devices' `pins` and flydel-compile's --pins.
std::optional<llvm::StringMap<std::string>> readPins(StringRef path, llvm::function_ref<bool(StringRef)> isDevice,
                                                     StringRef platform, std::string &error);

/// The placement of every op carrying a flydel.device in the module's functions, after --assign-devices and before
/// --outline-partitions.
Placement collectPlacement(ModuleOp module);

} // namespace mlir::flydel

#endif // FLYDEL_TRANSFORMS_PLACEMENT_H
