#!/usr/bin/env bash
# The README's second command (and CI's): installs what is missing, builds everything, runs all tests
# (lit regression tests and GoogleTest unit tests, through the check-flydel target).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
bash scripts/build.sh check-flydel
bash scripts/check-install.sh
