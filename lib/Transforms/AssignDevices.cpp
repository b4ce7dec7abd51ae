//===- AssignDevices.cpp - choose a device for every annotated op ---------===//
//
// Builds a flydel::AssignmentProblem from annotated IR (per-op KPIs per device, what the FPGA engines can build, the
// platform's links and capacities, pins), solves it with the MLIR-free solver and writes the result back as
// flydel.device attributes, remarks and a per-function summary.
//
//===----------------------------------------------------------------------===//

#include "flydel/Dialect/Flydel/IR/FlydelAttrs.h"
#include "flydel/Dialect/Flydel/IR/FlydelDialect.h"
#include "flydel/Interfaces/LayerOpInterface.h"
#include "flydel/Partition/Assignment.h"
#include "flydel/Target/Verilog/FpgaOps.h"
#include "flydel/Transforms/Passes.h"
#include "flydel/Transforms/Placement.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include <algorithm>
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Format.h"

#include <cmath>

namespace mlir::flydel {
#define GEN_PASS_DEF_ASSIGNDEVICES
#include "flydel/Transforms/Passes.h.inc"
} // namespace mlir::flydel

using namespace mlir;
using namespace mlir::flydel;

namespace {

double resultBytes(Operation *op) {
  double bytes = 0;
  for (Value result : op->getResults())
    bytes += getValueBytes(result);
  return bytes;
}

std::string fmt(double v) {
  std::string text;
  llvm::raw_string_ostream(text) << llvm::format(v >= 100 ? "%.1f" : "%.4g", v);
  return text;
}

struct AssignDevicesPass : mlir::flydel::impl::AssignDevicesBase<AssignDevicesPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto platform = module->getAttrOfType<PlatformAttr>(FlydelDialect::kPlatformAttrName);
    if (!platform) {
      mlir::emitError(module.getLoc()) << "assign-devices: the module has no flydel.platform (run --annotate-kpis first)";
      return signalPassFailure();
    }
    ::flydel::Objective objectiveKind;
    ::flydel::ScheduleMode modeKind;
    if (!::flydel::parseObjective(objective, objectiveKind)) {
      mlir::emitError(module.getLoc()) << "assign-devices: unknown objective '" << objective
                         << "' (expected latency, energy, edp or weighted)";
      return signalPassFailure();
    }
    if (!::flydel::parseScheduleMode(mode, modeKind)) {
      mlir::emitError(module.getLoc()) << "assign-devices: unknown mode '" << mode << "' (expected sequential or pipelined)";
      return signalPassFailure();
    }
    if (!isDiagnosticsMode(diagnostics)) {
      mlir::emitError(module.getLoc()) << "assign-devices: unknown diagnostics mode '" << diagnostics
                                       << "' (expected summary, per-op or none)";
      return signalPassFailure();
    }
    if (!(weight >= 0 && weight <= 1) || !(reserve >= 0 && reserve < 1)) {
      mlir::emitError(module.getLoc()) << "assign-devices: weight must be in [0, 1] and reserve in [0, 1)";
      return signalPassFailure();
    }
    llvm::StringMap<std::string> pinned;
    if (!pins.empty() && failed(loadPins(module, platform, pinned)))
      return signalPassFailure();

    llvm::StringSet<> pinsUsed;
    bool annotatedAny = false;
    for (auto function : module.getOps<FunctionOpInterface>()) {
      if (function.isExternal())
        continue;
      LogicalResult result = assignFunction(function, platform, objectiveKind, modeKind, pinned, pinsUsed,
                                            annotatedAny);
      if (failed(result))
        return signalPassFailure();
    }
    if (!annotatedAny) {
      mlir::emitError(module.getLoc()) << "assign-devices: no op carries flydel.kpis (run --annotate-kpis first)";
      return signalPassFailure();
    }
    for (const auto &pin : pinned)
      if (!pinsUsed.contains(pin.getKey())) {
        mlir::emitError(module.getLoc()) << "assign-devices: pin '" << pin.getKey() << "' matches no annotated op";
        return signalPassFailure();
      }
  }

  LogicalResult loadPins(ModuleOp module, PlatformAttr platform, llvm::StringMap<std::string> &pinned) {
    std::string error;
    auto read = readPins(
        pins, [&](StringRef device) { return static_cast<bool>(platform.lookupDevice(device)); },
        platform.getName().getValue(), error);
    if (!read)
      return mlir::emitError(module.getLoc()) << "assign-devices: " << error;
    pinned = std::move(*read);
    return success();
  }

  LogicalResult assignFunction(FunctionOpInterface function, PlatformAttr platform, ::flydel::Objective objectiveKind,
                               ::flydel::ScheduleMode modeKind, const llvm::StringMap<std::string> &pinned,
                               llvm::StringSet<> &pinsUsed, bool &annotatedAny) {
    MLIRContext *ctx = function.getContext();
    ArrayRef<DeviceAttr> devices = platform.getDevices();
    int numDevices = static_cast<int>(devices.size());
    if (numDevices > 8)
      return function.emitError() << "assign-devices: at most 8 devices are supported";

    ::flydel::AssignmentProblem problem;
    problem.numDevices = numDevices;
    problem.objective = objectiveKind;
    problem.mode = modeKind;
    problem.weight = weight;
    for (DeviceAttr device : devices)
      problem.deviceNames.push_back(device.getName().str());
    problem.links.assign(numDevices, std::vector<::flydel::LinkCost>(numDevices));
    for (int a = 0; a < numDevices; ++a)
      for (int b = 0; b < numDevices; ++b)
        if (LinkAttr link = platform.lookupLink(problem.deviceNames[a], problem.deviceNames[b])) {
          ::flydel::LinkCost &cost = problem.links[a][b];
          cost.available = true;
          cost.latencyFixedUs = link.getLatencyUsFixed().getValueAsDouble();
          cost.latencyPerByteUs = link.getLatencyUsPerKib().getValueAsDouble() / 1024.0;
          if (link.getEnergyUjFixed()) {
            cost.hasEnergy = true;
            cost.energyFixedUj = link.getEnergyUjFixed().getValueAsDouble();
            cost.energyPerByteUj = link.getEnergyUjPerKib().getValueAsDouble() / 1024.0;
          }
        }
    for (auto [index, device] : llvm::enumerate(devices))
      if (DictionaryAttr capacities = device.getCapacities())
        for (NamedAttribute capacity : capacities)
          problem.budgets.push_back({capacity.getName().str(), static_cast<int>(index),
                                     double(cast<IntegerAttr>(capacity.getValue()).getInt()) * (1.0 - reserve)});

    // Nodes: every op with predictions, in program order.
    SmallVector<Operation *> ops;
    llvm::DenseMap<Operation *, int> nodeOf;
    function->walk([&](Operation *op) {
      if (op->hasAttr(FlydelDialect::kKpisAttrName)) {
        nodeOf[op] = static_cast<int>(ops.size());
        ops.push_back(op);
      }
    });
    if (ops.empty())
      return success();
    annotatedAny = true;

    // Pins by layer name. An importer names every op of one ONNX node after it, so a name can cover the layer and
    // layout ops around it (the weight tosa.transpose of a *_noweights model shares its conv's name): the pin goes
    // to the ops of that name that compute, and to layout ops only when no op of that name computes. Ops of one
    // node are consecutive; computing ops of one name in two separate places are two layers, and the pin is
    // ambiguous.
    std::vector<bool> pinnedByName(ops.size(), false);
    {
      llvm::StringMap<SmallVector<int>> opsNamed;
      for (auto [index, op] : llvm::enumerate(ops))
        opsNamed[pinNameOf(op)].push_back(static_cast<int>(index));
      for (const auto &entry : pinned) {
        auto it = opsNamed.find(entry.getKey());
        if (it == opsNamed.end())
          continue;
        SmallVector<int> computing;
        for (int i : it->second)
          if (!isLayoutOp(ops[i]))
            computing.push_back(i);
        SmallVector<int> &targets = computing.empty() ? it->second : computing;
        for (size_t k = 1; k < targets.size(); ++k)
          for (int between = targets[k - 1] + 1; between < targets[k]; ++between)
            if (std::string other = pinNameOf(ops[between]); other != entry.getKey())
              return ops[targets[k]]->emitError()
                     << "assign-devices: pin '" << entry.getKey() << "' is ambiguous: it names two layers ("
                     << ops[targets[k - 1]]->getName() << " and " << ops[targets[k]]->getName()
                     << ") with layer '" << other << "' between them; rename one";
        for (int i : targets)
          pinnedByName[i] = true;
      }
    }

    SmallVector<StringAttr, 4> deviceNameAttrs;
    for (const std::string &name : problem.deviceNames)
      deviceNameAttrs.push_back(StringAttr::get(ctx, name));
    bool needLatency = objectiveKind != ::flydel::Objective::Energy;
    bool needEnergy = objectiveKind != ::flydel::Objective::Latency;
    bool anyFpga = llvm::any_of(devices, [](DeviceAttr d) { return d.getKind() == DeviceKind::fpga; });
    // Per op: why the FPGA engines cannot build it (empty: they can), for its remark.
    std::vector<std::string> fpgaWhy(ops.size());
    int unmodeled = 0;
    problem.nodes.reserve(ops.size());
    for (size_t index = 0; index < ops.size(); ++index) {
      Operation *op = ops[index];
      auto kpis = op->getAttrOfType<DictionaryAttr>(FlydelDialect::kKpisAttrName);
      ::flydel::AssignmentNode node;
      for (auto *perDevice : {&node.latencyUs, &node.energyUj})
        perDevice->reserve(numDevices);
      node.resources.reserve(numDevices);
      node.name = pinNameOf(op);
      node.outputBytes = resultBytes(op);
      // The rule --emit-verilog builds by (flydel/Fpga/Capability.h): an op the engines cannot build is, on an
      // FPGA, like an op without a model there. A folded batch norm goes to an FPGA only with its convolution.
      int foldInto = -1;
      if (anyFpga) {
        fpgaWhy[index] = checkFpgaBuildable(op);
        if (Operation *target = getFpgaFoldTarget(op); target && fpgaWhy[index].empty()) {
          if (auto it = nodeOf.find(target); it != nodeOf.end())
            foldInto = it->second;
          else
            fpgaWhy[index] = "it folds into an op without flydel.kpis, which is not assigned";
        }
      }
      auto excluded = [&](int d) { return devices[d].getKind() == DeviceKind::fpga && !fpgaWhy[index].empty(); };
      // Each device's entry, looked up once (a dictionary search by name).
      SmallVector<KpiAttr, 4> kpiOn(numDevices);
      for (int d = 0; d < numDevices; ++d)
        kpiOn[d] = kpis.getAs<KpiAttr>(deviceNameAttrs[d]);
      auto estimate = [&](int d, bool latency) -> EstimateAttr {
        if (excluded(d))
          return {};
        KpiAttr kpi = kpiOn[d];
        if (!kpi)
          return {};
        return latency ? kpi.getLatencyUs() : kpi.getEnergyUj();
      };
      auto modeledSomewhere = [&](bool latency) {
        for (int d = 0; d < numDevices; ++d)
          if (EstimateAttr e = estimate(d, latency); e && e.hasModel())
            return true;
        return false;
      };
      bool latencyModeled = modeledSomewhere(true), energyModeled = modeledSomewhere(false);
      if ((needLatency && !latencyModeled) || (needEnergy && !energyModeled))
        ++unmodeled;
      for (int d = 0; d < numDevices; ++d) {
        EstimateAttr lat = estimate(d, true), en = estimate(d, false);
        bool hasLat = lat && lat.hasModel(), hasEn = en && en.hasModel();
        KpiAttr deviceKpi = kpiOn[d];
        // A layer that does not fit the device (a resource over its capacity) cannot be placed there.
        bool allowed = deviceKpi && !deviceKpi.isInfeasible() && !excluded(d);
        if (needLatency && latencyModeled && !hasLat)
          allowed = false;
        if (needEnergy && energyModeled && !hasEn)
          allowed = false;
        node.allowed.push_back(allowed);
        node.latencyUs.push_back(hasLat ? lat.getValueAsDouble() : 0.0);
        node.energyUj.push_back(hasEn ? en.getValueAsDouble() : 0.0);
        node.latencyKnown.push_back(hasLat);
        node.energyKnown.push_back(hasEn);
        std::vector<double> usage;
        usage.reserve(problem.budgets.size());
        for (const auto &budget : problem.budgets) {
          double used = 0;
          if (budget.device == d)
            if (KpiAttr kpi = kpiOn[d])
              if (EstimateAttr r = kpi.getResource(budget.resource); r && r.hasModel()) {
                used = r.getValueAsDouble();
                // Over a capacity that spills (the op still fits): the measured designs use all of it and map the
                // rest onto other resources, which their own models count.
                if (r.getExceedsCapacity())
                  if (DictionaryAttr caps = devices[d].getCapacities())
                    if (auto cap = caps.getAs<IntegerAttr>(budget.resource))
                      used = std::min(used, double(cap.getInt()));
              }
          usage.push_back(used);
        }
        node.resources.push_back(std::move(usage));
      }
      if (foldInto >= 0) {
        node.sameDeviceAs.assign(numDevices, -1);
        for (int d = 0; d < numDevices; ++d)
          if (devices[d].getKind() == DeviceKind::fpga)
            node.sameDeviceAs[d] = foldInto;
      }
      // Pins: an assignment already in the IR, or the pins file by layer name.
      std::string pin;
      if (auto device = op->getAttrOfType<DeviceAttr>(FlydelDialect::kDeviceAttrName))
        pin = device.getName().str();
      if (pinnedByName[index]) {
        pin = pinned.lookup(node.name);
        pinsUsed.insert(node.name);
      }
      if (!pin.empty()) {
        int d = static_cast<int>(llvm::find(problem.deviceNames, pin) - problem.deviceNames.begin());
        if (d == numDevices)
          return op->emitError() << "assign-devices: pinned to device '" << pin << "', which platform '"
                                 << platform.getName().getValue() << "' does not have";
        if (excluded(d))
          return op->emitError() << "assign-devices: pinned to device '" << pin
                                 << "', whose engines cannot build it: " << fpgaWhy[index];
        if (auto pinnedKpi = kpis.getAs<KpiAttr>(pin); pinnedKpi && pinnedKpi.isInfeasible()) {
          InFlightDiagnostic diag = op->emitError() << "assign-devices: pinned to device '" << pin
                                                    << "', which it does not fit";
          if (StringAttr why = pinnedKpi.getNote())
            diag << " (" << why.getValue() << ")";
          return diag;
        }
        if (!node.allowed[d])
          return op->emitError() << "assign-devices: pinned to device '" << pin
                                 << "', where it has no model for the objective's KPIs";
        // A folded batch norm's mul / add is built inside its convolution: that one must be able to go there too.
        if (!node.sameDeviceAs.empty() && node.sameDeviceAs[d] >= 0 && !problem.nodes[node.sameDeviceAs[d]].allowed[d])
          return op->emitError() << "assign-devices: pinned to device '" << pin
                                 << "', where it is built only inside '" << problem.nodes[node.sameDeviceAs[d]].name
                                 << "', which cannot go there";
        for (int other = 0; other < numDevices; ++other)
          node.allowed[other] = other == d;
      }
      if (llvm::none_of(node.allowed, [](bool a) { return a; })) {
        InFlightDiagnostic diag = op->emitError() << "assign-devices: no device of platform '"
                                                  << platform.getName().getValue() << "' can run this op";
        if (!fpgaWhy[index].empty())
          diag << " (the FPGA engines cannot build it: " << fpgaWhy[index] << ")";
        return diag;
      }
      problem.nodes.push_back(std::move(node));
    }

    // Edges: producer -> consumer between annotated ops; ops without predictions (casts, ...) are looked through,
    // constants are weights and cost no transfer.
    for (auto [index, op] : llvm::enumerate(ops)) {
      SmallVector<Value> worklist(op->getOperands());
      llvm::SmallPtrSet<Operation *, 8> seen;
      while (!worklist.empty()) {
        Value value = worklist.pop_back_val();
        Operation *producer = value.getDefiningOp();
        if (!producer || !seen.insert(producer).second || isWeightLike(producer))
          continue;
        if (auto it = nodeOf.find(producer); it != nodeOf.end()) {
          problem.edges.push_back({it->second, static_cast<int>(index)});
          continue;
        }
        worklist.append(producer->operand_begin(), producer->operand_end());
      }
    }

    ::flydel::SolverOptions options;
    options.timeLimitMs = timeLimitMs;
    ::flydel::AssignmentSolution solution = ::flydel::solveAssignment(problem, options);
    if (!solution.feasible)
      return function.emitError() << "assign-devices: no feasible assignment: " << solution.infeasibility;

    // Write back (with diagnostics=per-op, one remark per op).
    const bool perOp = diagnostics == "per-op";
    int keptOffFpga = 0;
    size_t firstOffFpga = 0;
    for (auto [index, op] : llvm::enumerate(ops)) {
      const ::flydel::AssignmentNode &node = problem.nodes[index];
      int d = solution.devices[index];
      DeviceAttr chosen = devices[d];
      op->setAttr(FlydelDialect::kDeviceAttrName,
                  DeviceAttr::get(ctx, chosen.getName(), chosen.getKind(), DictionaryAttr()));
      if (!fpgaWhy[index].empty() && !keptOffFpga++)
        firstOffFpga = index;
      if (!perOp)
        continue;
      // The op's own share of the objective on a device (transfers aside): what the remark compares.
      auto nodeCost = [&](int dev) {
        return objectiveKind == ::flydel::Objective::Energy    ? node.energyUj[dev]
               : objectiveKind == ::flydel::Objective::Latency ? node.latencyUs[dev]
               : objectiveKind == ::flydel::Objective::Weighted
                   ? weight * node.latencyUs[dev] + (1 - weight) * node.energyUj[dev]
                   : node.latencyUs[dev] * node.energyUj[dev];
      };
      int alternative = -1;
      for (int other = 0; other < numDevices; ++other)
        if (other != d && node.allowed[other] && (alternative < 0 || nodeCost(other) < nodeCost(alternative)))
          alternative = other;
      auto describe = [&](int dev) {
        return "'" + problem.deviceNames[dev] + "' (latency " + fmt(node.latencyUs[dev]) + " us, energy " +
               fmt(node.energyUj[dev]) + " uJ)";
      };
      bool opUnmodeled = !llvm::is_contained(node.latencyKnown, true) && !llvm::is_contained(node.energyKnown, true);
      // At the op's location, without the op: printing the op walks its function, which made one remark per op
      // quadratic in the function's size.
      InFlightDiagnostic remark = mlir::emitRemark(op->getLoc());
      if (opUnmodeled)
        remark << "assigned to '" << problem.deviceNames[d] << "' (no model on any device: placed to avoid transfers)";
      else
        remark << "assigned to " << describe(d);
      if (alternative >= 0 && !opUnmodeled)
        remark << "; best alternative " << describe(alternative);
      else if (alternative < 0)
        remark << "; no other device possible";
      if (!fpgaWhy[index].empty())
        remark << "; not on an FPGA, its engines cannot build it: " << fpgaWhy[index];
    }

    // Summary: the chosen assignment and every single-device baseline.
    Builder b(ctx);
    // A sum with no predicted term is no_model, never 0; with missing terms it is a lower bound
    // (::flydel::AssignmentCost counts them), which the remark says and the summary records.
    auto kpiOf = [&](const ::flydel::AssignmentCost &cost) {
      return KpiAttr::get(
          ctx, cost.latencyKnownNodes ? EstimateAttr::get(ctx, cost.latencyUs) : EstimateAttr::getNoModel(ctx),
          cost.energyKnownNodes ? EstimateAttr::get(ctx, cost.energyUj) : EstimateAttr::getNoModel(ctx),
          DictionaryAttr(), 0);
    };
    auto describeCost = [&](const ::flydel::AssignmentCost &cost) {
      auto text = [&](const char *name, double value, const char *unit, int known, int missingNodes,
                      int missingTransfers) {
        if (!known)
          return std::string(name) + " unavailable";
        std::string t = std::string(name) + " " + fmt(value) + " " + unit;
        if (missingNodes || missingTransfers)
          t += " (lower bound: " + std::to_string(missingNodes) + " ops and " + std::to_string(missingTransfers) +
               " transfers without a model)";
        return t;
      };
      return text("latency", cost.latencyUs, "us", cost.latencyKnownNodes, cost.latencyMissingNodes, 0) + ", " +
             text("energy", cost.energyUj, "uJ", cost.energyKnownNodes, cost.energyMissingNodes,
                  cost.energyMissingTransfers);
    };
    NamedAttrList baselines;
    std::string baselineText;
    std::vector<std::vector<int>> singleDevice;
    for (int d = 0; d < numDevices; ++d)
      singleDevice.emplace_back(problem.nodes.size(), d);
    std::vector<::flydel::AssignmentCost> baselineCosts = ::flydel::evaluateAssignments(problem, singleDevice);
    for (int d = 0; d < numDevices; ++d) {
      const ::flydel::AssignmentCost &cost = baselineCosts[d];
      if (cost.feasible) {
        baselines.append(problem.deviceNames[d], kpiOf(cost));
        baselineText += "; all-" + problem.deviceNames[d] + " " + describeCost(cost);
      } else {
        baselines.append(problem.deviceNames[d], b.getStringAttr("infeasible: " + cost.infeasibility));
        baselineText += "; all-" + problem.deviceNames[d] + " infeasible";
      }
    }
    SmallVector<int64_t> counts(numDevices, 0);
    for (int d : solution.devices)
      ++counts[d];
    NamedAttrList placed;
    for (int d = 0; d < numDevices; ++d)
      placed.append(problem.deviceNames[d], b.getI64IntegerAttr(counts[d]));
    NamedAttrList summary;
    summary.append("objective", b.getStringAttr(objective));
    summary.append("mode", b.getStringAttr(mode));
    if (objectiveKind == ::flydel::Objective::Weighted)
      summary.append("weight", b.getF64FloatAttr(weight));
    summary.append("optimal", b.getBoolAttr(solution.optimal));
    summary.append("gap", b.getF64FloatAttr(solution.gap));
    summary.append("method", b.getStringAttr(solution.method));
    if (!solution.stoppedBy.empty())
      summary.append("stopped_by", b.getStringAttr(solution.stoppedBy));
    summary.append("solve_ms", b.getF64FloatAttr(solution.solveMs));
    const ::flydel::AssignmentCost &chosen = solution.cost;
    summary.append("chosen", kpiOf(chosen));
    if (chosen.latencyKnownNodes && chosen.latencyMissingNodes)
      summary.append("latency_missing_ops", b.getI64IntegerAttr(chosen.latencyMissingNodes));
    if (chosen.energyKnownNodes && chosen.energyMissingNodes)
      summary.append("energy_missing_ops", b.getI64IntegerAttr(chosen.energyMissingNodes));
    if (chosen.energyKnownNodes && chosen.energyMissingTransfers)
      summary.append("energy_missing_transfers", b.getI64IntegerAttr(chosen.energyMissingTransfers));
    // Pipelined: each stage's load, so that a user sees which device or link sets the period. Not when no op has a
    // latency model: the period is no_model then, and loads of 0 would read as measured.
    std::string busiest;
    if (modeKind == ::flydel::ScheduleMode::Pipelined && solution.feasible && solution.cost.latencyKnownNodes > 0) {
      std::vector<::flydel::StageLoad> loads = ::flydel::stageLoads(problem, solution.devices);
      NamedAttrList stages;
      double period = 0;
      for (const ::flydel::StageLoad &stage : loads) {
        stages.append(stage.stage, b.getF64FloatAttr(stage.latencyUs));
        period = std::max(period, stage.latencyUs);
      }
      for (const ::flydel::StageLoad &stage : loads) // every stage at the period: a tie names them all
        if (stage.latencyUs == period)
          busiest += (busiest.empty() ? "" : " and ") + stage.stage;
      summary.append("stage_latency_us", stages.getDictionary(ctx));
    }
    summary.append("baselines", baselines.getDictionary(ctx));
    summary.append("ops", placed.getDictionary(ctx));
    summary.append("unmodeled_ops", b.getI64IntegerAttr(unmodeled));
    function->setAttr(FlydelDialect::kAssignmentAttrName, summary.getDictionary(ctx));
    if (diagnostics == "none")
      return success();
    // At the function's location, without the function: printing it would copy the whole function to the output.
    InFlightDiagnostic remark = mlir::emitRemark(function.getLoc());
    remark << "assignment (" << objective << ", " << mode << ", "
           << (solution.optimal
                   ? "optimal"
                   : "not proven optimal (" + solution.stoppedBy + "), gap " + fmt(100 * solution.gap) + " %")
           << ", " << solution.method << ", " << fmt(solution.solveMs) << " ms): " << describeCost(solution.cost)
           << (busiest.empty() ? "" : "; the period is set by " + busiest) << baselineText << "; " << unmodeled
           << " ops without a model are not counted";
    if (!perOp) {
      remark << "; ops placed:";
      for (int d = 0; d < numDevices; ++d)
        remark << (d ? ", " : " ") << problem.deviceNames[d] << " " << counts[d];
      if (keptOffFpga)
        remark << "; " << keptOffFpga
               << " kept off an FPGA, whose engines cannot build them (first: " << ops[firstOffFpga]->getLoc() << " ("
               << ops[firstOffFpga]->getName() << "): " << fpgaWhy[firstOffFpga] << ")";
      remark << " [--assign-devices=\"diagnostics=per-op\" gives each op's device, cost and best alternative]";
    }
    return success();
  }
};

} // namespace
