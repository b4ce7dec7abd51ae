// RUN: flydel-opt %s --split-input-file --verify-diagnostics

// expected-error @+1 {{estimate must be non-negative, got -1}}
func.func @negative() attributes {e = #flydel.estimate<-1.0>} { return }

// -----

// expected-error @+1 {{estimate must be a number, got NaN}}
func.func @nan() attributes {e = #flydel.estimate<nan>} { return }

// -----

// expected-error @+1 {{estimate must be finite, got inf}}
func.func @inf() attributes {e = #flydel.kpi<latency_us = inf>} { return }

// -----

// expected-error @+1 {{estimate must be non-negative, got -2.5}}
func.func @negative_in_kpi() attributes {k = #flydel.kpi<latency_us = 1.0, energy_uj = -2.5>} { return }

// -----

// expected-error @+1 {{estimate must be non-negative, got -3}}
func.func @negative_resource() attributes {k = #flydel.kpi<resources = {alm = -3}>} { return }

// -----

// expected-error @+1 {{a #flydel.kpi must hold at least one of latency_us, energy_uj, resources}}
func.func @empty_kpi() attributes {k = #flydel.kpi<>} { return }

// -----

// expected-error @+1 {{unknown KPI 'latency_ms' (expected latency_us, energy_uj, resources, unmodeled_ops, unfit_ops or note)}}
func.func @unknown_kpi() attributes {k = #flydel.kpi<latency_ms = 1.0>} { return }

// -----

// expected-error @+1 {{duplicate KPI 'latency_us'}}
func.func @duplicate_kpi() attributes {k = #flydel.kpi<latency_us = 1.0, latency_us = 2.0>} { return }

// -----

// expected-error @+1 {{duplicate resource 'alm'}}
func.func @duplicate_resource() attributes {k = #flydel.kpi<resources = {alm = 1, alm = 2}>} { return }

// -----

// expected-error @+1 {{expected '>'}}
func.func @no_model_extrapolated() attributes {e = #flydel.estimate<no_model extrapolated>} { return }

// -----

// expected-error @+2 {{expected one of [cpu, gpu, fpga] for kind of processing element, got: npu}}
// expected-error @+1 {{failed to parse Flydel_DeviceAttr parameter 'kind'}}
func.func @unknown_kind() attributes {d = #flydel.device<"npu0", npu>} { return }

// -----

// expected-error @+1 {{device name must not be empty}}
func.func @empty_device_name() attributes {d = #flydel.device<"", cpu>} { return }

// -----

// expected-error @+1 {{capacity 'alm' of device 'fpga' must be non-negative, got -5}}
func.func @negative_capacity() attributes {d = #flydel.device<"fpga", fpga, capacities = {alm = -5}>} { return }

// -----

// expected-error @+1 {{capacity 'alm' of device 'fpga' must be an integer count}}
func.func @float_capacity() attributes {d = #flydel.device<"fpga", fpga, capacities = {alm = 1.5}>} { return }

// -----

// expected-error @+1 {{platform 'p' has duplicate device name 'gpu'}}
module attributes {flydel.platform = #flydel.platform<"p", devices = [#flydel.device<"gpu", gpu>, #flydel.device<"gpu", cpu>]>} {}

// -----

// expected-error @+2 {{expected '<'}}
// expected-error @+1 {{failed to parse Flydel_PlatformAttr parameter 'devices'}}
module attributes {flydel.platform = #flydel.platform<"p", devices = []>} {}

// -----

// expected-error @+1 {{platform 'p' has a link to or from unknown device 'dsp'}}
module attributes {flydel.platform = #flydel.platform<"p", devices = [#flydel.device<"gpu", gpu>],
                   links = [#flydel.link<"gpu" -> "dsp", latency_us = 1.0 + 0.5 per_kib>]>} {}

// -----

// expected-error @+1 {{platform 'p' has two links from 'a' to 'b'}}
module attributes {flydel.platform = #flydel.platform<"p", devices = [#flydel.device<"a", cpu>, #flydel.device<"b", gpu>],
                   links = [#flydel.link<"a" -> "b", latency_us = 1.0 + 0.5 per_kib>,
                            #flydel.link<"a" -> "b", latency_us = 2.0 + 0.5 per_kib>]>} {}

// -----

// expected-error @+1 {{link from device 'a' to itself}}
func.func @self_link() attributes {l = #flydel.link<"a" -> "a", latency_us = 1.0 + 0.5 per_kib>} { return }

// -----

// expected-error @+1 {{link latency_us per_kib must be non-negative, got -0.5}}
func.func @negative_link() attributes {l = #flydel.link<"a" -> "b", latency_us = 1.0 + -0.5 per_kib>} { return }

// -----

// expected-error @+1 {{'func.func' op attribute 'flydel.platform' is only allowed on builtin.module}}
func.func @platform_on_func() attributes {flydel.platform = #flydel.platform<"p", devices = [#flydel.device<"a", cpu>]>} { return }

// -----

// expected-error @+1 {{'builtin.module' op attribute 'flydel.platform' must be a #flydel.platform}}
module attributes {flydel.platform = "tx2"} {}

// -----

module attributes {flydel.platform = #flydel.platform<"p", devices = [#flydel.device<"cpu", cpu>, #flydel.device<"gpu", gpu>]>} {
  func.func @unknown_device(%x: tensor<4xf32>) -> tensor<4xf32> {
    // expected-error @+1 {{'tosa.abs' op attribute 'flydel.kpis' names device 'fpga', which platform 'p' does not have}}
    %0 = tosa.abs %x {flydel.kpis = {fpga = #flydel.kpi<latency_us = 1.0>}} : (tensor<4xf32>) -> tensor<4xf32>
    return %0 : tensor<4xf32>
  }
}

// -----

module attributes {flydel.platform = #flydel.platform<"p", devices = [#flydel.device<"cpu", cpu>, #flydel.device<"gpu", gpu>]>} {
  func.func @assigned_to_unknown(%x: tensor<4xf32>) -> tensor<4xf32> {
    // expected-error @+1 {{'tosa.abs' op is assigned to device 'npu', which platform 'p' does not have}}
    %0 = tosa.abs %x {flydel.device = #flydel.device<"npu", cpu>} : (tensor<4xf32>) -> tensor<4xf32>
    return %0 : tensor<4xf32>
  }
}

// -----

module attributes {flydel.platform = #flydel.platform<"p", devices = [#flydel.device<"cpu", cpu>, #flydel.device<"gpu", gpu>]>} {
  func.func @kind_mismatch(%x: tensor<4xf32>) -> tensor<4xf32> {
    // expected-error @+1 {{'tosa.abs' op is assigned to device 'gpu' of kind 'fpga', but platform 'p' declares it as 'gpu'}}
    %0 = tosa.abs %x {flydel.device = #flydel.device<"gpu", fpga>} : (tensor<4xf32>) -> tensor<4xf32>
    return %0 : tensor<4xf32>
  }
}

// -----

// expected-error @+1 {{'func.func' op attribute 'flydel.kpis': entry 'cpu' must be a #flydel.kpi, got 1.000000e+00 : f32}}
func.func @not_a_kpi() attributes {flydel.kpis = {cpu = 1.0 : f32}} { return }

// -----

// expected-error @+1 {{'func.func' op attribute 'flydel.kpis' must be a dictionary from device name to #flydel.kpi}}
func.func @kpis_not_dict() attributes {flydel.kpis = #flydel.kpi<latency_us = 1.0>} { return }

// -----

func.func @totals_on_op(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'tosa.abs' op attribute 'flydel.kpi_totals' is only allowed on functions}}
  %0 = tosa.abs %x {flydel.kpi_totals = {cpu = #flydel.kpi<latency_us = 1.0>}} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// expected-error @+1 {{'func.func' op attribute 'flydel.device' must be a #flydel.device}}
func.func @device_not_device() attributes {flydel.device = "gpu"} { return }

// -----

// expected-error @+1 {{unknown flydel attribute 'flydel.kpi'}}
func.func @typo() attributes {flydel.kpi = {cpu = #flydel.kpi<latency_us = 1.0>}} { return }

// -----

// expected-error @+1 {{unmodeled_ops must be non-negative, got -1}}
func.func @negative_unmodeled() attributes {k = #flydel.kpi<latency_us = 1.0, unmodeled_ops = -1>} { return }

// -----

func.func @transfer_to_itself(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'flydel.transfer' op transfers from device 'gpu' to itself}}
  %0 = flydel.transfer %x : tensor<4xf32> from "gpu" to "gpu" bytes 16
  return %0 : tensor<4xf32>
}

// -----

module attributes {flydel.platform = #flydel.platform<"p", devices = [#flydel.device<"cpu", cpu>, #flydel.device<"gpu", gpu>]>} {
  func.func @transfer_without_link(%x: tensor<4xf32>) -> tensor<4xf32> {
    // expected-error @+1 {{'flydel.transfer' op platform 'p' has no link from 'cpu' to 'gpu'}}
    %0 = flydel.transfer %x : tensor<4xf32> from "cpu" to "gpu" bytes 16
    return %0 : tensor<4xf32>
  }
}

// -----

func.func @transfer_type_change(%x: tensor<4xf32>) -> tensor<4xf16> {
  // expected-error @+1 {{'flydel.transfer' op requires the same type for all operands and results}}
  %0 = "flydel.transfer"(%x) {from = "a", to = "b", bytes = 16 : i64} : (tensor<4xf32>) -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

func.func @assignment_on_op(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'tosa.abs' op attribute 'flydel.assignment' is only allowed on functions}}
  %0 = tosa.abs %x {flydel.assignment = {objective = "latency"}} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// expected-error @+1 {{folding pe must be in 1..1024, got 0}}
func.func @folding_zero_pe() attributes {f = #flydel.folding<pe = 0, simd = 4>} { return }

// -----

// expected-error @+1 {{folding simd must be in 1..1024, got 2048}}
func.func @folding_huge_simd() attributes {f = #flydel.folding<pe = 1, simd = 2048>} { return }

// -----

func.func @folding_not_folding(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'tosa.abs' op attribute 'flydel.folding' must be a #flydel.folding}}
  %0 = tosa.abs %x {flydel.folding = 4 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// expected-error @+3 {{expected 'assumed'}}
// expected-error @+2 {{failed to parse Flydel_PlatformAttr parameter 'links'}}
module attributes {flydel.platform = #flydel.platform<"p", devices = [#flydel.device<"a", cpu>, #flydel.device<"b", fpga>],
                   links = [#flydel.link<"a" -> "b", latency_us = 1.0 + 0.5 per_kib, energy_uj = 1.0 + 0.5 per_kib, measured>]>} {}

// -----

module attributes {flydel.platform = #flydel.platform<"p", devices = [#flydel.device<"cpu", cpu>, #flydel.device<"fpga", fpga>],
                   links = [#flydel.link<"cpu" -> "fpga", latency_us = 10.0 + 1.0 per_kib, assumed>]>} {
  func.func @transfer_assumed_unmarked(%x: tensor<4xf32>) -> tensor<4xf32> {
    // expected-error @+1 {{'flydel.transfer' op the link from 'cpu' to 'fpga' is assumed, so its cost must be marked 'assumed'}}
    %0 = flydel.transfer %x : tensor<4xf32> from "cpu" to "fpga" bytes 16 cost #flydel.kpi<latency_us = 10.0>
    return %0 : tensor<4xf32>
  }
}

// -----

func.func @transfer_assumed_without_cost(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'flydel.transfer' op is marked 'assumed' but has no cost}}
  %0 = flydel.transfer %x : tensor<4xf32> from "a" to "b" bytes 16 assumed
  return %0 : tensor<4xf32>
}

// -----

// does_not_fit takes no value and no flag (the verifier's own check is in unittests/Transforms/DialectAttrsTest.cpp).
// expected-error @+1 {{expected '>'}}
func.func @unfit_with_flag() attributes {e = #flydel.estimate<does_not_fit extrapolated>} { return }

// -----

// A demand over capacity without the demand would hide how far over it is; the capacity is never the value.
// expected-error @+1 {{expected floating point literal}}
func.func @exceeds_without_value() attributes {e = #flydel.estimate<exceeds_capacity>} { return }

// -----

// expected-error @+1 {{unfit_ops must be non-negative, got -1}}
func.func @negative_unfit() attributes {k = #flydel.kpi<latency_us = 1.0, unfit_ops = -1>} { return }
