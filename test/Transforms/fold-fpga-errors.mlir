// Option and platform errors (module level), then per-op errors with --verify-diagnostics.
// RUN: not flydel-opt %S/Inputs/fold-layers.mlir --flydel-fold-fpga="platform=%S/Inputs/fold-toy.json objective=speed" 2>&1 | FileCheck %s --check-prefix=OBJECTIVE
// RUN: not flydel-opt %S/Inputs/fold-layers.mlir --flydel-fold-fpga="platform=%S/Inputs/fold-toy.json reserve=1" 2>&1 | FileCheck %s --check-prefix=RESERVE
// RUN: not flydel-opt %S/Inputs/fold-layers.mlir --flydel-fold-fpga="platform=%S/Inputs/fold-toy.json device=cpu" 2>&1 | FileCheck %s --check-prefix=NOTFPGA
// RUN: not flydel-opt %S/Inputs/fold-layers.mlir --flydel-fold-fpga="platform=%S/Inputs/fold-toy.json device=npu" 2>&1 | FileCheck %s --check-prefix=NODEVICE
// RUN: not flydel-opt %S/Inputs/fold-layers.mlir --flydel-fold-fpga="platform=%S/Inputs/fold-toy.json budget=dsp" 2>&1 | FileCheck %s --check-prefix=BADBUDGET
// RUN: not flydel-opt %S/Inputs/fold-layers.mlir --flydel-fold-fpga="platform=%S/Inputs/missing.json" 2>&1 | FileCheck %s --check-prefix=NOLIB
// RUN: not flydel-opt %S/Inputs/fold-layers.mlir --flydel-fold-fpga="platform=%S/Inputs/fold-toy.json budget=luts=100" 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not flydel-opt %S/Inputs/fold-layers.mlir --annotate-kpis --flydel-fold-fpga="platform=%S/Inputs/fold-toy.json" 2>&1 | FileCheck %s --check-prefix=MISMATCH
// RUN: not flydel-opt %S/Inputs/fold-layers.mlir --flydel-fold-fpga="platform=%S/Inputs/fold-toy.json budget=dsp=1" --mlir-print-op-on-diagnostic=false 2>&1 | FileCheck %s --check-prefix=NOFIT
// RUN: flydel-opt %s --split-input-file --verify-diagnostics --flydel-fold-fpga="platform=%S/Inputs/fold-toy.json"
// RUN: not flydel-opt %s --split-input-file --annotate-kpis="platform=%S/Inputs/fold-toy.json" --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=ANNOTATE

// OBJECTIVE: error: flydel-fold-fpga: unknown objective 'speed' (expected throughput or latency)
// RESERVE: error: flydel-fold-fpga: reserve must be in [0, 1)
// NOTFPGA: error: flydel-fold-fpga: device 'cpu' is a cpu, not an FPGA
// NODEVICE: error: flydel-fold-fpga: platform 'toy-fold' has no device 'npu'
// BADBUDGET: error: flydel-fold-fpga: budget entry 'dsp' is not resource=count (a non-negative number)
// NOLIB: error: flydel-fold-fpga: {{.*}}missing.json
// UNKNOWN: error: flydel-fold-fpga: budget names resource 'luts', which device 'fpga' has neither as a capacity nor as a model
// MISMATCH: error: flydel-fold-fpga: the module was annotated for platform 'tx2-c10gx', but platform '{{.*}}fold-toy.json' is 'toy-fold'
// Three layers need at least 2 DSP (one lane per convolution; the pool has no DSP model): the error names the budget,
// the resource and every layer's least use.
// NOFIT: error: flydel-fold-fpga: the 3 layers on 'fpga' do not fit its budget (dsp 1, lut 1000): even the smallest foldings need dsp 2, over its budget of 1; layers (least dsp each): conv_a 1, conv_b 1, pool 0
// --annotate-kpis checks a given folding too before evaluating FPGA models at it.
// ANNOTATE: error: annotate-kpis: flydel.folding #flydel.folding<pe = 3, simd = 1> is not legal for this layer: pe 3 does not divide the 8 output channels

func.func @illegal(%x: tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<0.0> : tensor<8x1x1x8xf32>}> : () -> tensor<8x1x1x8xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<8xf32>}> : () -> tensor<8xf32>
  // expected-error@+1 {{flydel-fold-fpga: the given folding #flydel.folding<pe = 3, simd = 1> is not legal: pe 3 does not divide the 8 output channels}}
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, flydel.device = #flydel.device<"fpga", fpga>, flydel.folding = #flydel.folding<pe = 3, simd = 1>}
      : (tensor<1x8x8x8xf32>, tensor<8x1x1x8xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

// A given folding larger than the budget: named as given.
// expected-error@+1 {{flydel-fold-fpga: the 1 layers on 'fpga' do not fit its budget (dsp 10, lut 1000): even the smallest foldings need dsp 64, over its budget of 10; layers (least dsp each): big [given folding] 64}}
module {
  func.func @too_big(%x: tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32> {
    %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
    %w = "tosa.const"() <{values = dense<0.0> : tensor<8x1x1x8xf32>}> : () -> tensor<8x1x1x8xf32>
    %b = "tosa.const"() <{values = dense<0.0> : tensor<8xf32>}> : () -> tensor<8xf32>
    %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, flydel.device = #flydel.device<"fpga", fpga>, flydel.folding = #flydel.folding<pe = 8, simd = 8>}
        : (tensor<1x8x8x8xf32>, tensor<8x1x1x8xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x8x8x8xf32> loc("big")
    return %0 : tensor<1x8x8x8xf32>
  }
}

// -----

// An op kind the platform has no FPGA time model for.
func.func @no_model(%a: tensor<1x4x8xf32>, %b: tensor<1x8x4xf32>) -> tensor<1x4x4xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-error@+1 {{flydel-fold-fpga: cannot fold on 'fpga': no latency_ms model for matmul on device 'fpga'}}
  %0 = tosa.matmul %a, %b, %zp, %zp {flydel.device = #flydel.device<"fpga", fpga>} : (tensor<1x4x8xf32>, tensor<1x8x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4xf32>
  return %0 : tensor<1x4x4xf32>
}
