// The toy library's engine time is work / (pe * simd) ms (conv_a 18.432, conv_b 4.096, pool 0.512 at pe = simd = 1)
// and every lane of a convolution costs one DSP, so the expected foldings follow from arithmetic on the numbers.
// RUN: flydel-opt %S/Inputs/fold-layers.mlir --flydel-fold-fpga="platform=%S/Inputs/fold-toy.json" --mlir-print-op-on-diagnostic=false 2>%t.diag | FileCheck %s
// RUN: FileCheck %s --check-prefix=REMARK < %t.diag
// RUN: flydel-opt %S/Inputs/fold-layers.mlir --flydel-fold-fpga="platform=%S/Inputs/fold-toy.json objective=latency" --mlir-print-op-on-diagnostic=false 2>/dev/null | FileCheck %s --check-prefix=LATENCY
// RUN: flydel-opt %S/Inputs/fold-layers.mlir --flydel-fold-fpga="platform=%S/Inputs/fold-toy.json budget=dsp=4" --mlir-print-op-on-diagnostic=false 2>/dev/null | FileCheck %s --check-prefix=BUDGET
// RUN: flydel-opt %S/Inputs/fold-layers.mlir --flydel-fold-fpga="platform=%S/Inputs/fold-toy.json reserve=0.5" --mlir-print-op-on-diagnostic=false 2>/dev/null | FileCheck %s --check-prefix=RESERVE
// RUN: flydel-opt %S/Inputs/fold-layers.mlir --flydel-fold-fpga="platform=%S/Inputs/fold-toy.json device=fpga all-layers=true" --mlir-print-op-on-diagnostic=false 2>/dev/null | FileCheck %s --check-prefix=ALL
// all-layers over ops the FPGA cannot take (no time model, no valid prediction, not a layer): those are skipped
// with a diagnostic, the convolution is folded.
// RUN: flydel-opt %S/Inputs/fold-skip.mlir --flydel-fold-fpga="platform=%S/Inputs/fold-toy.json all-layers=true" --mlir-print-op-on-diagnostic=false 2>&1 >/dev/null | FileCheck %s --check-prefix=SKIP
// Folding twice keeps the first foldings as given (a larger budget the second time does not change them); refold
// chooses anew.
// RUN: flydel-opt %S/Inputs/fold-layers.mlir --flydel-fold-fpga="platform=%S/Inputs/fold-toy.json" --flydel-fold-fpga="platform=%S/Inputs/fold-toy.json budget=dsp=20" --mlir-print-op-on-diagnostic=false 2>/dev/null | FileCheck %s
// RUN: flydel-opt %S/Inputs/fold-layers.mlir --flydel-fold-fpga="platform=%S/Inputs/fold-toy.json" --flydel-fold-fpga="platform=%S/Inputs/fold-toy.json budget=dsp=4 refold=true" --mlir-print-op-on-diagnostic=false 2>/dev/null | FileCheck %s --check-prefix=BUDGET
// Folded, then re-annotated: FPGA models are evaluated at the folding, the CPU model (which reads pe) is not.
// RUN: flydel-opt %S/Inputs/fold-layers.mlir --flydel-fold-fpga="platform=%S/Inputs/fold-toy.json" --annotate-kpis="platform=%S/Inputs/fold-toy.json" --mlir-print-op-on-diagnostic=false 2>/dev/null | FileCheck %s --check-prefix=ANNOTATED
// RUN: flydel-opt %S/Inputs/fold-layers.mlir --annotate-kpis="platform=%S/Inputs/fold-toy.json" --mlir-print-op-on-diagnostic=false 2>/dev/null | FileCheck %s --check-prefix=UNFOLDED

// Throughput, 10 DSP: conv_a gets 8 lanes (2.304 ms), conv_b 2 (2.048 ms): any other split is slower; among the
// foldings of 8 lanes (same cost here) the smallest PE comes first. The pool (0.512 ms at pe 1) needs nothing more.
// CHECK-LABEL: func.func @net
// CHECK: tosa.conv2d {{.*}}flydel.folding = #flydel.folding<pe = 2, simd = 4>
// CHECK: tosa.conv2d {{.*}}flydel.folding = #flydel.folding<pe = 1, simd = 2>
// CHECK: tosa.max_pool2d {{.*}}flydel.folding = #flydel.folding<pe = 1, simd = 1>
// The CPU layer is not folded.
// CHECK: tosa.conv2d
// CHECK-NOT: flydel.folding
// CHECK-SAME: flydel.device = #flydel.device<"cpu", cpu>

// REMARK: loc("pool"): flydel-fold-fpga: no model for dsp of pool2d on 'fpga': not counted in the budget
// REMARK: loc("conv_a"): flydel-fold-fpga: pe 2, simd 4 on 'fpga': latency_ms 2.304, dsp 8, lut 180 (slowest layer)
// REMARK: loc("conv_b"): flydel-fold-fpga: pe 1, simd 2 on 'fpga': latency_ms 2.048, dsp 2, lut 120
// REMARK: loc("pool"): flydel-fold-fpga: pe 1, simd 1 on 'fpga': latency_ms 0.512, dsp not modelled, lut 55
// REMARK: remark: flydel-fold-fpga: 3 layers on 'fpga', objective throughput: slowest latency_ms 2.304 (conv_a), sum 4.864; use dsp 10 of 10, lut 355 of 1000; proven optimal: yes

// Latency (sum): the same split for the convolutions (2.304 + 2.048 is the smallest sum within 10 DSP); the pool
// uses LUTs only, so it takes all 8 channels (0.064 ms).
// LATENCY: flydel.folding = #flydel.folding<pe = 2, simd = 4>
// LATENCY: flydel.folding = #flydel.folding<pe = 1, simd = 2>
// LATENCY: flydel.folding = #flydel.folding<pe = 8, simd = 8>

// 4 DSP: conv_a can have 2 lanes at most next to conv_b's 1 (9.216 ms); conv_b then needs no more than 1.
// BUDGET: flydel.folding = #flydel.folding<pe = 1, simd = 2>
// BUDGET: flydel.folding = #flydel.folding<pe = 1, simd = 1>

// Half of 10 DSP: 4 + 1 lanes (4.608 ms against conv_b's 4.096).
// RESERVE: flydel.folding = #flydel.folding<pe = 1, simd = 4>
// RESERVE: flydel.folding = #flydel.folding<pe = 1, simd = 1>

// all-layers: conv_cpu joins the FPGA layers (it is conv_b's twin): 10 DSP for 3 convolutions. 8 + 1 + 1 is
// bottlenecked at 4.096 by the twins; 4 + 2 + 2 at 4.608 by conv_a: the first wins.
// ALL: flydel.folding = #flydel.folding<pe = 2, simd = 4>
// ALL: flydel.folding = #flydel.folding<pe = 1, simd = 1>
// ALL: flydel.folding = #flydel.folding<pe = 1, simd = 1>
// ALL: flydel.device = #flydel.device<"cpu", cpu>, flydel.folding = #flydel.folding<pe = 1, simd = 1>

// ANNOTATED: tosa.conv2d {{.*}}flydel.kpis = {cpu = #flydel.kpi<latency_us = 1000>, fpga = #flydel.kpi<latency_us = 2304.{{[0-9]*}}, resources = {dsp = 8, lut = 180}>}
// ANNOTATED: tosa.conv2d {{.*}}flydel.kpis = {cpu = #flydel.kpi<latency_us = 1000>, fpga = #flydel.kpi<latency_us = 2048{{(\.[0-9]*)?}}, resources = {dsp = 2, lut = 120}>}
// UNFOLDED: tosa.conv2d {{.*}}flydel.kpis = {cpu = #flydel.kpi<latency_us = 1000>, fpga = #flydel.kpi<latency_us = 18432{{(\.[0-9]*)?}}, resources = {dsp = 1, lut = 110}>}

// SKIP-DAG: loc("fc"): flydel-fold-fpga: no latency_ms model for matmul on 'fpga': not folded
// SKIP-DAG: loc("relu"): flydel-fold-fpga: not folded: no folding of this elementwise has valid predictions on 'fpga' (latency_ms = -1 ms is not a valid prediction)
// SKIP-DAG: loc("dynamic"): flydel-fold-fpga: not folded: cannot describe it as a layer
// SKIP-DAG: loc("conv"): flydel-fold-fpga: pe {{[0-9]+}}, simd {{[0-9]+}} on 'fpga'
// SKIP: flydel-fold-fpga: 1 layers on 'fpga'
