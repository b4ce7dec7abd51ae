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
# Every installed tool starts from the prefix: it finds Debian's LLVM/MLIR libraries through its run path.
for tool in "$PREFIX"/bin/flydel-*; do
  if "$tool" --help 2>&1 | grep -q "error while loading shared libraries"; then
    echo "check-install: $tool does not start: $("$tool" --help 2>&1 | head -1)" >&2
    exit 1
  fi
done
out=$("$CONSUMER/consumer")
echo "$out" | grep -q 'flydel.platform = #flydel.platform<"p"' || { echo "check-install: unexpected output: $out" >&2; exit 1; }

# The Python package: imported from the prefix (not the build tree) by the interpreter it was built for.
py=$(sed -n 's/^FLYDEL_PYTHON_EXECUTABLE:INTERNAL=//p' "$BUILD_DIR/CMakeCache.txt")
pydir=$(sed -n 's/^FLYDEL_PYTHON_INSTALL_DIR:STRING=//p' "$BUILD_DIR/CMakeCache.txt")
if [ -n "$py" ]; then
  pyout=$(cd / && PYTHONPATH="$PREFIX/$pydir" "$py" -c "
import flydel
assert flydel.__file__.startswith('$PREFIX/'), flydel.__file__
p = flydel.Platform.load('tx2-c10gx')
r = p.predict({'op': 'conv2d', 'in_hw': 14, 'c_in': 16, 'c_out': 16, 'kernel': 3, 'pad': 1})
print('flydel', flydel.__file__, sorted(r), r['gpu']['predictions']['latency_ms']['unit'])
") || { echo "check-install: the installed Python package does not import: $pyout" >&2; exit 1; }
  echo "$pyout" | grep -q "\['cpu', 'fpga', 'gpu'\] ms" || { echo "check-install: unexpected Python output: $pyout" >&2; exit 1; }
  test -x "$PREFIX/bin/flydel-predict" || { echo "check-install: flydel-predict not installed" >&2; exit 1; }
  echo "check-install: Python package imported from $PREFIX/$pydir by $py"
else
  echo "check-install: the Python bindings were not built (no python3-dev/pybind11-dev): not checked"
fi
echo "check-install: installed package found, flydel registered and used by a downstream tool"
