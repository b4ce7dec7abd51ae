// RUN: flydel-opt --annotate-kpis="diagnostics=per-op" %s --split-input-file --verify-diagnostics

func.func @remarks(%x: tensor<1x32x32x3xf32>, %d: tensor<?x8x8x4xf32>) -> tensor<1x30x30x16xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<0.0> : tensor<16x3x3x3xf32>}> : () -> tensor<16x3x3x3xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<16xf32>}> : () -> tensor<16xf32>
  // The warning names the first feature outside the training range, per device.
  // expected-warning @+1 {{extrapolated outside the training domain (fpga latency_ms: feature in_hw = 32 outside training range [2, 14])}}
  %conv = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}
      : (tensor<1x32x32x3xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x30x30x16xf32>
  // expected-remark @+1 {{no model for elementwise on devices 'cpu', 'gpu', 'fpga'}}
  %relu = tosa.clamp %conv {min_val = 0.0 : f32, max_val = 3.4028235e38 : f32} : (tensor<1x30x30x16xf32>) -> tensor<1x30x30x16xf32>
  // expected-warning @+1 {{not annotated: cannot describe it as a layer: its shape is not static}}
  %dyn = tosa.abs %d : (tensor<?x8x8x4xf32>) -> tensor<?x8x8x4xf32>
  return %relu : tensor<1x30x30x16xf32>
}

// -----

func.func @depthwise(%x: tensor<1x16x16x8xf32>) -> tensor<1x14x14x8xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<0.0> : tensor<3x3x8x1xf32>}> : () -> tensor<3x3x8x1xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<8xf32>}> : () -> tensor<8xf32>
  // Depthwise convolution (groups = 8) was never measured: flagged on every device.
  // expected-warning @+1 {{extrapolated outside the training domain (cpu latency_ms: feature groups = 8 outside training range [1, 1]; gpu latency_ms: feature groups = 8 outside training range [1, 1]; fpga latency_ms: feature in_hw = 16 outside training range [2, 14])}}
  %0 = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}
      : (tensor<1x16x16x8xf32>, tensor<3x3x8x1xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x14x14x8xf32>
  return %0 : tensor<1x14x14x8xf32>
}

