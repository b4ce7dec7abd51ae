//===- Placement.h - a device assignment as a pins file --------*- C++ -*-===//
//
// What --assign-devices decided, as the JSON its `pins` option reads ({"layer name": "device"}), so a placement
// can be saved, edited and replayed (flydel-compile --save-placement / --pins).
//
//===----------------------------------------------------------------------===//

#ifndef FLYDEL_TRANSFORMS_PLACEMENT_H
#define FLYDEL_TRANSFORMS_PLACEMENT_H

#include "mlir/IR/BuiltinOps.h"

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

/// The placement of every op carrying a flydel.device in the module's functions, after --assign-devices and before
/// --outline-partitions.
Placement collectPlacement(ModuleOp module);

} // namespace mlir::flydel

#endif // FLYDEL_TRANSFORMS_PLACEMENT_H
