"""Writes a grouped-convolution ONNX model (text format) with constant weights, an input and the expected output,
computed here with numpy independently of flydel: DIR/model.txtpb, DIR/input_0.txtpb, DIR/output_0.txtpb.
  grouped_conv.py DIR C_IN C_OUT GROUP KERNEL STRIDE PAD H"""
import os
import sys

import numpy as np

out, cin, cout, group, k, stride, pad, h = sys.argv[1], *map(int, sys.argv[2:])
rng = np.random.default_rng(7)
x = rng.standard_normal((1, cin, h, h)).astype(np.float32)
w = rng.standard_normal((cout, cin // group, k, k)).astype(np.float32)
bias = rng.standard_normal(cout).astype(np.float32)
xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
oh = (h + 2 * pad - k) // stride + 1
y = np.zeros((1, cout, oh, oh), np.float32)
cg, og = cin // group, cout // group
for o in range(cout):
    g = o // og
    for i in range(oh):
        for j in range(oh):
            patch = xp[0, g * cg:(g + 1) * cg, i * stride:i * stride + k, j * stride:j * stride + k]
            y[0, o, i, j] = np.sum(patch * w[o]) + bias[o]


def tensor(name, a, initializer=False):
    dims = " ".join("dims: %d" % d for d in a.shape)
    data = " ".join("float_data: %r" % float(v) for v in a.ravel())
    return "%s { name: \"%s\" %s data_type: 1 %s }" % ("initializer" if initializer else "", name, dims, data) \
        if initializer else "name: \"%s\" %s data_type: 1 %s\n" % (name, dims, data)


def shape(a):
    return " ".join("dim { dim_value: %d }" % d for d in a.shape)


os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "model.txtpb"), "w") as f:
    f.write("ir_version: 8\nopset_import { version: 13 }\ngraph {\n  name: \"grouped\"\n")
    f.write("  node { input: \"x\" input: \"w\" input: \"b\" output: \"y\" name: \"gconv\" op_type: \"Conv\" "
            "attribute { name: \"group\" i: %d type: INT } attribute { name: \"kernel_shape\" ints: %d ints: %d type: INTS } "
            "attribute { name: \"strides\" ints: %d ints: %d type: INTS } "
            "attribute { name: \"pads\" ints: %d ints: %d ints: %d ints: %d type: INTS } }\n"
            % (group, k, k, stride, stride, pad, pad, pad, pad))
    f.write("  %s\n  %s\n" % (tensor("w", w, True), tensor("b", bias, True)))
    f.write("  input { name: \"x\" type { tensor_type { elem_type: 1 shape { %s } } } }\n" % shape(x))
    f.write("  output { name: \"y\" type { tensor_type { elem_type: 1 shape { %s } } } }\n}\n" % shape(y))
with open(os.path.join(out, "input_0.txtpb"), "w") as f:
    f.write(tensor("x", x))
with open(os.path.join(out, "output_0.txtpb"), "w") as f:
    f.write(tensor("y", y))
