//===- FlydelDialect.td - flydel dialect definition --------*- tablegen -*-===//
#ifndef FLYDEL_DIALECT_FLYDEL_IR_FLYDELDIALECT_TD
#define FLYDEL_DIALECT_FLYDEL_IR_FLYDELDIALECT_TD

include "mlir/IR/OpBase.td"

def Flydel_Dialect : Dialect {
  let name = "flydel";
  let cppNamespace = "::mlir::flydel";
  let summary = "Predicted KPIs, devices and platforms for heterogeneous CNN compilation";
  let description = [{
    The `flydel` dialect carries the results of fly-weight performance models ("flydels") through a compiler
    flow: predicted key performance indicators (latency, energy, FPGA resources) per op and device, the
    device an op is assigned to, and the platform (devices, capacities, links) a module was analysed for.

    Annotations are discardable attributes, so they ride on upstream ops (TOSA, linalg, func) without
    changing their semantics. The dialect verifies them wherever they appear:

    | attribute name      | where              | value                                                   |
    |---------------------|--------------------|---------------------------------------------------------|
    | `flydel.platform`   | `builtin.module`   | `#flydel.platform<...>`                                 |
    | `flydel.kpis`       | any op             | dictionary: device name -> `#flydel.kpi<...>`           |
    | `flydel.kpi_totals` | function-like ops  | dictionary: device name -> `#flydel.kpi<...>`           |
    | `flydel.device`     | any op             | `#flydel.device<...>` (an assignment or a user pin)     |
    | `flydel.assignment` | function-like ops  | dictionary: the assignment's objective, cost, baselines |
    | `flydel.folding`    | any op             | `#flydel.folding<pe = P, simd = S>` (FPGA engine folding) |

    When the enclosing module carries a platform, every device named by `flydel.kpis`, `flydel.kpi_totals`
    or `flydel.device` must be one of its devices (and of the same kind).

    Units are part of the names: latency in microseconds (`latency_us`), energy in microjoules
    (`energy_uj`), FPGA resources as counts of the family's own resource names (`lut`, `ff`, `dsp`, `bram`,
    `alm`, `m20k`, ...).
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    // Names of the discardable attributes the dialect verifies.
    static constexpr ::llvm::StringLiteral kPlatformAttrName = "flydel.platform";
    static constexpr ::llvm::StringLiteral kKpisAttrName = "flydel.kpis";
    static constexpr ::llvm::StringLiteral kKpiTotalsAttrName = "flydel.kpi_totals";
    static constexpr ::llvm::StringLiteral kDeviceAttrName = "flydel.device";
    static constexpr ::llvm::StringLiteral kAssignmentAttrName = "flydel.assignment";
    static constexpr ::llvm::StringLiteral kFoldingAttrName = "flydel.folding";

  private:
    void registerAttributes();
  public:
  }];
}

#endif // FLYDEL_DIALECT_FLYDEL_IR_FLYDELDIALECT_TD
