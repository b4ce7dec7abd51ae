// The pass's prediction for a layer equals flydel-identify's for the same layer and library.
// RUN: flydel-opt --annotate-kpis --flydel-kpi-report="format=json output=%t.report.json" %s -o /dev/null 2>/dev/null
// RUN: flydel-identify --predict --library tx2-c10gx --device cpu --layer op=conv2d,in_hw=28,c_in=64,c_out=128,kernel=3,stride=1 > %t.cpu.json
// RUN: %python %S/Inputs/compare_predictions.py %t.report.json %t.cpu.json conv cpu | FileCheck %s --check-prefix=CPU
// RUN: flydel-identify --predict --library %flydel_src/platforms/tx2-c10gx.json --device fpga --layer op=conv2d,in_hw=28,c_in=64,c_out=128,kernel=3 > %t.fpga.json
// RUN: %python %S/Inputs/compare_predictions.py %t.report.json %t.fpga.json conv fpga | FileCheck %s --check-prefix=FPGA

// CPU: OK cpu energy_uj: pass {{.*}} predicted
// CPU: OK cpu latency_us: pass {{.*}} predicted
// CPU: compared 2
// The layer does not fit the Cyclone 10 GX: both give the ALM, ALUT, LAB and M20K demands (never the capacity),
// flagged, and no latency or energy.
// FPGA: OK fpga alm: pass 2102165.{{[0-9]+}} exceeds_capacity, identify 2102165.{{[0-9]+}} exceeds_capacity
// FPGA: OK fpga alut: pass {{[0-9.]+}} exceeds_capacity, identify {{[0-9.]+}} exceeds_capacity
// FPGA: OK fpga energy_uj: pass none does_not_fit, identify none does_not_fit
// FPGA: OK fpga lab: pass {{[0-9.]+}} exceeds_capacity
// FPGA: OK fpga latency_us: pass none does_not_fit, identify none does_not_fit
// FPGA: OK fpga m20k: pass {{[0-9.]+}} exceeds_capacity
// FPGA: compared 6

func.func @one_conv(%x: tensor<1x28x28x64xf32>) -> tensor<1x26x26x128xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<0.0> : tensor<128x3x3x64xf32>}> : () -> tensor<128x3x3x64xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<128xf32>}> : () -> tensor<128xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}
      : (tensor<1x28x28x64xf32>, tensor<128x3x3x64xf32>, tensor<128xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x26x26x128xf32> loc("conv")
  return %0 : tensor<1x26x26x128xf32>
}
