// A 3x3 convolution (pad 1, bias), ReLU and max pooling lowered by --flydel-lower-cpu and run by mlir-runner;
// the printed tensor is checked against values computed by hand.
// RUN: flydel-opt %s --flydel-lower-cpu | FileCheck %s --check-prefix=LLVM
// RUN: flydel-opt %s --flydel-lower-cpu | mlir-runner -e main -entry-point-result=void -O2 -shared-libs=%mlir_runner_libs | FileCheck %s
// Tiled, the same numbers (tiles smaller than the loops, so the tile loops and their bounds really run).
// RUN: flydel-opt %s --flydel-lower-cpu="tile-size=2" | mlir-runner -e main -entry-point-result=void -O2 -shared-libs=%mlir_runner_libs | FileCheck %s
// RUN: flydel-opt %s --flydel-lower-cpu="tile-size=3" | mlir-runner -e main -entry-point-result=void -O2 -shared-libs=%mlir_runner_libs | FileCheck %s

// LLVM-NOT: tosa.
// LLVM-NOT: linalg.
// LLVM: llvm.func @main()

// Input 1x4x4x1 = 1..16 row-major; weights: two output channels, all-ones 3x3 and the centre tap only;
// biases -10 and 0.
func.func @layer(%x: tensor<1x4x4x1xf32>) -> tensor<1x2x2x2xf32> {
  %w = "tosa.const"() <{values = dense<[[[[1.0], [1.0], [1.0]], [[1.0], [1.0], [1.0]], [[1.0], [1.0], [1.0]]],
                                        [[[0.0], [0.0], [0.0]], [[0.0], [1.0], [0.0]], [[0.0], [0.0], [0.0]]]]> : tensor<2x3x3x1xf32>}> : () -> tensor<2x3x3x1xf32>
  %b = "tosa.const"() <{values = dense<[-10.0, 0.0]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x1xf32>, tensor<2x3x3x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %r = tosa.clamp %c {max_val = 3.0e+38 : f32, min_val = 0.0 : f32} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %p = tosa.max_pool2d %r {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x4x2xf32>) -> tensor<1x2x2x2xf32>
  return %p : tensor<1x2x2x2xf32>
}

func.func private @printMemrefF32(memref<*xf32>)

func.func @main() {
  %x = "tosa.const"() <{values = dense<[[[[1.0], [2.0], [3.0], [4.0]], [[5.0], [6.0], [7.0], [8.0]],
                                         [[9.0], [10.0], [11.0], [12.0]], [[13.0], [14.0], [15.0], [16.0]]]]> : tensor<1x4x4x1xf32>}> : () -> tensor<1x4x4x1xf32>
  %y = call @layer(%x) : (tensor<1x4x4x1xf32>) -> tensor<1x2x2x2xf32>
  %m = bufferization.to_buffer %y : tensor<1x2x2x2xf32> to memref<1x2x2x2xf32>
  %u = memref.cast %m : memref<1x2x2x2xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}

// Channel 0: the largest 3x3 sum of the zero-padded input in each 2x2 block, minus 10: 54, 63, 90 and 99 (at
// (1,1), (1,2), (2,1), (2,2)). Channel 1 (centre tap): each block's maximum input, 6, 8, 14, 16.
// CHECK: Unranked Memref base@ = {{.*}} rank = 4 offset = 0 sizes = [1, 2, 2, 2] strides = [8, 4, 2, 1] data =
// CHECK-NEXT: {{\[\[\[\[}}44,    6],
// CHECK-NEXT: [53,    8]],
// CHECK-NEXT: {{\[\[}}80,    14],
// CHECK-NEXT: [89,    16]]]]
