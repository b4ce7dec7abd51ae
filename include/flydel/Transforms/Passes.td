//===- Passes.td - flydel passes ---------------------------*- tablegen -*-===//
#ifndef FLYDEL_TRANSFORMS_PASSES_TD
#define FLYDEL_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def StripAnnotations : Pass<"flydel-strip-annotations", "mlir::ModuleOp"> {
  let summary = "Remove flydel annotations (KPIs, totals, device assignments, platform)";
  let description = [{
    Removes the discardable `flydel.*` attributes that the analysis passes attach, so that a flow can hand
    the module to tools that do not know the flydel dialect, or re-annotate it for another platform.
    Individual kinds can be kept with the options.
  }];
  let options = [
    Option<"keepPlatform", "keep-platform", "bool", /*default=*/"false",
           "Keep the module's flydel.platform attribute">,
    Option<"keepDevices", "keep-devices", "bool", /*default=*/"false",
           "Keep flydel.device assignments and pins">
  ];
}

def AnnotateKpis : Pass<"annotate-kpis", "mlir::ModuleOp"> {
  let summary = "Predict the KPIs of every CNN op on every device of a platform with its flydels";
  let description = [{
    Evaluates the platform's identified models (flydels) on every op that implements `LayerOpInterface`
    (TOSA and linalg CNN ops, through external models) and attaches, for each device, the predicted latency
    (`latency_us`), energy (`energy_uj`) and FPGA resources as `flydel.kpis = {device = #flydel.kpi<...>}`.
    Each function gets its sums as `flydel.kpi_totals`, and the module records the platform as
    `flydel.platform`.

    An op kind the platform has no model for gets the explicit `no_model` marker (never zero) and a remark; a
    layer outside a model's training domain is still predicted, flagged `extrapolated`, with a warning naming
    the feature and its training range. The models are MLIR-free (`flydel/Model`); this pass only maps ops to
    layers and predictions to attributes.

    `platform` is the name of an embedded platform (`tx2-c10gx`, the default: the flydeling paper's Jetson TX2
    + Cyclone 10 GX, trained from its authors' measurements) or a path to a platform library JSON written by
    `flydel-identify`.
  }];
  let options = [
    Option<"platform", "platform", "std::string", /*default=*/"\"tx2-c10gx\"",
           "Embedded platform name, or path to a platform library JSON">,
    ListOption<"devices", "devices", "std::string",
               "Devices to annotate (default: all devices of the platform)">,
    ListOption<"kpis", "kpis", "std::string",
               "KPIs to annotate: latency_us, energy_uj, resources, or resource names (default: all)">
  ];
  let dependentDialects = ["::mlir::flydel::FlydelDialect"];
}

def KpiReport : Pass<"flydel-kpi-report", "mlir::ModuleOp"> {
  let summary = "Write a per-layer report of annotated KPIs (text, CSV or JSON)";
  let description = [{
    Reads the `flydel.kpis` and `flydel.kpi_totals` annotations (from `--annotate-kpis`) and writes one row
    per layer — its name (from the op's location), op, result shape, and each device's latency, energy and
    resources — followed by each function's totals. Extrapolated values are marked (`*` in text, a flag in
    CSV and JSON); missing models show as `no_model`, never as zero. The IR is left unchanged.
  }];
  let options = [
    Option<"format", "format", "std::string", /*default=*/"\"text\"", "Report format: text, csv or json">,
    Option<"output", "output", "std::string", /*default=*/"\"-\"",
           "Report file ('-' for standard output); written only when complete">
  ];
}

#endif // FLYDEL_TRANSFORMS_PASSES_TD
