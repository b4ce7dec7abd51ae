#!/usr/bin/python3
"""Compares the outputs a --onnx-run harness printed (printMemrefF32, then the call's time in ms) with expected
output_*.pb tensors: every element within atol 1e-4 + rtol 1e-3 * |expected|. Prints one line per output and the
time; exit status 1 on a mismatch or a malformed print.

  compare_printed.py PB2_DIR PRINTED.txt OUTPUT_0.pb [OUTPUT_1.pb ...]
"""
import re
import sys

import numpy as np

sys.path.insert(0, sys.argv[1])
from onnx import onnx_pb2 as pb  # noqa: E402  (generated from Debian's onnx.proto)

text = open(sys.argv[2]).read()
blocks = text.split('Unranked Memref')[1:]
if len(blocks) != len(sys.argv) - 3:
    sys.exit(f"compare_printed: {len(blocks)} printed outputs, {len(sys.argv) - 3} expected")
number = r'-?(?:nan|inf|\d+(?:\.\d*)?(?:e[-+]?\d+)?)'
status = 0
for k, (block, path) in enumerate(zip(blocks, sys.argv[3:])):
    data = block.split('data =', 1)[1]
    # The last block ends with the time line: the printed data is everything up to the closing brackets.
    body = data[:data.rindex(']') + 1]
    got = np.array([float(x) for x in re.findall(number, body)], dtype=np.float64)
    t = pb.TensorProto()
    t.ParseFromString(open(path, 'rb').read())
    expected = np.frombuffer(t.raw_data, dtype='<f4').astype(np.float64) if t.raw_data else np.array(t.float_data)
    if got.size != expected.size:
        print(f"output {k}: {got.size} values printed, {expected.size} expected")
        status = 1
        continue
    bad = int(np.sum(np.abs(got - expected) > 1e-4 + 1e-3 * np.abs(expected)))
    print(f"output {k}: {got.size} values, {bad} off")
    status |= bad > 0
time_ms = float(text.strip().splitlines()[-1])
print("time printed" if time_ms >= 0 else "negative time")
sys.exit(status or time_ms < 0)
