// RUN: flydel-opt --annotate-kpis="devices=cpu,fpga kpis=latency_us,alm" --flydel-kpi-report %S/Inputs/layers.mlir -o /dev/null 2>/dev/null | FileCheck %s --check-prefix=TEXT
// RUN: flydel-opt --annotate-kpis="devices=cpu,fpga kpis=latency_us,alm" --flydel-kpi-report=format=csv %S/Inputs/layers.mlir -o /dev/null 2>/dev/null | FileCheck %s --check-prefix=CSV
// RUN: flydel-opt --annotate-kpis="devices=cpu,fpga kpis=latency_us,alm" --flydel-kpi-report="format=json output=%t.json" %S/Inputs/layers.mlir -o /dev/null 2>/dev/null
// RUN: FileCheck %s --check-prefix=JSON < %t.json
// RUN: not flydel-opt --annotate-kpis --flydel-kpi-report=format=xml %S/Inputs/layers.mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=FORMAT
// RUN: not flydel-opt --flydel-kpi-report %S/Inputs/layers.mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=UNANNOTATED
// RUN: not flydel-opt --annotate-kpis --flydel-kpi-report="output=%t.nodir/report.txt" %S/Inputs/layers.mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=NODIR

// TEXT: flydel KPI report (platform tx2-c10gx)
// The legend explains every mark a cell can carry.
// TEXT-NEXT: latency in us, energy in uJ, resources in counts
// TEXT-NEXT: * extrapolated outside the model's training domain (why: the notes under each table)
// TEXT-NEXT: >C! resource demand above the device's capacity C
// TEXT: does_not_fit the layer does not fit the device
// TEXT: no_model the platform has no model for this op and KPI on the device
// TEXT: function @tosa_layers (4 annotated ops)
// TEXT-NEXT: layer    op               shape           cpu:latency_us  fpga:latency_us  fpga:alm
// TEXT-NEXT: conv_s1 tosa.conv2d 1x30x30x16xf32 {{[0-9.]+}} {{[0-9.]+\*}} {{[0-9.]+\*}}
// TEXT-NEXT: conv_s2 tosa.conv2d 1x16x16x16xf32 {{[0-9.]+\*}} {{[0-9.]+\*}} {{[0-9.]+\*}}
// TEXT-NEXT: relu tosa.clamp 1x30x30x16xf32 no_model no_model no_model
// TEXT-NEXT: pool tosa.max_pool2d 1x15x15x16xf32 no_model no_model no_model
// TEXT-NEXT: TOTAL {{[0-9.]+\*}} {{[0-9.]+\*}} {{[0-9.]+\*}}
// TEXT-NEXT: TOTAL on cpu leaves out 2 ops without a model
// TEXT-NEXT: TOTAL on fpga leaves out 2 ops without a model
// The reason for every flag, per layer and device.
// TEXT-NEXT: notes:
// TEXT-NEXT: conv_s1 on fpga: extrapolated: latency_ms feature in_hw = 32 outside training range [2, 14]
// TEXT-NEXT: conv_s2 on cpu: extrapolated: latency_ms feature stride = 2 outside training range [1, 1]

// CSV: function,layer,op,shape,device,kpi,value,status,extrapolated,capacity,note
// CSV-NEXT: tosa_layers,conv_s1,tosa.conv2d,1x30x30x16xf32,cpu,latency_us,{{[0-9.]+}},predicted,0,,{{$}}
// CSV-NEXT: tosa_layers,conv_s1,tosa.conv2d,1x30x30x16xf32,fpga,latency_us,{{[0-9.]+}},extrapolated,1,,"extrapolated: latency_ms feature in_hw = 32 outside training range [2, 14]"
// CSV-NEXT: tosa_layers,conv_s1,tosa.conv2d,1x30x30x16xf32,fpga,alm,{{[0-9.]+}},extrapolated,1,80330,"extrapolated: {{.*}}"
// CSV: tosa_layers,relu,tosa.clamp,1x30x30x16xf32,cpu,latency_us,,no_model,0,,{{$}}
// CSV: tosa_layers,TOTAL,,,cpu,latency_us,{{[0-9.]+}},extrapolated,1,,{{$}}
// CSV: tosa_layers,TOTAL,,,cpu,unmodeled_ops,2,count,0,,{{$}}
// CSV: tosa_layers,TOTAL,,,cpu,unfit_ops,0,count,0,,{{$}}

// JSON: "name": "tosa_layers",
// JSON: "totals": {
// JSON-NEXT: "cpu": {
// JSON-NEXT: "latency_us": {
// JSON-NEXT: "status": "extrapolated",
// JSON-NEXT: "value": {{[0-9.]+}}
// JSON: "unmodeled_ops": 2
// JSON: "platform": "tx2-c10gx",
// JSON-NEXT: "schema": "flydel-kpi-report",

// FORMAT: error: flydel-kpi-report: unknown format 'xml' (expected text, csv or json)
// UNANNOTATED: error: flydel-kpi-report: no flydel.kpis annotations in the module (run --annotate-kpis first)
// NODIR: error: flydel-kpi-report: {{.*}}report.txt
