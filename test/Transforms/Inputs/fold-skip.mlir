// For flydel-fold-fpga all-layers: ops the toy FPGA cannot take -- a matmul (no time model), a clamp (its model
// never gives a valid time), a dynamic shape (not a layer) -- next to one convolution it can fold.
func.func @mixed(%x: tensor<1x8x8x4xf32>, %a: tensor<1x4x8xf32>, %b: tensor<1x8x4xf32>, %d: tensor<?x4xf32>)
    -> (tensor<1x8x8x8xf32>, tensor<1x4x4xf32>, tensor<?x4xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<0.0> : tensor<8x3x3x4xf32>}> : () -> tensor<8x3x3x4xf32>
  %bias = "tosa.const"() <{values = dense<0.0> : tensor<8xf32>}> : () -> tensor<8xf32>
  %c = tosa.conv2d %x, %w, %bias, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>}
      : (tensor<1x8x8x4xf32>, tensor<8x3x3x4xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x8x8x8xf32> loc("conv")
  %r = tosa.clamp %c {min_val = 0.0 : f32, max_val = 3.4028235e38 : f32} : (tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32> loc("relu")
  %m = tosa.matmul %a, %b, %zp, %zp : (tensor<1x4x8xf32>, tensor<1x8x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4xf32> loc("fc")
  %e = tosa.abs %d : (tensor<?x4xf32>) -> tensor<?x4xf32> loc("dynamic")
  return %r, %m, %e : tensor<1x8x8x8xf32>, tensor<1x4x4xf32>, tensor<?x4xf32>
}
