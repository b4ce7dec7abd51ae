//===- EmbeddedPlatforms.cpp - platform libraries compiled in -------------===//

#include "flydel/Platforms/EmbeddedPlatforms.h"

namespace {
struct EmbeddedPlatform {
  std::string_view name;
  std::string_view json;
};

constexpr EmbeddedPlatform kPlatforms[] = {
#include "EmbeddedPlatforms.inc"
};
} // namespace

std::string_view flydel::getEmbeddedPlatform(std::string_view name) noexcept {
  for (const EmbeddedPlatform &platform : kPlatforms)
    if (platform.name == name)
      return platform.json;
  return {};
}

std::vector<std::string_view> flydel::listEmbeddedPlatforms() {
  std::vector<std::string_view> names;
  for (const EmbeddedPlatform &platform : kPlatforms)
    names.push_back(platform.name);
  return names;
}
