#!/usr/bin/env bash
# Builds the libFuzzer harnesses of fuzz/ with clang (-fsanitize=fuzzer,address,undefined) and runs each for
# SECONDS seconds (default 60), at the lowest CPU priority.
#
#   scripts/fuzz.sh [SECONDS] [all|onnx|library]
#
# Everything lives under build/fuzz/ (FUZZ_DIR overrides it): NAME (the binary), corpus/NAME/ (seeded from the
# repository's platform libraries, tables and ONNX test models, and from ../shared/models/onnx when present; grows
# across runs) and artifacts/NAME/ (crash-*, leak-*, timeout-*, oom-* inputs, kept; replay one with
# `build/fuzz/NAME FILE`). The exit status is 1 when a harness found a crash. clang and its libFuzzer runtime are
# installed with apt when missing, as scripts/setup.sh installs the other packages.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
WHICH=${2:-all}
BUILD_DIR=${FLYDEL_BUILD_DIR:-build}
FUZZ_DIR=${FUZZ_DIR:-$BUILD_DIR/fuzz}
case "$WHICH" in all|onnx|library) ;; *) echo "fuzz.sh: unknown harness '$WHICH' (all, onnx, library)" >&2; exit 2;; esac
[[ "$SECONDS_EACH" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: SECONDS must be a positive integer, got '$SECONDS_EACH'" >&2; exit 2; }

# Debian 12: clang 14 and its compiler-rt (libFuzzer, ASan, UBSan runtimes), installed by the project's one installer.
bash scripts/setup.sh clang libclang-rt-14-dev > /dev/null
CLANG=${CLANG:-clang++}
SANITIZE=(-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1)
mkdir -p "$FUZZ_DIR"

build_library() {
  # The readers are compiled into the harness, instrumented: libFuzzer's coverage then guides it through them.
  nice -n 19 "$CLANG" -std=c++17 -fexceptions "${SANITIZE[@]}" -Iinclude fuzz/library_fuzzer.cpp \
    lib/Identify/Table.cpp lib/Model/Layer.cpp lib/Model/Model.cpp lib/Model/Library.cpp lib/Model/Sanity.cpp \
    -o "$FUZZ_DIR/library_fuzzer"
  local corpus="$FUZZ_DIR/corpus/library_fuzzer"
  mkdir -p "$corpus"
  # First byte: 0 a platform library, 1 a KPI model, 2 a measurement table (fuzz/library_fuzzer.cpp).
  local n=0
  while IFS= read -r -d '' f; do
    if grep -q '"flydel-platform-library"' "$f"; then
      { printf '\000'; cat "$f"; } > "$corpus/seed-lib-$n"
    fi
    n=$((n + 1))
  done < <(find platforms -name '*.json' -size -256k -print0)
  n=0
  while IFS= read -r -d '' f; do
    { printf '\002'; head -n 40 "$f"; } > "$corpus/seed-csv-$n"
    n=$((n + 1))
  done < <(find platforms test/Measure/Inputs -name '*.csv' -size -64k -print0 | head -z -n 60)
}

build_onnx() {
  # The importer's sources are compiled into the harness, instrumented like it (coverage guides libFuzzer through
  # the importer's own checks and ASan watches them); MLIR, LLVM, ONNX and protobuf come from Debian, uninstrumented.
  # No NDEBUG: LLVM's header assertions (SmallVector's reference checks among them) fire inside the importer.
  nice -n 19 "$CLANG" -std=c++17 -fexceptions "${SANITIZE[@]}" -D_GLIBCXX_ASSERTIONS -DONNX_NAMESPACE=onnx \
    -DONNX_ML=1 -Iinclude -Ilib/Target/ONNX -isystem /usr/lib/llvm-22/include fuzz/onnx_import_fuzzer.cpp \
    lib/Target/ONNX/ImportONNX.cpp lib/Target/ONNX/OnnxLoader.cpp \
    -L/usr/lib/llvm-22/lib -lMLIR -lLLVM -lonnx -lonnx_proto -lprotobuf -Wl,-rpath,/usr/lib/llvm-22/lib \
    -o "$FUZZ_DIR/onnx_import_fuzzer"
  local corpus="$FUZZ_DIR/corpus/onnx_import_fuzzer"
  mkdir -p "$corpus"
  for f in test/Target/ONNX/Inputs/*.txtpb; do
    protoc --encode=onnx.ModelProto -I/usr/include /usr/include/onnx/onnx.proto < "$f" \
      > "$corpus/seed-$(basename "$f" .txtpb)" || true
  done
  if [ -d ../shared/models/onnx ]; then
    for f in ../shared/models/onnx/*noweights*.onnx; do [ -e "$f" ] && cp "$f" "$corpus/"; done
  fi
}

run() {
  local name=$1 maxlen=$2
  # Inputs that once crashed a harness (fixed since, replayed by test/Fuzz/replay.test) seed its corpus too.
  cp fuzz/regressions/"$name"/* "$FUZZ_DIR/corpus/$name/" 2>/dev/null || true
  local artifacts="$FUZZ_DIR/artifacts/$name"
  mkdir -p "$artifacts"
  echo "fuzz.sh: running $name for $SECONDS_EACH s (artifacts in $artifacts/)"
  local status=0
  nice -n 19 "$FUZZ_DIR/$name" "$FUZZ_DIR/corpus/$name" -max_total_time="$SECONDS_EACH" -timeout=10 \
    -rss_limit_mb=4096 -max_len="$maxlen" -artifact_prefix="$artifacts/" -print_final_stats=1 \
    > "$FUZZ_DIR/$name.log" 2>&1 || status=$?
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)|^Done|ERROR|SUMMARY' "$FUZZ_DIR/$name.log" || true
  echo "fuzz.sh: $name: corpus $(find "$FUZZ_DIR/corpus/$name" -type f | wc -l) inputs; log $FUZZ_DIR/$name.log"
  if [ "$status" -ne 0 ]; then
    echo "fuzz.sh: $name found a problem (exit $status); inputs kept in $artifacts/" >&2
    return 1
  fi
}

failed=0
if [ "$WHICH" = all ] || [ "$WHICH" = library ]; then
  build_library
  run library_fuzzer 262144 || failed=1
fi
if [ "$WHICH" = all ] || [ "$WHICH" = onnx ]; then
  build_onnx
  run onnx_import_fuzzer 65536 || failed=1
fi
exit $failed
