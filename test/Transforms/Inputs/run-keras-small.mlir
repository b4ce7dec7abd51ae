// Runs @main_graph of conv2d_small_mp_keras.onnx (as imported) on a fixed input and prints its output.
func.func private @printMemrefF32(memref<*xf32>)

func.func @main() {
  %x = "tosa.const"() <{values = dense<0.25> : tensor<1x25x25x1xf32>}> : () -> tensor<1x25x25x1xf32>
  %y = call @main_graph(%x) : (tensor<1x25x25x1xf32>) -> tensor<1x5xf32>
  %m = bufferization.to_buffer %y : tensor<1x5xf32> to memref<1x5xf32>
  %u = memref.cast %m : memref<1x5xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}
