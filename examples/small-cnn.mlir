// A small CNN in TOSA 1.0 (NHWC activations, OHWI weights): two 3x3 convolutions with ReLU, a 2x2 max-pool.
// Weights are elided to zeros: the analysis needs shapes, not values.
func.func @small_cnn(%input: tensor<1x32x32x3xf32>) -> tensor<1x15x15x32xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w0 = "tosa.const"() <{values = dense<0.0> : tensor<16x3x3x3xf32>}> : () -> tensor<16x3x3x3xf32>
  %b0 = "tosa.const"() <{values = dense<0.0> : tensor<16xf32>}> : () -> tensor<16xf32>
  %c0 = tosa.conv2d %input, %w0, %b0, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}
      : (tensor<1x32x32x3xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x30x30x16xf32> loc("conv1")
  %r0 = tosa.clamp %c0 {min_val = 0.0 : f32, max_val = 3.4028235e38 : f32} : (tensor<1x30x30x16xf32>) -> tensor<1x30x30x16xf32> loc("relu1")
  %w1 = "tosa.const"() <{values = dense<0.0> : tensor<32x3x3x16xf32>}> : () -> tensor<32x3x3x16xf32>
  %b1 = "tosa.const"() <{values = dense<0.0> : tensor<32xf32>}> : () -> tensor<32xf32>
  %c1 = tosa.conv2d %r0, %w1, %b1, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>}
      : (tensor<1x30x30x16xf32>, tensor<32x3x3x16xf32>, tensor<32xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x30x30x32xf32> loc("conv2")
  %r1 = tosa.clamp %c1 {min_val = 0.0 : f32, max_val = 3.4028235e38 : f32} : (tensor<1x30x30x32xf32>) -> tensor<1x30x30x32xf32> loc("relu2")
  %p = tosa.max_pool2d %r1 {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x30x30x32xf32>) -> tensor<1x15x15x32xf32> loc("pool")
  return %p : tensor<1x15x15x32xf32>
}
