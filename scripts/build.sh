#!/usr/bin/env bash
# Configures (once) and builds flydel into build/ with CMake + Ninja. Extra arguments go to ninja (targets).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${FLYDEL_BUILD_DIR:-build}
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -G Ninja -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE:-Release}
fi
ninja -C "$BUILD_DIR" "$@"
