//===- LayerOpInterface.td - ops as CNN layers -------------*- tablegen -*-===//
#ifndef FLYDEL_INTERFACES_LAYEROPINTERFACE_TD
#define FLYDEL_INTERFACES_LAYEROPINTERFACE_TD

include "mlir/IR/OpBase.td"

def Flydel_LayerOpInterface : OpInterface<"LayerOpInterface"> {
  let cppNamespace = "::mlir::flydel";
  let description = [{
    An op that flydel's performance models can evaluate: it describes itself as a `::flydel::Layer` (op kind,
    shapes, kernel, stride, padding, groups, element type), the one MLIR-free layer description that the
    identification engine trains on. flydel attaches this interface to upstream TOSA and linalg ops through
    external models (see `flydel/Dialect/*/LayerOpInterfaceImpl.h`); a new op kind plugs in by attaching it,
    without touching the passes.
  }];
  let methods = [
    InterfaceMethod<[{
        The op as a layer, or failure when it cannot be described (for example dynamic shapes); `reason` then
        says why.
      }],
      "::mlir::FailureOr<::flydel::Layer>", "describeLayer", (ins "std::string &":$reason)>,
    InterfaceMethod<[{
        Empty when the layer describeLayer gives is the op itself. Otherwise the layer is a stand-in of the same
        work for an op no model was trained on, and this says so (e.g. a transposed convolution priced as its
        adjoint convolution): --annotate-kpis then flags the op's predictions as extrapolated, with this reason.
      }],
      "std::string", "getPricingApproximation", (ins), /*methodBody=*/[{}], /*defaultImplementation=*/[{
        return {};
      }]>
  ];
}

#endif // FLYDEL_INTERFACES_LAYEROPINTERFACE_TD
