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

#endif // FLYDEL_TRANSFORMS_PASSES_TD
