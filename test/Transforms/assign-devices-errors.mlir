// RUN: not flydel-opt %s --assign-devices 2>&1 | FileCheck %s --check-prefix=NOPLATFORM
// RUN: not flydel-opt %s --annotate-kpis --assign-devices="objective=speed" 2>&1 | FileCheck %s --check-prefix=OBJECTIVE
// RUN: not flydel-opt %s --annotate-kpis --assign-devices="mode=parallel" 2>&1 | FileCheck %s --check-prefix=MODE
// RUN: not flydel-opt %s --annotate-kpis --assign-devices="diagnostics=all" 2>&1 | FileCheck %s --check-prefix=DIAGNOSTICS
// RUN: not flydel-opt %s --annotate-kpis --assign-devices="reserve=1.5" 2>&1 | FileCheck %s --check-prefix=RESERVE
// RUN: echo '{"conv": "npu"}' > %t.badpin.json
// RUN: not flydel-opt %s --annotate-kpis --assign-devices="pins=%t.badpin.json" 2>&1 | FileCheck %s --check-prefix=BADPIN
// RUN: echo '{"nosuchlayer": "gpu"}' > %t.nopin.json
// RUN: not flydel-opt %s --annotate-kpis --assign-devices="pins=%t.nopin.json" 2>&1 | FileCheck %s --check-prefix=NOMATCH
// RUN: echo '[1, 2' > %t.json
// RUN: not flydel-opt %s --annotate-kpis --assign-devices="pins=%t.json" 2>&1 | FileCheck %s --check-prefix=BADJSON
// RUN: not flydel-opt %s --annotate-kpis --assign-devices="pins=%t.missing.json" 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: echo '{"conv": "cpu", "conv2": "fpga"}' > %t.split.json
// RUN: not flydel-opt %s --annotate-kpis --assign-devices="pins=%t.split.json" --mlir-print-op-on-diagnostic=false 2>&1 | FileCheck %s --check-prefix=UNSAT

// NOPLATFORM: error: assign-devices: the module has no flydel.platform (run --annotate-kpis first)
// OBJECTIVE: error: assign-devices: unknown objective 'speed' (expected latency, energy, edp or weighted)
// DIAGNOSTICS: error: assign-devices: unknown diagnostics mode 'all' (expected summary, per-op or none)
// MODE: error: assign-devices: unknown mode 'parallel' (expected sequential or pipelined)
// RESERVE: error: assign-devices: weight must be in [0, 1] and reserve in [0, 1)
// BADPIN: error: assign-devices: pin 'conv' names device 'npu', which platform 'tx2-c10gx' does not have
// NOMATCH: error: assign-devices: pin 'nosuchlayer' matches no annotated op
// BADJSON: error: assign-devices: pins file '{{.*}}' is not valid JSON
// MISSING: error: assign-devices: cannot read pins file '{{.*}}missing.json'
// The CPU and FPGA of tx2-c10gx share no link (CPU-GPU is assumed, GPU-FPGA measured): consecutive layers pinned to
// the CPU and the FPGA cannot be satisfied.
// UNSAT: error: assign-devices: no feasible assignment

func.func @f(%x: tensor<1x16x16x8xf32>) -> tensor<1x14x14x8xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<0.0> : tensor<8x3x3x8xf32>}> : () -> tensor<8x3x3x8xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<8xf32>}> : () -> tensor<8xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}
      : (tensor<1x16x16x8xf32>, tensor<8x3x3x8xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x14x14x8xf32> loc("conv")
  %1 = tosa.conv2d %0, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>}
      : (tensor<1x14x14x8xf32>, tensor<8x3x3x8xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x14x14x8xf32> loc("conv2")
  return %1 : tensor<1x14x14x8xf32>
}
