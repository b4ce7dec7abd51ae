func.func @net(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %r = tosa.clamp %x {max_val = 0x7F800000 : f32, min_val = 0.000000e+00 : f32} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}
