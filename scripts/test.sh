#!/usr/bin/env bash
# The README's second command (and CI's): installs what is missing, builds everything, runs all tests
# (lit regression tests and GoogleTest unit tests, through the check-flydel target), then the sanitizer build of
# the MLIR-free libraries and their tests (scripts/sanitize.sh; FULL=1 scripts/sanitize.sh runs everything under
# the sanitizers, much longer).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
bash scripts/build.sh check-flydel
bash scripts/check-install.sh
bash scripts/sanitize.sh
