//===- PlatformLibrary.h - platform libraries in the MLIR layer -*- C++ -*-===//
//
// The bridge between the MLIR-free platform library (flydel/Model/Library.h) and the dialect: loading a library
// by embedded name or path, the #flydel.platform it describes, and where each KPI column lands in #flydel.kpi.
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_TRANSFORMS_PLATFORMLIBRARY_H
#define FLYDEL_TRANSFORMS_PLATFORMLIBRARY_H

#include "flydel/Dialect/Flydel/IR/FlydelAttrs.h"
#include "flydel/Model/Library.h"

#include "mlir/Support/LLVM.h"

#include <memory>
#include <optional>
#include <string>

namespace mlir::flydel {

/// Loads a platform library: `spec` is an embedded platform's name or a path to a library JSON (anything
/// containing '/' or ending in ".json"). On failure, `error` says why and names the embedded platforms.
std::shared_ptr<const ::flydel::Library> loadPlatformLibrary(StringRef spec, std::string &error);

/// The platform a library describes, restricted to `devices` (all when empty). Link latencies are converted
/// from the library's units to the dialect's (microseconds, per KiB).
PlatformAttr getPlatformAttr(MLIRContext *context, const ::flydel::Library &library,
                             ArrayRef<std::string> devices = {});

/// Where a library KPI column goes in a #flydel.kpi, and the factor to the dialect's unit.
struct KpiSlot {
  enum class Kind { Latency, Energy, Resource };
  Kind kind = Kind::Latency;
  std::string column;   // library column, e.g. "latency_ms", "alm"
  std::string resource; // resource name (Kind::Resource)
  double scale = 1.0;   // library unit -> latency_us / energy_uj / count
};

/// The slot of a KPI column: latency_{s,ms,us,ns} -> latency_us, energy_{j,mj,uj} -> energy_uj; power and
/// throughput are not KPIs of the attribute (std::nullopt); any other column is a resource count.
std::optional<KpiSlot> classifyKpiColumn(StringRef column);

} // namespace mlir::flydel

#endif // FLYDEL_TRANSFORMS_PLATFORMLIBRARY_H
