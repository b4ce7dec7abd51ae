#!/usr/bin/env bash
# Installs the build into a scratch prefix and builds and runs a downstream consumer against the CMake package.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${FLYDEL_BUILD_DIR:-build}
PREFIX="$PWD/$BUILD_DIR/install-check/prefix"
CONSUMER="$PWD/$BUILD_DIR/install-check/consumer"
rm -rf "$PREFIX"
cmake --install "$BUILD_DIR" --prefix "$PREFIX" >/dev/null
if [ ! -f "$CONSUMER/build.ninja" ]; then
  cmake -G Ninja -S test/install-consumer -B "$CONSUMER" -DFlydel_DIR="$PREFIX/lib/cmake/flydel" >/dev/null
fi
ninja -C "$CONSUMER" >/dev/null
out=$("$CONSUMER/consumer")
echo "$out" | grep -q 'flydel.platform = #flydel.platform<"p"' || { echo "check-install: unexpected output: $out" >&2; exit 1; }
echo "check-install: installed package found, flydel registered and used by a downstream tool"
