// The FPGA engines build only some ops (flydel/Fpga/Capability.h, the rule --emit-verilog applies): an op they
// cannot build never goes to an FPGA device, as if it had no model there, even where the FPGA's prediction is the
// cheapest. The modelled ops here cost 10 us on the CPU and 1 us on the FPGA (a link 1 us each way): without the
// rule, every op kept off the FPGA below would have gone there.
// RUN: flydel-opt %s --split-input-file --assign-devices="diagnostics=per-op" --mlir-print-op-on-diagnostic=false 2>%t.diag | FileCheck %s
// RUN: flydel-opt %s --split-input-file --assign-devices -o /dev/null 2>&1 | FileCheck %s --check-prefix=SUMMARY
// SUMMARY: remark: assignment ({{.*}}; ops placed: cpu 1, fpga 1; 1 kept off an FPGA, whose engines cannot build them (first: loc("pool_2x3") (tosa.max_pool2d): kernel 2x3, stride 1x1: the engines take square kernels and equal strides) [--assign-devices="diagnostics=per-op" gives each op's device, cost and best alternative]{{$}}
// RUN: FileCheck %s --check-prefix=REMARK < %t.diag
// Whatever went to the FPGA, the emitter builds (before the rule, every chunk here put an op there that it refuses).
// RUN: flydel-opt %s --split-input-file --assign-devices --outline-partitions 2>/dev/null \
// RUN:   | flydel-translate --emit-verilog --split-input-file -o %t.sv
// RUN: FileCheck %s --check-prefix=SV < %t.sv
// SV-COUNT-8: {{^}}module {{[a-z_0-9]+}}_fpga (
// SV-NOT: {{^}}module

// A non-square pool: the window engine takes square kernels. The square pool before it stays on the FPGA.
module attributes {flydel.platform = #flydel.platform<"toy", devices = [#flydel.device<"cpu", cpu>, #flydel.device<"fpga", fpga>],
    links = [#flydel.link<"cpu" -> "fpga", latency_us = 1.0 + 0.0 per_kib>, #flydel.link<"fpga" -> "cpu", latency_us = 1.0 + 0.0 per_kib>]>} {
  // CHECK-LABEL: func.func @pools
  // CHECK-SAME: ops = {cpu = 1 : i64, fpga = 1 : i64}
  // CHECK: tosa.max_pool2d {{.*}}flydel.device = #flydel.device<"fpga", fpga>
  // CHECK: tosa.max_pool2d {{.*}}flydel.device = #flydel.device<"cpu", cpu>
  // REMARK: loc("pool_2x2"): assigned to 'fpga'
  // REMARK-NOT: engines cannot build
  // REMARK: loc("pool_2x3"): assigned to 'cpu' (latency 10 us, energy 0 uJ); no other device possible; not on an FPGA, its engines cannot build it: kernel 2x3, stride 1x1: the engines take square kernels and equal strides
  func.func @pools(%x: tensor<1x8x8x4xf32>) -> tensor<1x6x5x4xf32> {
    %0 = tosa.max_pool2d %x {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>,
                             flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0>, fpga = #flydel.kpi<latency_us = 1.0>}}
        : (tensor<1x8x8x4xf32>) -> tensor<1x7x7x4xf32> loc("pool_2x2")
    %1 = tosa.max_pool2d %0 {kernel = array<i64: 2, 3>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>,
                             flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0>, fpga = #flydel.kpi<latency_us = 1.0>}}
        : (tensor<1x7x7x4xf32>) -> tensor<1x6x5x4xf32> loc("pool_2x3")
    return %1 : tensor<1x6x5x4xf32>
  }
}

// -----

// Windows the engines cannot build: a stride larger than the kernel (the line buffer holds k rows), padding not
// smaller than the kernel, a depthwise channel multiplier, padding that one side has and a window reaches,
// an average pool with padding (TOSA divides by the valid elements, the engine by K^2), dilation, a non-square
// kernel. The global 9x9 average pool is square: the FPGA builds it.
module attributes {flydel.platform = #flydel.platform<"toy", devices = [#flydel.device<"cpu", cpu>, #flydel.device<"fpga", fpga>],
    links = [#flydel.link<"cpu" -> "fpga", latency_us = 1.0 + 0.0 per_kib>, #flydel.link<"fpga" -> "cpu", latency_us = 1.0 + 0.0 per_kib>]>} {
  // CHECK-LABEL: func.func @windows
  // CHECK-SAME: ops = {cpu = 7 : i64, fpga = 1 : i64}
  // CHECK-COUNT-7: flydel.device = #flydel.device<"cpu", cpu>
  // CHECK: tosa.avg_pool2d {{.*}}flydel.device = #flydel.device<"fpga", fpga>
  // REMARK: loc("stride"): {{.*}}: no conv engine for this op: stride must not exceed the kernel (the line buffer holds k rows) (h 9, w 9, cin 4, cout 4, k 1, s 2, p 0, pe 1, simd 1)
  // REMARK: loc("pad"): {{.*}}: no conv engine for this op: padding must be smaller than the kernel
  // REMARK: loc("multiplier"): {{.*}}: depthwise channel multiplier 2: the engine takes multiplier 1
  // REMARK: loc("asymmetric"): {{.*}}: padding [top, bottom, left, right] = [0, 1, 0, 1]: the engines pad every side by the same amount
  // REMARK: loc("avg_pad"): {{.*}}: average pooling with padding: TOSA divides by the valid elements, the engine by the kernel area
  // REMARK: loc("dilated"): {{.*}}: dilation 2x2: the engines take no dilation
  // REMARK: loc("kernel_3x1"): {{.*}}: kernel 3x1, stride 1x1: the engines take square kernels and equal strides
  // REMARK: loc("global"): assigned to 'fpga'
  func.func @windows(%x: tensor<1x9x9x4xf32>) -> (tensor<1x5x5x4xf32>, tensor<1x11x11x4xf32>, tensor<1x9x9x8xf32>, tensor<1x5x5x4xf32>,
                                                  tensor<1x9x9x4xf32>, tensor<1x5x5x4xf32>, tensor<1x7x9x4xf32>, tensor<1x1x1x4xf32>) {
    %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
    %w1 = "tosa.const"() <{values = dense<0.5> : tensor<4x1x1x4xf32>}> : () -> tensor<4x1x1x4xf32>
    %w3 = "tosa.const"() <{values = dense<0.5> : tensor<4x3x3x4xf32>}> : () -> tensor<4x3x3x4xf32>
    %w31 = "tosa.const"() <{values = dense<0.5> : tensor<4x3x1x4xf32>}> : () -> tensor<4x3x1x4xf32>
    %wd = "tosa.const"() <{values = dense<0.5> : tensor<3x3x4x2xf32>}> : () -> tensor<3x3x4x2xf32>
    %b = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
    %b8 = "tosa.const"() <{values = dense<0.0> : tensor<8xf32>}> : () -> tensor<8xf32>
    %0 = tosa.conv2d %x, %w1, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>, flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0>, fpga = #flydel.kpi<latency_us = 1.0>}}
        : (tensor<1x9x9x4xf32>, tensor<4x1x1x4xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x5x5x4xf32> loc("stride")
    %1 = tosa.conv2d %x, %w1, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0>, fpga = #flydel.kpi<latency_us = 1.0>}}
        : (tensor<1x9x9x4xf32>, tensor<4x1x1x4xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x11x11x4xf32> loc("pad")
    %2 = tosa.depthwise_conv2d %x, %wd, %b8, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0>, fpga = #flydel.kpi<latency_us = 1.0>}}
        : (tensor<1x9x9x4xf32>, tensor<3x3x4x2xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x9x9x8xf32> loc("multiplier")
    %3 = tosa.max_pool2d %x {kernel = array<i64: 2, 2>, pad = array<i64: 0, 1, 0, 1>, stride = array<i64: 2, 2>, flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0>, fpga = #flydel.kpi<latency_us = 1.0>}}
        : (tensor<1x9x9x4xf32>) -> tensor<1x5x5x4xf32> loc("asymmetric")
    %4 = tosa.avg_pool2d %x, %zp, %zp {acc_type = f32, kernel = array<i64: 3, 3>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0>, fpga = #flydel.kpi<latency_us = 1.0>}}
        : (tensor<1x9x9x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x9x9x4xf32> loc("avg_pad")
    %5 = tosa.conv2d %x, %w3, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0>, fpga = #flydel.kpi<latency_us = 1.0>}}
        : (tensor<1x9x9x4xf32>, tensor<4x3x3x4xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x5x5x4xf32> loc("dilated")
    %6 = tosa.conv2d %x, %w31, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0>, fpga = #flydel.kpi<latency_us = 1.0>}}
        : (tensor<1x9x9x4xf32>, tensor<4x3x1x4xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x7x9x4xf32> loc("kernel_3x1")
    %7 = tosa.avg_pool2d %x, %zp, %zp {acc_type = f32, kernel = array<i64: 9, 9>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0>, fpga = #flydel.kpi<latency_us = 1.0>}}
        : (tensor<1x9x9x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x4xf32> loc("global")
    return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<1x5x5x4xf32>, tensor<1x11x11x4xf32>, tensor<1x9x9x8xf32>, tensor<1x5x5x4xf32>,
                                             tensor<1x9x9x4xf32>, tensor<1x5x5x4xf32>, tensor<1x7x9x4xf32>, tensor<1x1x1x4xf32>
  }
}

// -----

// Tensors the engines do not stream: batch 2, int8 (the flow quantises f32 models itself), rank 2. The f32 pool
// beside them goes to the FPGA.
module attributes {flydel.platform = #flydel.platform<"toy", devices = [#flydel.device<"cpu", cpu>, #flydel.device<"fpga", fpga>],
    links = [#flydel.link<"cpu" -> "fpga", latency_us = 1.0 + 0.0 per_kib>, #flydel.link<"fpga" -> "cpu", latency_us = 1.0 + 0.0 per_kib>]>} {
  // CHECK-LABEL: func.func @tensors
  // CHECK-SAME: ops = {cpu = 3 : i64, fpga = 1 : i64}
  // REMARK: loc("batch2"): {{.*}}: the engines take batch 1, the input has batch 2
  // REMARK: loc("int8"): {{.*}}: the input must be f32 (the flow quantises f32 models), got 'i8'
  // REMARK: loc("rank2"): {{.*}}: the input must be a static rank-4 NHWC tensor, got 'tensor<4x4xf32>'
  func.func @tensors(%x: tensor<2x4x4x4xf32>, %y: tensor<1x4x4x4xi8>, %z: tensor<4x4xf32>, %f: tensor<1x4x4x4xf32>)
      -> (tensor<2x2x2x4xf32>, tensor<1x2x2x4xi8>, tensor<4x4xf32>, tensor<1x2x2x4xf32>) {
    %0 = tosa.max_pool2d %x {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>, flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0>, fpga = #flydel.kpi<latency_us = 1.0>}}
        : (tensor<2x4x4x4xf32>) -> tensor<2x2x2x4xf32> loc("batch2")
    %1 = tosa.max_pool2d %y {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>, flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0>, fpga = #flydel.kpi<latency_us = 1.0>}}
        : (tensor<1x4x4x4xi8>) -> tensor<1x2x2x4xi8> loc("int8")
    %2 = tosa.clamp %z {min_val = 0.0 : f32, max_val = 6.0 : f32, flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0>, fpga = #flydel.kpi<latency_us = 1.0>}} : (tensor<4x4xf32>) -> tensor<4x4xf32> loc("rank2")
    %3 = tosa.max_pool2d %f {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>, flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0>, fpga = #flydel.kpi<latency_us = 1.0>}}
        : (tensor<1x4x4x4xf32>) -> tensor<1x2x2x4xf32>
    return %0, %1, %2, %3 : tensor<2x2x2x4xf32>, tensor<1x2x2x4xi8>, tensor<4x4xf32>, tensor<1x2x2x4xf32>
  }
}

// -----

// An op without an engine and without a model anywhere used to go wherever it avoided transfers, here between two
// FPGA pools; now it goes to the CPU, at two transfers.
module attributes {flydel.platform = #flydel.platform<"toy", devices = [#flydel.device<"cpu", cpu>, #flydel.device<"fpga", fpga>],
    links = [#flydel.link<"cpu" -> "fpga", latency_us = 1.0 + 0.0 per_kib>, #flydel.link<"fpga" -> "cpu", latency_us = 1.0 + 0.0 per_kib>]>} {
  // CHECK-LABEL: func.func @no_engine
  // CHECK-SAME: chosen = #flydel.kpi<latency_us = 4, energy_uj = no_model>
  // CHECK-SAME: ops = {cpu = 1 : i64, fpga = 2 : i64}
  // CHECK: tosa.max_pool2d {{.*}}flydel.device = #flydel.device<"fpga", fpga>
  // CHECK: tosa.sigmoid {{.*}}flydel.device = #flydel.device<"cpu", cpu>
  // CHECK: tosa.max_pool2d {{.*}}flydel.device = #flydel.device<"fpga", fpga>
  // REMARK: loc("sigmoid"): assigned to 'cpu' (no model on any device: placed to avoid transfers); no other device possible; not on an FPGA, its engines cannot build it: no FPGA engine for this op (engines: conv2d, depthwise_conv2d, max_pool2d, avg_pool2d, add, clamp; per-channel mul/add folded into a convolution)
  func.func @no_engine(%x: tensor<1x8x8x4xf32>) -> tensor<1x6x6x4xf32> {
    %0 = tosa.max_pool2d %x {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0>, fpga = #flydel.kpi<latency_us = 1.0>}}
        : (tensor<1x8x8x4xf32>) -> tensor<1x7x7x4xf32>
    %1 = tosa.sigmoid %0 {flydel.kpis = {cpu = #flydel.kpi<latency_us = no_model>, fpga = #flydel.kpi<latency_us = no_model>}} : (tensor<1x7x7x4xf32>) -> tensor<1x7x7x4xf32> loc("sigmoid")
    %2 = tosa.max_pool2d %1 {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0>, fpga = #flydel.kpi<latency_us = 1.0>}}
        : (tensor<1x7x7x4xf32>) -> tensor<1x6x6x4xf32>
    return %2 : tensor<1x6x6x4xf32>
  }
}

// -----

// A batch norm's per-channel mul and add: the engines fold them into the convolution before them, so they go to
// the FPGA with it (@folded), never without it (@unfolded: the convolution is pinned to the CPU; the mul would be
// cheaper on the FPGA but stays with it), nor after a clamp (@clamped: the ReLU would be folded first).
module attributes {flydel.platform = #flydel.platform<"toy", devices = [#flydel.device<"cpu", cpu>, #flydel.device<"fpga", fpga>],
    links = [#flydel.link<"cpu" -> "fpga", latency_us = 1.0 + 0.0 per_kib>, #flydel.link<"fpga" -> "cpu", latency_us = 1.0 + 0.0 per_kib>]>} {
  // CHECK-LABEL: func.func @folded
  // CHECK-SAME: ops = {cpu = 0 : i64, fpga = 3 : i64}
  func.func @folded(%x: tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> {
    %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
    %w = "tosa.const"() <{values = dense<0.5> : tensor<4x1x1x4xf32>}> : () -> tensor<4x1x1x4xf32>
    %b = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
    %k = "tosa.const"() <{values = dense<2.0> : tensor<1x1x1x4xf32>}> : () -> tensor<1x1x1x4xf32>
    %s = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
    %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0>, fpga = #flydel.kpi<latency_us = 1.0>}}
        : (tensor<1x4x4x4xf32>, tensor<4x1x1x4xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x4xf32>
    %1 = tosa.mul %0, %k, %s {flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0>, fpga = #flydel.kpi<latency_us = 1.0>}} : (tensor<1x4x4x4xf32>, tensor<1x1x1x4xf32>, tensor<1xi8>) -> tensor<1x4x4x4xf32>
    %2 = tosa.add %k, %1 {flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0>, fpga = #flydel.kpi<latency_us = 1.0>}} : (tensor<1x1x1x4xf32>, tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
    return %2 : tensor<1x4x4x4xf32>
  }

  // CHECK-LABEL: func.func @unfolded
  // CHECK-SAME: chosen = #flydel.kpi<latency_us = 22, energy_uj = no_model>
  // CHECK-SAME: ops = {cpu = 2 : i64, fpga = 1 : i64}
  // CHECK: tosa.conv2d {{.*}}flydel.device = #flydel.device<"cpu", cpu>
  // CHECK: tosa.mul {{.*}}flydel.device = #flydel.device<"cpu", cpu>
  // CHECK: tosa.max_pool2d {{.*}}flydel.device = #flydel.device<"fpga", fpga>
  func.func @unfolded(%x: tensor<1x4x4x4xf32>) -> tensor<1x2x2x4xf32> {
    %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
    %w = "tosa.const"() <{values = dense<0.5> : tensor<4x1x1x4xf32>}> : () -> tensor<4x1x1x4xf32>
    %b = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
    %k = "tosa.const"() <{values = dense<2.0> : tensor<1x1x1x4xf32>}> : () -> tensor<1x1x1x4xf32>
    %s = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
    %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>,
                                           flydel.device = #flydel.device<"cpu", cpu>, flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0>, fpga = #flydel.kpi<latency_us = 1.0>}}
        : (tensor<1x4x4x4xf32>, tensor<4x1x1x4xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x4xf32>
    %1 = tosa.mul %0, %k, %s {flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0>, fpga = #flydel.kpi<latency_us = 1.0>}} : (tensor<1x4x4x4xf32>, tensor<1x1x1x4xf32>, tensor<1xi8>) -> tensor<1x4x4x4xf32>
    %2 = tosa.max_pool2d %1 {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>, flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0>, fpga = #flydel.kpi<latency_us = 1.0>}}
        : (tensor<1x4x4x4xf32>) -> tensor<1x2x2x4xf32>
    return %2 : tensor<1x2x2x4xf32>
  }

  // CHECK-LABEL: func.func @clamped
  // CHECK-SAME: ops = {cpu = 1 : i64, fpga = 2 : i64}
  // CHECK: tosa.conv2d {{.*}}flydel.device = #flydel.device<"fpga", fpga>
  // CHECK: tosa.clamp {{.*}}flydel.device = #flydel.device<"fpga", fpga>
  // CHECK: tosa.mul {{.*}}flydel.device = #flydel.device<"cpu", cpu>
  // REMARK: loc("mul_after_relu"): {{.*}}: a multiplication by a constant is only supported folded into the conv2d or depthwise_conv2d whose only use it is (a batch normalisation)
  func.func @clamped(%x: tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> {
    %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
    %w = "tosa.const"() <{values = dense<0.5> : tensor<4x1x1x4xf32>}> : () -> tensor<4x1x1x4xf32>
    %b = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
    %k = "tosa.const"() <{values = dense<2.0> : tensor<1x1x1x4xf32>}> : () -> tensor<1x1x1x4xf32>
    %s = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
    %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0>, fpga = #flydel.kpi<latency_us = 1.0>}}
        : (tensor<1x4x4x4xf32>, tensor<4x1x1x4xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x4xf32>
    %1 = tosa.clamp %0 {min_val = 0.0 : f32, max_val = 6.0 : f32, flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0>, fpga = #flydel.kpi<latency_us = 1.0>}} : (tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
    %2 = tosa.mul %1, %k, %s {flydel.kpis = {cpu = #flydel.kpi<latency_us = 10.0>, fpga = #flydel.kpi<latency_us = 1.0>}} : (tensor<1x4x4x4xf32>, tensor<1x1x1x4xf32>, tensor<1xi8>) -> tensor<1x4x4x4xf32> loc("mul_after_relu")
    return %2 : tensor<1x4x4x4xf32>
  }
}
