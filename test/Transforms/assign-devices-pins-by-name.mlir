// A pin by layer name goes to the op that computes, not to the layout ops an importer names after the same ONNX node
// (issue 18: in *_noweights models the weight tosa.transpose carries its conv's name; pinned to the FPGA, it failed
// as "cannot be built"). Two computing ops of one name in separate places are two layers: the pin is ambiguous.
// RUN: echo '{"conv1": "fpga"}' > %t.conv.json
// RUN: flydel-opt %s --annotate-kpis="platform=%flydel_src/platforms/host-xc7/host-xc7.json" --assign-devices="pins=%t.conv.json" --mlir-print-op-on-diagnostic=false 2>/dev/null | FileCheck %s
// A pins file with a UTF-8 byte order mark reads as without one.
// RUN: printf '\357\273\277{"conv1": "fpga"}' > %t.bom.json
// RUN: flydel-opt %s --annotate-kpis="platform=%flydel_src/platforms/host-xc7/host-xc7.json" --assign-devices="pins=%t.bom.json" --mlir-print-op-on-diagnostic=false 2>/dev/null | FileCheck %s
// RUN: echo '{"layout": "cpu"}' > %t.layout.json
// RUN: flydel-opt %s --annotate-kpis="platform=%flydel_src/platforms/host-xc7/host-xc7.json" --assign-devices="pins=%t.layout.json" --mlir-print-op-on-diagnostic=false 2>/dev/null | FileCheck %s --check-prefix=LAYOUT
// RUN: echo '{"twice": "fpga"}' > %t.twice.json
// RUN: not flydel-opt %s --annotate-kpis="platform=%flydel_src/platforms/host-xc7/host-xc7.json" --assign-devices="pins=%t.twice.json" --mlir-print-op-on-diagnostic=false 2>&1 | FileCheck %s --check-prefix=TWICE

// CHECK-LABEL: func.func @noweights
// CHECK: tosa.transpose %arg1 {flydel.device = #flydel.device<"cpu", cpu>
// CHECK: tosa.conv2d {{.*}}flydel.device = #flydel.device<"fpga", fpga>
// LAYOUT-LABEL: func.func @noweights
// LAYOUT: tosa.transpose %arg1 {flydel.device = #flydel.device<"cpu", cpu>
func.func @noweights(%x: tensor<1x8x8x4xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x6x6x8xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32> loc("conv1")
  %b = "tosa.const"() <{values = dense<0.5> : tensor<8xf32>}> : () -> tensor<8xf32> loc("conv1")
  %wt = tosa.transpose %w {perms = array<i32: 0, 2, 3, 1>} : (tensor<8x4x3x3xf32>) -> tensor<8x3x3x4xf32> loc("conv1")
  %0 = tosa.conv2d %x, %wt, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}
      : (tensor<1x8x8x4xf32>, tensor<8x3x3x4xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x6x6x8xf32> loc("conv1")
  %1 = tosa.transpose %0 {perms = array<i32: 0, 1, 2, 3>} : (tensor<1x6x6x8xf32>) -> tensor<1x6x6x8xf32> loc("layout")
  return %1 : tensor<1x6x6x8xf32>
}

// TWICE: error: loc("twice"): assign-devices: pin 'twice' is ambiguous: it names two layers (tosa.clamp and tosa.clamp) with layer 'between' between them; rename one
func.func @twice(%x: tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32> {
  %0 = tosa.clamp %x {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32> loc("twice")
  %1 = tosa.clamp %0 {min_val = 0.0 : f32, max_val = 5.0 : f32} : (tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32> loc("between")
  %2 = tosa.clamp %1 {min_val = 0.0 : f32, max_val = 4.0 : f32} : (tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32> loc("twice")
  return %2 : tensor<1x8x8x4xf32>
}
