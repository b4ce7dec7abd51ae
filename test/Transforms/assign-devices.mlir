// Hand-written annotations, so that the expected assignment follows from the numbers here alone.
// RUN: flydel-opt %s --assign-devices="diagnostics=per-op" --mlir-print-op-on-diagnostic=false 2>%t.diag | FileCheck %s
// RUN: FileCheck %s --check-prefix=REMARK < %t.diag
// By default one remark per function: the assignment, how many ops went where, and how to see each op.
// RUN: flydel-opt %s --assign-devices -o /dev/null 2>&1 | FileCheck %s --check-prefix=SUMMARY
// RUN: flydel-opt %s --assign-devices="diagnostics=none" -o /dev/null 2>&1 | count 0
// RUN: flydel-opt %s --assign-devices="objective=energy" --mlir-print-op-on-diagnostic=false 2>/dev/null | FileCheck %s --check-prefix=ENERGY
// RUN: flydel-opt %s --assign-devices="reserve=0.5" --mlir-print-op-on-diagnostic=false 2>/dev/null | FileCheck %s --check-prefix=RESERVE
// RUN: flydel-opt %s --assign-devices="mode=pipelined" --mlir-print-op-on-diagnostic=false 2>%t.pipelined.diag | FileCheck %s --check-prefix=PIPELINED
// RUN: FileCheck %s --check-prefix=PIPELINED-REMARK < %t.pipelined.diag
// RUN: echo '{"conv_b": "gpu"}' > %t.pins.json
// RUN: flydel-opt %s --assign-devices="pins=%t.pins.json" --mlir-print-op-on-diagnostic=false 2>/dev/null | FileCheck %s --check-prefix=PINNED

// A chain a -> b -> c. The FPGA is fastest for b and c but has room (100 ALM) for only one of them; moving data
// between the GPU and the FPGA costs 5 us each way; the CPU has no link at all. The ops are clamps, which the FPGA
// engines can build (an op they cannot build never goes to the FPGA: assign-devices-fpga-engines.mlir).
module attributes {flydel.platform = #flydel.platform<"toy", devices = [#flydel.device<"cpu", cpu>, #flydel.device<"gpu", gpu>,
    #flydel.device<"fpga", fpga, capacities = {alm = 100}>],
    links = [#flydel.link<"gpu" -> "fpga", latency_us = 5.0 + 0.0 per_kib>, #flydel.link<"fpga" -> "gpu", latency_us = 5.0 + 0.0 per_kib>]>} {
  func.func @chain(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32> {
    %a = tosa.clamp %x {min_val = -1.0 : f32, max_val = 1.0 : f32, flydel.kpis = {cpu = #flydel.kpi<latency_us = 100.0, energy_uj = 1.0>, gpu = #flydel.kpi<latency_us = 10.0, energy_uj = 50.0>,
                                      fpga = #flydel.kpi<latency_us = no_model, energy_uj = no_model, resources = {alm = no_model}>}}
        : (tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32> loc("conv_a")
    %b = tosa.clamp %a {min_val = -1.0 : f32, max_val = 1.0 : f32, flydel.kpis = {cpu = #flydel.kpi<latency_us = 100.0, energy_uj = 1.0>, gpu = #flydel.kpi<latency_us = 40.0, energy_uj = 50.0>,
                                      fpga = #flydel.kpi<latency_us = 10.0, energy_uj = 20.0, resources = {alm = 60}>}}
        : (tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32> loc("conv_b")
    %c = tosa.clamp %b {min_val = -1.0 : f32, max_val = 1.0 : f32, flydel.kpis = {cpu = #flydel.kpi<latency_us = 100.0, energy_uj = 1.0>, gpu = #flydel.kpi<latency_us = 30.0, energy_uj = 50.0>,
                                      fpga = #flydel.kpi<latency_us = 10.0, energy_uj = 20.0, resources = {alm = 60}>}}
        : (tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32> loc("conv_c")
    return %c : tensor<1x2x2x1xf32>
  }
}

// Latency: a on the GPU (10), b on the FPGA (10, the bigger gain), c back on the GPU (30): 10+5+10+5+30 = 60,
// against all-GPU 80; c on the FPGA too would be faster but exceeds 100 ALM.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: flydel.assignment = {baselines = {cpu = #flydel.kpi<latency_us = 300, energy_uj = 3>, fpga = "infeasible: node 'conv_a' cannot be placed on device 'fpga'", gpu = #flydel.kpi<latency_us = 80, energy_uj = 150>}, chosen = #flydel.kpi<latency_us = 60, energy_uj = 120>, energy_missing_transfers = 2 : i64, gap = 0.000000e+00 : f64, method = "lagrangian+labels", mode = "sequential", objective = "latency", ops = {cpu = 0 : i64, fpga = 1 : i64, gpu = 2 : i64}, optimal = true, solve_ms = {{[0-9.e+-]+}} : f64, unmodeled_ops = 0 : i64}
// CHECK: tosa.clamp {{.*}}flydel.device = #flydel.device<"gpu", gpu>
// CHECK: tosa.clamp {{.*}}flydel.device = #flydel.device<"fpga", fpga>
// CHECK: tosa.clamp {{.*}}flydel.device = #flydel.device<"gpu", gpu>

// REMARK: loc("conv_a"): assigned to 'gpu' (latency 10 us, energy 50 uJ); best alternative 'cpu' (latency 100.0 us, energy 1 uJ)
// REMARK: loc("conv_b"): assigned to 'fpga' (latency 10 us, energy 20 uJ); best alternative 'gpu' (latency 40 us, energy 50 uJ)
// REMARK: loc("conv_c"): assigned to 'gpu' (latency 30 us, energy 50 uJ); best alternative 'fpga' (latency 10 us, energy 20 uJ)
// REMARK: remark: assignment (latency, sequential, optimal, lagrangian+labels, {{[0-9.e+-]+}} ms): latency 60 us, energy 120.0 uJ (lower bound: 0 ops and 2 transfers without a model); all-cpu latency 300.0 us, energy 3 uJ; all-gpu latency 80 us, energy 150.0 uJ; all-fpga infeasible; 0 ops without a model are not counted{{$}}
// SUMMARY-NOT: assigned to
// SUMMARY: remark: assignment (latency, sequential, optimal, {{.*}}; 0 ops without a model are not counted; ops placed: cpu 0, gpu 2, fpga 1 [--assign-devices="diagnostics=per-op" gives each op's device, cost and best alternative]{{$}}
// SUMMARY-NOT: remark

// Energy: everything on the CPU (3 uJ).
// ENERGY: chosen = #flydel.kpi<latency_us = 300, energy_uj = 3>
// ENERGY-COUNT-3: flydel.device = #flydel.device<"cpu", cpu>

// Half the FPGA reserved (50 ALM): nothing fits there; all-GPU.
// RESERVE: chosen = #flydel.kpi<latency_us = 80, energy_uj = 150>

// b pinned to the GPU: c takes the FPGA instead (10+40+5+10 = 65).
// PINNED: chosen = #flydel.kpi<latency_us = 65, energy_uj = 120>

// Pipelined, the period is the busiest stage: a on the GPU, b on the FPGA, c on the GPU again loads the GPU with
// 10 + 30 = 40 us, the FPGA with 10 and each link with 5 (all-GPU: 80). Every stage's load is in the summary: each
// device and each link the platform has (the CPU has none); sequential mode has none (the CHECK-SAME above is exact).
// PIPELINED-LABEL: func.func @chain
// PIPELINED-SAME: chosen = #flydel.kpi<latency_us = 40, energy_uj = 120>
// PIPELINED-SAME: mode = "pipelined"
// PIPELINED-SAME: stage_latency_us = {cpu = 0.000000e+00 : f64, fpga = 1.000000e+01 : f64, "fpga->gpu" = 5.000000e+00 : f64, gpu = 4.000000e+01 : f64, "gpu->fpga" = 5.000000e+00 : f64}
// PIPELINED-REMARK: remark: assignment (latency, pipelined, optimal, {{.*}}): latency 40 us, energy 120.0 uJ (lower bound: 0 ops and 2 transfers without a model); the period is set by gpu; all-cpu
