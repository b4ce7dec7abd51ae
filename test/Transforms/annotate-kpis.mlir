// RUN: flydel-opt --annotate-kpis %S/Inputs/layers.mlir 2>/dev/null | FileCheck %s
// RUN: flydel-opt --annotate-kpis %S/Inputs/layers.mlir 2>/dev/null | flydel-opt | FileCheck %s
// RUN: flydel-opt --annotate-kpis="platform=%flydel_src/platforms/tx2-c10gx.json" %S/Inputs/layers.mlir 2>/dev/null | FileCheck %s
// RUN: flydel-opt --annotate-kpis="devices=cpu kpis=latency_us" %S/Inputs/layers.mlir 2>/dev/null | FileCheck %s --check-prefix=SUBSET
// RUN: flydel-opt --annotate-kpis="devices=fpga kpis=m20k,latency_ms" %S/Inputs/layers.mlir 2>/dev/null | FileCheck %s --check-prefix=RESOURCE

// The module records the platform used: devices with capacities, the measured GPU-FPGA links and the assumed
// CPU-GPU ones (us, per KiB).
// CHECK: module attributes {flydel.platform = #flydel.platform<"tx2-c10gx", devices = [<"cpu", cpu>, <"gpu", gpu>, <"fpga", fpga, capacities = {alm = 80330 : i64, alut = 160660 : i64, lab = 8033 : i64, m20k = 587 : i64}>], links = [<"gpu" -> "fpga", latency_us = {{[0-9.e+-]+}} + {{[0-9.e+-]+}} per_kib>, <"fpga" -> "gpu", latency_us = {{[0-9.e+-]+}} + {{[0-9.e+-]+}} per_kib>, <"cpu" -> "gpu", latency_us = 15 + {{[0-9.e+-]+}} per_kib, assumed>, <"gpu" -> "cpu", latency_us = 15 + {{[0-9.e+-]+}} per_kib, assumed>]>}

// Totals: sums over the modelled ops, extrapolated when a term is, with the count of ops left out. The two
// convolutions fit the FPGA one by one (337 M20K each) but not together: the sum is flagged, never clipped.
// CHECK-LABEL: func.func @tosa_layers
// CHECK-SAME: flydel.kpi_totals = {cpu = #flydel.kpi<latency_us = {{[0-9.e+]+}} extrapolated, energy_uj = {{[0-9.e+]+}} extrapolated, unmodeled_ops = 2>, fpga = #flydel.kpi<latency_us = {{[0-9.e+]+}} extrapolated, energy_uj = {{[0-9.e+]+}} extrapolated, resources = {alm = {{[0-9.e+]+}} extrapolated, alut = {{[0-9.e+]+}} extrapolated, lab = {{[0-9.e+]+}} extrapolated, m20k = {{[0-9.e+]+}} extrapolated exceeds_capacity}, unmodeled_ops = 2, note = "the ops together exceed the device: m20k demand 675 > capacity 587 (spills onto other resources)">, gpu = #flydel.kpi<latency_us = {{[0-9.e+]+}} extrapolated, energy_uj = {{[0-9.e+]+}} extrapolated, unmodeled_ops = 2>}

// A stride-1 dense convolution inside the CPU and GPU training domains, outside the FPGA's (in_hw 2-14).
// CHECK: tosa.conv2d
// CHECK-SAME: flydel.kpis = {cpu = #flydel.kpi<latency_us = {{[0-9.e+]+}}, energy_uj = {{[0-9.e+]+}}>, fpga = #flydel.kpi<latency_us = {{[0-9.e+]+}} extrapolated, energy_uj = {{[0-9.e+]+}} extrapolated, resources = {alm = {{[0-9.e+]+}} extrapolated, alut = {{[0-9.e+]+}} extrapolated, lab = {{[0-9.e+]+}} extrapolated, m20k = {{[0-9.e+]+}} extrapolated}, note = "extrapolated: latency_ms feature in_hw = 32 outside training range [2, 14]">, gpu = #flydel.kpi<latency_us = {{[0-9.e+]+}}, energy_uj = {{[0-9.e+]+}}>}

// Stride 2 was never measured: predicted through the derived features, flagged extrapolated everywhere.
// CHECK: tosa.conv2d
// CHECK-SAME: flydel.kpis = {cpu = #flydel.kpi<latency_us = {{[0-9.e+]+}} extrapolated, energy_uj = {{[0-9.e+]+}} extrapolated, note = "extrapolated: latency_ms feature stride = 2 outside training range [1, 1]">
// CHECK-SAME: gpu = #flydel.kpi<latency_us = {{[0-9.e+]+}} extrapolated, energy_uj = {{[0-9.e+]+}} extrapolated, note = "extrapolated: latency_ms feature stride = 2 outside training range [1, 1]">}

// Op kinds the platform has no model for carry the no_model marker, never a zero.
// CHECK: tosa.clamp
// CHECK-SAME: flydel.kpis = {cpu = #flydel.kpi<latency_us = no_model, energy_uj = no_model>, fpga = #flydel.kpi<latency_us = no_model, energy_uj = no_model, resources = {alm = no_model, alut = no_model, lab = no_model, m20k = no_model}>, gpu = #flydel.kpi<latency_us = no_model, energy_uj = no_model>}
// CHECK: tosa.max_pool2d
// CHECK-SAME: flydel.kpis = {cpu = #flydel.kpi<latency_us = no_model, energy_uj = no_model>

// A dynamic shape cannot be described: the op is left unannotated (with a warning, see annotate-kpis-diagnostics).
// CHECK: tosa.abs %{{[a-z0-9]+}} : (tensor<?x8x8x4xf32>)

// SUBSET: flydel.platform = #flydel.platform<"tx2-c10gx", devices = [<"cpu", cpu>]>
// SUBSET: flydel.kpi_totals = {cpu = #flydel.kpi<latency_us = {{[0-9.e+]+}} extrapolated, unmodeled_ops = 2>}
// SUBSET: tosa.conv2d {{.*}}flydel.kpis = {cpu = #flydel.kpi<latency_us = {{[0-9.e+]+}}>}
// SUBSET: tosa.clamp {{.*}}flydel.kpis = {cpu = #flydel.kpi<latency_us = no_model>}

// RESOURCE: flydel.platform = #flydel.platform<"tx2-c10gx", devices = [<"fpga", fpga, capacities = {alm = 80330 : i64, alut = 160660 : i64, lab = 8033 : i64, m20k = 587 : i64}>]>}
// RESOURCE: tosa.conv2d {{.*}}flydel.kpis = {fpga = #flydel.kpi<latency_us = {{[0-9.e+]+}} extrapolated, resources = {m20k = {{[0-9.e+]+}} extrapolated}, note = "extrapolated: {{.*}}">}
