//===- PlatformLibrary.cpp - platform libraries in the MLIR layer ---------===//

#include "flydel/Transforms/PlatformLibrary.h"

#include "flydel/Platforms/EmbeddedPlatforms.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;
using namespace mlir::flydel;

std::shared_ptr<const ::flydel::Library> mlir::flydel::loadPlatformLibrary(StringRef spec, std::string &error) {
  bool isPath = spec.contains('/') || spec.ends_with(".json");
  if (!isPath) {
    std::string_view json = ::flydel::getEmbeddedPlatform(std::string_view(spec.data(), spec.size()));
    if (json.empty()) {
      std::string names;
      for (std::string_view name : ::flydel::listEmbeddedPlatforms())
        names += (names.empty() ? "" : ", ") + std::string(name);
      error = "unknown platform '" + spec.str() + "': neither an embedded platform (" + names +
              ") nor a path to a library JSON";
      return nullptr;
    }
    auto library = ::flydel::Library::parse(json, "embedded platform " + spec.str());
    if (!library) {
      error = library.error();
      return nullptr;
    }
    return std::make_shared<const ::flydel::Library>(std::move(*library));
  }
  auto library = ::flydel::Library::load(spec.str());
  if (!library) {
    error = library.error();
    return nullptr;
  }
  return std::make_shared<const ::flydel::Library>(std::move(*library));
}

static DeviceKind toDialectKind(::flydel::DeviceKind kind) {
  switch (kind) {
  case ::flydel::DeviceKind::Cpu:
    return DeviceKind::cpu;
  case ::flydel::DeviceKind::Gpu:
    return DeviceKind::gpu;
  case ::flydel::DeviceKind::Fpga:
    return DeviceKind::fpga;
  }
  llvm_unreachable("unknown device kind");
}

/// Factor from a time unit to microseconds (0 when unknown).
static double toMicroseconds(StringRef unit) {
  return llvm::StringSwitch<double>(unit.lower())
      .Case("s", 1e6)
      .Case("ms", 1e3)
      .Case("us", 1.0)
      .Case("ns", 1e-3)
      .Default(0.0);
}

/// Factor from an energy unit to microjoules (0 when unknown).
static double toMicrojoules(StringRef unit) {
  return llvm::StringSwitch<double>(unit.lower()).Case("j", 1e6).Case("mj", 1e3).Case("uj", 1.0).Default(0.0);
}

PlatformAttr mlir::flydel::getPlatformAttr(MLIRContext *context, const ::flydel::Library &library,
                                           ArrayRef<std::string> devices) {
  Builder builder(context);
  auto selected = [&](StringRef name) { return devices.empty() || llvm::is_contained(devices, name.str()); };

  SmallVector<DeviceAttr> deviceAttrs;
  for (const ::flydel::Device &device : library.devices) {
    if (!selected(device.name))
      continue;
    DictionaryAttr capacities;
    if (!device.capacities.empty()) {
      NamedAttrList entries;
      for (const auto &[resource, count] : device.capacities)
        entries.append(resource, builder.getI64IntegerAttr(static_cast<int64_t>(count)));
      capacities = entries.getDictionary(context);
    }
    deviceAttrs.push_back(DeviceAttr::get(context, builder.getStringAttr(device.name),
                                          toDialectKind(device.kind), capacities));
  }

  SmallVector<LinkAttr> linkAttrs;
  for (const ::flydel::Link &link : library.links) {
    if (!selected(link.from) || !selected(link.to))
      continue;
    double usPerUnit = toMicroseconds(link.latency.unit);
    if (usPerUnit == 0.0)
      continue; // The library loader validates units; an unknown one cannot be converted faithfully.
    // The library's cost is affine in kbit (1024 bits); one KiB is 8 kbit.
    FloatAttr energyFixed, energyPerKib;
    if (link.hasEnergy) {
      double ujPerUnit = toMicrojoules(link.energy.unit);
      if (ujPerUnit != 0.0) {
        energyFixed = builder.getF64FloatAttr(link.energy.intercept * ujPerUnit);
        energyPerKib = builder.getF64FloatAttr(link.energy.slopePerKbit * 8.0 * ujPerUnit);
      }
    }
    linkAttrs.push_back(LinkAttr::get(context, builder.getStringAttr(link.from), builder.getStringAttr(link.to),
                                      builder.getF64FloatAttr(link.latency.intercept * usPerUnit),
                                      builder.getF64FloatAttr(link.latency.slopePerKbit * 8.0 * usPerUnit),
                                      energyFixed, energyPerKib,
                                      link.assumed ? builder.getUnitAttr() : UnitAttr()));
  }
  return PlatformAttr::get(context, builder.getStringAttr(library.platform.name), deviceAttrs, linkAttrs);
}

std::optional<KpiSlot> mlir::flydel::classifyKpiColumn(StringRef column) {
  KpiSlot slot;
  slot.column = column.str();
  if (column.starts_with("power") || column.starts_with("throughput"))
    return std::nullopt;
  if (column.consume_front("latency_")) {
    slot.kind = KpiSlot::Kind::Latency;
    slot.scale = toMicroseconds(column);
    return slot.scale == 0.0 ? std::nullopt : std::optional<KpiSlot>(slot);
  }
  if (column.consume_front("energy_")) {
    slot.kind = KpiSlot::Kind::Energy;
    slot.scale = toMicrojoules(column);
    return slot.scale == 0.0 ? std::nullopt : std::optional<KpiSlot>(slot);
  }
  slot.kind = KpiSlot::Kind::Resource;
  slot.resource = column.str();
  return slot;
}
