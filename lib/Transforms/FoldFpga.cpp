//===- FoldFpga.cpp - choose the folding of every FPGA layer --------------===//
//
// Maps the layer ops placed on an FPGA device to a flydel::FoldingProblem (candidate foldings evaluated with the
// platform library's FPGA flydels, the device's budgets), solves it with the MLIR-free search and records the
// result as flydel.folding, with remarks.
//
//===----------------------------------------------------------------------===//

#include "flydel/Dialect/Flydel/IR/FlydelAttrs.h"
#include "flydel/Dialect/Flydel/IR/FlydelDialect.h"
#include "flydel/Interfaces/LayerOpInterface.h"
#include "flydel/Partition/Folding.h"
#include "flydel/Transforms/Passes.h"
#include "flydel/Transforms/PlatformLibrary.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"

#include <map>

namespace mlir::flydel {
#define GEN_PASS_DEF_FOLDFPGA
#include "flydel/Transforms/Passes.h.inc"
} // namespace mlir::flydel

using namespace mlir;
using namespace mlir::flydel;

namespace {

std::string fmt(double v) {
  std::string text;
  llvm::raw_string_ostream(text) << llvm::format(v >= 100 ? "%.0f" : "%.4g", v);
  return text;
}

std::string nameOf(Operation *op) {
  std::string name = getLayerName(op);
  return name.empty() ? op->getName().getStringRef().str() : name;
}

struct FoldFpgaPass : mlir::flydel::impl::FoldFpgaBase<FoldFpgaPass> {
  using Base::Base;

  void runOnOperation() override;

private:
  LogicalResult foldDevice(ModuleOp module, const ::flydel::Library &library, const ::flydel::Device &device,
                           ArrayRef<Operation *> ops, ::flydel::FoldingObjective objectiveKind);
};

void FoldFpgaPass::runOnOperation() {
  ModuleOp module = getOperation();
  auto fail = [&](const Twine &message) {
    mlir::emitError(module.getLoc()) << "flydel-fold-fpga: " << message;
    signalPassFailure();
  };
  ::flydel::FoldingObjective objectiveKind;
  if (!::flydel::parseFoldingObjective(objective, objectiveKind))
    return fail("unknown objective '" + objective + "' (expected throughput or latency)");
  if (!(reserve >= 0 && reserve < 1))
    return fail("reserve must be in [0, 1)");
  std::string error;
  std::shared_ptr<const ::flydel::Library> library = loadPlatformLibrary(platform, error);
  if (!library)
    return fail(error);
  // The models must be those the module was annotated and assigned with: a different platform's devices and
  // budgets would be silently mixed.
  if (auto annotated = module->getAttrOfType<PlatformAttr>(FlydelDialect::kPlatformAttrName);
      annotated && annotated.getName().getValue() != library->platform.name)
    return fail("the module was annotated for platform '" + annotated.getName().getValue() + "', but platform '" +
                platform + "' is '" + library->platform.name + "'");

  SmallVector<const ::flydel::Device *> fpgas;
  for (const ::flydel::Device &d : library->devices)
    if (d.kind == ::flydel::DeviceKind::Fpga && (device.empty() || d.name == device))
      fpgas.push_back(&d);
  if (!device.empty()) {
    const ::flydel::Device *named = library->findDevice(device);
    if (!named)
      return fail("platform '" + library->platform.name + "' has no device '" + device + "'");
    if (named->kind != ::flydel::DeviceKind::Fpga)
      return fail("device '" + device + "' is a " + ::flydel::deviceKindName(named->kind) + ", not an FPGA");
  }
  if (fpgas.empty())
    return fail("platform '" + library->platform.name + "' has no FPGA device");
  if (allLayers && fpgas.size() > 1)
    return fail("all-layers needs one FPGA device: name it with device=");
  // A budget must name something the device has (a capacity or a model), so a misspelt resource is not silently
  // a budget nothing is counted against.
  for (const std::string &entry : budget) {
    auto [name, value] = StringRef(entry).split('=');
    double amount = 0;
    if (name.trim().empty() || value.trim().getAsDouble(amount) || !(amount >= 0))
      return fail("budget entry '" + entry + "' is not resource=count (a non-negative number)");
    for (const ::flydel::Device *d : fpgas) {
      bool known = d->capacities.count(name.trim().str()) > 0 ||
                   llvm::any_of(library->models, [&](const ::flydel::KpiModel &m) {
                     return m.device == d->name && m.kpi == name.trim();
                   });
      if (!known)
        return fail("budget names resource '" + name.trim() + "', which device '" + d->name +
                    "' has neither as a capacity nor as a model");
    }
  }

  std::map<std::string, SmallVector<Operation *>> opsOf;
  module.walk([&](LayerOpInterface layerOp) {
    Operation *op = layerOp.getOperation();
    std::string target;
    if (allLayers)
      target = fpgas.front()->name;
    else if (auto assigned = op->getAttrOfType<DeviceAttr>(FlydelDialect::kDeviceAttrName))
      target = assigned.getName().str();
    if (llvm::any_of(fpgas, [&](const ::flydel::Device *d) { return d->name == target; }))
      opsOf[target].push_back(op);
  });
  for (const ::flydel::Device *d : fpgas) {
    auto it = opsOf.find(d->name);
    if (it == opsOf.end()) {
      module.emitRemark() << "flydel-fold-fpga: no layer is placed on '" << d->name << "'";
      continue;
    }
    if (failed(foldDevice(module, *library, *d, it->second, objectiveKind)))
      return signalPassFailure();
  }
}

LogicalResult FoldFpgaPass::foldDevice(ModuleOp module, const ::flydel::Library &library,
                                       const ::flydel::Device &device, ArrayRef<Operation *> ops,
                                       ::flydel::FoldingObjective objectiveKind) {
  MLIRContext *ctx = module.getContext();
  // Budgets: the device's capacities, replaced by budget=resource=count entries, less the reserve.
  std::map<std::string, double> amounts(device.capacities.begin(), device.capacities.end());
  for (const std::string &entry : budget) { // checked in runOnOperation
    auto [name, value] = StringRef(entry).split('=');
    double amount = 0;
    (void)value.trim().getAsDouble(amount);
    amounts[name.trim().str()] = amount;
  }
  if (amounts.empty())
    return mlir::emitError(module.getLoc()) << "flydel-fold-fpga: device '" << device.name
                              << "' has no capacities and no budget= was given: nothing bounds the folding";
  ::flydel::FoldingProblem problem;
  problem.objective = objectiveKind;
  std::string budgetText;
  for (const auto &[name, amount] : amounts) {
    problem.resources.push_back(name);
    problem.budget.push_back(amount * (1.0 - reserve));
    budgetText += (budgetText.empty() ? "" : ", ") + name + " " + fmt(amount * (1.0 - reserve));
  }
  if (reserve > 0)
    budgetText += " (" + fmt(100 * reserve) + " % reserved)";
  std::string timeKpi = ::flydel::foldingTimeKpi(library, device.name);
  if (timeKpi.empty())
    return mlir::emitError(module.getLoc()) << "flydel-fold-fpga: device '" << device.name
                              << "' has no cycles or latency model to balance";

  SmallVector<Operation *> folded;
  SmallVector<std::vector<std::string>> unmodeledOf;
  for (Operation *op : ops) {
    std::string reason;
    FailureOr<::flydel::Layer> layer = cast<LayerOpInterface>(op).describeLayer(reason);
    // all-layers is a what-if over the whole model: ops the FPGA cannot take are skipped there, while an op
    // placed on the FPGA must be foldable.
    if (failed(layer)) {
      if (allLayers) {
        mlir::emitWarning(op->getLoc()) << "flydel-fold-fpga: not folded: cannot describe it as a layer: " << reason;
        continue;
      }
      return op->emitError() << "flydel-fold-fpga: placed on '" << device.name
                             << "' but cannot be described as a layer: " << reason;
    }
    if (std::string problemText = layer->check(); !problemText.empty())
      return op->emitError() << "flydel-fold-fpga: invalid layer: " << problemText;
    if (!::flydel::isFoldable(*layer)) {
      mlir::emitRemark(op->getLoc()) << "flydel-fold-fpga: " << ::flydel::opKindName(layer->op)
                                     << " has no engine to fold; left as it is";
      continue;
    }
    if (allLayers && (refold || !op->hasAttr(FlydelDialect::kFoldingAttrName)) &&
        !library.findModelFor(device.name, *layer, timeKpi)) {
      mlir::emitRemark(op->getLoc()) << "flydel-fold-fpga: no " << timeKpi << " model for "
                                     << ::flydel::opKindName(layer->op) << " on '" << device.name << "': not folded";
      continue;
    }
    ::flydel::FoldingLayer entry;
    entry.name = nameOf(op);
    std::vector<::flydel::Folding> foldings;
    auto given = refold ? FoldingAttr() : op->getAttrOfType<FoldingAttr>(FlydelDialect::kFoldingAttrName);
    if (given) {
      ::flydel::Folding f{given.getPe(), given.getSimd()};
      if (std::string bad = ::flydel::checkFolding(*layer, f); !bad.empty())
        return op->emitError() << "flydel-fold-fpga: the given folding " << given << " is not legal: " << bad;
      foldings.push_back(f);
      entry.fixed = true;
    } else {
      foldings = ::flydel::legalFoldings(*layer);
    }
    std::vector<std::string> unmodeled, notes;
    auto candidates = ::flydel::evaluateFoldings(library, device.name, *layer, foldings, timeKpi,
                                                 problem.resources, &unmodeled, &notes);
    if (!candidates && allLayers && !entry.fixed) {
      mlir::emitWarning(op->getLoc()) << "flydel-fold-fpga: not folded: " << candidates.error();
      continue;
    }
    if (!candidates)
      return op->emitError() << "flydel-fold-fpga: cannot fold on '" << device.name << "': "
                             << (entry.fixed ? "given folding: " : "") << candidates.error();
    if (!unmodeled.empty())
      mlir::emitWarning(op->getLoc()) << "flydel-fold-fpga: no model for " << llvm::join(unmodeled, ", ") << " of "
                                      << ::flydel::opKindName(layer->op) << " on '" << device.name
                                      << "': not counted in the budget";
    if (!notes.empty())
      mlir::emitRemark(op->getLoc()) << "flydel-fold-fpga: " << notes.size() << " of " << foldings.size()
                                     << " foldings left out (" << notes.front() << (notes.size() > 1 ? "; ..." : "")
                                     << ")";
    entry.candidates = std::move(*candidates);
    problem.layers.push_back(std::move(entry));
    folded.push_back(op);
    unmodeledOf.push_back(std::move(unmodeled));
  }
  if (folded.empty())
    return success();

  ::flydel::FoldingSolution solution = ::flydel::solveFolding(problem);
  if (!solution.feasible)
    return mlir::emitError(module.getLoc()) << "flydel-fold-fpga: the " << folded.size() << " layers on '" << device.name
                              << "' do not fit its budget (" << budgetText << "): " << solution.infeasibility;

  for (auto [index, op] : llvm::enumerate(folded)) {
    const ::flydel::FoldingCandidate &c = problem.layers[index].candidates[solution.choice[index]];
    op->setAttr(FlydelDialect::kFoldingAttrName, FoldingAttr::get(ctx, c.folding.pe, c.folding.simd));
    auto remark = mlir::emitRemark(op->getLoc());
    remark << "flydel-fold-fpga: pe " << c.folding.pe << ", simd " << c.folding.simd
           << (problem.layers[index].fixed ? " (given)" : "") << " on '" << device.name << "': " << timeKpi << " "
           << fmt(c.time);
    for (auto [r, name] : llvm::enumerate(problem.resources))
      remark << ", " << name << " "
             << (llvm::is_contained(unmodeledOf[index], name) ? std::string("not modelled") : fmt(c.use[r]));
    if (static_cast<int>(index) == solution.slowest)
      remark << " (slowest layer)";
    if (c.extrapolated)
      remark << " (extrapolated)";
  }
  auto summary = module.emitRemark();
  summary << "flydel-fold-fpga: " << folded.size() << " layers on '" << device.name << "', objective "
          << ::flydel::foldingObjectiveName(objectiveKind) << ": slowest " << timeKpi << " " << fmt(solution.maxTime)
          << " (" << problem.layers[solution.slowest].name << "), sum " << fmt(solution.totalTime) << "; use";
  for (auto [r, name] : llvm::enumerate(problem.resources))
    summary << (r ? ", " : " ") << name << " " << fmt(solution.use[r]) << " of " << fmt(problem.budget[r]);
  summary << "; proven optimal: " << (solution.optimal ? "yes" : "no");
  return success();
}

} // namespace
