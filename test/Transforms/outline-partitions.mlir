// RUN: flydel-opt %s --outline-partitions --split-input-file | FileCheck %s
// RUN: flydel-opt %s --outline-partitions --split-input-file | flydel-opt --split-input-file > /dev/null
// RUN: flydel-opt %s --outline-partitions --flydel-lower-transfers --split-input-file | FileCheck %s --check-prefix=LOWERED
// RUN: flydel-opt %s --outline-partitions="max-ops-per-partition=1" --split-input-file | FileCheck %s --check-prefix=SPLIT

// a (gpu) -> b (fpga) -> c (gpu), plus a -> c: a and c are connected on the GPU, but one partition {a, c} would
// both feed and need b's partition. Three partitions, two transfers; a's value goes to the FPGA once.
module attributes {flydel.platform = #flydel.platform<"p", devices = [#flydel.device<"gpu", gpu>, #flydel.device<"fpga", fpga, capacities = {alm = 100}>],
                   links = [#flydel.link<"gpu" -> "fpga", latency_us = 5.0 + 1.0 per_kib>, #flydel.link<"fpga" -> "gpu", latency_us = 7.0 + 2.0 per_kib>]>} {
  func.func @cycle(%x: tensor<256xf32>) -> tensor<256xf32> {
    %w = "tosa.const"() <{values = dense<2.0> : tensor<256xf32>}> : () -> tensor<256xf32>
    %a = tosa.abs %x {flydel.device = #flydel.device<"gpu", gpu>} : (tensor<256xf32>) -> tensor<256xf32>
    %b = tosa.maximum %a, %w {flydel.device = #flydel.device<"fpga", fpga>} : (tensor<256xf32>, tensor<256xf32>) -> tensor<256xf32>
    %b2 = tosa.abs %a {flydel.device = #flydel.device<"fpga", fpga>} : (tensor<256xf32>) -> tensor<256xf32>
    %c = tosa.add %a, %b {flydel.device = #flydel.device<"gpu", gpu>} : (tensor<256xf32>, tensor<256xf32>) -> tensor<256xf32>
    %d = tosa.add %c, %b2 {flydel.device = #flydel.device<"gpu", gpu>} : (tensor<256xf32>, tensor<256xf32>) -> tensor<256xf32>
    return %d : tensor<256xf32>
  }
}

// CHECK-LABEL: func.func private @cycle_p0_gpu(%{{.*}}: tensor<256xf32>) -> tensor<256xf32> attributes {flydel.device = #flydel.device<"gpu", gpu>}
// CHECK-NEXT: tosa.abs
// CHECK-NEXT: return
// CHECK-LABEL: func.func private @cycle_p1_fpga(%{{.*}}: tensor<256xf32>) -> tensor<256xf32> attributes {flydel.device = #flydel.device<"fpga", fpga>}
// The constant weight is cloned into the partition that uses it.
// CHECK-NEXT: "tosa.const"() <{values = dense<2.000000e+00> : tensor<256xf32>}>
// CHECK-NEXT: tosa.maximum
// CHECK-NEXT: return
// b and b2 are both on the FPGA but not connected to each other: two partitions.
// CHECK-LABEL: func.func private @cycle_p2_fpga(%{{.*}}: tensor<256xf32>) -> tensor<256xf32>
// CHECK-NEXT: tosa.abs
// CHECK-LABEL: func.func private @cycle_p3_gpu(%{{.*}}: tensor<256xf32>, %{{.*}}: tensor<256xf32>, %{{.*}}: tensor<256xf32>) -> tensor<256xf32> attributes {flydel.device = #flydel.device<"gpu", gpu>}
// CHECK-NEXT: tosa.add
// CHECK-NEXT: tosa.add
// CHECK-LABEL: func.func @cycle
// CHECK-NEXT: %[[A:.*]] = call @cycle_p0_gpu(%arg0) {flydel.device = #flydel.device<"gpu", gpu>}
// 256 f32 = 1 KiB: 5 + 1 us to the FPGA, once for both FPGA partitions; 7 + 2 us back.
// CHECK-NEXT: %[[TA:.*]] = flydel.transfer %[[A]] : tensor<256xf32> from "gpu" to "fpga" bytes 1024 cost #flydel.kpi<latency_us = 6>
// CHECK-NEXT: %[[B:.*]] = call @cycle_p1_fpga(%[[TA]])
// CHECK-NEXT: %[[B2:.*]] = call @cycle_p2_fpga(%[[TA]])
// CHECK-NEXT: %[[TB:.*]] = flydel.transfer %[[B]] : tensor<256xf32> from "fpga" to "gpu" bytes 1024 cost #flydel.kpi<latency_us = 9>
// CHECK-NEXT: %[[TB2:.*]] = flydel.transfer %[[B2]] : tensor<256xf32> from "fpga" to "gpu" bytes 1024 cost #flydel.kpi<latency_us = 9>
// CHECK-NEXT: %[[D:.*]] = call @cycle_p3_gpu(%[[A]], %[[TB]], %[[TB2]])
// CHECK-NEXT: return %[[D]]

// LOWERED-LABEL: func.func @cycle
// LOWERED-NOT: flydel.transfer
// LOWERED: %[[A:.*]] = call @cycle_p0_gpu
// LOWERED-NEXT: %[[B:.*]] = call @cycle_p1_fpga(%[[A]])
// LOWERED-NEXT: %[[B2:.*]] = call @cycle_p2_fpga(%[[A]])
// LOWERED-NEXT: call @cycle_p3_gpu(%[[A]], %[[B]], %[[B2]])

// SPLIT-COUNT-5: func.func private @cycle_p{{[0-9]}}_

// -----

// Without assignments there is nothing to outline.
// CHECK-LABEL: func.func @unassigned
// CHECK-NEXT: tosa.abs
func.func @unassigned(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tosa.abs %x : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
