# Sourced by the scripts that generate a section of a doc: replace_doc_section DOC NAME FILE writes FILE between
# DOC's lines `<!-- BEGIN NAME ...` and `<!-- END NAME ...` (the markers stay), in place.
replace_doc_section() {
  local doc=$1 name=$2 gen=$3 tmp
  tmp=$(mktemp)
  awk -v gen="$gen" -v name="$name" '
    index($0, "<!-- BEGIN " name) == 1 { print; while ((getline line < gen) > 0) print line; skip = 1; next }
    index($0, "<!-- END " name) == 1 { skip = 0 }
    !skip { print }' "$doc" > "$tmp" && cat "$tmp" > "$doc"
  rm -f "$tmp"
}
