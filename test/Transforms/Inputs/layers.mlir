// Layers the annotate-kpis tests share: TOSA convolutions (in and out of the tx2-c10gx training domain),
// elementwise, pooling, data movement, and a dynamic shape.
func.func @tosa_layers(%x: tensor<1x32x32x3xf32>, %d: tensor<?x8x8x4xf32>) -> (tensor<1x15x15x16xf32>, tensor<1x16x16x16xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<0.0> : tensor<16x3x3x3xf32>}> : () -> tensor<16x3x3x3xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<16xf32>}> : () -> tensor<16xf32>
  %conv = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}
      : (tensor<1x32x32x3xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x30x30x16xf32> loc("conv_s1")
  %s2 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 1, 0, 1>, stride = array<i64: 2, 2>}
      : (tensor<1x32x32x3xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x16x16x16xf32> loc("conv_s2")
  %relu = tosa.clamp %conv {min_val = 0.0 : f32, max_val = 3.4028235e38 : f32} : (tensor<1x30x30x16xf32>) -> tensor<1x30x30x16xf32> loc("relu")
  %pool = tosa.max_pool2d %relu {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x30x30x16xf32>) -> tensor<1x15x15x16xf32> loc("pool")
  %perms = tosa.abs %d : (tensor<?x8x8x4xf32>) -> tensor<?x8x8x4xf32> loc("dynamic")
  return %pool, %s2 : tensor<1x15x15x16xf32>, tensor<1x16x16x16xf32>
}
