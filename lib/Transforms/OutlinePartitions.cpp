//===- OutlinePartitions.cpp - same-device groups into functions ----------===//

#include "flydel/Dialect/Flydel/IR/FlydelAttrs.h"
#include "flydel/Dialect/Flydel/IR/FlydelDialect.h"
#include "flydel/Dialect/Flydel/IR/FlydelOps.h"
#include "flydel/Interfaces/LayerOpInterface.h"
#include "flydel/Target/Verilog/FpgaOps.h"
#include "flydel/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/EquivalenceClasses.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::flydel {
#define GEN_PASS_DEF_OUTLINEPARTITIONS
#define GEN_PASS_DEF_LOWERTRANSFERS
#define GEN_PASS_DEF_EXTRACTDEVICE
#include "flydel/Transforms/Passes.h.inc"
} // namespace mlir::flydel

using namespace mlir;
using namespace mlir::flydel;

namespace {

struct Partition {
  StringRef device;
  SmallVector<Operation *> ops; // program order
};

struct OutlinePartitionsPass : mlir::flydel::impl::OutlinePartitionsBase<OutlinePartitionsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto platform = module->getAttrOfType<PlatformAttr>(FlydelDialect::kPlatformAttrName);
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> functions(module.getOps<func::FuncOp>());
    for (func::FuncOp function : functions) {
      if (function.isExternal() || function->hasAttr(FlydelDialect::kDeviceAttrName))
        continue; // already a partition
      if (failed(outline(function, platform, symbols)))
        return signalPassFailure();
    }
  }

  LogicalResult outline(func::FuncOp function, PlatformAttr platform, SymbolTable &symbols) {
    if (!function.getBody().hasOneBlock())
      return function.emitError() << "outline-partitions: functions with several blocks are not supported";
    Block &body = function.getBody().front();
    SmallVector<Operation *> ops;
    for (Operation &op : body.without_terminator())
      ops.push_back(&op);
    if (llvm::none_of(ops, [](Operation *op) { return op->hasAttr(FlydelDialect::kDeviceAttrName); }))
      return success(); // nothing assigned here

    // Device of every op: its assignment, else its producer's, else its first user's.
    llvm::DenseMap<Operation *, StringRef> device;
    llvm::DenseMap<Operation *, unsigned> position;
    for (auto [i, op] : llvm::enumerate(ops)) {
      position[op] = i;
      if (auto attr = op->getAttrOfType<DeviceAttr>(FlydelDialect::kDeviceAttrName))
        device[op] = attr.getName().getValue();
    }
    // An unassigned op (no model anywhere, so --assign-devices left it alone) joins a neighbour's device, but not
    // an FPGA whose engines cannot build it (--emit-verilog would refuse the partition): then the host, the
    // platform's first CPU (or GPU).
    auto isFpga = [&](StringRef name) {
      DeviceAttr d = platform ? platform.lookupDevice(name) : DeviceAttr();
      return d && d.getKind() == DeviceKind::fpga;
    };
    llvm::DenseMap<Operation *, std::string> fpgaWhy; // why the FPGA engines cannot build an op (empty: they can)
    auto mayJoin = [&](Operation *op, StringRef name) {
      if (!isFpga(name))
        return true;
      auto it = fpgaWhy.try_emplace(op, checkFpgaBuildable(op)).first;
      return it->second.empty();
    };
    for (Operation *op : ops) {
      if (device.count(op) || isWeightLike(op))
        continue;
      for (Value operand : op->getOperands())
        if (Operation *producer = operand.getDefiningOp();
            producer && device.count(producer) && mayJoin(op, device[producer])) {
          device[op] = device[producer];
          break;
        }
    }
    StringRef host; // the first CPU, else the first GPU
    if (platform)
      for (DeviceKind kind : {DeviceKind::cpu, DeviceKind::gpu})
        for (DeviceAttr d : platform.getDevices())
          if (d.getKind() == kind && host.empty())
            host = d.getName().getValue();
    for (Operation *op : llvm::reverse(ops)) {
      if (device.count(op) || isWeightLike(op))
        continue;
      for (Operation *user : op->getUsers())
        if (device.count(user) && mayJoin(op, device[user])) {
          device[op] = device[user];
          break;
        }
      auto why = fpgaWhy.find(op);
      bool refused = why != fpgaWhy.end() && !why->second.empty();
      if (!device.count(op) && refused && !host.empty())
        device[op] = host;
      if (!device.count(op)) {
        InFlightDiagnostic diag = op->emitError() << "outline-partitions: no device for this op (it has no "
                                                     "flydel.device and neither a placed producer nor a placed user";
        if (refused)
          diag << " that can take it: the FPGA engines cannot build it, " << why->second
               << ", and the platform has no CPU or GPU";
        return diag << ")";
      }
    }

    // Groups: merge an op into the groups of its same-device producers unless that would make the partition
    // graph cyclic; split at max-ops-per-partition.
    SmallVector<Partition> parts;
    llvm::DenseMap<Operation *, int> partOf;
    // deps[p]: partitions p depends on (directly).
    SmallVector<llvm::SmallSetVector<int, 4>> deps;
    auto dependsOn = [&](int from, int to) { // is `to` reachable from `from` following deps
      SmallVector<int> stack{from};
      llvm::DenseSet<int> seen;
      while (!stack.empty()) {
        int p = stack.pop_back_val();
        if (p == to)
          return true;
        if (!seen.insert(p).second)
          continue;
        for (int q : deps[p])
          stack.push_back(q);
      }
      return false;
    };
    for (Operation *op : ops) {
      if (isWeightLike(op))
        continue;
      StringRef dev = device[op];
      llvm::SmallSetVector<int, 4> producerParts;
      for (Value operand : op->getOperands())
        if (Operation *producer = operand.getDefiningOp(); producer && partOf.count(producer))
          producerParts.insert(partOf[producer]);
      // A same-device producer partition the op may join: no other producer partition may depend on it
      // (joining would then close a cycle through that other partition).
      int target = -1;
      for (int p : producerParts) {
        if (parts[p].device != dev)
          continue;
        if (maxOpsPerPartition && parts[p].ops.size() >= maxOpsPerPartition)
          continue;
        bool safe = llvm::none_of(producerParts, [&](int q) { return q != p && dependsOn(q, p); });
        if (safe) {
          target = p;
          break;
        }
      }
      if (target < 0) {
        target = static_cast<int>(parts.size());
        parts.push_back({dev, {}});
        deps.emplace_back();
      }
      parts[target].ops.push_back(op);
      partOf[op] = target;
      for (int p : producerParts)
        if (p != target)
          deps[target].insert(p);
    }

    // Ops fed only by arguments and constants (weight layout transposes, for example) start partitions of
    // their own; fold each such source partition into its consumer's when on the same device and acyclic.
    SmallVector<bool> dead(parts.size(), false);
    for (int src = 0; src < static_cast<int>(parts.size()); ++src) {
      if (!deps[src].empty())
        continue;
      int consumer = -1;
      for (Operation *op : parts[src].ops)
        for (Operation *user : op->getUsers())
          if (Operation *top = body.findAncestorOpInBlock(*user); top && partOf.count(top) && partOf[top] != src) {
            consumer = partOf[top];
            break;
          }
      if (consumer < 0 || parts[consumer].device != parts[src].device)
        continue;
      if (maxOpsPerPartition && parts[consumer].ops.size() + parts[src].ops.size() > maxOpsPerPartition)
        continue;
      bool safe = true;
      for (int other = 0; other < static_cast<int>(parts.size()) && safe; ++other)
        if (other != consumer && !dead[other] && deps[other].contains(src) && dependsOn(consumer, other))
          safe = false;
      if (!safe)
        continue;
      for (Operation *op : parts[src].ops)
        partOf[op] = consumer;
      parts[consumer].ops.append(parts[src].ops.begin(), parts[src].ops.end());
      llvm::sort(parts[consumer].ops, [&](Operation *a, Operation *b) { return position[a] < position[b]; });
      parts[src].ops.clear();
      dead[src] = true;
      for (auto &d : deps)
        if (d.remove(src))
          d.insert(consumer);
      deps[consumer].remove(consumer);
    }

    // Partitions in a topological order of their dependencies (creation order already is one: a partition only
    // gains dependencies on partitions that existed before the op that added them, and no cycle was allowed).
    SmallVector<int> order;
    {
      SmallVector<int> state(parts.size(), 0);
      std::function<void(int)> visit = [&](int p) {
        if (state[p])
          return;
        state[p] = 1;
        for (int q : deps[p])
          visit(q);
        order.push_back(p);
      };
      for (int p = 0; p < static_cast<int>(parts.size()); ++p)
        if (!dead[p])
          visit(p);
    }

    OpBuilder builder(function.getContext());
    IRMapping callerMap; // original value -> value in the caller after outlining
    // (value, destination device) -> transferred value
    llvm::DenseMap<std::pair<Value, StringRef>, Value> transferred;
    builder.setInsertionPoint(body.getTerminator());
    Location loc = function.getLoc();
    int index = 0;
    for (int p : order) {
      Partition &part = parts[p];
      llvm::SmallPtrSet<Operation *, 16> inPart(part.ops.begin(), part.ops.end());
      // Inputs: values from outside the partition (constants are cloned instead); outputs: values used outside.
      llvm::SetVector<Value> inputs, outputs;
      llvm::SetVector<Operation *> constants;
      for (Operation *op : part.ops) {
        op->walk([&](Operation *nested) {
          for (Value operand : nested->getOperands()) {
            Operation *def = operand.getDefiningOp();
            if (def && (inPart.contains(def) || op->isAncestor(def)))
              continue; // produced inside the partition, or inside the op's own regions
            if (auto arg = dyn_cast<BlockArgument>(operand); arg && arg.getOwner() != &body)
              continue; // a block argument of a region inside the op
            if (def && isWeightLike(def))
              constants.insert(def);
            else
              inputs.insert(operand);
          }
        });
        for (Value result : op->getResults())
          for (Operation *user : result.getUsers())
            if (!inPart.contains(body.findAncestorOpInBlock(*user)))
              outputs.insert(result);
      }
      // The partition function.
      std::string name = (function.getName() + "_p" + Twine(index++) + "_" + part.device).str();
      OpBuilder moduleBuilder(function);
      auto types = [](auto values) {
        SmallVector<Type> t;
        for (Value v : values)
          t.push_back(v.getType());
        return t;
      };
      auto callee = func::FuncOp::create(moduleBuilder, function.getLoc(), name,
                                         moduleBuilder.getFunctionType(types(inputs), types(outputs)));
      callee.setPrivate();
      DeviceAttr deviceAttr;
      if (platform)
        if (DeviceAttr d = platform.lookupDevice(part.device))
          deviceAttr = DeviceAttr::get(function.getContext(), d.getName(), d.getKind(), DictionaryAttr());
      if (!deviceAttr)
        return function.emitError() << "outline-partitions: device '" << part.device
                                    << "' is not a device of the module's flydel.platform";
      callee->setAttr(FlydelDialect::kDeviceAttrName, deviceAttr);
      symbols.insert(callee);
      Block *entry = callee.addEntryBlock();
      OpBuilder inner = OpBuilder::atBlockBegin(entry);
      IRMapping map;
      for (auto [value, arg] : llvm::zip(inputs, entry->getArguments()))
        map.map(value, arg);
      for (Operation *constant : constants)
        inner.clone(*constant, map);
      for (Operation *op : part.ops)
        inner.clone(*op, map);
      SmallVector<Value> returned;
      for (Value output : outputs)
        returned.push_back(map.lookup(output));
      func::ReturnOp::create(inner, loc, returned);

      // The call, with transfers for inputs produced on another device.
      SmallVector<Value> operands;
      for (Value input : inputs) {
        Value value = callerMap.lookupOrDefault(input);
        Operation *def = input.getDefiningOp();
        StringRef from = def ? device.lookup(def) : StringRef();
        if (!from.empty() && from != part.device) {
          auto key = std::make_pair(value, part.device);
          auto it = transferred.find(key);
          if (it == transferred.end()) {
            LinkAttr link = platform ? platform.lookupLink(from, part.device) : LinkAttr();
            if (!link)
              return def->emitError() << "outline-partitions: its result moves from '" << from << "' to '"
                                      << part.device << "', but the platform has no such link";
            double bytes = getValueBytes(input);
            EstimateAttr energy;
            if (link.getEnergyUjFixed())
              energy = EstimateAttr::get(function.getContext(),
                                         link.getEnergyUjFixed().getValueAsDouble() +
                                             link.getEnergyUjPerKib().getValueAsDouble() * bytes / 1024.0);
            auto cost = KpiAttr::get(function.getContext(),
                                     EstimateAttr::get(function.getContext(), link.getLatencyUs(bytes)), energy,
                                     DictionaryAttr(), 0);
            auto transfer = TransferOp::create(builder, input.getLoc(), value.getType(), value,
                                               builder.getStringAttr(from), builder.getStringAttr(part.device),
                                               builder.getI64IntegerAttr(static_cast<int64_t>(bytes)), cost,
                                               link.getAssumed() ? builder.getUnitAttr() : UnitAttr());
            it = transferred.try_emplace(key, transfer.getResult()).first;
          }
          value = it->second;
        }
        operands.push_back(value);
      }
      auto call = func::CallOp::create(builder, loc, callee, operands);
      call->setAttr(FlydelDialect::kDeviceAttrName, deviceAttr);
      for (auto [output, result] : llvm::zip(outputs, call.getResults()))
        callerMap.map(output, result);
    }

    // The function's results come from the calls; the original ops go.
    Operation *terminator = body.getTerminator();
    for (OpOperand &operand : terminator->getOpOperands()) {
      Value value = operand.get();
      if (Operation *def = value.getDefiningOp(); def && isWeightLike(def) && def->getBlock() == &body) {
        builder.setInsertionPoint(terminator);
        operand.set(builder.clone(*def)->getResult(0));
        continue;
      }
      operand.set(callerMap.lookupOrDefault(value));
    }
    for (Operation *op : llvm::reverse(ops)) {
      op->dropAllUses();
      op->erase();
    }
    return success();
  }
};

struct ExtractDevicePass : mlir::flydel::impl::ExtractDeviceBase<ExtractDevicePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (device.empty()) {
      module.emitError() << "flydel-extract-device: the device option is required";
      return signalPassFailure();
    }
    bool host = device == "host";
    int kept = 0;
    for (func::FuncOp function : llvm::make_early_inc_range(module.getOps<func::FuncOp>())) {
      auto tag = function->getAttrOfType<DeviceAttr>(FlydelDialect::kDeviceAttrName);
      bool partition = static_cast<bool>(tag);
      if (host) {
        if (partition && !function.isExternal()) {
          function.eraseBody(); // the caller keeps calling it; its code lives in the device's module
          function.setPrivate();
        }
        kept += !partition;
        continue;
      }
      if (partition && tag.getName().getValue() == device) {
        function.setPublic(); // entry points of the device module
        ++kept;
      } else {
        function.erase();
      }
    }
    if (kept == 0) {
      module.emitError() << "flydel-extract-device: no " << (host ? std::string("host function")
                                                                   : "partition on device '" + device + "'");
      return signalPassFailure();
    }
  }
};

struct LowerTransfersPass : mlir::flydel::impl::LowerTransfersBase<LowerTransfersPass> {
  void runOnOperation() override {
    getOperation().walk([](TransferOp transfer) {
      transfer.getResult().replaceAllUsesWith(transfer.getInput());
      transfer.erase();
    });
  }
};

} // namespace
