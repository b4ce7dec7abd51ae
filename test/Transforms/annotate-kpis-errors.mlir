// RUN: not flydel-opt --annotate-kpis="platform=nosuch" %s 2>&1 | FileCheck %s --check-prefix=PLATFORM
// RUN: not flydel-opt --annotate-kpis="platform=%t.missing.json" %s 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not flydel-opt --annotate-kpis="devices=cpu,npu" %s 2>&1 | FileCheck %s --check-prefix=DEVICE
// RUN: not flydel-opt --annotate-kpis="kpis=lut" %s 2>&1 | FileCheck %s --check-prefix=KPI
// RUN: echo '{"schema": "flydel-platform-library", "schema_version": 99}' > %t.bad.json
// RUN: not flydel-opt --annotate-kpis="platform=%t.bad.json" %s 2>&1 | FileCheck %s --check-prefix=SCHEMA

// PLATFORM: error: annotate-kpis: unknown platform 'nosuch': neither an embedded platform (tx2-c10gx) nor a path to a library JSON
// MISSING: error: annotate-kpis: {{.*}}missing.json
// DEVICE: error: annotate-kpis: platform 'tx2-c10gx' has no device 'npu' (devices: cpu, gpu, fpga)
// KPI: error: annotate-kpis: no device of platform 'tx2-c10gx' has a model for KPI 'lut'
// SCHEMA: error: annotate-kpis: {{.*}}schema_version

func.func @f() {
  return
}
