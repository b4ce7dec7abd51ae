// RUN: flydel-translate --emit-verilog --split-input-file --verify-diagnostics %s -o %t.sv
// Errors name the op at fault (its location) and nothing is written: a whole file with one bad partition leaves
// no output file and no ROM file behind.
// RUN: rm -rf %t.dir && mkdir %t.dir
// RUN: not flydel-translate --emit-verilog %S/Inputs/partitions.mlir %s -o %t.dir/out.sv 2>&1 | FileCheck %s --check-prefix=ARGS
// RUN: not flydel-translate --emit-verilog %s -o %t.dir/out.sv 2>&1 | FileCheck %s --check-prefix=WHOLE
// RUN: not flydel-translate --emit-verilog --fpga-activation-range=0 %S/Inputs/tiny.mlir -o %t.dir/tiny.sv 2>&1 | FileCheck %s --check-prefix=RANGE
// A default folding outside a flydel.folding's bounds (it would wrap in the engine's parameters).
// RUN: not flydel-translate --emit-verilog --fpga-pe=0 %S/Inputs/tiny.mlir -o %t.dir/tiny.sv 2>&1 | FileCheck %s --check-prefix=PE
// Chunks are written only once all of them succeeded: a good chunk before a bad one leaves no ROM file either.
// RUN: echo '//' '-----' > %t.marker
// RUN: cat %S/Inputs/tiny.mlir %t.marker %s > %t.split.mlir
// RUN: not flydel-translate --emit-verilog --split-input-file %t.split.mlir -o %t.dir/split.sv 2>/dev/null
// RUN: ls %t.dir | count 0
// A ROM file that cannot be written: neither the module nor the other ROM file stays.
// RUN: rm -rf %t.rom && mkdir -p %t.rom/tiny_n0_w.mem
// RUN: not flydel-translate --emit-verilog %S/Inputs/tiny.mlir -o %t.rom/tiny.sv 2>&1 | FileCheck %s --check-prefix=ROM
// RUN: ls %t.rom | count 1
// PE: error: emit-verilog: default folding pe must be in 1..1024, got 0
// ROM: error: emit-verilog: cannot open output file '{{.*}}tiny_n0_w.mem': Is a directory
// RANGE: error: emit-verilog: the activation range must be a positive number, got 0.0
// ARGS: flydel-translate: Too many positional arguments
// WHOLE: error: emit-verilog: 'tosa.sigmoid': no FPGA engine for this op
// WHOLE: error: emit-verilog: 'tosa.conv2d': no conv engine for this op: pe must divide the output channels

// Ops without an engine.
func.func @sigmoid(%x: tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> attributes {flydel.device = #flydel.device<"fpga", fpga>} {
  // expected-error @+1 {{emit-verilog: 'tosa.sigmoid': no FPGA engine for this op (engines: conv2d, depthwise_conv2d, max_pool2d, avg_pool2d, add, clamp; per-channel mul/add folded into a convolution)}}
  %0 = tosa.sigmoid %x : (tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// A folding the engine cannot take.
func.func @pe(%x: tensor<1x4x4x4xf32>) -> tensor<1x4x4x6xf32> attributes {flydel.device = #flydel.device<"fpga", fpga>} {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<0.5> : tensor<6x1x1x4xf32>}> : () -> tensor<6x1x1x4xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<6xf32>}> : () -> tensor<6xf32>
  // expected-error @+1 {{emit-verilog: 'tosa.conv2d': no conv engine for this op: pe must divide the output channels (h 4, w 4, cin 4, cout 6, k 1, s 1, p 0, pe 4, simd 2)}}
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, flydel.folding = #flydel.folding<pe = 4, simd = 2>}
      : (tensor<1x4x4x4xf32>, tensor<6x1x1x4xf32>, tensor<6xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x6xf32>
  return %c : tensor<1x4x4x6xf32>
}

// -----

// Channel-wise engines need simd = pe.
func.func @simd(%x: tensor<1x4x4x4xf32>) -> tensor<1x2x2x4xf32> attributes {flydel.device = #flydel.device<"fpga", fpga>} {
  // expected-error @+1 {{emit-verilog: 'tosa.max_pool2d': flydel.folding has simd = 1 but the maxpool engine is channel-wise (simd must equal pe = 2)}}
  %p = tosa.max_pool2d %x {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>, flydel.folding = #flydel.folding<pe = 2, simd = 1>} : (tensor<1x4x4x4xf32>) -> tensor<1x2x2x4xf32>
  return %p : tensor<1x2x2x4xf32>
}

// -----

// The engine's average counts padding as zero; TOSA's divides by the valid elements.
func.func @avgpad(%x: tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> attributes {flydel.device = #flydel.device<"fpga", fpga>} {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-error @+1 {{emit-verilog: 'tosa.avg_pool2d': average pooling with padding: TOSA divides by the valid elements, the engine by the kernel area}}
  %p = tosa.avg_pool2d %x, %zp, %zp {acc_type = f32, kernel = array<i64: 3, 3>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x4xf32>
  return %p : tensor<1x4x4x4xf32>
}

// -----

// Padding that only one side has, reaching a window.
func.func @asym(%x: tensor<1x5x5x4xf32>) -> tensor<1x3x3x4xf32> attributes {flydel.device = #flydel.device<"fpga", fpga>} {
  // expected-error @+1 {{emit-verilog: 'tosa.max_pool2d': padding [top, bottom, left, right] = [0, 1, 0, 1]: the engines pad every side by the same amount}}
  %p = tosa.max_pool2d %x {kernel = array<i64: 2, 2>, pad = array<i64: 0, 1, 0, 1>, stride = array<i64: 2, 2>} : (tensor<1x5x5x4xf32>) -> tensor<1x3x3x4xf32>
  return %p : tensor<1x3x3x4xf32>
}

// -----

// Elided weights without placeholders.
func.func @elided(%x: tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32> attributes {flydel.device = #flydel.device<"fpga", fpga>} {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<0.0> : tensor<8x1x1x8xf32>}> : () -> tensor<8x1x1x8xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<8xf32>}> : () -> tensor<8xf32>
  // expected-error @+1 {{emit-verilog: 'tosa.conv2d': its weights are elided (a zero splat or a dense_resource without data, e.g. from --elide-weights): re-import with weights, or use placeholder weights for resource and latency studies}}
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}
      : (tensor<1x4x4x8xf32>, tensor<8x1x1x8xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x8xf32>
  return %c : tensor<1x4x4x8xf32>
}

// -----

// Dilation, batch, element type.
func.func @dilated(%x: tensor<1x6x6x2xf32>) -> tensor<1x2x2x2xf32> attributes {flydel.device = #flydel.device<"fpga", fpga>} {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<0.5> : tensor<2x3x3x2xf32>}> : () -> tensor<2x3x3x2xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  // expected-error @+1 {{emit-verilog: 'tosa.conv2d': dilation 2x2: the engines take no dilation}}
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}
      : (tensor<1x6x6x2xf32>, tensor<2x3x3x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  return %c : tensor<1x2x2x2xf32>
}

// -----

// expected-error @+1 {{emit-verilog: 'func.func': the engines take batch 1, the argument #0 has batch 2}}
func.func @batch(%x: tensor<2x4x4x4xf32>) -> tensor<2x4x4x4xf32> attributes {flydel.device = #flydel.device<"fpga", fpga>} {
  return %x : tensor<2x4x4x4xf32>
}

// -----

// expected-error @+1 {{emit-verilog: 'func.func': the argument #0 must be f32 (the flow quantises f32 models), got 'i8'}}
func.func @int8(%x: tensor<1x4x4x4xi8>) -> tensor<1x4x4x4xi8> attributes {flydel.device = #flydel.device<"fpga", fpga>} {
  return %x : tensor<1x4x4x4xi8>
}

// -----

// A per-channel multiplication that is not a batch norm after a convolution.
func.func @mul(%x: tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> attributes {flydel.device = #flydel.device<"fpga", fpga>} {
  %k = "tosa.const"() <{values = dense<2.0> : tensor<1x1x1x4xf32>}> : () -> tensor<1x1x1x4xf32>
  %s = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  // expected-error @+1 {{emit-verilog: 'tosa.mul': a multiplication by a constant is only supported folded into the conv2d or depthwise_conv2d whose only use it is (a batch normalisation)}}
  %m = tosa.mul %x, %k, %s : (tensor<1x4x4x4xf32>, tensor<1x1x1x4xf32>, tensor<1xi8>) -> tensor<1x4x4x4xf32>
  return %m : tensor<1x4x4x4xf32>
}

// -----

// No FPGA partition at all.
// expected-error @+1 {{emit-verilog: no FPGA partition (no function has a flydel.device of kind fpga; all functions can be taken with the all-functions option)}}
module {
  func.func @cpu_only(%x: tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> {
    return %x : tensor<1x4x4x4xf32>
  }
}

// -----

// Module names are the functions' names made identifiers: two functions may not map to one.
func.func @"blk.0"(%x: tensor<1x4x4x4xf32>) -> tensor<1x2x2x4xf32> attributes {flydel.device = #flydel.device<"fpga", fpga>} {
  %p = tosa.max_pool2d %x {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x4x4xf32>) -> tensor<1x2x2x4xf32>
  return %p : tensor<1x2x2x4xf32>
}
// expected-error @+1 {{emit-verilog: module name 'blk_0' (the function's name with non-identifier characters replaced) is already taken}}
func.func @blk_0(%x: tensor<1x4x4x4xf32>) -> tensor<1x2x2x4xf32> attributes {flydel.device = #flydel.device<"fpga", fpga>} {
  %p = tosa.max_pool2d %x {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x4x4xf32>) -> tensor<1x2x2x4xf32>
  return %p : tensor<1x2x2x4xf32>
}

// -----

// A dense_resource whose blob is absent (a module printed without its resources) is elided weights too.
func.func @noblob(%x: tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> attributes {flydel.device = #flydel.device<"fpga", fpga>} {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense_resource<absent_blob> : tensor<4x1x1x4xf32>}> : () -> tensor<4x1x1x4xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
  // expected-error @+1 {{its weights are elided}}
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}
      : (tensor<1x4x4x4xf32>, tensor<4x1x1x4xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x4xf32>
  return %c : tensor<1x4x4x4xf32>
}

// -----

// The TOSA verifier checks a convolution's spatial sizes, not its channels: weights laid out for other channels.
func.func @wchannels(%x: tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> attributes {flydel.device = #flydel.device<"fpga", fpga>} {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<0.5> : tensor<2x1x1x8xf32>}> : () -> tensor<2x1x1x8xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
  // expected-error @+1 {{emit-verilog: 'tosa.conv2d': the weight shape 'tensor<2x1x1x8xf32>' does not match the input's 4 and the result's 4 channels}}
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}
      : (tensor<1x4x4x4xf32>, tensor<2x1x1x8xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x4xf32>
  return %c : tensor<1x4x4x4xf32>
}

// -----

func.func @dwchannels(%x: tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> attributes {flydel.device = #flydel.device<"fpga", fpga>} {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<0.5> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  // expected-error @+1 {{emit-verilog: 'tosa.depthwise_conv2d': the weight shape 'tensor<1x1x1x1xf32>' does not match the input's 2 and the result's 2 channels}}
  %d = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}
      : (tensor<1x4x4x2xf32>, tensor<1x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  return %d : tensor<1x4x4x2xf32>
}

// -----

// Nor a pool's channels.
func.func @poolchannels(%x: tensor<1x4x4x4xf32>) -> tensor<1x2x2x8xf32> attributes {flydel.device = #flydel.device<"fpga", fpga>} {
  // expected-error @+1 {{emit-verilog: 'tosa.max_pool2d': the result has 8 channels, the input 4}}
  %p = tosa.max_pool2d %x {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x4x4xf32>) -> tensor<1x2x2x8xf32>
  return %p : tensor<1x2x2x8xf32>
}

// -----

// Sizes beyond the engines' int parameters would wrap (here to a 1x1 window without padding) and pass every check.
func.func @wrap(%x: tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> attributes {flydel.device = #flydel.device<"fpga", fpga>} {
  // expected-error @+1 {{emit-verilog: 'tosa.max_pool2d': kernel size 4294967297 is out of range for the engines}}
  %p = tosa.max_pool2d %x {kernel = array<i64: 4294967297, 4294967297>, pad = array<i64: 4294967296, 0, 4294967296, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %p : tensor<1x4x4x4xf32>
}

// -----

// NaN or infinite weights and biases have no int8 value; nor has a batch norm that overflows f32 once folded.
func.func @nan(%x: tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> attributes {flydel.device = #flydel.device<"fpga", fpga>} {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[[[0x7FC00000, 1.0]]], [[[0.5, 0.25]]]]> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  // expected-error @+1 {{emit-verilog: 'tosa.conv2d': the weight has a NaN or infinite value}}
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}
      : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  return %c : tensor<1x4x4x2xf32>
}

// -----

func.func @overflow(%x: tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> attributes {flydel.device = #flydel.device<"fpga", fpga>} {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<3.0e38> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %k = "tosa.const"() <{values = dense<1.0e10> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %s = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  // expected-error @+1 {{emit-verilog: 'tosa.conv2d': a weight or bias overflows f32 once the batch normalisation is folded into it}}
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}
      : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %m = tosa.mul %c, %k, %s : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x4x4x2xf32>
  return %m : tensor<1x4x4x2xf32>
}

// -----

// Weights so small that their scale (the requantisation factor) is below what MULT / 2^SHIFT can express.
func.func @tiny_weights(%x: tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> attributes {flydel.device = #flydel.device<"fpga", fpga>} {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<1.0e-30> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  // expected-error @+1 {{emit-verilog: 'tosa.conv2d': requantisation factor 7.874016e-33 is below the engine's smallest, 1 / 2^40}}
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}
      : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  return %c : tensor<1x4x4x2xf32>
}
