// linalg named ops are described through the external models: layouts read from the op names.
// RUN: flydel-opt --annotate-kpis="devices=cpu kpis=latency_us" --flydel-kpi-report=format=csv %s -o /dev/null 2>/dev/null | FileCheck %s
// RUN: flydel-opt --annotate-kpis="devices=cpu kpis=latency_us diagnostics=per-op" %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=DIAG

// Each conv reads as the same 3x3, 16 -> 32 layer on a 20x20 input, whatever its layout.
// CHECK: f,nhwc_hwcf,linalg.conv_2d_nhwc_hwcf,1x18x18x32xf32,cpu,latency_us,[[LAT:[0-9.]+]],predicted
// CHECK: f,nchw_fchw,linalg.conv_2d_nchw_fchw,1x32x18x18xf32,cpu,latency_us,[[LAT]],predicted
// CHECK: f,depthwise,linalg.depthwise_conv_2d_nhwc_hwc,1x18x18x16xf32,cpu,latency_us,{{[0-9.]+}},extrapolated
// CHECK: f,pool,linalg.pooling_nhwc_max,1x9x9x16xf32,cpu,latency_us,,no_model
// CHECK: f,matmul,linalg.matmul,8x32xf32,cpu,latency_us,,no_model
// CHECK: f,elementwise,linalg.generic,1x20x20x16xf32,cpu,latency_us,,no_model

// DIAG: loc("depthwise"): extrapolated outside the training domain (cpu latency_ms: feature groups = 16 outside training range [1, 1])
// DIAG: loc("pool"): no model for pool2d on device 'cpu'
// DIAG: loc("matmul"): no model for matmul on device 'cpu'
// DIAG: loc("elementwise"): no model for elementwise on device 'cpu'

#map = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @f(%x: tensor<1x20x20x16xf32>, %xc: tensor<1x16x20x20xf32>, %w: tensor<3x3x16x32xf32>,
             %wc: tensor<32x16x3x3xf32>, %wd: tensor<3x3x16xf32>, %a: tensor<8x16xf32>, %b: tensor<16x32xf32>) {
  %o = tensor.empty() : tensor<1x18x18x32xf32>
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x20x20x16xf32>, tensor<3x3x16x32xf32>) outs(%o : tensor<1x18x18x32xf32>) -> tensor<1x18x18x32xf32> loc("nhwc_hwcf")
  %oc = tensor.empty() : tensor<1x32x18x18xf32>
  %1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%xc, %wc : tensor<1x16x20x20xf32>, tensor<32x16x3x3xf32>) outs(%oc : tensor<1x32x18x18xf32>) -> tensor<1x32x18x18xf32> loc("nchw_fchw")
  %od = tensor.empty() : tensor<1x18x18x16xf32>
  %2 = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %wd : tensor<1x20x20x16xf32>, tensor<3x3x16xf32>) outs(%od : tensor<1x18x18x16xf32>) -> tensor<1x18x18x16xf32> loc("depthwise")
  %win = tensor.empty() : tensor<2x2xf32>
  %op = tensor.empty() : tensor<1x9x9x16xf32>
  %3 = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %win : tensor<1x20x20x16xf32>, tensor<2x2xf32>) outs(%op : tensor<1x9x9x16xf32>) -> tensor<1x9x9x16xf32> loc("pool")
  %om = tensor.empty() : tensor<8x32xf32>
  %4 = linalg.matmul ins(%a, %b : tensor<8x16xf32>, tensor<16x32xf32>) outs(%om : tensor<8x32xf32>) -> tensor<8x32xf32> loc("matmul")
  %oe = tensor.empty() : tensor<1x20x20x16xf32>
  %5 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x20x20x16xf32>) outs(%oe : tensor<1x20x20x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %e = math.exp %in : f32
    linalg.yield %e : f32
  } -> tensor<1x20x20x16xf32> loc("elementwise")
  return
}
