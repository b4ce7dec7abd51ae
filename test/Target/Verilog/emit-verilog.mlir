// RUN: rm -rf %t.d && mkdir %t.d
// RUN: flydel-translate --emit-verilog --split-input-file --fpga-placeholder-weights %s -o %t.d/out.sv && FileCheck %s < %t.d/out.sv
// The ROM files of every chunk are written beside the output.
// RUN: test -s %t.d/small_p1_fpga_n0_w.mem && test -s %t.d/bn_n0_b.mem && test -s %t.d/elided_n0_w.mem
// RUN: FileCheck %s --check-prefix=ROM < %t.d/resource_n0_w.mem
// RUN: flydel-translate --emit-verilog --split-input-file --fpga-pe=2 --fpga-simd=2 --fpga-placeholder-weights %s -o %t.pe2.sv && FileCheck %s --check-prefix=PE2 < %t.pe2.sv
// RUN: flydel-translate --emit-verilog --split-input-file --fpga-activation-range=4 --fpga-placeholder-weights %s -o %t.r4.sv && FileCheck %s --check-prefix=R4 < %t.r4.sv

// Only functions on an FPGA device are partitions; conv + bias + ReLU is one engine whose clamp is the activation;
// the ROMs are named after the module and node.

// CHECK-LABEL: FPGA partition small_p1_fpga.
// CHECK-NEXT: flydel-translate --emit-verilog
// CHECK-NEXT: function @small_p1_fpga (device 'fpga')
// CHECK-NEXT: Quantisation (no calibration data): int8 symmetric per-tensor weights (scale max|w|/127), every activation assumed in [-8, 8] (scale 8/127).
// CHECK-NEXT: Bit-exact to the C++ fixed-point reference of this quantised network
// CHECK: module small_p1_fpga (
// CHECK: input logic in0_valid, output logic in0_ready, input logic [7:0] in0_data,
// CHECK: output logic out0_valid, input logic out0_ready, output logic [7:0] out0_data
// CHECK: // n0_conv: conv1: 6x6x2 -> 6x6x4
// CHECK-NEXT: flydel_window_engine #(.MODE(0), .H(6), .W(6), .CIN(2), .COUT(4), .K(3), .S(1), .P(1), .PE(1), .SIMD(1),
// The weight scale is 0.5/127, so y = (acc + bias) * (0.5/127) * (8/127) / (8/127): mult / 2^shift = 33026 / 2^23,
// the largest shift with mult <= 65535.
// CHECK-NEXT: .MULT(33026), .SHIFT(23), .LO(0), .HI(127), .WFILE("small_p1_fpga_n0_w.mem"), .BFILE("small_p1_fpga_n0_b.mem")) n0_conv
// CHECK-NOT: flydel_stream_
// CHECK: endmodule
// CHECK-NOT: module small_p0_cpu
// PE2-LABEL: module small_p1_fpga
// PE2: .PE(2), .SIMD(2),
// The activation range scales the clamp: ReLU is still [0, 127].
// R4: .LO(0), .HI(127)
module attributes {flydel.platform = #flydel.platform<"p", devices = [#flydel.device<"cpu", cpu>, #flydel.device<"fpga", fpga>]>} {
  func.func private @small_p0_cpu(%x: tensor<1x6x6x2xf32>) -> tensor<1x6x6x2xf32> attributes {flydel.device = #flydel.device<"cpu", cpu>} {
    %0 = tosa.abs %x : (tensor<1x6x6x2xf32>) -> tensor<1x6x6x2xf32>
    return %0 : tensor<1x6x6x2xf32>
  }
  func.func private @small_p1_fpga(%x: tensor<1x6x6x2xf32>) -> tensor<1x6x6x4xf32> attributes {flydel.device = #flydel.device<"fpga", fpga>} {
    %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
    %w = "tosa.const"() <{values = dense<0.5> : tensor<4x3x3x2xf32>}> : () -> tensor<4x3x3x2xf32>
    %b = "tosa.const"() <{values = dense<[0.25, -0.25, 1.0, 0.0]> : tensor<4xf32>}> : () -> tensor<4xf32>
    %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>}
        : (tensor<1x6x6x2xf32>, tensor<4x3x3x2xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x6x6x4xf32> loc("conv1")
    %r = tosa.clamp %c {min_val = 0.0 : f32, max_val = 3.4028235e38 : f32} : (tensor<1x6x6x4xf32>) -> tensor<1x6x6x4xf32> loc("relu1")
    return %r : tensor<1x6x6x4xf32>
  }
}

// -----

// TF "same" padding with stride 2 (top/left 1, bottom/right 0) is the symmetric padding 1 with the same output
// size; a batch norm (per-channel mul then add) folds into the depthwise convolution; ReLU6 clamps at
// round(6 / (8/127)) = 95; the max pool keeps the scale and only clamps; the depthwise folding is pe = simd = 2.

// CHECK-LABEL: FPGA partition bn
// The depthwise emits 2 lanes, the pool takes 1.
// CHECK: flydel_stream_dwc #(.C(4), .IN(2), .OUT(1))
// CHECK: // n0_depthwise: dw: 8x8x4 -> 4x4x4
// CHECK-NEXT: flydel_window_engine #(.MODE(1), .H(8), .W(8), .CIN(4), .COUT(4), .K(3), .S(2), .P(1), .PE(2), .SIMD(2),
// Weights 1 scaled by the batch norm to at most 2 in magnitude: 2/127 as 33026 / 2^21.
// CHECK-NEXT: .MULT(33026), .SHIFT(21), .LO(0), .HI(95), .WFILE("bn_n0_w.mem"), .BFILE("bn_n0_b.mem")) n0_depthwise
// CHECK: // n1_maxpool: pool: 4x4x4 -> 2x2x4
// CHECK-NEXT: .K(2), .S(2), .P(0), .PE(1), .SIMD(1),
// CHECK-NEXT: .MULT(1), .SHIFT(1), .LO(-128), .HI(127)) n1_maxpool
// R4-LABEL: FPGA partition bn
// R4: activation assumed in [-4, 4] (scale 4/127)
// R4: .LO(0), .HI(127)
func.func @bn(%x: tensor<1x8x8x4xf32>) -> tensor<1x2x2x4xf32> attributes {flydel.device = #flydel.device<"fpga", fpga>} {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<1.0> : tensor<3x3x4x1xf32>}> : () -> tensor<3x3x4x1xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
  %scale = "tosa.const"() <{values = dense<[[[[0.5, 1.0, 2.0, -1.5]]]]> : tensor<1x1x1x4xf32>}> : () -> tensor<1x1x1x4xf32>
  %shift = "tosa.const"() <{values = dense<[[[[0.1, 0.2, 0.3, 0.4]]]]> : tensor<1x1x1x4xf32>}> : () -> tensor<1x1x1x4xf32>
  %s0 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %d = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 2>, flydel.folding = #flydel.folding<pe = 2, simd = 2>}
      : (tensor<1x8x8x4xf32>, tensor<3x3x4x1xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x4xf32> loc("dw")
  %m = tosa.mul %d, %scale, %s0 : (tensor<1x4x4x4xf32>, tensor<1x1x1x4xf32>, tensor<1xi8>) -> tensor<1x4x4x4xf32> loc("bn")
  %a = tosa.add %m, %shift : (tensor<1x4x4x4xf32>, tensor<1x1x1x4xf32>) -> tensor<1x4x4x4xf32> loc("bn")
  %r = tosa.clamp %a {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> loc("relu6")
  %p = tosa.max_pool2d %r {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x4x4xf32>) -> tensor<1x2x2x4xf32> loc("pool")
  return %p : tensor<1x2x2x4xf32>
}

// -----

// A clamp on the partition's input (no producer to fold into) becomes a 1x1 max pool that only clamps; an average
// pool is 1/k^2 as the closest mult / 2^shift (1/4: 32768 / 2^17); a stream used twice (returned and pooled) is
// forked, every branch buffered.

// CHECK-LABEL: FPGA partition pools
// CHECK: output logic out0_valid
// CHECK: output logic out1_valid
// CHECK: flydel_stream_fork #(.N(2), .WIDTH(8))
// CHECK: flydel_stream_fifo #(.DEPTH(64), .WIDTH(8))
// CHECK: flydel_stream_fifo #(.DEPTH(64), .WIDTH(8))
// CHECK: // n0_maxpool: clip: 4x4x4 -> 4x4x4
// CHECK-NEXT: .K(1), .S(1), .P(0), .PE(1), .SIMD(1),
// CHECK-NEXT: .LO(-32), .HI(32)) n0_maxpool
// CHECK: // n1_avgpool: avg: 4x4x4 -> 2x2x4
// CHECK-NEXT: .K(2), .S(2), .P(0)
// CHECK-NEXT: .MULT(32768), .SHIFT(17), .LO(-128), .HI(127)) n1_avgpool
func.func @pools(%x: tensor<1x4x4x4xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x2x2x4xf32>) attributes {flydel.device = #flydel.device<"fpga", fpga>} {
  %c = tosa.clamp %x {min_val = -2.0 : f32, max_val = 2.0 : f32} : (tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> loc("clip")
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %p = tosa.avg_pool2d %c, %zp, %zp {acc_type = f32, kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x4x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x4xf32> loc("avg")
  return %c, %p : tensor<1x4x4x4xf32>, tensor<1x2x2x4xf32>
}

// -----

// Elided weights become placeholders only on request, and the module says so.

// CHECK-LABEL: FPGA partition elided
// CHECK: PLACEHOLDER WEIGHTS (deterministic pseudo-random, not the model's; resource and latency studies only) in: big
func.func @elided(%x: tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32> attributes {flydel.device = #flydel.device<"fpga", fpga>} {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<0.0> : tensor<8x1x1x8xf32>}> : () -> tensor<8x1x1x8xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<8xf32>}> : () -> tensor<8xf32>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}
      : (tensor<1x4x4x8xf32>, tensor<8x1x1x8xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x8xf32> loc("big")
  return %c : tensor<1x4x4x8xf32>
}

// -----

// Weights in a dense_resource blob (what --import-onnx writes) are read; the ROM holds round(w / (max|w| / 127)):
// 1.0 -> 127, -0.5 -> -64 (round half away from zero), 0.25 -> 32.

// CHECK-LABEL: FPGA partition resource
// CHECK: .WFILE("resource_n0_w.mem")
// ROM: 7f
// ROM-NEXT: c0
// ROM-NEXT: 20
func.func @resource(%x: tensor<1x2x2x4xf32>) -> tensor<1x2x2x4xf32> attributes {flydel.device = #flydel.device<"fpga", fpga>} {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense_resource<w_blob> : tensor<4x1x1x4xf32>}> : () -> tensor<4x1x1x4xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}
      : (tensor<1x2x2x4xf32>, tensor<4x1x1x4xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x4xf32> loc("res")
  return %c : tensor<1x2x2x4xf32>
}
{-#
  dialect_resources: {
    builtin: {
      w_blob: "0x040000000000803F000000BF0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E"
    }
  }
#-}

// -----

// A function named like flydel's own modules (flydel_*) gets a prefix: no suffix makes a flydel_* name free.

// CHECK-LABEL: FPGA partition p_flydel_stream_fifo.
// CHECK: module p_flydel_stream_fifo (
func.func @flydel_stream_fifo(%x: tensor<1x4x4x4xf32>) -> tensor<1x2x2x4xf32> attributes {flydel.device = #flydel.device<"fpga", fpga>} {
  %p = tosa.max_pool2d %x {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x4x4xf32>) -> tensor<1x2x2x4xf32>
  return %p : tensor<1x2x2x4xf32>
}
