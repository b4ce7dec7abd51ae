// The smallest useful partition for the Yosys test: depthwise 3x3 (ReLU) then max pool 2x2, 4x4x2, pe 1.
func.func @tiny(%x: tensor<1x4x4x2xf32>) -> tensor<1x2x2x2xf32> attributes {flydel.device = #flydel.device<"fpga", fpga>} {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[[[0.5], [-0.25]], [[1.0], [0.75]], [[-0.5], [0.125]]], [[[0.25], [-1.0]], [[0.5], [0.5]], [[-0.75], [0.25]]], [[[0.125], [0.5]], [[-0.25], [1.0]], [[0.75], [-0.5]]]]> : tensor<3x3x2x1xf32>}> : () -> tensor<3x3x2x1xf32>
  %b = "tosa.const"() <{values = dense<[0.5, -0.5]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %d = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>}
      : (tensor<1x4x4x2xf32>, tensor<3x3x2x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32> loc("dw")
  %r = tosa.clamp %d {min_val = 0.0 : f32, max_val = 3.4028235e38 : f32} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> loc("relu")
  %p = tosa.max_pool2d %r {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x4x2xf32>) -> tensor<1x2x2x2xf32> loc("pool")
  return %p : tensor<1x2x2x2xf32>
}
