//===- FlydelAttrs.td - flydel attributes ------------------*- tablegen -*-===//
#ifndef FLYDEL_DIALECT_FLYDEL_IR_FLYDELATTRS_TD
#define FLYDEL_DIALECT_FLYDEL_IR_FLYDELATTRS_TD

include "flydel/Dialect/Flydel/IR/FlydelDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Flydel_DeviceKind : I32Enum<"DeviceKind", "kind of processing element", [
    I32EnumCase<"cpu", 0>,
    I32EnumCase<"gpu", 1>,
    I32EnumCase<"fpga", 2>
  ]> {
  let cppNamespace = "::mlir::flydel";
}

class Flydel_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Flydel_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

//===----------------------------------------------------------------------===//
// EstimateAttr
//===----------------------------------------------------------------------===//

def Flydel_EstimateAttr : Flydel_Attr<"Estimate", "estimate"> {
  let summary = "One predicted KPI value, or the explicit absence of a model";
  let description = [{
    A single predicted value. `extrapolated` says the layer lies outside the feature domain the model was
    trained on, so the value is an extrapolation. `no_model` says the platform has no model for this op kind
    and KPI on this device: it is never written as zero, so that sums and comparisons cannot mistake an
    unknown cost for a free one.

    Feasibility is part of the answer. `exceeds_capacity` marks a resource whose predicted demand (the value,
    never clipped to the capacity) is above the device's capacity: read it as "more than the device has", not
    as a usable count. `does_not_fit` marks every other KPI of a layer that does not fit the device (some
    resource exceeds its capacity, other than one the platform says spills onto other resources, as M20K
    blocks do): a design that cannot be built has no latency, energy or footprint, so no value is given.

    ```mlir
    #flydel.estimate<12.5>
    #flydel.estimate<12.5 extrapolated>
    #flydel.estimate<no_model>
    #flydel.estimate<2.1e6 extrapolated exceeds_capacity>
    #flydel.estimate<does_not_fit>
    ```

    Inside `#flydel.kpi` the same forms appear without the `#flydel.estimate<...>` wrapper.
  }];
  let parameters = (ins
    OptionalParameter<"::mlir::FloatAttr", "predicted value; absent when no model exists">:$value,
    DefaultValuedParameter<"bool", "false", "the input is outside the model's training domain">:$extrapolated,
    DefaultValuedParameter<"bool", "false", "the value (a resource demand) is above the device's capacity">:$exceeds_capacity,
    DefaultValuedParameter<"bool", "false", "no value: the layer does not fit the device">:$does_not_fit
  );
  let builders = [
    AttrBuilder<(ins "double":$value, CArg<"bool", "false">:$extrapolated, CArg<"bool", "false">:$exceeds_capacity), [{
      return $_get($_ctxt, ::mlir::FloatAttr::get(::mlir::Float64Type::get($_ctxt), value), extrapolated,
                   exceeds_capacity, false);
    }]>
  ];
  let extraClassDeclaration = [{
    /// The marker for "this platform has no model for that KPI".
    static EstimateAttr getNoModel(::mlir::MLIRContext *context);
    /// The marker for "the layer does not fit this device, so this KPI has no value".
    static EstimateAttr getDoesNotFit(::mlir::MLIRContext *context);
    /// A value exists (possibly flagged). False for no_model and does_not_fit.
    bool hasModel() const { return static_cast<bool>(getValue()); }
    /// The predicted value; only meaningful when hasModel().
    double getValueAsDouble() const;

    void printBody(::mlir::AsmPrinter &printer) const;
    static EstimateAttr parseBody(::mlir::AsmParser &parser);
  }];
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// KpiAttr
//===----------------------------------------------------------------------===//

def Flydel_KpiAttr : Flydel_Attr<"Kpi", "kpi"> {
  let summary = "Predicted KPIs of one op (or a function) on one device";
  let description = [{
    Predicted latency (microseconds), energy (microjoules) and FPGA resources (counts by the family's own
    resource names). Each KPI is optional, but at least one must be present; each value may be flagged
    `extrapolated` or be the `no_model` marker (see `#flydel.estimate`).

    ```mlir
    #flydel.kpi<latency_us = 412.5, energy_uj = 81.2 extrapolated>
    #flydel.kpi<latency_us = 3.1, resources = {alm = 13756, m20k = 461}>
    #flydel.kpi<latency_us = no_model>
    ```

    On a function (`flydel.kpi_totals`) the values are sums over its ops, `extrapolated` when any term was;
    ops without a model for a KPI on the device contribute nothing, and `unmodeled_ops` says how many there
    were, so that a partial sum is never mistaken for a complete one:

    ```mlir
    #flydel.kpi<latency_us = 5210.25 extrapolated, energy_uj = 410.5, unmodeled_ops = 12>
    ```

    Ops that do not fit the device are left out of a total's latency and energy and counted in `unfit_ops`; a
    total resource above the device's capacity is flagged `exceeds_capacity` (the ops together do not fit).
    `note` says why values are flagged (the extrapolated feature, the resource over capacity), so that every
    report can carry the reason:

    ```mlir
    #flydel.kpi<latency_us = does_not_fit, resources = {alm = 2.1e6 extrapolated exceeds_capacity},
                note = "does not fit: alm demand 2.1e+06 > capacity 80330">
    ```
  }];
  let parameters = (ins
    OptionalParameter<"EstimateAttr", "latency in microseconds">:$latency_us,
    OptionalParameter<"EstimateAttr", "energy in microjoules">:$energy_uj,
    OptionalParameter<"::mlir::DictionaryAttr", "resource name -> #flydel.estimate (counts)">:$resources,
    DefaultValuedParameter<"int64_t", "0", "ops left out of a total because a model was missing">:$unmodeled_ops,
    DefaultValuedParameter<"int64_t", "0", "ops left out of a total because they do not fit the device">:$unfit_ops,
    OptionalParameter<"::mlir::StringAttr", "why values are flagged (extrapolation, capacity)">:$note
  );
  let builders = [
    AttrBuilder<(ins "EstimateAttr":$latency_us, "EstimateAttr":$energy_uj, "::mlir::DictionaryAttr":$resources,
                     "int64_t":$unmodeled_ops), [{
      return $_get($_ctxt, latency_us, energy_uj, resources, unmodeled_ops, 0, ::mlir::StringAttr());
    }]>
  ];
  let extraClassDeclaration = [{
    /// The estimate of a named FPGA resource, or null when absent.
    EstimateAttr getResource(::llvm::StringRef name) const;
    /// Some KPI is does_not_fit: the op cannot be placed on the device. (A resource over a capacity that spills,
    /// e.g. M20K blocks, is flagged exceeds_capacity on a layer that still fits.)
    bool isInfeasible() const;
    /// Some resource is flagged exceeds_capacity.
    bool exceedsSomeCapacity() const;
  }];
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// DeviceAttr
//===----------------------------------------------------------------------===//

def Flydel_DeviceAttr : Flydel_Attr<"Device", "device"> {
  let summary = "A device of a platform";
  let description = [{
    A processing element of a platform: its name (unique within the platform) and kind. Inside a
    `#flydel.platform` a device may state its capacities (resource name -> available count), which the
    device-assignment work uses as budgets. On an op, `flydel.device = #flydel.device<"gpu", gpu>` records an
    assignment or a user pin.

    ```mlir
    #flydel.device<"gpu", gpu>
    #flydel.device<"fpga", fpga, capacities = {alm = 80330, m20k = 587}>
    ```
  }];
  let parameters = (ins
    "::mlir::StringAttr":$name,
    EnumParameter<Flydel_DeviceKind>:$kind,
    OptionalParameter<"::mlir::DictionaryAttr", "resource name -> capacity (integer)">:$capacities
  );
  let assemblyFormat = "`<` $name `,` $kind (`,` `capacities` `=` $capacities^)? `>`";
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// LinkAttr
//===----------------------------------------------------------------------===//

def Flydel_LinkAttr : Flydel_Attr<"Link", "link"> {
  let summary = "A directed data link between two devices, with its transfer cost model";
  let description = [{
    Transfer cost of a feature map of `bytes` bytes from one device to another, affine in the size:
    `latency_us = latency_us_fixed + latency_us_per_kib * bytes / 1024`. The energy model has the same form and
    is optional: absent means the link's energy was not measured (it is then unavailable, never zero).
    `assumed` marks a cost model whose parameters are stated assumptions, not fitted to measurements (the
    platform library says what was assumed).

    ```mlir
    #flydel.link<"gpu" -> "fpga", latency_us = 12.9 + 0.031 per_kib>
    #flydel.link<"gpu" -> "fpga", latency_us = 12.9 + 0.031 per_kib, energy_uj = 1.5 + 0.002 per_kib>
    #flydel.link<"cpu" -> "fpga", latency_us = 5.0 + 0.01 per_kib, assumed>
    ```
  }];
  let parameters = (ins
    "::mlir::StringAttr":$from,
    "::mlir::StringAttr":$to,
    "::mlir::FloatAttr":$latency_us_fixed,
    "::mlir::FloatAttr":$latency_us_per_kib,
    OptionalParameter<"::mlir::FloatAttr">:$energy_uj_fixed,
    OptionalParameter<"::mlir::FloatAttr">:$energy_uj_per_kib,
    OptionalParameter<"::mlir::UnitAttr">:$assumed
  );
  let extraClassDeclaration = [{
    /// Predicted latency of moving `bytes` bytes over this link, in microseconds.
    double getLatencyUs(double bytes) const;
  }];
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// PlatformAttr
//===----------------------------------------------------------------------===//

def Flydel_PlatformAttr : Flydel_Attr<"Platform", "platform"> {
  let summary = "A heterogeneous platform: devices, their capacities and the links between them";
  let description = [{
    The platform a module was analysed or partitioned for. Attached to the module as `flydel.platform`, it
    makes annotated IR self-describing: the device names used by `flydel.kpis` and `flydel.device` refer to it.

    ```mlir
    module attributes {flydel.platform = #flydel.platform<"tx2-c10gx", devices = [
        #flydel.device<"cpu", cpu>, #flydel.device<"gpu", gpu>,
        #flydel.device<"fpga", fpga, capacities = {alm = 80330, m20k = 587}>],
      links = [#flydel.link<"gpu" -> "fpga", latency_us = 12.9 + 0.031 per_kib>]>} {}
    ```
  }];
  let parameters = (ins
    "::mlir::StringAttr":$name,
    ArrayRefParameter<"DeviceAttr", "devices">:$devices,
    OptionalArrayRefParameter<"LinkAttr", "links">:$links
  );
  let assemblyFormat = [{
    `<` $name `,` `devices` `=` `[` $devices `]` (`,` `links` `=` `[` $links^ `]`)? `>`
  }];
  let extraClassDeclaration = [{
    /// The device with this name, or null.
    DeviceAttr lookupDevice(::llvm::StringRef name) const;
    /// The link from `from` to `to`, or null.
    LinkAttr lookupLink(::llvm::StringRef from, ::llvm::StringRef to) const;
  }];
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// FoldingAttr
//===----------------------------------------------------------------------===//

def Flydel_FoldingAttr : Flydel_Attr<"Folding", "folding"> {
  let summary = "Folding factors of a layer's FPGA streaming engine";
  let description = [{
    How much of a layer an FPGA engine computes per cycle: `pe` output channels (processing elements) and
    `simd` input channels per PE. `pe` must divide the layer's output channels and `simd` its input channels
    (channel-wise layers -- depthwise convolution, pooling, elementwise -- use `simd = pe`). On a layer op,
    `flydel.folding = #flydel.folding<pe = 4, simd = 8>` is either given by the user or chosen by the folding
    pass; the FPGA resource and cycle flydels are evaluated at it, and the Verilog emitter instantiates the
    engine with it.

    ```mlir
    #flydel.folding<pe = 4, simd = 8>
    ```
  }];
  let parameters = (ins "int64_t":$pe, "int64_t":$simd);
  let assemblyFormat = "`<` `pe` `=` $pe `,` `simd` `=` $simd `>`";
  let genVerifyDecl = 1;
}

#endif // FLYDEL_DIALECT_FLYDEL_IR_FLYDELATTRS_TD
