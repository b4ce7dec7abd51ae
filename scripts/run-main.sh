#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, and runs the main job on the bundled example.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh flydel-opt
BUILD_DIR=${FLYDEL_BUILD_DIR:-build}
echo "== $BUILD_DIR/bin/flydel-opt examples/small-cnn.mlir"
"$BUILD_DIR/bin/flydel-opt" examples/small-cnn.mlir
