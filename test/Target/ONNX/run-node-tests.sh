#!/usr/bin/env bash
# Runs ONNX node tests (libonnx-testdata) through flydel-translate, --flydel-lower-cpu and mlir-runner, comparing
# with the expected outputs. Usage: run-node-tests.sh NODE_DIR RUNNER_LIBS TEST... (a test directory may hold
# import-args: more flydel-translate options, e.g. --input-shape for a model's dynamic inputs).
# Prints one line per test: PASS, MISMATCH (elements out of tolerance), or ERROR (the stage that failed).
node_dir=$1 libs=$2
shift 2
for t in "$@"; do
  d=$node_dir/$t
  # shellcheck disable=SC2046  # a test's import-args (optional): --input-shape options of its dynamic inputs
  if ! out=$(flydel-translate --import-onnx "$d/model.onnx" $(cat "$d/import-args" 2>/dev/null) --onnx-test-data "$d/test_data_set_0" 2>&1 >"$TMPDIR_NT/$t.mlir"); then
    echo "ERROR $t import: ${out%%$'\n'*}"; continue
  fi
  if ! out=$(flydel-opt --flydel-lower-cpu "$TMPDIR_NT/$t.mlir" 2>&1 >"$TMPDIR_NT/$t.ll.mlir"); then
    echo "ERROR $t lower: ${out%%$'\n'*}"; continue
  fi
  if ! out=$(mlir-runner -e main -entry-point-result=void -shared-libs="$libs" "$TMPDIR_NT/$t.ll.mlir" 2>&1); then
    echo "ERROR $t run: ${out%%$'\n'*}"; continue
  fi
  counts=$(grep '^\[' <<<"$out" | tr -d '[]' | tr '\n' ' ')
  if [ -n "$counts" ] && [ -z "$(tr -d ' 0' <<<"$counts")" ]; then echo "PASS $t"; else echo "MISMATCH $t: $counts"; fi
done
