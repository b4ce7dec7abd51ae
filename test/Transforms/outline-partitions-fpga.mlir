// RUN: flydel-opt %s --outline-partitions --split-input-file --verify-diagnostics | FileCheck %s

// An op without a device (no model anywhere, so --assign-devices left it alone) joins its producer's device, but
// not an FPGA whose engines cannot build it (a sigmoid): it goes to the host CPU, so --emit-verilog gets only what
// it builds. The add after the pool can be built, so it stays on the FPGA.
module attributes {flydel.platform = #flydel.platform<"p", devices = [#flydel.device<"cpu", cpu>, #flydel.device<"fpga", fpga, capacities = {alm = 100}>],
                   links = [#flydel.link<"cpu" -> "fpga", latency_us = 5.0 + 1.0 per_kib>, #flydel.link<"fpga" -> "cpu", latency_us = 7.0 + 2.0 per_kib>]>} {
  func.func @pool_sigmoid(%x: tensor<1x8x8x4xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) {
    %p = tosa.max_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, flydel.device = #flydel.device<"fpga", fpga>} : (tensor<1x8x8x4xf32>) -> tensor<1x4x4x4xf32>
    %a = tosa.add %p, %p : (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
    %s = tosa.sigmoid %p : (tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
    return %a, %s : tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>
  }
}

// CHECK-LABEL: func.func private @pool_sigmoid_p0_fpga
// CHECK-NEXT: tosa.max_pool2d
// CHECK-NEXT: tosa.add
// CHECK-NEXT: return
// CHECK-LABEL: func.func private @pool_sigmoid_p1_cpu
// CHECK-NEXT: tosa.sigmoid
// CHECK-NEXT: return

// -----

// On a platform of FPGAs only, the error says why the FPGA would not do.
module attributes {flydel.platform = #flydel.platform<"p", devices = [#flydel.device<"fpga", fpga, capacities = {alm = 100}>]>} {
  func.func @no_host(%x: tensor<1x8x8x4xf32>) -> tensor<1x4x4x4xf32> {
    %p = tosa.max_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, flydel.device = #flydel.device<"fpga", fpga>} : (tensor<1x8x8x4xf32>) -> tensor<1x4x4x4xf32>
    // expected-error @+1 {{outline-partitions: no device for this op (it has no flydel.device and neither a placed producer nor a placed user that can take it: the FPGA engines cannot build it}}
    %s = tosa.sigmoid %p : (tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
    return %s : tensor<1x4x4x4xf32>
  }
}
