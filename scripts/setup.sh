#!/usr/bin/env bash
# Installs the Debian 12 packages flydel needs (only those missing), so the README, CI and every later
# script share one package list. Run as root or with sudo available. Arguments: more packages that one script
# needs beyond the list (scripts/fuzz.sh: clang and its libFuzzer runtime).
set -euo pipefail

PACKAGES=(
  # Build
  cmake ninja-build g++ pkg-config
  # LLVM/MLIR 22 (bookworm-security)
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools
  # Numerics, formats, tests
  libeigen3-dev nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev
  # Pipelined device assignments as MIPs (--assign-devices mode=pipelined)
  coinor-libcbc-dev
  # ONNX import (flydel-translate) and ONNX's node tests for numerical validation
  libonnx-dev libprotobuf-dev protobuf-compiler libonnx-testdata
  # flydel-measure's cpu-onednn backend (oneDNN 2.6)
  libdnnl-dev
  # FPGA engines: synthesis (fpga-yosys backend) and cycle-exact simulation (testbenches; verilator --build runs make)
  yosys verilator make
  # Python tooling (reports, plots) for /usr/bin/python3
  python3 python3-numpy python3-matplotlib
  # The Python bindings (import flydel): headers for the compiled module
  python3-dev pybind11-dev
  # Independent numpy reference of real ONNX models (test/Target/ONNX/real-models-run.test)
  python3-protobuf
)
PACKAGES+=("$@")

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup.sh: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup.sh: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
echo "setup.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
