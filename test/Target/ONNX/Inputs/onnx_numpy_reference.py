#!/usr/bin/python3
"""An independent reference for real ONNX models: evaluates a model in numpy, op by op as the ONNX operator
specification defines them (NCHW, float32), on a seeded random input, and writes an ONNX node-test directory
(model.onnx, test_data_set_0/input_0.pb, output_0.pb, and import-args: the --input-shape options of its dynamic
inputs, 1 unless --shape says) that flydel-translate --onnx-test-data checks the lowered
model against. It shares no code with the importer: the model is read with protobuf classes generated from Debian's
onnx.proto, the ops are written from the specification.

  onnx_numpy_reference.py PB2_DIR MODEL.onnx OUT_DIR [--seed N] [--shape NAME=D0xD1x...]

PB2_DIR holds onnx/onnx_pb2.py (protoc --python_out=PB2_DIR -I/usr/include /usr/include/onnx/onnx.proto).
Only the ops the shared real models use are implemented; any other stops with its name.
"""
import argparse
import os
import shutil
import sys

import numpy as np


def to_array(t, pb):
    dtype = {pb.TensorProto.FLOAT: np.float32, pb.TensorProto.INT64: np.int64,
             pb.TensorProto.INT32: np.int32, pb.TensorProto.DOUBLE: np.float64}.get(t.data_type)
    if dtype is None:
        sys.exit(f"onnx_numpy_reference: tensor '{t.name}' has data type {t.data_type}, not implemented")
    shape = tuple(t.dims)
    if t.raw_data:
        return np.frombuffer(t.raw_data, dtype=dtype).reshape(shape).copy()
    field = {np.float32: t.float_data, np.int64: t.int64_data, np.int32: t.int32_data,
             np.float64: t.double_data}[dtype]
    return np.array(list(field), dtype=dtype).reshape(shape)


def attrs(node, pb):
    out = {}
    for a in node.attribute:
        if a.type == pb.AttributeProto.INT:
            out[a.name] = a.i
        elif a.type == pb.AttributeProto.FLOAT:
            out[a.name] = a.f
        elif a.type == pb.AttributeProto.INTS:
            out[a.name] = list(a.ints)
        elif a.type == pb.AttributeProto.FLOATS:
            out[a.name] = list(a.floats)
        elif a.type == pb.AttributeProto.STRING:
            out[a.name] = a.s.decode()
        elif a.type == pb.AttributeProto.TENSOR:
            out[a.name] = to_array(a.t, pb)
    return out


def pads_of(a, spatial, in_hw, kernel, strides, dilations):
    auto = a.get('auto_pad', 'NOTSET')
    if auto in ('NOTSET', 'VALID'):
        p = a.get('pads', [0] * (2 * spatial)) if auto == 'NOTSET' else [0] * (2 * spatial)
        return p[:spatial], p[spatial:]
    begin, end = [], []
    for i in range(spatial):
        out = -(-in_hw[i] // strides[i])
        total = max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - in_hw[i])
        small = total // 2
        begin.append(total - small if auto == 'SAME_LOWER' else small)
        end.append(small if auto == 'SAME_LOWER' else total - small)
    return begin, end


def windows(x, kernel, strides, dilations, begin, end, fill):
    """x: N,C,H,W padded with `fill`; returns N,C,OH,OW,KH,KW views of the windows."""
    x = np.pad(x, ((0, 0), (0, 0), (begin[0], end[0]), (begin[1], end[1])), constant_values=fill)
    n, c, h, w = x.shape
    oh = (h - (kernel[0] - 1) * dilations[0] - 1) // strides[0] + 1
    ow = (w - (kernel[1] - 1) * dilations[1] - 1) // strides[1] + 1
    out = np.empty((n, c, oh, ow, kernel[0], kernel[1]), dtype=x.dtype)
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            r, s = i * dilations[0], j * dilations[1]
            out[..., i, j] = x[:, :, r:r + strides[0] * (oh - 1) + 1:strides[0], s:s + strides[1] * (ow - 1) + 1:strides[1]]
    return out


def conv(x, w, b, a):
    kernel = list(w.shape[2:])
    strides = a.get('strides', [1, 1])
    dilations = a.get('dilations', [1, 1])
    group = a.get('group', 1)
    begin, end = pads_of(a, 2, x.shape[2:], kernel, strides, dilations)
    win = windows(x.astype(np.float64), kernel, strides, dilations, begin, end, 0.0)
    n, c, oh, ow = win.shape[:4]
    m = w.shape[0]
    cg, mg = c // group, m // group
    y = np.empty((n, m, oh, ow))
    for g in range(group):
        y[:, g * mg:(g + 1) * mg] = np.einsum('nchwij,mcij->nmhw', win[:, g * cg:(g + 1) * cg],
                                               w[g * mg:(g + 1) * mg].astype(np.float64))
    if b is not None:
        y += b.reshape(1, -1, 1, 1)
    return y.astype(np.float32)


def pool(x, a, kind):
    kernel = a['kernel_shape']
    strides = a.get('strides', [1, 1])
    dilations = a.get('dilations', [1, 1])
    begin, end = pads_of(a, 2, x.shape[2:], kernel, strides, dilations)
    if a.get('ceil_mode', 0):
        sys.exit('onnx_numpy_reference: ceil_mode pools are not implemented')
    if kind == 'max':
        return windows(x, kernel, strides, dilations, begin, end, -np.inf).max(axis=(4, 5))
    win = windows(x.astype(np.float64), kernel, strides, dilations, begin, end, 0.0)
    if a.get('count_include_pad', 0):
        return (win.sum(axis=(4, 5)) / (kernel[0] * kernel[1])).astype(np.float32)
    ones = windows(np.ones((1, 1) + x.shape[2:]), kernel, strides, dilations, begin, end, 0.0)
    return (win.sum(axis=(4, 5)) / ones.sum(axis=(4, 5))).astype(np.float32)


def evaluate(model, pb, values):
    for node in model.graph.node:
        a = attrs(node, pb)
        x = [values[i] if i else None for i in node.input]
        op = node.op_type
        if op == 'Conv':
            y = conv(x[0], x[1], x[2] if len(x) > 2 else None, a)
        elif op == 'Relu':
            y = np.maximum(x[0], 0)
        elif op == 'Clip':
            lo = x[1] if len(x) > 1 and x[1] is not None else a.get('min', -np.inf)
            hi = x[2] if len(x) > 2 and x[2] is not None else a.get('max', np.inf)
            y = np.clip(x[0], lo, hi)
        elif op == 'Selu':
            alpha, gamma = a.get('alpha', 1.67326319217681884765625), a.get('gamma', 1.05070102214813232421875)
            y = np.where(x[0] > 0, gamma * x[0], gamma * (alpha * np.exp(np.minimum(x[0], 0)) - alpha))
        elif op == 'HardSigmoid':
            y = np.clip(a.get('alpha', 0.2) * x[0] + a.get('beta', 0.5), 0, 1)
        elif op in ('Add', 'Sub', 'Mul', 'Div'):
            y = {'Add': np.add, 'Sub': np.subtract, 'Mul': np.multiply, 'Div': np.divide}[op](x[0], x[1])
        elif op == 'BatchNormalization':
            scale, bias, mean, var = x[1:5]
            shape = (1, -1) + (1,) * (x[0].ndim - 2)
            y = (x[0] - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + a.get('epsilon', 1e-5)) * \
                scale.reshape(shape) + bias.reshape(shape)
        elif op == 'MaxPool':
            y = pool(x[0], a, 'max')
        elif op == 'AveragePool':
            y = pool(x[0], a, 'avg')
        elif op == 'GlobalAveragePool':
            y = x[0].mean(axis=tuple(range(2, x[0].ndim)), keepdims=True)
        elif op == 'Gemm':
            A = x[0].T if a.get('transA', 0) else x[0]
            B = x[1].T if a.get('transB', 0) else x[1]
            y = a.get('alpha', 1.0) * (A.astype(np.float64) @ B.astype(np.float64))
            if len(x) > 2 and x[2] is not None:
                y = y + a.get('beta', 1.0) * x[2]
        elif op == 'MatMul':
            y = x[0].astype(np.float64) @ x[1].astype(np.float64)
        elif op == 'Reshape':
            shape = [int(d) for d in x[1]]
            shape = [x[0].shape[i] if d == 0 and not a.get('allowzero', 0) else d for i, d in enumerate(shape)]
            y = x[0].reshape(shape)
        elif op == 'Flatten':
            axis = a.get('axis', 1) % x[0].ndim if x[0].ndim else 0
            y = x[0].reshape(int(np.prod(x[0].shape[:axis])), -1)
        elif op == 'Transpose':
            y = np.transpose(x[0], a.get('perm'))
        elif op == 'Squeeze':
            axes = a.get('axes') if 'axes' in a else (list(x[1]) if len(x) > 1 else None)
            y = np.squeeze(x[0], axis=tuple(int(i) for i in axes) if axes is not None else None)
        elif op == 'Softmax':
            axis = a.get('axis', -1)
            e = np.exp(x[0] - x[0].max(axis=axis, keepdims=True))
            y = e / e.sum(axis=axis, keepdims=True)
        elif op == 'Concat':
            y = np.concatenate(x, axis=a['axis'])
        elif op == 'Constant':
            y = a['value']
        elif op == 'Shape':
            y = np.array(x[0].shape, dtype=np.int64)
        elif op == 'Cast':
            y = x[0].astype({pb.TensorProto.FLOAT: np.float32, pb.TensorProto.INT64: np.int64,
                             pb.TensorProto.INT32: np.int32}[a['to']])
        elif op == 'Slice':
            if 'starts' in a:  # opsets 1-9: attributes
                starts, ends = a['starts'], a['ends']
                axes, steps = a.get('axes', range(len(starts))), [1] * len(starts)
            else:
                starts, ends = x[1], x[2]
                axes = x[3] if len(x) > 3 and x[3] is not None else range(len(starts))
                steps = x[4] if len(x) > 4 and x[4] is not None else [1] * len(starts)
            index = [slice(None)] * x[0].ndim
            for s, e, ax, st in zip(starts, ends, axes, steps):
                index[int(ax)] = slice(int(s), int(e), int(st))
            y = x[0][tuple(index)]
        else:
            sys.exit(f"onnx_numpy_reference: op '{op}' (node '{node.name}') is not implemented")
        values[node.output[0]] = np.asarray(y) if np.asarray(y).dtype != np.float64 else np.asarray(y, np.float32)
    return values


def tensor(pb, name, array):
    t = pb.TensorProto()
    t.name = name
    t.data_type = pb.TensorProto.FLOAT
    t.dims.extend(array.shape)
    t.raw_data = np.ascontiguousarray(array, dtype='<f4').tobytes()
    return t.SerializeToString()


def main():
    p = argparse.ArgumentParser()
    p.add_argument('pb2_dir')
    p.add_argument('model')
    p.add_argument('out')
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--shape', action='append', default=[], help='NAME=D0xD1x...: a dynamic input\'s shape')
    args = p.parse_args()
    sys.path.insert(0, args.pb2_dir)
    from onnx import onnx_pb2 as pb  # generated from Debian's onnx.proto
    model = pb.ModelProto()
    model.ParseFromString(open(args.model, 'rb').read())
    values = {t.name: to_array(t, pb) for t in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in values]
    rng = np.random.default_rng(args.seed)
    data = os.path.join(args.out, 'test_data_set_0')
    os.makedirs(data, exist_ok=True)
    shapes = []  # the importer's --input-shape for inputs with dynamic dimensions (taken as 1 here)
    for k, i in enumerate(inputs):
        dims = [d.dim_value if d.dim_value > 0 else 1 for d in i.type.tensor_type.shape.dim]
        for given in args.shape:
            name, _, text = given.partition('=')
            if name == i.name:
                dims = [int(v) for v in text.split('x')]
        if any(d.dim_value <= 0 for d in i.type.tensor_type.shape.dim):
            shapes.append(f"--input-shape {i.name}={'x'.join(map(str, dims))}")
        values[i.name] = rng.uniform(-1, 1, size=dims).astype(np.float32)
        open(os.path.join(data, f'input_{k}.pb'), 'wb').write(tensor(pb, i.name, values[i.name]))
    evaluate(model, pb, values)
    for k, o in enumerate(model.graph.output):
        out = np.asarray(values[o.name], dtype=np.float32)
        open(os.path.join(data, f'output_{k}.pb'), 'wb').write(tensor(pb, o.name, out))
        print(f"{o.name}: shape {list(out.shape)}, |max| {np.abs(out).max():.4g}")
    shutil.copyfile(args.model, os.path.join(args.out, 'model.onnx'))
    open(os.path.join(args.out, 'import-args'), 'w').write(' '.join(shapes) + '\n')


if __name__ == '__main__':
    main()
