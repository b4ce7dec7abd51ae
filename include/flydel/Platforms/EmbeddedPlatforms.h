//===- EmbeddedPlatforms.h - platform libraries compiled in -----*- C++ -*-===//
//
// The platform libraries under platforms/*.json are compiled into the tools, so that
// `flydel-opt --annotate-kpis` works on a machine without any data file. MLIR-free.
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_PLATFORMS_EMBEDDEDPLATFORMS_H
#define FLYDEL_PLATFORMS_EMBEDDEDPLATFORMS_H

#include <string_view>
#include <vector>

namespace flydel {

/// The default platform (the paper's Jetson TX2 + Cyclone 10 GX).
constexpr std::string_view kDefaultPlatformName = "tx2-c10gx";

/// The library JSON of an embedded platform, or an empty view when there is none of that name.
std::string_view getEmbeddedPlatform(std::string_view name) noexcept;

/// Names of the embedded platforms.
std::vector<std::string_view> listEmbeddedPlatforms();

} // namespace flydel

#endif // FLYDEL_PLATFORMS_EMBEDDEDPLATFORMS_H
