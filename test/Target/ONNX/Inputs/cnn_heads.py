"""Writes a small ONNX model (text format) with constant weights, an input and its expected output computed here with
numpy, independently of flydel: DIR/model.txtpb, DIR/input_0.txtpb, DIR/output_0.txtpb.
  cnn_heads.py DIR detection   a segmentation/text-detection head (DBNet/FCN style): Conv 3x3 + BatchNormalization +
                               Relu, ConvTranspose 2x2 stride 2 with bias + Relu, ConvTranspose 4x4 stride 2 pads 1
                               (without bias) + Sigmoid: 8x12 features to a 32x48 probability map
  cnn_heads.py DIR maxminsum   Max, Min and Sum with numpy broadcasting around a convolution (a per-channel floor, a
                               scalar ceiling, three addends of ranks 4, 4 and 1, the last along W), as feature extractors use them
  cnn_heads.py DIR dilated     one ConvTranspose with constant weights: 3x3 kernel dilated 2, stride 2, asymmetric pads,
                               output_padding 1, bias
  cnn_heads.py DIR bigpad      one ConvTranspose whose pads (3, 2, 1, 3) reach the 2x2 kernel's size or more, stride 2
  cnn_heads.py DIR samelower   one ConvTranspose with auto_pad SAME_LOWER, 3x3 kernel, stride 2 (the odd pad at the start)"""
import os
import sys

import numpy as np

out, kind = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(11)


def conv(x, w, b, pad):
    n, c, h, wd = x.shape
    o, _, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    y = np.zeros((n, o, h + 2 * pad - k + 1, wd + 2 * pad - k + 1), np.float64)
    for i in range(y.shape[2]):
        for j in range(y.shape[3]):
            y[0, :, i, j] = np.tensordot(w, xp[0, :, i:i + k, j:j + k], axes=([1, 2, 3], [0, 1, 2]))
    return y + b.reshape(1, -1, 1, 1)


def conv_transpose(x, w, b, stride, pad, dilation=1, out_pad=0):
    # ONNX: every input pixel scatters its kernel-weighted copy at stride (taps `dilation` apart); output_padding
    # extends the result at the end; pads ([top, left, bottom, right], or one number) crop it.
    pads = [pad] * 4 if isinstance(pad, int) else pad
    n, c, h, wd = x.shape
    _, m, k, _ = w.shape
    ek = (k - 1) * dilation + 1
    full = np.zeros((n, m, (h - 1) * stride + ek + out_pad, (wd - 1) * stride + ek + out_pad), np.float64)
    for i in range(h):
        for j in range(wd):
            patch = np.tensordot(x[0, :, i, j], w, axes=(0, 0))
            full[0, :, i * stride:i * stride + ek:dilation, j * stride:j * stride + ek:dilation] += patch
    y = full[:, :, pads[0]:full.shape[2] - pads[2], pads[1]:full.shape[3] - pads[3]]
    return y + (0 if b is None else b.reshape(1, -1, 1, 1))


def f32(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def tensor(name, a, initializer=False):
    dims = " ".join("dims: %d" % d for d in a.shape)
    data = " ".join("float_data: %r" % float(v) for v in a.ravel())
    text = "name: \"%s\" %s data_type: 1 %s" % (name, dims, data)
    return "initializer { %s }" % text if initializer else text + "\n"


def attrs(**kw):
    return " ".join("attribute { name: \"%s\" ints: %s type: INTS }" % (k, " ints: ".join(map(str, v)))
                    for k, v in kw.items())


nodes, inits = [], {}
if kind == "detection":
    x = f32(1, 8, 8, 12)
    w1, b1 = f32(8, 8, 3, 3) * 0.3, f32(8)
    scale, bias, mean, var = f32(8), f32(8), f32(8), np.abs(f32(8)) + 0.5
    w2, b2 = f32(8, 4, 2, 2) * 0.5, f32(4)   # ConvTranspose weights: [C_in, C_out, KH, KW]
    w3 = f32(4, 2, 4, 4) * 0.5
    inits = dict(w1=w1, b1=b1, scale=scale, bias=bias, mean=mean, var=var, w2=w2, b2=b2, w3=w3)
    nodes = ['node { input: "x" input: "w1" input: "b1" output: "c1" name: "head_conv" op_type: "Conv" %s }'
             % attrs(kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
             'node { input: "c1" input: "scale" input: "bias" input: "mean" input: "var" output: "n1" '
             'name: "head_bn" op_type: "BatchNormalization" }',
             'node { input: "n1" output: "r1" name: "head_relu" op_type: "Relu" }',
             'node { input: "r1" input: "w2" input: "b2" output: "u1" name: "head_up1" op_type: "ConvTranspose" %s }'
             % attrs(kernel_shape=[2, 2], strides=[2, 2]),
             'node { input: "u1" output: "r2" name: "head_relu2" op_type: "Relu" }',
             'node { input: "r2" input: "w3" output: "u2" name: "head_up2" op_type: "ConvTranspose" %s }'
             % attrs(kernel_shape=[4, 4], strides=[2, 2], pads=[1, 1, 1, 1]),
             'node { input: "u2" output: "y" name: "head_prob" op_type: "Sigmoid" }']
    c1 = conv(x.astype(np.float64), w1, b1, 1)
    n1 = (c1 - mean.reshape(1, -1, 1, 1)) / np.sqrt(var.reshape(1, -1, 1, 1) + 1e-5) * scale.reshape(1, -1, 1, 1) \
        + bias.reshape(1, -1, 1, 1)
    r2 = np.maximum(conv_transpose(np.maximum(n1, 0), w2, b2, 2, 0), 0)
    y = 1 / (1 + np.exp(-conv_transpose(r2, w3, None, 2, 1)))
elif kind == "maxminsum":
    x = f32(1, 3, 6, 6)
    w1, b1 = f32(4, 3, 3, 3), f32(4)
    floor, ceil, addend = f32(1, 4, 1, 1), np.array([1.5], np.float32), f32(6)  # addend: along W
    inits = dict(w1=w1, b1=b1, floor=floor, ceil=ceil, addend=addend)
    nodes = ['node { input: "x" input: "w1" input: "b1" output: "c1" name: "feat_conv" op_type: "Conv" %s }'
             % attrs(kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
             'node { input: "c1" input: "floor" output: "m1" name: "feat_max" op_type: "Max" }',
             'node { input: "m1" input: "ceil" output: "m2" name: "feat_min" op_type: "Min" }',
             'node { input: "m2" input: "c1" input: "addend" output: "y" name: "feat_sum" op_type: "Sum" }']
    c1 = conv(x.astype(np.float64), w1, b1, 1)
    y = np.minimum(np.maximum(c1, floor), ceil) + c1 + addend
elif kind in ("dilated", "bigpad", "samelower"):
    x = f32(1, 3, 5, 4)
    k, stride, dilation, out_pad, pads = {"dilated": (3, 2, 2, 1, [1, 0, 2, 1]), "bigpad": (2, 2, 1, 0, [3, 1, 2, 3]),
                                          "samelower": (3, 2, 1, 0, [1, 1, 0, 0])}[kind]
    w, b = f32(3, 2, k, k), f32(2)
    inits = dict(w=w, b=b)
    extra = ('attribute { name: "auto_pad" s: "SAME_LOWER" type: STRING }' if kind == "samelower" else
             attrs(pads=pads, dilations=[dilation, dilation], output_padding=[out_pad, out_pad]))
    nodes = ['node { input: "x" input: "w" input: "b" output: "y" name: "%s" op_type: "ConvTranspose" %s %s }'
             % (kind, attrs(kernel_shape=[k, k], strides=[stride, stride]), extra)]
    # SAME_LOWER: output = input * stride; the total crop (odd here) puts its larger half at the start.
    y = conv_transpose(x.astype(np.float64), w, b, stride, pads, dilation, out_pad)
else:
    sys.exit("unknown model kind " + kind)
y = y.astype(np.float32)


def shape(a):
    return " ".join("dim { dim_value: %d }" % d for d in a.shape)


os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "model.txtpb"), "w") as f:
    f.write("ir_version: 8\nopset_import { version: 13 }\ngraph {\n  name: \"%s\"\n" % kind)
    for node in nodes:
        f.write("  %s\n" % node)
    for name, a in inits.items():
        f.write("  %s\n" % tensor(name, a, True))
    f.write("  input { name: \"x\" type { tensor_type { elem_type: 1 shape { %s } } } }\n" % shape(x))
    f.write("  output { name: \"y\" type { tensor_type { elem_type: 1 shape { %s } } } }\n}\n" % shape(y))
with open(os.path.join(out, "input_0.txtpb"), "w") as f:
    f.write(tensor("x", x))
with open(os.path.join(out, "output_0.txtpb"), "w") as f:
    f.write(tensor("y", y))
