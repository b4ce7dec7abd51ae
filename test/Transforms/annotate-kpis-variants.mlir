// RUN: flydel-opt --annotate-kpis="platform=%S/../python/Inputs/validate/lib.json" %s 2>/dev/null | FileCheck %s

// A library with one conv2d model per variant (test/python/Inputs/validate/lib.json): dense 1e-6 ms per MAC,
// depthwise a constant 0.5 ms. Each convolution takes its own variant's model.

// CHECK-LABEL: func.func @variants
func.func @variants(%x: tensor<1x8x8x4xf32>) -> (tensor<1x8x8x4xf32>, tensor<1x8x8x4xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<0.0> : tensor<4x3x3x4xf32>}> : () -> tensor<4x3x3x4xf32>
  %wd = "tosa.const"() <{values = dense<0.0> : tensor<3x3x4x1xf32>}> : () -> tensor<3x3x4x1xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
  // 8 * 8 * 4 * 4 * 9 = 9216 MACs: 9.216 us.
  // CHECK: tosa.conv2d
  // CHECK-SAME: flydel.kpis = {"cpu-x" = #flydel.kpi<latency_us = 9.216{{[0-9]*}}>}
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>}
      : (tensor<1x8x8x4xf32>, tensor<4x3x3x4xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x8x8x4xf32>
  // CHECK: tosa.depthwise_conv2d
  // CHECK-SAME: flydel.kpis = {"cpu-x" = #flydel.kpi<latency_us = 500>}
  %1 = tosa.depthwise_conv2d %x, %wd, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>}
      : (tensor<1x8x8x4xf32>, tensor<3x3x4x1xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x8x8x4xf32>
  return %0, %1 : tensor<1x8x8x4xf32>, tensor<1x8x8x4xf32>
}
