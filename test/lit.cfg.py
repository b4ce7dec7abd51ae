# -*- Python -*-
import os
import sys

import lit.formats
import lit.util
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "flydel"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test", ".json"]
config.excludes = ["Inputs", "install-consumer", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.flydel_obj_root, "test")

llvm_config.with_system_environment(["HOME", "TMP", "TEMP", "CI", "FLYDEL_DOC_TIMEOUT_S"])
llvm_config.use_default_substitutions()

config.substitutions.append(("%flydel_src", config.flydel_src_root))
config.substitutions.append(("%flydel_obj", config.flydel_obj_root))
config.substitutions.append(("%shared", config.flydel_shared_dir))
config.substitutions.append(("%python", sys.executable))

# Reference data lives beside the checkout (../shared) and is never copied into the repository. Tests that need it
# say `REQUIRES: shared-data`. A user's clone has no ../shared: those tests are then reported UNSUPPORTED. Under
# CI (CI=true) the data must be there: its absence is an error, not a skip.
if os.path.isdir(os.path.join(config.flydel_shared_dir, "data")):
    config.available_features.add("shared-data")
elif os.environ.get("CI", "").lower() == "true":
    lit_config.fatal("CI=true but the reference data directory %s is missing" % config.flydel_shared_dir)
else:
    lit_config.note("reference data %s not found: tests that need it are skipped" % config.flydel_shared_dir)

llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.flydel_tools_dir, append_path=True)

# mlir-runner's support libraries ship beside the LLVM tools (Debian: /usr/lib/llvm-22/lib).
_runner_lib_dir = os.path.join(os.path.dirname(config.llvm_tools_dir), "lib")
config.substitutions.append(("%mlir_runner_libs", ",".join(
    os.path.join(_runner_lib_dir, l) for l in ("libmlir_c_runner_utils.so", "libmlir_runner_utils.so"))))

tools = ["flydel-opt", "flydel-identify", "flydel-translate", "flydel-measure", "flydel-compile", "flydel-fpga",
         "flydel-predict", "flydel-fuzz-replay-library", "flydel-fuzz-replay-onnx"]
llvm_config.add_tool_substitutions(tools, [config.flydel_tools_dir])

# FPGA engines: Verilator and Yosys (scripts/setup.sh installs them). Absent: their tests are skipped, except under
# CI. Verilated models are cached in the build directory across runs (keyed by parameters and sources).
import shutil
for _tool in ("verilator", "yosys"):
    if shutil.which(_tool):
        config.available_features.add(_tool)
    elif os.environ.get("CI", "").lower() == "true":
        lit_config.fatal("CI=true but %s is not installed (scripts/setup.sh installs it)" % _tool)
    else:
        lit_config.note("%s not found: the FPGA engine tests that need it are skipped" % _tool)

# CBC proves pipelined assignments as MIPs (scripts/setup.sh installs coinor-libcbc-dev). Built without it: the tests
# that expect its proofs are skipped, except under CI.
if config.flydel_have_cbc.upper() in ("1", "TRUE", "ON", "YES"):
    config.available_features.add("cbc")
elif os.environ.get("CI", "").lower() == "true":
    lit_config.fatal("CI=true but the build has no CBC (coinor-libcbc-dev; scripts/setup.sh installs it)")
else:
    lit_config.note("built without CBC: the pipelined MIP tests are skipped")

# PyTorch is not a dependency: the GPU machine has it, and the gpu-torch script's tests without a GPU run its real
# code path on the CPU where Debian's python3-torch is installed (not by scripts/setup.sh: 200 packages for one test).
import importlib.util
if importlib.util.find_spec("torch"):
    config.available_features.add("torch")
else:
    lit_config.note("PyTorch not found for %s: the gpu-torch tests that run it are skipped" % sys.executable)
config.substitutions.append(("%fpga_cache", os.path.join(config.flydel_obj_root, "fpga-cache")))

# The Python package (import flydel): its tests run with the interpreter the module was built for and the build
# tree's python/ on PYTHONPATH. Not built (no python3-dev or pybind11-dev): skipped, except under CI.
_flydel_python_dir = os.path.join(config.flydel_obj_root, "python")
if config.flydel_python and os.path.isdir(os.path.join(_flydel_python_dir, "flydel")):
    config.available_features.add("python-bindings")
    # Longest first: lit substitutes in order, and %flydel_python is a prefix of the others.
    config.substitutions.append(("%flydel_python_exe", config.flydel_python))
    config.substitutions.append(("%flydel_pymod", _flydel_python_dir))
    config.substitutions.append(("%flydel_python", "env PYTHONPATH=%s %s" % (_flydel_python_dir, config.flydel_python)))
elif config.flydel_python_skipped:
    lit_config.note("flydel Python bindings not built in %s: their tests are skipped" % config.flydel_python_skipped)
elif os.environ.get("CI", "").lower() == "true":
    lit_config.fatal("CI=true but the flydel Python bindings were not built (scripts/setup.sh installs pybind11-dev)")
else:
    lit_config.note("flydel Python bindings not built: their tests are skipped")
