// By default --annotate-kpis sums its diagnostics up in one per function: the count of each kind and its first case
// (the layer's name, or its location, and op), a warning when anything was extrapolated or not annotated, a remark
// otherwise. The op itself is never printed (that walks the whole function: one per op was quadratic).
// RUN: flydel-opt --annotate-kpis %s --split-input-file -o /dev/null 2>&1 | FileCheck %s --check-prefix=SUMMARY
// SUMMARY: warning: annotate-kpis in @mixed: 1 op extrapolated outside the training domain (first: conv (tosa.conv2d): fpga latency_ms: feature in_hw = 32 outside training range [2, 14]); 1 op not annotated (not describable as a layer) (first: {{.*}}annotate-kpis-summary.mlir":{{[0-9]+}}:{{[0-9]+}}) (tosa.abs): its shape is not static); 2 ops without a model for elementwise (first: relu (tosa.clamp): on devices 'cpu', 'gpu', 'fpga') [--annotate-kpis="diagnostics=per-op" lists every op]
// SUMMARY: remark: annotate-kpis in @unmodeled: 1 op without a model for elementwise
// SUMMARY-NOT: see current operation
// SUMMARY-NOT: annotate-kpis in @empty
// An op outside any function is summed up at the module's location (a null location crashed the pass).
// SUMMARY: remark: annotate-kpis outside functions: 1 op without a model for elementwise (first: toplevel (tosa.clamp)
// RUN: flydel-opt --annotate-kpis="diagnostics=none" %s --split-input-file -o /dev/null 2>&1 | count 0
// RUN: flydel-opt --annotate-kpis="diagnostics=per-op" %s --split-input-file -o /dev/null 2>&1 | FileCheck %s --check-prefix=PEROP
// PEROP: warning: loc("conv"): extrapolated outside the training domain
// PEROP: remark: no model for elementwise
// PEROP-NOT: see current operation
// RUN: not flydel-opt --annotate-kpis="diagnostics=loud" %s --split-input-file -o /dev/null 2>&1 | FileCheck %s --check-prefix=BADMODE
// BADMODE: unknown diagnostics mode 'loud' (expected summary, per-op or none)

func.func @mixed(%x: tensor<1x32x32x3xf32>, %d: tensor<?x8x8x4xf32>) -> tensor<1x30x30x16xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<0.0> : tensor<16x3x3x3xf32>}> : () -> tensor<16x3x3x3xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<16xf32>}> : () -> tensor<16xf32>
  %conv = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}
      : (tensor<1x32x32x3xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x30x30x16xf32> loc("conv")
  %relu = tosa.clamp %conv {min_val = 0.0 : f32, max_val = 3.4028235e38 : f32} : (tensor<1x30x30x16xf32>) -> tensor<1x30x30x16xf32> loc("relu")
  %relu2 = tosa.clamp %relu {min_val = 0.0 : f32, max_val = 3.4028235e38 : f32} : (tensor<1x30x30x16xf32>) -> tensor<1x30x30x16xf32> loc("relu2")
  %dyn = tosa.abs %d : (tensor<?x8x8x4xf32>) -> tensor<?x8x8x4xf32>
  return %relu2 : tensor<1x30x30x16xf32>
}

// -----

func.func @unmodeled(%x: tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32> {
  %0 = tosa.clamp %x {min_val = 0.0 : f32, max_val = 3.4028235e38 : f32} : (tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32>
  return %0 : tensor<1x8x8x4xf32>
}

// -----

func.func @empty(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  return %x : tensor<1x4xf32>
}

// -----

module {
  %x = "tosa.const"() <{values = dense<0.0> : tensor<1x8x8x4xf32>}> : () -> tensor<1x8x8x4xf32>
  %0 = tosa.clamp %x {min_val = 0.0 : f32, max_val = 3.4028235e38 : f32} : (tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32> loc("toplevel")
}
