// Weights as flydel-translate --elide-weights writes them: a zero splat, behind the layout transpose.
func.func @net(%x: tensor<1x8x8x4xf32>) -> tensor<1x8x8x8xf32> {
  %w0 = "tosa.const"() <{values = dense<0.0> : tensor<8x4x3x3xf32>}> : () -> tensor<8x4x3x3xf32>
  %w = tosa.transpose %w0 {perms = array<i32: 0, 2, 3, 1>} : (tensor<8x4x3x3xf32>) -> tensor<8x3x3x4xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<8xf32>}> : () -> tensor<8xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x8x8x4xf32>, tensor<8x3x3x4xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x8x8x8xf32>
  return %c : tensor<1x8x8x8xf32>
}
