// Feasibility is an answer (issue 20): on tx2-c10gx a 32->32 3x3 convolution on 32x32 needs about a million ALMs
// (the Cyclone 10 GX has 80,330). Its ALM demand is reported flagged, never clipped to the capacity, and it gets no
// latency or energy on the FPGA; --assign-devices never puts it there. A 3->32 one needs 671 M20K blocks (587
// exist): M20K spills onto logic in the measured designs ("spills" in the platform), so it is flagged but fits.
// RUN: flydel-opt --annotate-kpis %s 2>%t.diag | FileCheck %s
// RUN: FileCheck %s --check-prefix=DIAG < %t.diag
// RUN: flydel-opt --annotate-kpis %s 2>/dev/null | flydel-opt | FileCheck %s
// RUN: flydel-opt --annotate-kpis --flydel-kpi-report %s -o /dev/null 2>/dev/null | FileCheck %s --check-prefix=TEXT
// RUN: flydel-opt --annotate-kpis --flydel-kpi-report=format=csv %s -o /dev/null 2>/dev/null | FileCheck %s --check-prefix=CSV
// RUN: flydel-opt --annotate-kpis --flydel-kpi-report="format=json output=%t.json" %s -o /dev/null 2>/dev/null
// RUN: FileCheck %s --check-prefix=JSON < %t.json
// RUN: flydel-opt --annotate-kpis --assign-devices="objective=energy diagnostics=per-op" --mlir-print-op-on-diagnostic=false %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=ASSIGN
// RUN: printf '{"big": "fpga"}' > %t.pins.json
// RUN: not flydel-opt --annotate-kpis --assign-devices="pins=%t.pins.json" %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=PIN

// Totals leave the op that does not fit out of every FPGA sum and count it.
// CHECK-LABEL: func.func @two_convs
// CHECK-SAME: fpga = #flydel.kpi<latency_us = {{[0-9.e+]+}} extrapolated, energy_uj = {{[0-9.e+]+}} extrapolated, resources = {alm = {{[0-9.e+]+}} extrapolated, alut = {{[0-9.e+]+}} extrapolated, lab = {{[0-9.e+]+}} extrapolated, m20k = {{[0-9.e+]+}} extrapolated exceeds_capacity}, unfit_ops = 1, note = "the ops together exceed the device: m20k demand 671 > capacity 587 (spills onto other resources); 1 op does not fit and is left out">

// The M20K demand (671), not the capacity (587); the layer still fits, so latency and energy are given.
// CHECK: tosa.conv2d {{.*}}fpga = #flydel.kpi<latency_us = {{[0-9.e+]+}} extrapolated, energy_uj = {{[0-9.e+]+}} extrapolated, resources = {alm = {{[0-9.e+]+}} extrapolated, alut = {{[0-9.e+]+}} extrapolated, lab = {{[0-9.e+]+}} extrapolated, m20k = 670.{{[0-9]+}} extrapolated exceeds_capacity}, note = "extrapolated: latency_ms feature in_hw = 32 outside training range [2, 14]; over capacity: m20k demand 671 > capacity 587 (spills onto other resources)">
// (stem above, big below.) The ALM demand, far above 80330; no latency, energy or other resource on the FPGA.
// CHECK: tosa.conv2d {{.*}}fpga = #flydel.kpi<latency_us = does_not_fit, energy_uj = does_not_fit, resources = {alm = 10{{[0-9][0-9][0-9][0-9][0-9]}}{{[0-9.]*}} extrapolated exceeds_capacity, alut = {{[0-9.e+]+}} extrapolated exceeds_capacity, lab = {{[0-9.e+]+}} extrapolated exceeds_capacity, m20k = {{[0-9.e+]+}} extrapolated exceeds_capacity}, note = "extrapolated: latency_ms feature in_hw = 32 outside training range [2, 14]; does not fit: alm demand 1.02e+06 > capacity 80330, alut demand 5.3e+05 > capacity 160660, lab demand 1.35e+05 > capacity 8033, m20k demand 7.49e+03 > capacity 587 (spills onto other resources)">
// CHECK-NOT: alm = 80330

// DIAG: 1 op not fitting a device (no latency or energy there) (first: big (tosa.conv2d): fpga: alm demand 1.02e+06 > capacity 80330, alut demand 5.3e+05 > capacity 160660, lab demand 1.35e+05 > capacity 8033, m20k demand 7.49e+03 > capacity 587 (spills onto other resources))

// TEXT: *            extrapolated outside the model's training domain
// TEXT: >C!          resource demand above the device's capacity C
// TEXT: does_not_fit the layer does not fit the device
// TEXT: no_model     the platform has no model
// TEXT: stem {{.*}} >587.0!
// TEXT: big {{.*}} does_not_fit does_not_fit >80330.0! >160660.0! >8033.0! >587.0!
// TEXT: TOTAL on fpga leaves out 1 ops that do not fit the device
// TEXT: WARNING: TOTAL on fpga: the ops together exceed the device: m20k demand 671 > capacity 587
// TEXT: notes:
// TEXT: big on fpga: extrapolated: latency_ms feature in_hw = 32 outside training range [2, 14]; does not fit: alm demand 1.02e+06 > capacity 80330

// CSV: function,layer,op,shape,device,kpi,value,status,extrapolated,capacity,note
// CSV: two_convs,big,tosa.conv2d,1x32x32x32xf32,fpga,latency_us,,does_not_fit,0,,"extrapolated: {{.*}}; does not fit: alm demand 1.02e+06 > capacity 80330{{.*}}"
// CSV: two_convs,big,tosa.conv2d,1x32x32x32xf32,fpga,alm,10{{[0-9][0-9][0-9][0-9][0-9]}}{{[0-9.]*}},exceeds_capacity,1,80330,"extrapolated: {{.*}}"
// CSV: two_convs,TOTAL,,,fpga,unfit_ops,1,count,0,,

// Keys print sorted, so the layer "big"'s kpis follow the name of "stem".
// JSON: "name": "stem"
// JSON: "fpga": {
// JSON-NEXT: "alm": {
// JSON-NEXT: "capacity": 80330,
// JSON-NEXT: "extrapolated": true,
// JSON-NEXT: "status": "exceeds_capacity",
// JSON-NEXT: "value": 10{{[0-9][0-9][0-9][0-9][0-9]}}
// JSON: "latency_us": {
// JSON-NEXT: "status": "does_not_fit",
// JSON-NEXT: "value": null
// JSON: "note": "extrapolated: {{.*}}; does not fit: alm demand 1.02e+06 > capacity 80330

// stem may go to the FPGA (its best alternative there); big may not: its alternative is the CPU.
// ASSIGN: loc("stem"): assigned to 'gpu' {{.*}}; best alternative 'fpga'
// ASSIGN: loc("big"): assigned to 'gpu' {{.*}}; best alternative 'cpu'
// ASSIGN: all-fpga infeasible

// PIN: error: {{.*}}assign-devices: pinned to device 'fpga', which it does not fit (extrapolated: {{.*}}; does not fit: alm demand 1.02e+06 > capacity 80330

func.func @two_convs(%x: tensor<1x32x32x3xf32>) -> tensor<1x32x32x32xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w1 = "tosa.const"() <{values = dense<0.0> : tensor<32x3x3x3xf32>}> : () -> tensor<32x3x3x3xf32>
  %w2 = "tosa.const"() <{values = dense<0.0> : tensor<32x3x3x32xf32>}> : () -> tensor<32x3x3x32xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<32xf32>}> : () -> tensor<32xf32>
  %0 = tosa.conv2d %x, %w1, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>}
      : (tensor<1x32x32x3xf32>, tensor<32x3x3x3xf32>, tensor<32xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x32x32x32xf32> loc("stem")
  %1 = tosa.conv2d %0, %w2, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>}
      : (tensor<1x32x32x32xf32>, tensor<32x3x3x32xf32>, tensor<32xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x32x32x32xf32> loc("big")
  return %1 : tensor<1x32x32x32xf32>
}
