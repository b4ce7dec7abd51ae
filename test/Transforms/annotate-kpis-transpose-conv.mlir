// A transposed convolution is priced as its adjoint convolution (the direct convolution from its output map back
// to its input map: c_in and c_out swapped, same kernel and stride, the same MACs), and every value is flagged
// extrapolated with that reason: no platform has measured transposed convolutions.
// RUN: flydel-opt --annotate-kpis="diagnostics=per-op" %s 2>%t.diag | FileCheck %s
// RUN: FileCheck %s --check-prefix=DIAG < %t.diag

// The adjoint first, to capture its predictions: a 4x4 stride-2 pad-1 convolution from 28x28x16 to 14x14x32.
// CHECK-LABEL: func.func @adjoint_pair
// CHECK: tosa.conv2d {{.*}}cpu = #flydel.kpi<latency_us = [[CPU_LAT:[0-9.e+-]+]]{{( extrapolated)?}}, energy_uj = [[CPU_EN:[0-9.e+-]+]]
// CHECK-SAME: gpu = #flydel.kpi<latency_us = [[GPU_LAT:[0-9.e+-]+]]
// The transposed convolution from 14x14x32 to 28x28x16 (ONNX pads 1: out_pad -1) gets the same numbers, flagged.
// CHECK: tosa.transpose_conv2d {{.*}}cpu = #flydel.kpi<latency_us = [[CPU_LAT]] extrapolated, energy_uj = [[CPU_EN]] extrapolated, note = "priced as its adjoint convolution
// CHECK-SAME: gpu = #flydel.kpi<latency_us = [[GPU_LAT]] extrapolated
// DIAG: warning: loc("up"): flagged extrapolated: priced as its adjoint convolution (same MACs: a conv2d over its output map, c_in and c_out swapped)
func.func @adjoint_pair(%x: tensor<1x28x28x16xf32>, %u: tensor<1x14x14x32xf32>) -> (tensor<1x14x14x32xf32>, tensor<1x28x28x16xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<0.0> : tensor<32x4x4x16xf32>}> : () -> tensor<32x4x4x16xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<32xf32>}> : () -> tensor<32xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 2, 2>}
      : (tensor<1x28x28x16xf32>, tensor<32x4x4x16xf32>, tensor<32xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x14x14x32xf32> loc("down")
  %wt = "tosa.const"() <{values = dense<0.0> : tensor<16x4x4x32xf32>}> : () -> tensor<16x4x4x32xf32>
  %bt = "tosa.const"() <{values = dense<0.0> : tensor<16xf32>}> : () -> tensor<16xf32>
  %1 = tosa.transpose_conv2d %u, %wt, %bt, %zp, %zp {acc_type = f32, out_pad = array<i64: -1, -1, -1, -1>, stride = array<i64: 2, 2>}
      : (tensor<1x14x14x32xf32>, tensor<16x4x4x32xf32>, tensor<16xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x28x28x16xf32> loc("up")
  return %0, %1 : tensor<1x14x14x32xf32>, tensor<1x28x28x16xf32>
}

// Positive out_pad (rows the scatter never reaches, ONNX output_padding): the adjoint reads the map without them, so
// a 2x2 stride-2 transposed convolution from 7x7 with out_pad bottom/right 1 is priced as the 2x2 stride-2
// convolution of the 14x14 map.
// CHECK-LABEL: func.func @output_padding
// CHECK: tosa.conv2d {{.*}}cpu = #flydel.kpi<latency_us = [[CPU_LAT2:[0-9.e+-]+]]
// CHECK: tosa.transpose_conv2d {{.*}}cpu = #flydel.kpi<latency_us = [[CPU_LAT2]] extrapolated
func.func @output_padding(%x: tensor<1x14x14x8xf32>, %u: tensor<1x7x7x24xf32>) -> (tensor<1x7x7x24xf32>, tensor<1x15x15x8xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<0.0> : tensor<24x2x2x8xf32>}> : () -> tensor<24x2x2x8xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<24xf32>}> : () -> tensor<24xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>}
      : (tensor<1x14x14x8xf32>, tensor<24x2x2x8xf32>, tensor<24xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x7x7x24xf32>
  %wt = "tosa.const"() <{values = dense<0.0> : tensor<8x2x2x24xf32>}> : () -> tensor<8x2x2x24xf32>
  %bt = "tosa.const"() <{values = dense<0.0> : tensor<8xf32>}> : () -> tensor<8xf32>
  %1 = tosa.transpose_conv2d %u, %wt, %bt, %zp, %zp {acc_type = f32, out_pad = array<i64: 0, 1, 0, 1>, stride = array<i64: 2, 2>}
      : (tensor<1x7x7x24xf32>, tensor<8x2x2x24xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x15x15x8xf32>
  return %0, %1 : tensor<1x7x7x24xf32>, tensor<1x15x15x8xf32>
}
