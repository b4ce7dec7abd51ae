#!/bin/sh
# Regenerates platforms/tx2-c10gx.json from the paper's measurements with the built flydel-identify.
# Usage: scripts/train-default-platform.sh [BUILD_DIR] [DATA_DIR]
#   BUILD_DIR defaults to build (falls back to build-nomlir); DATA_DIR to ../shared/data/tx2-c10gx.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-}
if [ -z "$build" ]; then
  if [ -x "$root/build/bin/flydel-identify" ]; then build="$root/build"; else build="$root/build-nomlir"; fi
fi
data=${2:-"$root/../shared/data/tx2-c10gx"}
tool="$build/bin/flydel-identify"
[ -x "$tool" ] || { echo "error: $tool not found (build the flydel-identify target first)" >&2; exit 1; }
[ -d "$data" ] || { echo "error: data directory $data not found" >&2; exit 1; }
exec "$tool" --spec "$root/platforms/tx2-c10gx.spec.json" --data-dir "$data" -o "$root/platforms/tx2-c10gx.json"
