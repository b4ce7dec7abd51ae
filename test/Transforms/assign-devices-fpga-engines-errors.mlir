// An op that the FPGA engines cannot build and that cannot go elsewhere is an error naming the reason.
// RUN: flydel-opt %s --split-input-file --assign-devices --verify-diagnostics

// Pinned to the FPGA.
module attributes {flydel.platform = #flydel.platform<"toy", devices = [#flydel.device<"cpu", cpu>, #flydel.device<"fpga", fpga>],
    links = [#flydel.link<"cpu" -> "fpga", latency_us = 1.0 + 0.0 per_kib>, #flydel.link<"fpga" -> "cpu", latency_us = 1.0 + 0.0 per_kib>]>} {
  func.func @pinned(%x: tensor<1x8x8x4xf32>) -> tensor<1x7x6x4xf32> {
    // expected-error @+1 {{assign-devices: pinned to device 'fpga', whose engines cannot build it: kernel 2x3, stride 1x1: the engines take square kernels and equal strides}}
    %0 = tosa.max_pool2d %x {kernel = array<i64: 2, 3>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, flydel.device = #flydel.device<"fpga", fpga>,
                             flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0>, fpga = #flydel.kpi<latency_us = 1.0>}}
        : (tensor<1x8x8x4xf32>) -> tensor<1x7x6x4xf32>
    return %0 : tensor<1x7x6x4xf32>
  }
}

// -----

// A platform whose only device is an FPGA.
module attributes {flydel.platform = #flydel.platform<"fpga-only", devices = [#flydel.device<"fpga", fpga>]>} {
  func.func @fpga_only(%x: tensor<1x8x8x4xf32>) -> tensor<1x7x6x4xf32> {
    // expected-error @+1 {{assign-devices: no device of platform 'fpga-only' can run this op (the FPGA engines cannot build it: kernel 2x3, stride 1x1: the engines take square kernels and equal strides)}}
    %0 = tosa.max_pool2d %x {kernel = array<i64: 2, 3>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>,
                             flydel.kpis = {fpga = #flydel.kpi<latency_us = 1.0>}}
        : (tensor<1x8x8x4xf32>) -> tensor<1x7x6x4xf32>
    return %0 : tensor<1x7x6x4xf32>
  }
}

// -----

// A batch norm's mul pinned to the FPGA while the convolution it folds into is pinned to the CPU.
module attributes {flydel.platform = #flydel.platform<"toy", devices = [#flydel.device<"cpu", cpu>, #flydel.device<"fpga", fpga>],
    links = [#flydel.link<"cpu" -> "fpga", latency_us = 1.0 + 0.0 per_kib>, #flydel.link<"fpga" -> "cpu", latency_us = 1.0 + 0.0 per_kib>]>} {
  func.func @split_batch_norm(%x: tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> {
    %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
    %w = "tosa.const"() <{values = dense<0.5> : tensor<4x1x1x4xf32>}> : () -> tensor<4x1x1x4xf32>
    %b = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
    %k = "tosa.const"() <{values = dense<2.0> : tensor<1x1x1x4xf32>}> : () -> tensor<1x1x1x4xf32>
    %s = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
    %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>,
                                           flydel.device = #flydel.device<"cpu", cpu>, flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0>, fpga = #flydel.kpi<latency_us = 1.0>}}
        : (tensor<1x4x4x4xf32>, tensor<4x1x1x4xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x4xf32>
    // expected-error @+1 {{assign-devices: pinned to device 'fpga', where it is built only inside}}
    %1 = tosa.mul %0, %k, %s {flydel.device = #flydel.device<"fpga", fpga>, flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0>, fpga = #flydel.kpi<latency_us = 1.0>}} : (tensor<1x4x4x4xf32>, tensor<1x1x1x4xf32>, tensor<1xi8>) -> tensor<1x4x4x4xf32>
    return %1 : tensor<1x4x4x4xf32>
  }
}
