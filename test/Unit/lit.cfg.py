# -*- Python -*-
# Runs the GoogleTest binaries built under <build>/unittests as part of check-flydel.
import os

import lit.formats

config.name = "flydel-Unit"
config.suffixes = []
config.test_exec_root = os.path.join(config.flydel_obj_root, "unittests")
config.test_source_root = config.test_exec_root
config.test_format = lit.formats.GoogleTest(".", "Tests")

# The unit tests read the reference data themselves and decide skip versus failure from CI.
for var in ["CI", "HOME", "TMPDIR"]:
    if var in os.environ:
        config.environment[var] = os.environ[var]
