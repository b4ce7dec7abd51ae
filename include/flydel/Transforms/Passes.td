//===- Passes.td - flydel passes ---------------------------*- tablegen -*-===//
#ifndef FLYDEL_TRANSFORMS_PASSES_TD
#define FLYDEL_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def StripAnnotations : Pass<"flydel-strip-annotations", "mlir::ModuleOp"> {
  let summary = "Remove flydel annotations (KPIs, totals, assignment summaries, device assignments, platform)";
  let description = [{
    Removes the discardable `flydel.*` attributes that the analysis passes attach, so that a flow can hand
    the module to tools that do not know the flydel dialect, or re-annotate it for another platform.
    Individual kinds can be kept with the options.
  }];
  let options = [
    Option<"keepPlatform", "keep-platform", "bool", /*default=*/"false",
           "Keep the module's flydel.platform attribute">,
    Option<"keepDevices", "keep-devices", "bool", /*default=*/"false",
           "Keep flydel.device assignments and pins, and flydel.folding">
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

    An op kind the platform has no model for gets the explicit `no_model` marker (never zero); a layer outside a
    model's training domain is still predicted, flagged `extrapolated`, naming the feature and its training range.
    A resource demand above the device's capacity is kept (never clipped to the capacity) and flagged
    `exceeds_capacity`; a layer over a capacity that does not spill does not fit the device, and its other KPIs
    there are `does_not_fit` (no value). Each `#flydel.kpi` carries a `note` saying why values are flagged.
    By default (`diagnostics=summary`) each function gets one diagnostic that counts each kind (no model,
    extrapolated, not annotated, invalid output) and names its first case — a warning when anything was
    extrapolated or left out, else a remark; `diagnostics=per-op` gives one per op at its location, `none` none.
    Diagnostics never print the op (that walks its function, one per op was quadratic). The models are MLIR-free (`flydel/Model`); this pass only maps ops to
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
               "KPIs to annotate: latency_us, energy_uj, resources, or resource names (default: all)">,
    Option<"diagnostics", "diagnostics", "std::string", /*default=*/"\"summary\"",
           "summary (one remark or warning per function: counts and the first case of each kind), per-op (one "
           "per op, at its location) or none">
  ];
  let dependentDialects = ["::mlir::flydel::FlydelDialect"];
}

def KpiReport : Pass<"flydel-kpi-report", "mlir::ModuleOp"> {
  let summary = "Write a per-layer report of annotated KPIs (text, CSV or JSON)";
  let description = [{
    Reads the `flydel.kpis` and `flydel.kpi_totals` annotations (from `--annotate-kpis`) and writes one row
    per layer — its name (from the op's location), op, result shape, and each device's latency, energy and
    resources — followed by each function's totals. Extrapolated values are marked (`*` in text, a flag in
    CSV and JSON); missing models show as `no_model`, never as zero; a demand above a capacity as `>C!` in text
    (`exceeds_capacity` with the demand and capacity in CSV and JSON) and a layer that does not fit as
    `does_not_fit`. The text legend explains every mark; each format carries the notes (why a value is flagged).
    `hide=layout,no-model` leaves out the rows of ops that only move data and of ops without any model (most rows
    of an imported model: weight transposes, reshapes); the totals still cover every op. The IR is left
    unchanged.
  }];
  let options = [
    Option<"format", "format", "std::string", /*default=*/"\"text\"", "Report format: text, csv or json">,
    Option<"output", "output", "std::string", /*default=*/"\"-\"",
           "Report file ('-' for standard output); written only when complete">,
    ListOption<"hide", "hide", "std::string",
               "Rows to leave out: 'layout' (ops that only move data: reshapes, transposes, concatenations), "
               "'no-model' (ops no device has a model for); totals are unchanged and the report says how many "
               "rows it hides">
  ];
}

def AssignDevices : Pass<"assign-devices", "mlir::ModuleOp"> {
  let summary = "Choose a device for every annotated op, exactly, under resource budgets and transfer costs";
  let description = [{
    On IR annotated by `--annotate-kpis` (a module with `flydel.platform`, ops with `flydel.kpis`), chooses a device
    for every annotated op of each function and records it as `flydel.device`. The cost model: each op's
    predicted latency and energy on its device; one transfer of an op's output to every other device hosting a
    consumer, at the platform's link cost for its size (a device pair without a link cannot exchange data); the
    summed FPGA resources of the ops placed on a device within its capacities (minus a reserved share).

    `objective` is latency, energy, edp (latency x energy) or weighted (`weight` x latency_us + (1 - `weight`) x
    energy_uj); `mode` is sequential (one inference: everything adds up) or pipelined (streaming frames: the
    period is the busiest device or link). An op can only go to a device where it has a model for the objective's
    KPIs; an op with no model on any device (for example data movement on tx2-c10gx) may go anywhere, its cost
    unknown and not counted (the summary counts such ops). An op goes to an FPGA device only if the FPGA engines
    can build it (`flydel/Fpga/Capability.h`, the rule `--emit-verilog` applies: square kernels, equal strides,
    symmetric padding, no dilation, f32 batch-1 NHWC tensors, ...), and a batch norm's per-channel mul/add only
    together with the convolution it folds into; its remark says why not. Pins are respected: a `flydel.device`
    already on an op, or a JSON file mapping layer names (op locations) to device names.

    The solver (`flydel/Partition/Assignment.h`, MLIR-free) is a dynamic program over a topological order, exact
    unless its label or time limit is reached, in which case the best assignment found is kept and the summary
    gives a lower bound and the gap. Each function gets `flydel.assignment`, a summary with the chosen
    assignment's predicted totals and every single-device baseline, and a remark saying the same. By default
    (`diagnostics=summary`) that remark also counts the ops placed on each device and those kept off an FPGA
    because its engines cannot build them (naming the first); `diagnostics=per-op` adds one remark per op at its
    location (its device, its cost and the best alternative's), `none` gives no remark. Diagnostics never print the
    op.
  }];
  let options = [
    Option<"objective", "objective", "std::string", /*default=*/"\"latency\"",
           "latency, energy, edp or weighted">,
    Option<"weight", "weight", "double", /*default=*/"0.5",
           "For objective=weighted: weight of latency_us against energy_uj, in [0, 1]">,
    Option<"mode", "mode", "std::string", /*default=*/"\"sequential\"", "sequential or pipelined">,
    Option<"reserve", "reserve", "double", /*default=*/"0.0",
           "Share of every device capacity kept free, in [0, 1)">,
    Option<"pins", "pins", "std::string", /*default=*/"\"\"",
           "JSON file {\"layer name\": \"device\", ...} pinning layers to devices">,
    Option<"timeLimitMs", "time-limit-ms", "double", /*default=*/"10000.0",
           "Solver time limit per function, in milliseconds">,
    Option<"diagnostics", "diagnostics", "std::string", /*default=*/"\"summary\"",
           "summary (one remark per function: the assignment, counts per device, the first op kept off an FPGA), "
           "per-op (also one remark per op, at its location) or none">
  ];
  let dependentDialects = ["::mlir::flydel::FlydelDialect"];
}

def FoldFpga : Pass<"flydel-fold-fpga", "mlir::ModuleOp"> {
  let summary = "Choose the PE/SIMD folding of every FPGA layer within the device's resources";
  let description = [{
    For the layer ops placed on an FPGA device (`flydel.device` of kind fpga, after `--assign-devices` or pinned;
    with `all-layers`, every layer op), chooses the folding of each layer's streaming engine -- `pe` output
    channels (a divisor of the output channels) times `simd` input channels (a divisor of the input channels per
    group; `simd = pe` for depthwise convolution, pooling and elementwise layers) per cycle -- and records it as
    `flydel.folding = #flydel.folding<pe = P, simd = S>`.

    Every candidate folding is evaluated with the platform library's FPGA flydels (the time model -- `cycles`
    when the device has one, else its latency at the library's stated clock -- and one model per budgeted
    resource). The layers of a device together must fit its capacities (`lut`, `ff`, `dsp`, `bram36`, ...) minus
    `reserve`, or the amounts given by `budget`. `objective=throughput` (default) minimises the slowest layer's
    time: the engines stream, so the slowest one's initiation interval sets the frame rate; each layer then
    takes its least-resource folding that meets that time. `objective=latency` minimises the sum of the
    layers' times (layers one after another). The search (`flydel/Partition/Folding.h`, MLIR-free) is exact
    for throughput and branch and bound with a node limit for latency; a remark on the module says whether the
    result is proven optimal.

    A `flydel.folding` already on an op is kept, after checking that it is legal for the layer and that the
    models can evaluate it. A folding whose predictions are not valid numbers (a model far outside its data) is
    not a candidate; a budgeted resource without a model for a layer's op kind is not counted, with a warning.
    When nothing fits, the error names the budget and the layers. Run `--annotate-kpis` again afterwards to
    re-predict the FPGA KPIs at the chosen foldings (it evaluates FPGA models at `flydel.folding`).
  }];
  let options = [
    Option<"platform", "platform", "std::string", /*default=*/"\"tx2-c10gx\"",
           "Embedded platform name, or path to a platform library JSON (the one --annotate-kpis used)">,
    Option<"device", "device", "std::string", /*default=*/"\"\"",
           "FPGA device to fold (default: every FPGA device of the platform)">,
    Option<"allLayers", "all-layers", "bool", /*default=*/"false",
           "Fold every layer op for `device` (or the platform's only FPGA device), whatever its flydel.device">,
    Option<"reserve", "reserve", "double", /*default=*/"0.0",
           "Share of every budget kept free, in [0, 1)">,
    ListOption<"budget", "budget", "std::string",
               "Resource budgets replacing the device's capacities, as resource=count (e.g. lut=20000,dsp=100)">,
    Option<"objective", "objective", "std::string", /*default=*/"\"throughput\"",
           "throughput (slowest layer) or latency (sum of the layers)">,
    Option<"refold", "refold", "bool", /*default=*/"false",
           "Choose every folding anew, replacing the flydel.folding already on the ops">
  ];
  let dependentDialects = ["::mlir::flydel::FlydelDialect"];
}

def OutlinePartitions : Pass<"outline-partitions", "mlir::ModuleOp"> {
  let summary = "Outline maximal connected same-device groups of ops into functions, with explicit transfers";
  let description = [{
    After `--assign-devices`, every maximal connected group of ops placed on the same device (split where
    keeping it whole would make the partitions depend on each other in a cycle) becomes a private function tagged
    with its device (`flydel.device`). The original function calls the partitions in a topological order and
    inserts a `flydel.transfer` on every value that crosses from one device to another (once per value and
    destination device), carrying the predicted cost from the platform's link model. Constants are cloned into
    the partitions that use them (weights live with their layer). Ops without a device follow their producer (or
    their first user). Function arguments and results are assumed to live with the host: no transfer is inserted
    for them.
  }];
  let options = [
    Option<"maxOpsPerPartition", "max-ops-per-partition", "unsigned", /*default=*/"0",
           "Split partitions after this many ops (0: no limit); for testing and for bounded partition sizes">
  ];
  let dependentDialects = ["::mlir::flydel::FlydelDialect", "::mlir::func::FuncDialect"];
}

def LowerTransfers : Pass<"flydel-lower-transfers", "mlir::ModuleOp"> {
  let summary = "Replace flydel.transfer ops by their operand (single shared memory)";
  let description = [{
    For execution on a single host, where every partition shares one memory (for example a CPU-only placement),
    a transfer is the identity: this pass forwards each `flydel.transfer` operand to its users and erases it.
  }];
}

def ExtractDevice : Pass<"flydel-extract-device", "mlir::ModuleOp"> {
  let summary = "Keep only the partitions of one device (or the host code that calls them)";
  let description = [{
    After `--outline-partitions`, keeps the partition functions tagged with `flydel.device` of `device` and
    erases every other function, so that the module can go through that device's pipeline
    (`--flydel-lower-cpu`, `--flydel-lower-gpu`). With `device=host`, keeps the functions that are not
    partitions (the callers, with their transfers) and turns every partition into an external declaration.
  }];
  let options = [
    Option<"device", "device", "std::string", /*default=*/"\"\"", "A device of the platform, or 'host'">
  ];
}

#endif // FLYDEL_TRANSFORMS_PASSES_TD
