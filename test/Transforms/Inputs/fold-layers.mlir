// Layers placed by hand (no platform attribute, so any device name is accepted) for the flydel-fold-fpga tests:
// conv_a 8x8x4 -> 8, 3x3 (work 64*9*8*4), conv_b 8x8x8 -> 8, 1x1 (work 64*8*8), a 2x2 max pool over 8 channels,
// all on the FPGA; conv_cpu stays on the CPU.
func.func @net(%x: tensor<1x8x8x4xf32>) -> (tensor<1x4x4x8xf32>, tensor<1x8x8x8xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %wa = "tosa.const"() <{values = dense<0.0> : tensor<8x3x3x4xf32>}> : () -> tensor<8x3x3x4xf32>
  %wb = "tosa.const"() <{values = dense<0.0> : tensor<8x1x1x8xf32>}> : () -> tensor<8x1x1x8xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<8xf32>}> : () -> tensor<8xf32>
  %a = tosa.conv2d %x, %wa, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, flydel.device = #flydel.device<"fpga", fpga>}
      : (tensor<1x8x8x4xf32>, tensor<8x3x3x4xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x8x8x8xf32> loc("conv_a")
  %c = tosa.conv2d %a, %wb, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, flydel.device = #flydel.device<"fpga", fpga>}
      : (tensor<1x8x8x8xf32>, tensor<8x1x1x8xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x8x8x8xf32> loc("conv_b")
  %p = tosa.max_pool2d %c {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>, flydel.device = #flydel.device<"fpga", fpga>}
      : (tensor<1x8x8x8xf32>) -> tensor<1x4x4x8xf32> loc("pool")
  %d = tosa.conv2d %a, %wb, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, flydel.device = #flydel.device<"cpu", cpu>}
      : (tensor<1x8x8x8xf32>, tensor<8x1x1x8xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x8x8x8xf32> loc("conv_cpu")
  return %p, %d : tensor<1x4x4x8xf32>, tensor<1x8x8x8xf32>
}
