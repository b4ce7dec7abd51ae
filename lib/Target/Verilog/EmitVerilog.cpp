//===- EmitVerilog.cpp - FPGA partitions (TOSA) to SystemVerilog ----------===//
//
// Two steps: the function's TOSA ops become a graph of engines with f32 weights (batch-norm constants, clamps
// folded in), then the graph is quantised (weights per tensor, activations by the stated range) into a
// flydel::fpga::Partition, which the MLIR-free generator turns into Verilog.
//
//===----------------------------------------------------------------------===//
#include "flydel/Target/Verilog/EmitVerilog.h"
#include "flydel/Target/Verilog/FpgaOps.h"

#include "flydel/Dialect/Flydel/IR/FlydelAttrs.h"
#include "flydel/Dialect/Flydel/IR/FlydelDialect.h"
#include "flydel/Interfaces/LayerOpInterface.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

#include <cctype>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

using namespace mlir;
using namespace mlir::flydel;
namespace fpga = ::flydel::fpga;
using fpga::EngineConfig;
using fpga::EngineKind;
using fpga::OpClass;
using fpga::StreamRef;

namespace {

struct ConstValues {
  std::vector<float> values;
  SmallVector<int64_t> shape;
  bool missing = false; // elided zero splat or dense_resource without its blob
};

// Every diagnostic names the op it is on: the location alone does not say which op of a line is at fault.
InFlightDiagnostic opError(Operation *op) {
  return op->emitError() << "emit-verilog: '" << op->getName() << "': ";
}

// NaN or infinity would quantise to an arbitrary int8 (std::lround's result is unspecified): not a silent ROM.
bool allFinite(ArrayRef<float> values) {
  return llvm::all_of(values, [](float v) { return std::isfinite(v); });
}

// The f32 values of a constant operand; failure (with a diagnostic on `user`) when it is not a constant.
FailureOr<ConstValues> readConst(Operation *user, Value value, StringRef what) {
  Operation *def = value.getDefiningOp();
  ElementsAttr attr;
  if (auto c = dyn_cast_or_null<tosa::ConstOp>(def))
    attr = c.getValues();
  else if (!def || !matchPattern(value, m_Constant(&attr)))
    return opError(user) << "the " << what << " must be a constant";
  auto type = cast<ShapedType>(attr.getType());
  if (!type.getElementType().isF32())
    return opError(user) << "the " << what << " must be f32, got " << type.getElementType();
  ConstValues out;
  out.shape.assign(type.getShape().begin(), type.getShape().end());
  out.missing = isElidedConstant(attr);
  int64_t n = type.getNumElements();
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (dense.isSplat()) {
      out.values.assign(n, dense.getSplatValue<float>());
    } else {
      out.values.assign(dense.getValues<float>().begin(), dense.getValues<float>().end());
    }
    if (!allFinite(out.values))
      return opError(user) << "the " << what << " has a NaN or infinite value";
    return out;
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob) { // elided (out.missing)
      out.values.assign(n, 0.0f);
      return out;
    }
    ArrayRef<char> data = blob->getData();
    if (data.size() != static_cast<size_t>(n) * sizeof(float))
      return opError(user) << "the " << what << "'s resource blob has " << data.size() << " bytes, expected "
                           << n * 4;
    out.values.resize(n);
    std::memcpy(out.values.data(), data.data(), data.size());
    if (!allFinite(out.values))
      return opError(user) << "the " << what << " has a NaN or infinite value";
    return out;
  }
  return opError(user) << "the " << what << " has an unsupported constant encoding";
}

// A node before quantisation.
struct FloatNode {
  Operation *op = nullptr; // the op it came from: diagnostics
  std::string name;
  EngineConfig config;
  std::vector<float> weights, bias;
  bool placeholder = false;
  float clampLo = -std::numeric_limits<float>::infinity(), clampHi = std::numeric_limits<float>::infinity();
  bool clamped = false;
  std::vector<StreamRef> operands;
};

struct PartitionBuilder {
  func::FuncOp function;
  const VerilogEmitOptions &options;
  std::vector<FloatNode> nodes;
  llvm::DenseMap<Value, StreamRef> streams;
  fpga::Partition partition;
  std::vector<std::string> placeholders;

  PartitionBuilder(func::FuncOp function, const VerilogEmitOptions &options) : function(function), options(options) {}

  InFlightDiagnostic error(Operation *op) { return opError(op); }

  // Shape [1, H, W, C] of an f32 activation (a partition's argument), by the rule the ops' activations follow.
  FailureOr<SmallVector<int64_t>> activation(Operation *op, Value value, const Twine &what) {
    fpga::TensorShape tensor = describeFpgaTensor(value.getType());
    if (std::string why = fpga::checkActivation(tensor, what.str()); !why.empty())
      return error(op) << why;
    return SmallVector<int64_t>(tensor.dims.begin(), tensor.dims.end());
  }

  FailureOr<StreamRef> stream(Operation *op, Value value) {
    auto it = streams.find(value);
    if (it == streams.end())
      return error(op) << "an operand is not an activation stream of the partition (a constant, or produced by an "
                          "op without an engine)";
    return it->second;
  }

  // Folding of the op: flydel.folding, else the defaults.
  LogicalResult folding(Operation *op, EngineConfig &c) {
    bool channelWise = c.kind != EngineKind::Conv;
    if (auto attr = op->getAttrOfType<FoldingAttr>(FlydelDialect::kFoldingAttrName)) {
      c.pe = static_cast<int>(attr.getPe());
      c.simd = static_cast<int>(attr.getSimd());
      if (channelWise && c.simd != c.pe)
        return error(op) << "flydel.folding has simd = " << c.simd << " but the " << fpga::engineKindName(c.kind)
                         << " engine is channel-wise (simd must equal pe = " << c.pe << ")";
    } else {
      c.pe = static_cast<int>(options.defaultPe);
      c.simd = channelWise ? c.pe : static_cast<int>(options.defaultSimd);
    }
    return success();
  }

  // The op as the engines see it at its folding, checked by the rule --assign-devices applies too
  // (flydel/Fpga/Capability.h): shapes, kernel, stride, padding, dilation, types.
  FailureOr<fpga::OpRequest> request(Operation *op) {
    fpga::OpRequest req = describeFpgaOp(op);
    EngineConfig c = fpga::engineConfigFor(req);
    if (failed(folding(op, c)))
      return failure();
    req.pe = c.pe;
    req.simd = c.simd;
    if (std::string why = fpga::checkBuildable(req); !why.empty())
      return error(op) << why;
    return req;
  }

  LogicalResult checkEngine(Operation *op, const EngineConfig &c) {
    if (std::string why = fpga::checkEngineConfig(c); !why.empty())
      return error(op) << why;
    return success();
  }

  std::string layerName(Operation *op) {
    std::string name = getLayerName(op);
    if (name.empty())
      name = op->getName().getStringRef().str() + "#" + std::to_string(nodes.size());
    return name;
  }

  LogicalResult addNode(Operation *op, FloatNode node) {
    node.op = op;
    node.name = layerName(op);
    if (failed(checkEngine(op, node.config)))
      return failure();
    streams[op->getResult(0)] = StreamRef::ofNode(static_cast<int>(nodes.size()));
    nodes.push_back(std::move(node));
    return success();
  }

  // The engines have no zero points. The TOSA verifier requires 0 for float types already; checked here too, as
  // this is what the arithmetic relies on.
  LogicalResult zeroPoints(Operation *op, ArrayRef<std::pair<Value, const char *>> zps) {
    for (auto [zp, what] : zps) {
      auto z = readConst(op, zp, what);
      if (failed(z))
        return failure();
      if (llvm::any_of(z->values, [](float v) { return v != 0.0f; }))
        return error(op) << "the " << what << " must be 0 (f32 models)";
    }
    return success();
  }

  // Weights of a convolution: present, or placeholders when allowed.
  LogicalResult weights(Operation *op, Value value, FloatNode &node) {
    auto w = readConst(op, value, "weight");
    if (failed(w))
      return failure();
    if (w->missing) {
      if (!options.placeholderWeights)
        return error(op) << "its weights are elided (a zero splat or a dense_resource without data, e.g. from "
                            "--elide-weights): re-import with weights, or use placeholder weights for resource and "
                            "latency studies";
      node.placeholder = true;
    }
    node.weights = std::move(w->values);
    return success();
  }

  template <typename ConvOp> LogicalResult conv(ConvOp op, bool depthwise) {
    auto req = request(op);
    if (failed(req))
      return failure();
    FloatNode node;
    node.config = fpga::engineConfigFor(*req);
    EngineConfig &c = node.config;
    if (failed(zeroPoints(op, {{op.getInputZp(), "input zero point"}, {op.getWeightZp(), "weight zero point"}})))
      return failure();
    if (failed(weights(op, op.getWeight(), node)))
      return failure();
    if (depthwise) { // [KH][KW][C] -> [C][KH][KW]
      std::vector<float> w(node.weights.size());
      for (int y = 0; y < c.k; ++y)
        for (int x = 0; x < c.k; ++x)
          for (int ch = 0; ch < c.cin; ++ch)
            w[(static_cast<size_t>(ch) * c.k + y) * c.k + x] = node.weights[(static_cast<size_t>(y) * c.k + x) * c.cin + ch];
      node.weights = std::move(w);
    }
    auto bias = readConst(op, op.getBias(), "bias");
    if (failed(bias))
      return failure();
    if (bias->values.size() != 1 && bias->values.size() != static_cast<size_t>(c.cout))
      return error(op) << "the bias has " << bias->values.size() << " elements, expected " << c.cout << " or 1";
    node.bias.assign(c.cout, bias->values[0]);
    if (bias->values.size() > 1)
      node.bias = bias->values;
    auto src = stream(op, op.getInput());
    if (failed(src))
      return failure();
    node.operands.push_back(*src);
    return addNode(op, std::move(node));
  }

  template <typename PoolOp> LogicalResult pool(PoolOp op) {
    auto req = request(op);
    if (failed(req))
      return failure();
    FloatNode node;
    node.config = fpga::engineConfigFor(*req);
    if constexpr (std::is_same_v<PoolOp, tosa::AvgPool2dOp>) {
      if (failed(zeroPoints(op, {{op.getInputZp(), "input zero point"}, {op.getOutputZp(), "output zero point"}})))
        return failure();
    }
    auto src = stream(op, op.getInput());
    if (failed(src))
      return failure();
    node.operands.push_back(*src);
    return addNode(op, std::move(node));
  }

  // `result` carries the stream of `value` (an op folded into its producer). Copied before the insertion: a
  // DenseMap that grows moves its values, and `streams[a] = streams[b]` would read b's from the old buckets.
  void alias(Value result, Value value) {
    StreamRef stream = streams.lookup(value);
    streams[result] = stream;
  }

  // The node producing `value` if it may absorb an op applied to it (its only use), else null.
  FloatNode *absorber(Value value) {
    auto it = streams.find(value);
    if (it == streams.end() || it->second.node < 0 || !value.hasOneUse())
      return nullptr;
    return &nodes[it->second.node];
  }

  // A constant operand broadcast per channel: [C] values (1 value repeated), or failure.
  FailureOr<std::vector<float>> perChannel(Operation *op, Value value, int channels, bool &missing) {
    auto c = readConst(op, value, "constant operand");
    if (failed(c))
      return failure();
    bool leadingOnes = llvm::all_of(ArrayRef<int64_t>(c->shape).drop_back(), [](int64_t d) { return d == 1; });
    size_t n = c->values.size();
    if (!leadingOnes || (n != 1 && n != static_cast<size_t>(channels)))
      return error(op) << "the constant operand must be per channel ([1, 1, 1, " << channels << "] or a scalar)";
    missing = c->missing;
    if (n == 1)
      return std::vector<float>(channels, c->values[0]);
    return std::move(c->values);
  }

  // mul / add by a per-channel constant after a convolution (a batch norm): folded into its weights and bias.
  // Whether there is such a convolution is the partition's state here, what the rule judges.
  LogicalResult affine(Operation *op) {
    fpga::OpRequest req = describeFpgaOp(op);
    bool multiply = req.kind == OpClass::ScaleMul;
    Value x = getFpgaStreamOperand(op), k = getFpgaConstantOperand(op);
    FloatNode *node = absorber(x);
    req.producer = !node || node->clamped                       ? OpClass::Other
                   : node->config.kind == EngineKind::Conv      ? OpClass::Conv
                   : node->config.kind == EngineKind::Depthwise ? OpClass::Depthwise
                                                                : OpClass::Other;
    if (std::string why = fpga::checkBuildable(req); !why.empty())
      return error(op) << why;
    bool missing = false;
    auto values = perChannel(op, k, node->config.cout, missing);
    if (failed(values))
      return failure();
    if (missing && !node->placeholder) {
      if (!options.placeholderWeights)
        return error(op) << "its constant is elided (re-import with weights, or use placeholder weights)";
      node->placeholder = true;
    }
    if (!node->placeholder) {
      const EngineConfig &c = node->config;
      size_t perFilter = node->weights.size() / c.cout;
      for (int co = 0; co < c.cout; ++co) {
        if (multiply) {
          for (size_t i = 0; i < perFilter; ++i)
            node->weights[co * perFilter + i] *= (*values)[co];
          node->bias[co] *= (*values)[co];
        } else {
          node->bias[co] += (*values)[co];
        }
      }
    }
    alias(op->getResult(0), x);
    return success();
  }

  LogicalResult clamp(tosa::ClampOp op) {
    // Its folding is its producer's when absorbed, its own (checked below) as a 1x1 max pool.
    fpga::OpRequest req = describeFpgaOp(op);
    if (std::string why = fpga::checkBuildable(req); !why.empty())
      return error(op) << why;
    auto lo = cast<FloatAttr>(op.getMinValAttr()), hi = cast<FloatAttr>(op.getMaxValAttr());
    FloatNode *node = absorber(op.getInput());
    if (!node) { // a 1x1 max pool only clamps
      FloatNode pool;
      EngineConfig &c = pool.config;
      c = fpga::engineConfigFor(req);
      if (failed(folding(op, c)))
        return failure();
      auto src = stream(op, op.getInput());
      if (failed(src))
        return failure();
      pool.operands.push_back(*src);
      if (failed(addNode(op, std::move(pool))))
        return failure();
      node = &nodes.back();
    } else {
      alias(op.getResult(), op.getInput());
    }
    node->clamped = true;
    node->clampLo = std::max(node->clampLo, static_cast<float>(lo.getValueAsDouble()));
    node->clampHi = std::min(node->clampHi, static_cast<float>(hi.getValueAsDouble()));
    return success();
  }

  LogicalResult add(tosa::AddOp op) {
    auto req = request(op);
    if (failed(req))
      return failure();
    FloatNode node;
    auto a = stream(op, op.getInput1()), b = stream(op, op.getInput2());
    if (failed(a) || failed(b))
      return failure();
    node.config = fpga::engineConfigFor(*req);
    node.operands = {*a, *b};
    return addNode(op, std::move(node));
  }

  LogicalResult build() {
    if (!function.getBody().hasOneBlock())
      return function.emitError() << "emit-verilog: a partition must have one block";
    partition.name = sanitize(function.getSymName().str());
    Block &body = function.getBody().front();
    for (BlockArgument arg : body.getArguments()) {
      auto shape = activation(function, arg, "argument #" + std::to_string(arg.getArgNumber()));
      if (failed(shape))
        return failure();
      fpga::PartitionInput in;
      in.name = "argument " + std::to_string(arg.getArgNumber());
      in.h = static_cast<int>((*shape)[1]);
      in.w = static_cast<int>((*shape)[2]);
      in.c = static_cast<int>((*shape)[3]);
      streams[arg] = StreamRef::ofInput(static_cast<int>(partition.inputs.size()));
      partition.inputs.push_back(in);
    }
    for (Operation &op : body) {
      LogicalResult r = success();
      if (isWeightLike(&op))
        continue;
      if (auto ret = dyn_cast<func::ReturnOp>(op)) {
        for (Value v : ret.getOperands()) {
          auto s = stream(&op, v);
          if (failed(s))
            return failure();
          partition.outputs.push_back(*s);
        }
        continue;
      }
      switch (classifyFpgaOp(&op)) {
      case OpClass::Conv:
        r = conv(cast<tosa::Conv2DOp>(op), /*depthwise=*/false);
        break;
      case OpClass::Depthwise:
        r = conv(cast<tosa::DepthwiseConv2DOp>(op), /*depthwise=*/true);
        break;
      case OpClass::MaxPool:
        r = pool(cast<tosa::MaxPool2dOp>(op));
        break;
      case OpClass::AvgPool:
        r = pool(cast<tosa::AvgPool2dOp>(op));
        break;
      case OpClass::Clamp:
        r = clamp(cast<tosa::ClampOp>(op));
        break;
      case OpClass::Add:
        r = add(cast<tosa::AddOp>(op));
        break;
      case OpClass::ScaleMul:
      case OpClass::ScaleAdd:
        r = affine(&op);
        break;
      case OpClass::Other:
        return error(&op) << fpga::checkBuildable(describeFpgaOp(&op));
      }
      if (failed(r))
        return failure();
    }
    if (partition.outputs.empty())
      return function.emitError() << "emit-verilog: the partition returns nothing";
    return quantise();
  }

  static std::string sanitize(std::string name) {
    for (char &ch : name)
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_')
        ch = '_';
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])))
      name = "p_" + name;
    if (fpga::isReservedModuleName(name)) // `join`, `top`: a suffix; `flydel_*` is reserved whatever follows
      name = name.rfind("flydel_", 0) == 0 ? "p_" + name : name + "_partition";
    return name;
  }

  // mult / 2^shift closest to m with mult in 1..65535, shift in 1..40 (the largest shift that fits: precision).
  LogicalResult multiplier(Operation *op, double m, EngineConfig &c) {
    for (int shift = 40; shift >= 1; --shift) {
      double mult = std::round(std::ldexp(m, shift));
      if (mult <= 65535) {
        if (mult < 1)
          return error(op) << "requantisation factor " << m << " is below the engine's smallest, 1 / 2^40";
        c.mult = static_cast<int>(mult);
        c.shift = shift;
        return success();
      }
    }
    return error(op) << "requantisation factor " << m << " is too large for the engine (mult <= 65535, shift >= 1)";
  }

  LogicalResult quantise() {
    const double sA = options.activationRange / 127.0; // one scale for every activation tensor
    for (size_t n = 0; n < nodes.size(); ++n) {
      FloatNode &f = nodes[n];
      fpga::PartitionNode node;
      node.name = f.name;
      node.config = f.config;
      node.operands = f.operands;
      EngineConfig &c = node.config;
      switch (c.kind) {
      case EngineKind::Conv:
      case EngineKind::Depthwise:
        if (f.placeholder) {
          // Deterministic per node; requantisation chosen for random data (Engine.h), as for the campaign.
          fpga::EngineData d = fpga::randomData(c, 1000 + n);
          node.weights = d.weights;
          node.bias = d.bias;
          fpga::chooseQuantisation(c);
          placeholders.push_back(f.name);
        } else {
          if (!allFinite(f.weights) || !allFinite(f.bias))
            return error(f.op) << "a weight or bias overflows f32 once the batch normalisation is folded into it";
          float maxAbs = 0;
          for (float w : f.weights)
            maxAbs = std::max(maxAbs, std::fabs(w));
          double sW = maxAbs > 0 ? maxAbs / 127.0 : 1.0;
          node.weights.reserve(f.weights.size());
          for (float w : f.weights)
            node.weights.push_back(static_cast<int8_t>(std::clamp(std::lround(w / sW), -127L, 127L)));
          for (float b : f.bias) {
            double q = std::round(b / (sW * sA));
            if (std::fabs(q) >= 2147483647.0)
              return error(f.op) << "a bias does not fit the int32 bias ROM at activation range "
                                 << options.activationRange;
            node.bias.push_back(static_cast<int32_t>(q));
          }
          // y / sA = (sW * sA / sA) * (acc + bias): the output shares the activation scale.
          if (failed(multiplier(f.op, sW, c)))
            return failure();
        }
        break;
      case EngineKind::AvgPool: // 1 / k^2, same scale in and out; chooseQuantisation's fixed 2^16 would round
                                // 1/200^2 to 2/2^16 (31% off): the closest mult / 2^shift instead
        if (failed(multiplier(f.op, 1.0 / (static_cast<double>(c.k) * c.k), c)))
          return failure();
        break;
      case EngineKind::Add: // a + b at one scale: (2a + 2b + 1) >> 1
        c.mult = c.multB = 2;
        c.shift = 1;
        break;
      case EngineKind::MaxPool:
        break;
      }
      if (f.clamped) {
        double lo = std::isinf(f.clampLo) ? -128 : std::round(f.clampLo / sA);
        double hi = std::isinf(f.clampHi) ? 127 : std::round(f.clampHi / sA);
        c.lo = static_cast<int>(std::clamp(lo, -128.0, 127.0));
        c.hi = static_cast<int>(std::clamp(hi, -128.0, 127.0));
        if (c.lo > c.hi)
          return error(f.op) << "the clamp range [" << f.clampLo << ", " << f.clampHi
                             << "] is empty in int8 at activation range " << options.activationRange;
      }
      if (failed(checkEngine(f.op, c)))
        return failure();
      partition.nodes.push_back(std::move(node));
    }
    // Input streams carry what their first consumer takes: no width converter in front of it.
    for (size_t i = 0; i < partition.inputs.size(); ++i) {
      for (const fpga::PartitionNode &node : partition.nodes)
        if (node.operands[0].input == static_cast<int>(i) ||
            (node.operands.size() > 1 && node.operands[1].input == static_cast<int>(i))) {
          partition.inputs[i].lanes = node.config.inBeatLanes();
          break;
        }
    }
    auto &h = partition.header;
    if (!options.provenance.empty())
      h.push_back(options.provenance);
    std::string device = "all functions";
    if (auto d = function->getAttrOfType<DeviceAttr>(FlydelDialect::kDeviceAttrName))
      device = "device '" + d.getName().getValue().str() + "'";
    h.push_back("function @" + function.getSymName().str() + " (" + device + ")");
    char range[64];
    std::snprintf(range, sizeof range, "%g", options.activationRange);
    h.push_back("Quantisation (no calibration data): int8 symmetric per-tensor weights (scale max|w|/127), every "
                "activation assumed in [-" + std::string(range) + ", " + range + "] (scale " + range + "/127).");
    h.push_back("Bit-exact to the C++ fixed-point reference of this quantised network (flydel::fpga::"
                "evaluatePartition), not numerically equivalent to the f32 model.");
    if (!placeholders.empty()) {
      std::string list;
      for (const std::string &p : placeholders)
        list += (list.empty() ? "" : ", ") + p;
      h.push_back("PLACEHOLDER WEIGHTS (deterministic pseudo-random, not the model's; resource and latency studies "
                  "only) in: " + list);
    }
    return success();
  }
};

bool isFpgaPartition(func::FuncOp function, const VerilogEmitOptions &options) {
  if (function.isExternal())
    return false;
  if (options.allFunctions)
    return true;
  auto device = function->getAttrOfType<DeviceAttr>(FlydelDialect::kDeviceAttrName);
  return device && device.getKind() == DeviceKind::fpga;
}

} // namespace

FailureOr<fpga::Partition> mlir::flydel::buildFpgaPartition(func::FuncOp function,
                                                            const VerilogEmitOptions &options) {
  if (!(options.activationRange > 0) || !std::isfinite(options.activationRange))
    return function.emitError() << "emit-verilog: the activation range must be a positive number, got "
                                << options.activationRange;
  // The defaults stand for a flydel.folding: the same bounds (and no wrap in EngineConfig's ints).
  if (failed(FoldingAttr::verify([&] { return function.emitError() << "emit-verilog: default "; }, options.defaultPe,
                                 options.defaultSimd)))
    return failure();
  PartitionBuilder builder(function, options);
  if (failed(builder.build()))
    return failure();
  if (std::string why = fpga::checkPartition(builder.partition); !why.empty())
    return function.emitError() << "emit-verilog: " << why;
  return std::move(builder.partition);
}

FailureOr<EmittedVerilog> mlir::flydel::emitVerilog(ModuleOp module, const VerilogEmitOptions &options) {
  EmittedVerilog out;
  bool ok = true, any = false;
  for (func::FuncOp function : module.getOps<func::FuncOp>()) {
    if (!isFpgaPartition(function, options))
      continue;
    any = true;
    auto partition = buildFpgaPartition(function, options);
    if (failed(partition)) {
      ok = false; // keep going: report every partition's problem at once
      continue;
    }
    if (llvm::any_of(out.partitions, [&](const fpga::Partition &p) { return p.name == partition->name; })) {
      function.emitError() << "emit-verilog: module name '" << partition->name
                           << "' (the function's name with non-identifier characters replaced) is already taken";
      ok = false;
      continue;
    }
    auto generated = fpga::generatePartition(*partition);
    if (!generated) {
      function.emitError() << "emit-verilog: " << generated.error();
      ok = false;
      continue;
    }
    out.verilog += (out.verilog.empty() ? "" : "\n") + generated->verilog;
    out.files.insert(generated->files.begin(), generated->files.end());
    out.partitions.push_back(std::move(*partition));
  }
  if (!any) {
    module.emitError() << "emit-verilog: no FPGA partition (no function has a flydel.device of kind fpga; "
                          "all functions can be taken with the all-functions option)";
    return failure();
  }
  if (!ok)
    return failure();
  return out;
}

LogicalResult mlir::flydel::writeVerilog(const EmittedVerilog &emitted, StringRef path, std::string &error) {
  // Every file is opened before any is kept: a ToolOutputFile not kept removes its file, so a file that cannot
  // be opened or written leaves none of the others behind (no ROM files without their module, or the reverse).
  SmallString<256> dir = path == "-" ? StringRef(".") : llvm::sys::path::parent_path(path);
  if (dir.empty())
    dir = ".";
  std::vector<std::pair<std::unique_ptr<llvm::ToolOutputFile>, const std::string *>> files;
  auto open = [&](StringRef filePath, const std::string &text) {
    std::unique_ptr<llvm::ToolOutputFile> file = openOutputFile(filePath, &error);
    if (!file)
      return false;
    files.emplace_back(std::move(file), &text);
    return true;
  };
  if (!open(path, emitted.verilog))
    return failure();
  for (const auto &[name, text] : emitted.files) {
    SmallString<256> romPath(dir);
    llvm::sys::path::append(romPath, name);
    if (!open(romPath, text))
      return failure();
  }
  for (auto &[file, text] : llvm::reverse(files)) { // the module last: to stdout, it is not retracted
    file->os() << *text;
    file->os().flush();
    if (file->os().has_error()) {
      error = ("error writing '" + file->getFilename() + "': " + file->os().error().message()).str();
      file->os().clear_error();
      return failure();
    }
  }
  for (auto &file : files)
    file.first->keep();
  return success();
}

LogicalResult mlir::flydel::writeVerilog(const EmittedVerilog &emitted, StringRef path, Location loc) {
  std::string error;
  if (failed(writeVerilog(emitted, path, error)))
    return emitError(loc) << "emit-verilog: " << error;
  return success();
}
