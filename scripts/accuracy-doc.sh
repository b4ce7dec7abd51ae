#!/usr/bin/env bash
# Regenerates the generated part of docs/accuracy.md (between its BEGIN/END flydel-bench-identify markers) from
# build/bin/flydel-bench-identify on ../shared/data/tx2-c10gx. test/docs-accuracy.test checks the committed part.
#   scripts/accuracy-doc.sh [DATA_DIR]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=${BUILD:-$ROOT/build}/bin/flydel-bench-identify
DATA=${1:-$ROOT/../shared/data/tx2-c10gx}
[ -x "$BENCH" ] || { echo "accuracy-doc.sh: no $BENCH (ninja -C build flydel-bench-identify)" >&2; exit 1; }
DOC=$ROOT/docs/accuracy.md
TMP=$(mktemp)
trap 'rm -f "$TMP" "$TMP.doc"' EXIT
# The run time line is the machine's, not a result.
"$BENCH" "$DATA" | sed '/^([0-9]* s)$/d' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' > "$TMP"
awk -v gen="$TMP" '
  /^<!-- BEGIN flydel-bench-identify/ { print; while ((getline line < gen) > 0) print line; skip = 1; next }
  /^<!-- END flydel-bench-identify/ { skip = 0 }
  !skip { print }' "$DOC" > "$TMP.doc"
mv "$TMP.doc" "$DOC"
echo "accuracy-doc.sh: $DOC regenerated"
