#!/usr/bin/env bash
# The sanitizer build (docs/reliability.md): AddressSanitizer + UndefinedBehaviorSanitizer, libstdc++ assertions
# (_GLIBCXX_ASSERTIONS), no NDEBUG, every finding fatal.
#
#   scripts/sanitize.sh          the MLIR-free libraries (model, identification, partition, measurement): their unit
#                                tests, flydel-identify's property check of every shipped library, the library
#                                fuzzer's kept findings, and a structure
#                                selection on a committed table (its folds run on threads). About 4 minutes on 2
#                                cores; CI runs it.
#   FULL=1 scripts/sanitize.sh   everything, MLIR layer and tools included, and the whole lit + unit suite
#                                (check-flydel); a full build, much longer.
#
# Environment: SANITIZE_BUILD_DIR (default build-sanitize, or build-sanitize-full with FULL=1).
set -euo pipefail
cd "$(dirname "$0")/.."
FULL=${FULL:-0}
MLIR=OFF SUFFIX=
if [ "$FULL" = 1 ]; then MLIR=ON SUFFIX=-full; fi
DIR=${SANITIZE_BUILD_DIR:-build-sanitize$SUFFIX}
# float-cast-overflow: GCC leaves it out of -fsanitize=undefined (clang does not); a double cast to an int it does not
# fit is what the library fuzzer found first.
FLAGS="-O1 -g -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all -fno-omit-frame-pointer -D_GLIBCXX_ASSERTIONS"
if [ ! -f "$DIR/build.ninja" ]; then
  cmake -G Ninja -S . -B "$DIR" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS="$FLAGS" -DCMAKE_C_FLAGS="$FLAGS" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined,float-cast-overflow" -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined,float-cast-overflow" \
    -DFLYDEL_ENABLE_MLIR=$MLIR
fi
# Leaks in a process that exits anyway are not what this build looks for; everything else aborts the test.
# allow_user_poisoning=0: LLVM's allocators poison and unpoison their memory by hand when their (inline) code is
# compiled with ASan, as it is here, while Debian's libMLIR runs the same code uninstrumented and interposed between
# the two: the full build then reports use-after-poison inside MLIR's own uniquer (a false positive of mixing them).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1:allow_user_poisoning=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if [ "$FULL" = 1 ]; then
  # The documented commands (test/docs-tutorial.test) run several times slower here than their 120 s allowance.
  export FLYDEL_DOC_TIMEOUT_S=${FLYDEL_DOC_TIMEOUT_S:-1200}
  ninja -C "$DIR"
  ninja -C "$DIR" check-flydel
  exit 0
fi
ninja -C "$DIR"
for t in "$DIR"/unittests/*Tests; do
  echo "== $(basename "$t")"
  "$t" --gtest_brief=1
done
for lib in platforms/*/*.json; do
  case "$lib" in *.spec.json|*/before/*) continue ;; esac
  grep -q '"schema": "flydel-platform-library"' "$lib" || continue
  echo "== flydel-identify --check-library $lib"
  "$DIR/bin/flydel-identify" --check-library "$lib" --samples 200 | tail -1
done
echo "== the library fuzzer's kept findings (fuzz/regressions), replayed under the sanitizers"
"$DIR/bin/flydel-fuzz-replay-library" fuzz/regressions/library_fuzzer
echo "== flydel-identify --structure auto (threads)"
"$DIR/bin/flydel-identify" platforms/host-intel/validation/cpu-onednn-conv2d-b.csv --kpi latency_ms --structure auto \
  --folds 5 --threads 2 | tail -1
echo "sanitizer build: no finding"
