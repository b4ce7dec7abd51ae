//===- ImportONNX.cpp - ONNX model to TOSA importer -----------------------===//
//
// Walks the (checked, shape-inferred) ONNX graph in order and emits TOSA 1.0. Every ONNX value is tracked with its
// logical (ONNX, NCHW) shape and up to two materializations: `plain` (ONNX layout) and `nhwc` (rank-4 values
// only, channels last). Layout-sensitive ops (convolutions, pools) consume and produce NHWC; layout-agnostic ops
// keep whatever layout their operands have; ops with axis semantics either remap the axis or ask for the plain
// layout. The conversions are emitted lazily, once per value, so a chain of NHWC ops stays free of transposes
// and the function boundary keeps ONNX's NCHW signature.
//
// Compile-time values (initializers, Constant nodes and Shape/Gather/Concat/... arithmetic on them) are kept on
// the host and only become tosa.const when an op needs them as a tensor; weights are permuted on the host.
//
//===----------------------------------------------------------------------===//

#include "flydel/Target/ONNX/ImportONNX.h"

#include "OnnxLoader.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MathExtras.h"

#include "onnx/onnx_pb.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <numeric>
#include <optional>
#include <random>

using namespace mlir;
using namespace mlir::flydel;
using llvm::SmallVector;

namespace {

using Shape = SmallVector<int64_t, 4>;

/// Host copy of a compile-time tensor, logical (ONNX) layout, row-major.
struct Contents {
  bool isFloat = true;
  std::vector<float> f;
  std::vector<int64_t> i;
  size_t size() const { return isFloat ? f.size() : i.size(); }
  double at(size_t k) const { return isFloat ? f[k] : static_cast<double>(i[k]); }
  /// Appends element `k` of `src`, of the same kind.
  void pushFrom(const Contents &src, size_t k) { isFloat ? f.push_back(src.f[k]) : i.push_back(src.i[k]); }
};

struct Val {
  Shape shape;
  Value plain; // ONNX layout
  Value nhwc;  // rank 4 only: the same tensor, channels last
  std::shared_ptr<const Contents> cst;
  bool isTensor() const { return plain || nhwc || (cst && cst->isFloat); }
};

constexpr int64_t kMaxElements = int64_t(1) << 32;
constexpr size_t kInlineConstLimit = 16; // small constants stay inline and are never elided

int64_t numElements(llvm::ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

// Layout permutations: NCHW -> NHWC and back, and where each NCHW axis lands in NHWC.
constexpr int32_t kToNHWC[4] = {0, 2, 3, 1};
constexpr int32_t kToNCHW[4] = {0, 3, 1, 2};
constexpr int64_t kAxisInNHWC[4] = {0, 3, 1, 2};

Shape permuteShape(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<int32_t> perm) {
  Shape out;
  for (int32_t p : perm)
    out.push_back(shape[p]);
  return out;
}

/// out[i0..] = in[...] with out dim k = in dim perm[k] (tosa.transpose semantics).
template <typename T>
std::vector<T> permuteData(const std::vector<T> &in, llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<int32_t> perm) {
  size_t rank = shape.size();
  SmallVector<int64_t> inStrides(rank, 1);
  for (int k = static_cast<int>(rank) - 2; k >= 0; --k)
    inStrides[k] = inStrides[k + 1] * shape[k + 1];
  Shape outShape = permuteShape(shape, perm);
  std::vector<T> out(in.size());
  SmallVector<int64_t> idx(rank, 0);
  for (size_t o = 0; o < out.size(); ++o) {
    int64_t src = 0;
    for (size_t k = 0; k < rank; ++k)
      src += idx[k] * inStrides[perm[k]];
    out[o] = in[src];
    for (int k = static_cast<int>(rank) - 1; k >= 0; --k) {
      if (++idx[k] < outShape[k])
        break;
      idx[k] = 0;
    }
  }
  return out;
}

/// Broadcast result shape of two ONNX (numpy-style) shapes; nullopt when incompatible.
std::optional<Shape> broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank, 1);
  for (size_t k = 0; k < rank; ++k) {
    int64_t da = k < rank - a.size() ? 1 : a[k - (rank - a.size())];
    int64_t db = k < rank - b.size() ? 1 : b[k - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return std::nullopt;
    out[k] = da == 1 ? db : da;
  }
  return out;
}

class Importer {
public:
  Importer(MLIRContext *ctx, const OnnxImportOptions &options, const onnx::ModelProto &model)
      : ctx(ctx), b(ctx), options(options), model(model), loc(UnknownLoc::get(ctx)) {}

  OwningOpRef<ModuleOp> run(Location fileLoc);
  /// The ONNX op types of the dispatch tables, sorted.
  static SmallVector<llvm::StringRef> supportedOps();
  LogicalResult appendHarness(ModuleOp module, llvm::ArrayRef<std::string> inputs,
                              llvm::ArrayRef<std::string> outputs, double atol, double rtol);
  LogicalResult appendRunHarness(ModuleOp module, llvm::ArrayRef<std::string> inputs, uint64_t seed);

private:
  // ---- diagnostics and attributes -------------------------------------------------------------------------
  InFlightDiagnostic error() { return emitError(loc) << "node '" << nodeName << "' (" << opType << "): "; }
  const onnx::AttributeProto *attr(llvm::StringRef name) const {
    for (const auto &a : node->attribute())
      if (a.name() == name)
        return &a;
    return nullptr;
  }
  int64_t attrInt(llvm::StringRef name, int64_t dflt) const {
    const auto *a = attr(name);
    return a ? a->i() : dflt;
  }
  float attrFloat(llvm::StringRef name, float dflt) const {
    const auto *a = attr(name);
    return a ? a->f() : dflt;
  }
  std::string attrString(llvm::StringRef name, llvm::StringRef dflt) const {
    const auto *a = attr(name);
    return a ? a->s() : dflt.str();
  }
  std::optional<Shape> attrInts(llvm::StringRef name) const {
    const auto *a = attr(name);
    if (!a)
      return std::nullopt;
    return Shape(a->ints().begin(), a->ints().end());
  }

  // ---- values ---------------------------------------------------------------------------------------------
  LogicalResult readTensor(const onnx::TensorProto &t, Val &out, llvm::StringRef what);
  bool hasInput(int k) const { return k < node->input_size() && !node->input(k).empty(); }
  Val *input(int k, bool required = true);
  /// Every input of the node (variadic ops: Concat, Max, Sum, ...); failure when one is missing (reported).
  LogicalResult allInputs(SmallVectorImpl<Val *> &ins);
  std::optional<std::vector<int64_t>> constInts(int k); // an optional operand's compile-time integers
  void define(int k, Val v);
  /// Defines output 0 and succeeds: how every converter ends.
  LogicalResult result(Val v) {
    define(0, std::move(v));
    return success();
  }
  /// Output 0 is `build` applied to `x` in the given layout, and stays in that layout with logical shape `logical`.
  LogicalResult resultFrom(Val &x, bool isNHWC, llvm::ArrayRef<int64_t> logical,
                           llvm::function_ref<Value(Value)> build) {
    Value v = valueOf(x, isNHWC);
    if (!v)
      return failure();
    return result(tensorVal(build(v), logical, isNHWC));
  }
  /// The `axis` attribute made non-negative against `rank` (`rank` itself is allowed where `endAllowed`).
  LogicalResult axisAttr(int64_t dflt, int64_t rank, int64_t &axis, bool endAllowed = false);
  /// Integers from the compile-time operand `k` (`fromInput`, newer opsets) or else the attribute `name`; empty
  /// when neither is given.
  LogicalResult intsFrom(bool fromInput, int k, llvm::StringRef name, std::vector<int64_t> &out);
  Val tensorVal(Value v, llvm::ArrayRef<int64_t> logical, bool isNHWC) {
    Val r;
    r.shape.assign(logical.begin(), logical.end());
    (isNHWC ? r.nhwc : r.plain) = v;
    return r;
  }
  Val constVal(Shape shape, Contents c) {
    Val r;
    r.shape = std::move(shape);
    r.cst = std::make_shared<const Contents>(std::move(c));
    return r;
  }

  // ---- emission helpers -----------------------------------------------------------------------------------
  RankedTensorType f32(llvm::ArrayRef<int64_t> shape) { return RankedTensorType::get(shape, b.getF32Type()); }
  Value constF32(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<float> data);
  Value scalarLike(float v, size_t rank) { return constF32(Shape(rank, 1), {v}); }
  Value zeroPoint() { return constF32({1}, {0.0f}); }
  Value shapeConst(llvm::ArrayRef<int64_t> values);
  Value reshape(Value v, llvm::ArrayRef<int64_t> shape);
  Value transpose(Value v, llvm::ArrayRef<int32_t> perm);
  /// `v` materialized (once) in the requested layout: transposed from the other one, or emitted from its contents.
  Value valueOf(Val &v, bool wantNHWC);
  Value plainOf(Val &v) { return valueOf(v, false); }
  Value nhwcOf(Val &v) { return valueOf(v, true); }
  static bool prefersNHWC(const Val &v) { return v.shape.size() == 4 && v.nhwc && !v.plain; }
  /// `v` broadcast to `rank` (leading unit dims) in the requested layout, for elementwise ops.
  Value broadcastOperand(Val &v, size_t rank, bool wantNHWC);
  Shape physical(llvm::ArrayRef<int64_t> logical, bool isNHWC) {
    return isNHWC ? permuteShape(logical, kToNHWC) : Shape(logical.begin(), logical.end());
  }
  Value slice(Value v, llvm::ArrayRef<int64_t> start, llvm::ArrayRef<int64_t> size);
  Value mul(Value a, Value c);
  Value add(Value a, Value c);
  Value sub(Value a, Value c);
  Value clamp(Value v, float lo, float hi);
  /// `in` in the layout it prefers, for ops that keep their operand's layout.
  Value preferredOf(Val &in, bool &isNHWC) {
    isNHWC = prefersNHWC(in);
    return valueOf(in, isNHWC);
  }

  // ---- ops ------------------------------------------------------------------------------------------------
  // Converters of several operands fetch them themselves; those of one main operand get it as `x`, fetched and
  // checked by convertNode. Ops sharing a converter tell themselves apart by `opType`.
  LogicalResult convertNode();
  using OnNode = LogicalResult (Importer::*)();
  using OnInput = LogicalResult (Importer::*)(Val &);
  static const std::pair<llvm::StringLiteral, OnNode> kOnNode[];
  static const std::pair<llvm::StringLiteral, OnInput> kOnInput[];
  LogicalResult convertConv();
  LogicalResult convertConvTranspose();
  LogicalResult convertVariadic();
  LogicalResult convertGemm();
  LogicalResult convertMatMul();
  LogicalResult convertBinary();
  LogicalResult convertConcat();
  LogicalResult convertGather();
  LogicalResult convertConstant();
  LogicalResult convertPool(Val &x);
  LogicalResult convertBatchNorm(Val &x);
  LogicalResult convertUnary(Val &x);
  LogicalResult convertClip(Val &x);
  LogicalResult convertSoftmax(Val &x);
  LogicalResult convertSplit(Val &x);
  LogicalResult convertSlice(Val &x);
  LogicalResult convertReshapeLike(Val &x);
  LogicalResult convertTranspose(Val &x);
  LogicalResult convertPad(Val &x);
  LogicalResult convertResize(Val &x);
  LogicalResult convertReduceMean(Val &x);
  LogicalResult convertShape(Val &x);
  LogicalResult convertCast(Val &x);
  /// Identity, and Dropout at inference: both forward their input (Dropout's optional mask stays undefined).
  LogicalResult convertIdentity(Val &x) { return result(x); }
  /// Pads for a spatial window op: ONNX pads/auto_pad and ceil_mode turned into TOSA's [top, bottom, left, right],
  /// with the trailing pads trimmed (or the input cropped) so the output size divides exactly, as TOSA requires.
  LogicalResult windowGeometry(llvm::ArrayRef<int64_t> in, llvm::ArrayRef<int64_t> kernel,
                               llvm::ArrayRef<int64_t> strides, llvm::ArrayRef<int64_t> dilations, bool ceilMode,
                               SmallVector<int64_t, 4> &pad, Shape &out, Shape &crop);
  LogicalResult checkInferred(const Val &v, llvm::StringRef name);
  Value weightOf(Val &w, llvm::ArrayRef<int32_t> perm, llvm::ArrayRef<int64_t> preShape = {});
  Value biasOf(int k, int64_t channels, int64_t offset = 0);
  /// A ConvTranspose weight [C, M, KH, KW] as TOSA's OHWI [M, KH', KW', C], dilated by zero insertion.
  Value dilatedTransposeWeight(Val &w, llvm::ArrayRef<int64_t> dilations);

  MLIRContext *ctx;
  OpBuilder b;
  const OnnxImportOptions &options;
  const onnx::ModelProto &model;
  Location loc;
  int64_t opset = 0;
  llvm::StringMap<Val> values;
  llvm::StringMap<Shape> inferred; // ONNX shape inference results, static ones only
  const onnx::NodeProto *node = nullptr;
  std::string nodeName, opType;
  unsigned blobCounter = 0;
};

// ---- values ---------------------------------------------------------------------------------------------------

LogicalResult Importer::readTensor(const onnx::TensorProto &t, Val &out, llvm::StringRef what) {
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    return emitError(loc) << what << " '" << t.name() << "' uses external data, which is not supported";
  Shape shape;
  int64_t n = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || (d > 0 && n > kMaxElements / d))
      return emitError(loc) << what << " '" << t.name() << "' has an invalid or too large shape";
    shape.push_back(d);
    n *= d;
  }
  Contents c;
  const std::string &raw = t.raw_data();
  bool hasRaw = t.has_raw_data();
  auto sizeError = [&]() {
    return emitError(loc) << what << " '" << t.name() << "' holds a different number of elements than its shape ("
                          << n << ") says";
  };
  using llvm::support::endian::read;
  using llvm::endianness;
  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT:
    if (hasRaw) {
      if (raw.size() != static_cast<size_t>(n) * 4)
        return sizeError();
      c.f.resize(n);
      for (int64_t k = 0; k < n; ++k) {
        uint32_t bits = read<uint32_t, endianness::little>(raw.data() + 4 * k);
        std::memcpy(&c.f[k], &bits, 4);
      }
    } else {
      if (t.float_data_size() != n)
        return sizeError();
      c.f.assign(t.float_data().begin(), t.float_data().end());
    }
    break;
  case onnx::TensorProto::DOUBLE:
    if (hasRaw) {
      if (raw.size() != static_cast<size_t>(n) * 8)
        return sizeError();
      for (int64_t k = 0; k < n; ++k) {
        uint64_t bits = read<uint64_t, endianness::little>(raw.data() + 8 * k);
        double d;
        std::memcpy(&d, &bits, 8);
        c.f.push_back(static_cast<float>(d));
      }
    } else {
      if (t.double_data_size() != n)
        return sizeError();
      for (double d : t.double_data())
        c.f.push_back(static_cast<float>(d));
    }
    break;
  case onnx::TensorProto::INT64:
    c.isFloat = false;
    if (hasRaw) {
      if (raw.size() != static_cast<size_t>(n) * 8)
        return sizeError();
      for (int64_t k = 0; k < n; ++k)
        c.i.push_back(static_cast<int64_t>(read<uint64_t, endianness::little>(raw.data() + 8 * k)));
    } else {
      if (t.int64_data_size() != n)
        return sizeError();
      c.i.assign(t.int64_data().begin(), t.int64_data().end());
    }
    break;
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::BOOL: {
    c.isFloat = false;
    int width = t.data_type() == onnx::TensorProto::INT32   ? 4
                : t.data_type() == onnx::TensorProto::INT16 ? 2
                                                            : 1;
    bool isSigned = t.data_type() != onnx::TensorProto::UINT8 && t.data_type() != onnx::TensorProto::BOOL;
    if (hasRaw) {
      if (raw.size() != static_cast<size_t>(n) * width)
        return sizeError();
      for (int64_t k = 0; k < n; ++k) {
        const char *p = raw.data() + width * k;
        int64_t v = width == 4   ? static_cast<int32_t>(read<uint32_t, endianness::little>(p))
                    : width == 2 ? static_cast<int16_t>(read<uint16_t, endianness::little>(p))
                    : isSigned   ? static_cast<int8_t>(*p)
                                 : static_cast<uint8_t>(*p);
        c.i.push_back(v);
      }
    } else {
      if (t.int32_data_size() != n)
        return sizeError();
      c.i.assign(t.int32_data().begin(), t.int32_data().end());
    }
    break;
  }
  default:
    return emitError(loc) << what << " '" << t.name() << "' has unsupported element type "
                          << onnx::TensorProto::DataType_Name(static_cast<onnx::TensorProto::DataType>(t.data_type()));
  }
  out = constVal(std::move(shape), std::move(c));
  return success();
}

Val *Importer::input(int k, bool required) {
  if (!hasInput(k)) {
    if (required)
      error() << "missing input " << k;
    return nullptr;
  }
  auto it = values.find(node->input(k));
  if (it == values.end()) {
    error() << "input '" << node->input(k) << "' is not produced by any earlier node (unsupported optional output?)";
    return nullptr;
  }
  return &it->second;
}

std::optional<std::vector<int64_t>> Importer::constInts(int k) {
  if (!hasInput(k))
    return std::vector<int64_t>{};
  Val *v = input(k);
  if (!v)
    return std::nullopt;
  if (!v->cst) {
    error() << "input " << k << " ('" << node->input(k) << "') must be a compile-time constant";
    return std::nullopt;
  }
  std::vector<int64_t> r;
  for (size_t i = 0; i < v->cst->size(); ++i)
    r.push_back(static_cast<int64_t>(v->cst->at(i)));
  return r;
}

void Importer::define(int k, Val v) {
  if (k < node->output_size() && !node->output(k).empty())
    values[node->output(k)] = std::move(v);
}

LogicalResult Importer::axisAttr(int64_t dflt, int64_t rank, int64_t &axis, bool endAllowed) {
  axis = attrInt("axis", dflt);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis > rank || (axis == rank && !endAllowed))
    return error() << "axis out of range";
  return success();
}

LogicalResult Importer::intsFrom(bool fromInput, int k, llvm::StringRef name, std::vector<int64_t> &out) {
  out.clear();
  if (!fromInput) {
    if (std::optional<Shape> a = attrInts(name))
      out.assign(a->begin(), a->end());
    return success();
  }
  std::optional<std::vector<int64_t>> c = constInts(k);
  if (!c)
    return failure();
  out = std::move(*c);
  return success();
}

// ---- emission helpers -----------------------------------------------------------------------------------------

Value Importer::constF32(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<float> data) {
  auto type = f32(shape);
  ElementsAttr attr;
  if (data.size() == 1 && numElements(shape) != 1)
    attr = DenseElementsAttr::get(type, data[0]);
  else if (data.size() <= kInlineConstLimit)
    attr = DenseElementsAttr::get(type, data);
  else if (options.elideWeights)
    attr = DenseElementsAttr::get(type, 0.0f);
  else
    // Blobs print as one hex string in the resource section and parse without per-element work: large models
    // stay fast to print and read back.
    attr = DenseResourceElementsAttr::get(type, ("onnx_w" + llvm::Twine(blobCounter++)).str(),
                                          HeapAsmResourceBlob::allocateAndCopyInferAlign(data));
  return tosa::ConstOp::create(b, loc, type, attr);
}

Value Importer::shapeConst(llvm::ArrayRef<int64_t> values) {
  auto type = tosa::shapeType::get(ctx, values.size());
  auto attr = DenseIntElementsAttr::get(
      RankedTensorType::get({static_cast<int64_t>(values.size())}, b.getIndexType()), values);
  return tosa::ConstShapeOp::create(b, loc, type, attr);
}

Value Importer::reshape(Value v, llvm::ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getShape() == shape)
    return v;
  // Reshapes of reshapes collapse to one: the data order never changes.
  if (auto prev = v.getDefiningOp<tosa::ReshapeOp>())
    v = prev.getInput1();
  if (cast<RankedTensorType>(v.getType()).getShape() == shape)
    return v;
  return tosa::ReshapeOp::create(b, loc, f32(shape), v, shapeConst(shape));
}

Value Importer::transpose(Value v, llvm::ArrayRef<int32_t> perm) {
  auto shape = cast<RankedTensorType>(v.getType()).getShape();
  Shape out = permuteShape(shape, perm);
  // Moving only unit dimensions keeps the data order: a reshape says so more cheaply.
  SmallVector<int32_t> nonUnitIn, nonUnitOut;
  for (size_t k = 0; k < shape.size(); ++k)
    if (shape[k] != 1)
      nonUnitIn.push_back(k);
  for (int32_t p : perm)
    if (shape[p] != 1)
      nonUnitOut.push_back(p);
  if (nonUnitIn == nonUnitOut)
    return reshape(v, out);
  if (auto prev = v.getDefiningOp<tosa::TransposeOp>()) {
    SmallVector<int32_t> composed;
    for (int32_t p : perm)
      composed.push_back(prev.getPerms()[p]);
    if (llvm::equal(composed, llvm::seq<int32_t>(0, composed.size())))
      return prev.getInput1();
    return tosa::TransposeOp::create(b, loc, f32(out), prev.getInput1(), b.getDenseI32ArrayAttr(composed));
  }
  return tosa::TransposeOp::create(b, loc, f32(out), v, b.getDenseI32ArrayAttr(perm));
}

Value Importer::valueOf(Val &v, bool wantNHWC) {
  assert((!wantNHWC || v.shape.size() == 4) && "NHWC is for rank-4 tensors");
  Value &want = wantNHWC ? v.nhwc : v.plain;
  if (want)
    return want;
  if (Value other = wantNHWC ? v.plain : v.nhwc)
    return want = transpose(other, wantNHWC ? kToNHWC : kToNCHW);
  assert(v.cst);
  if (!v.cst->isFloat) {
    error() << "integer tensors are only supported as compile-time shape values";
    return {};
  }
  return want = wantNHWC ? constF32(permuteShape(v.shape, kToNHWC), permuteData(v.cst->f, v.shape, kToNHWC))
                         : constF32(v.shape, v.cst->f);
}

Value Importer::broadcastOperand(Val &v, size_t rank, bool wantNHWC) {
  if (v.shape.size() == rank)
    return valueOf(v, wantNHWC && rank == 4);
  Shape padded(rank - v.shape.size(), 1);
  padded.append(v.shape.begin(), v.shape.end());
  if (v.cst && v.cst->isFloat) {
    if (wantNHWC)
      return constF32(permuteShape(padded, kToNHWC), permuteData(v.cst->f, padded, kToNHWC));
    return constF32(padded, v.cst->f);
  }
  Value p = plainOf(v);
  if (!p)
    return {};
  p = reshape(p, padded);
  return wantNHWC ? transpose(p, kToNHWC) : p;
}

Value Importer::slice(Value v, llvm::ArrayRef<int64_t> start, llvm::ArrayRef<int64_t> size) {
  auto shape = cast<RankedTensorType>(v.getType()).getShape();
  if (llvm::all_of(start, [](int64_t s) { return s == 0; }) && shape == size)
    return v;
  return tosa::SliceOp::create(b, loc, f32(size), v, shapeConst(start), shapeConst(size));
}

Value Importer::mul(Value a, Value c) {
  auto shift = tosa::ConstOp::create(b, loc, RankedTensorType::get({1}, b.getI8Type()),
                                     DenseElementsAttr::get(RankedTensorType::get({1}, b.getI8Type()),
                                                            b.getI8IntegerAttr(0).getValue()));
  auto sa = cast<RankedTensorType>(a.getType()).getShape(), sc = cast<RankedTensorType>(c.getType()).getShape();
  return tosa::MulOp::create(b, loc, f32(*broadcastShapes(sa, sc)), a, c, shift);
}

Value Importer::add(Value a, Value c) {
  auto sa = cast<RankedTensorType>(a.getType()).getShape(), sc = cast<RankedTensorType>(c.getType()).getShape();
  return tosa::AddOp::create(b, loc, f32(*broadcastShapes(sa, sc)), a, c);
}

Value Importer::sub(Value a, Value c) {
  auto sa = cast<RankedTensorType>(a.getType()).getShape(), sc = cast<RankedTensorType>(c.getType()).getShape();
  return tosa::SubOp::create(b, loc, f32(*broadcastShapes(sa, sc)), a, c);
}

Value Importer::clamp(Value v, float lo, float hi) {
  return tosa::ClampOp::create(b, loc, v.getType(), v, b.getF32FloatAttr(lo), b.getF32FloatAttr(hi));
}

Value Importer::weightOf(Val &w, llvm::ArrayRef<int32_t> perm, llvm::ArrayRef<int64_t> preShape) {
  Shape shape = preShape.empty() ? w.shape : Shape(preShape.begin(), preShape.end());
  if (w.cst && w.cst->isFloat)
    return constF32(permuteShape(shape, perm), permuteData(w.cst->f, shape, perm));
  Value v = plainOf(w);
  if (!v)
    return {};
  return transpose(reshape(v, shape), perm);
}

Value Importer::biasOf(int k, int64_t channels, int64_t offset) {
  if (!hasInput(k))
    return constF32({channels}, std::vector<float>(1, 0.0f));
  Val *bv = input(k);
  if (!bv)
    return {};
  if (bv->shape.size() != 1 || bv->shape[0] < offset + channels) {
    error() << "bias must be a vector of the output channel count";
    return {};
  }
  if (bv->cst && bv->cst->isFloat)
    return constF32({channels}, llvm::ArrayRef<float>(bv->cst->f).slice(offset, channels));
  Value v = plainOf(*bv);
  return v ? slice(v, {offset}, {channels}) : Value();
}

LogicalResult Importer::checkInferred(const Val &v, llvm::StringRef name) {
  auto it = inferred.find(name);
  if (it == inferred.end() || it->second == v.shape)
    return success();
  auto diag = error() << "computed shape of '" << name << "' (";
  llvm::interleave(v.shape, diag, "x");
  diag << ") differs from ONNX shape inference (";
  llvm::interleave(it->second, diag, "x");
  return diag << ")";
}

// ---- the graph ------------------------------------------------------------------------------------------------

OwningOpRef<ModuleOp> Importer::run(Location fileLoc) {
  loc = fileLoc;
  for (const auto &imp : model.opset_import())
    if (imp.domain().empty() || imp.domain() == "ai.onnx")
      opset = imp.version();
  // The ops' semantics are those of opsets 7-17. Later opsets turned attributes into inputs (ReduceMean's axes,
  // ...): refused. Earlier ones mean the same for most ops, but opset 7 dropped the attributes below, whose
  // meaning (explicit broadcasting, in-place hints, per-activation batch norm) the importer does not implement:
  // a node carrying one is refused by name rather than imported with another meaning.
  if (opset > 17) {
    emitError(fileLoc) << "ONNX opset " << opset
                       << " is not supported (the importer implements opsets 7-17; re-export the model with "
                          "opset_version=17)";
    return nullptr;
  }
  if (opset < 7)
    for (const auto &node : model.graph().node())
      for (const auto &attr : node.attribute())
        if (attr.name() == "broadcast" || attr.name() == "consumed_inputs" || attr.name() == "spatial" ||
            attr.name() == "is_test") {
          emitError(fileLoc) << "node '" << node.name() << "' (" << node.op_type() << "): attribute '"
                             << attr.name() << "' of opset " << opset
                             << " is not supported (the importer implements opsets 7-17)";
          return nullptr;
        }
  const onnx::GraphProto &graph = model.graph();

  for (const auto &vi : graph.value_info()) {
    if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape())
      continue;
    Shape s;
    bool ok = true;
    for (const auto &d : vi.type().tensor_type().shape().dim()) {
      ok &= d.has_dim_value();
      s.push_back(d.dim_value());
    }
    if (ok)
      inferred[vi.name()] = s;
  }

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  b.setInsertionPointToEnd(module->getBody());

  for (const auto &init : graph.initializer()) {
    Val v;
    if (failed(readTensor(init, v, "initializer")))
      return nullptr;
    values[init.name()] = std::move(v);
  }

  SmallVector<Type> argTypes;
  SmallVector<Location> argLocs;
  SmallVector<std::pair<std::string, Shape>> args;
  for (const auto &in : graph.input()) {
    if (values.count(in.name()))
      continue; // IR < 4 lists initializers among the inputs too
    const auto &tt = in.type().tensor_type();
    if (tt.elem_type() != onnx::TensorProto::FLOAT)
      return emitError(fileLoc) << "graph input '" << in.name() << "' has element type "
                                << onnx::TensorProto::DataType_Name(
                                       static_cast<onnx::TensorProto::DataType>(tt.elem_type()))
                                << "; only float32 inputs are supported",
             nullptr;
    Shape s;
    for (const auto &d : tt.shape().dim()) {
      if (d.dim_value() > kMaxElements)
        return emitError(fileLoc) << "graph input '" << in.name() << "' has a too large dimension", nullptr;
      s.push_back(d.dim_value());
    }
    argTypes.push_back(f32(s));
    argLocs.push_back(NameLoc::get(b.getStringAttr(in.name())));
    args.push_back({in.name(), s});
  }

  auto func = func::FuncOp::create(b, fileLoc, options.functionName, b.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [k, arg] : llvm::enumerate(entry->getArguments()))
    arg.setLoc(argLocs[k]);
  b.setInsertionPointToStart(entry);
  for (auto [k, a] : llvm::enumerate(args))
    values[a.first] = tensorVal(entry->getArgument(k), a.second, /*isNHWC=*/false);

  for (auto [index, n] : llvm::enumerate(graph.node())) {
    node = &n;
    opType = n.op_type();
    nodeName = n.name().empty() ? opType + "_" + std::to_string(index) : n.name();
    loc = NameLoc::get(b.getStringAttr(nodeName));
    if (!n.domain().empty() && n.domain() != "ai.onnx")
      return emitError(loc) << "unsupported ONNX op '" << opType << "' from domain '" << n.domain() << "' (node '"
                            << nodeName << "')",
             nullptr;
    if (failed(convertNode()))
      return nullptr;
    for (const auto &out : n.output()) {
      auto it = values.find(out);
      if (out.empty() || it == values.end())
        continue;
      // TOSA has no empty tensors: an empty result (a Slice or Reshape to a 0-sized dimension) is refused here,
      // naming the node, rather than by a TOSA verifier later. Empty constants (Resize's unused roi) are fine.
      const Val &v = it->second;
      if ((v.plain || v.nhwc) && llvm::is_contained(v.shape, 0)) {
        auto diag = error() << "output '" << out << "' is an empty tensor (shape ";
        llvm::interleave(v.shape, diag, "x");
        diag << "); flydel imports no 0-sized dimensions";
        return nullptr;
      }
      if (failed(checkInferred(v, out)))
        return nullptr;
    }
  }

  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  loc = fileLoc;
  for (const auto &out : graph.output()) {
    auto it = values.find(out.name());
    if (it == values.end() || !it->second.isTensor())
      return emitError(fileLoc) << "graph output '" << out.name() << "' is not a float tensor computed by the graph",
             nullptr;
    loc = NameLoc::get(b.getStringAttr(out.name()));
    Value v = plainOf(it->second);
    if (!v)
      return nullptr;
    results.push_back(v);
    resultTypes.push_back(v.getType());
  }
  func::ReturnOp::create(b, fileLoc, results);
  func.setFunctionType(b.getFunctionType(argTypes, resultTypes));
  if (failed(verify(*module)))
    return nullptr;
  return module;
}

LogicalResult Importer::appendHarness(ModuleOp module, llvm::ArrayRef<std::string> inputs,
                                      llvm::ArrayRef<std::string> outputs, double atol, double rtol) {
  auto callee = module.lookupSymbol<func::FuncOp>(options.functionName);
  if (!callee)
    return emitError(module.getLoc()) << "no function @" << options.functionName;
  auto readAll = [&](llvm::ArrayRef<std::string> blobs, llvm::StringRef what, SmallVector<Val> &vals) -> LogicalResult {
    for (const std::string &blob : blobs) {
      onnx::TensorProto t;
      if (!t.ParseFromString(blob))
        return emitError(loc) << "cannot parse " << what << " tensor " << vals.size();
      Val v;
      if (failed(readTensor(t, v, what)))
        return failure();
      if (!v.cst->isFloat)
        return emitError(loc) << what << " tensor " << vals.size() << " is not floating point";
      vals.push_back(std::move(v));
    }
    return success();
  };
  SmallVector<Val> ins, outs;
  if (failed(readAll(inputs, "input", ins)) || failed(readAll(outputs, "output", outs)))
    return failure();
  auto fnType = callee.getFunctionType();
  if (ins.size() != fnType.getNumInputs() || outs.size() != fnType.getNumResults())
    return emitError(loc) << "the test data has " << ins.size() << " inputs and " << outs.size()
                          << " outputs, the model " << fnType.getNumInputs() << " and " << fnType.getNumResults();

  b.setInsertionPointToEnd(module.getBody());
  auto print = func::FuncOp::create(b, loc, "printMemrefF32",
                                    b.getFunctionType({UnrankedMemRefType::get(b.getF32Type(), 0)}, {}));
  print.setPrivate();
  auto main = func::FuncOp::create(b, loc, "main", b.getFunctionType({}, {}));
  b.setInsertionPointToStart(main.addEntryBlock());
  SmallVector<Value> args;
  for (auto [k, v] : llvm::enumerate(ins)) {
    if (f32(v.shape) != fnType.getInput(k))
      return emitError(loc) << "input tensor " << k << " does not match the function's argument type";
    args.push_back(constF32(v.shape, v.cst->f));
  }
  auto call = func::CallOp::create(b, loc, callee, args);
  // Per output, the number of elements off by more than atol + rtol * |expected|, printed as a 1-element tensor.
  for (auto [k, v] : llvm::enumerate(outs)) {
    Value r = call.getResult(k);
    if (f32(v.shape) != r.getType())
      return emitError(loc) << "output tensor " << k << " does not match the function's result type";
    Shape flat = {std::max<int64_t>(1, numElements(v.shape))};
    r = reshape(r, flat);
    Value expected = constF32(flat, v.cst->f);
    Value diff = tosa::AbsOp::create(b, loc, f32(flat), sub(r, expected));
    Value bound = add(mul(tosa::AbsOp::create(b, loc, f32(flat), expected), scalarLike(rtol, 1)),
                      scalarLike(atol, 1));
    Value bad = tosa::GreaterOp::create(b, loc, RankedTensorType::get(flat, b.getI1Type()), diff, bound);
    Value ones = tosa::SelectOp::create(b, loc, f32(flat), bad, scalarLike(1.0f, 1), scalarLike(0.0f, 1));
    Value count = tosa::ReduceSumOp::create(b, loc, f32({1}), ones, b.getI32IntegerAttr(0));
    auto memType = MemRefType::get({1}, b.getF32Type());
    Value mem = bufferization::ToBufferOp::create(b, loc, memType, count);
    Value unranked = memref::CastOp::create(b, loc, UnrankedMemRefType::get(b.getF32Type(), 0), mem);
    func::CallOp::create(b, loc, print, ValueRange{unranked});
  }
  func::ReturnOp::create(b, loc);
  return verify(module);
}

LogicalResult Importer::appendRunHarness(ModuleOp module, llvm::ArrayRef<std::string> inputs, uint64_t seed) {
  auto callee = module.lookupSymbol<func::FuncOp>(options.functionName);
  if (!callee)
    return emitError(module.getLoc()) << "no function @" << options.functionName;
  FunctionType fnType = callee.getFunctionType();
  // The inputs: the given tensors, else uniform random values in [-1, 1) of the argument types.
  SmallVector<std::pair<Shape, std::vector<float>>> args;
  for (auto [k, blob] : llvm::enumerate(inputs)) {
    onnx::TensorProto t;
    if (!t.ParseFromString(blob))
      return emitError(loc) << "cannot parse input tensor " << k;
    Val v;
    if (failed(readTensor(t, v, "input")))
      return failure();
    if (!v.cst->isFloat)
      return emitError(loc) << "input tensor " << k << " is not floating point";
    args.push_back({v.shape, v.cst->f});
  }
  if (inputs.empty()) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    for (Type type : fnType.getInputs()) {
      auto ranked = dyn_cast<RankedTensorType>(type);
      if (!ranked || !ranked.hasStaticShape() || !ranked.getElementType().isF32())
        return emitError(loc) << "argument type " << type << " is not a static f32 tensor (give --input-shape)";
      std::vector<float> data(static_cast<size_t>(ranked.getNumElements()));
      for (float &x : data)
        x = uniform(rng);
      args.push_back({Shape(ranked.getShape()), std::move(data)});
    }
  }
  if (args.size() != fnType.getNumInputs())
    return emitError(loc) << inputs.size() << " input tensors given, the model takes " << fnType.getNumInputs();

  b.setInsertionPointToEnd(module.getBody());
  Type unranked = UnrankedMemRefType::get(b.getF32Type(), 0);
  auto declare = [&](StringRef name, FunctionType type) {
    auto f = func::FuncOp::create(b, loc, name, type);
    f.setPrivate();
    return f;
  };
  // mlir-runner's support libraries: libmlir_runner_utils (printMemrefF32), libmlir_c_runner_utils (the rest).
  auto print = declare("printMemrefF32", b.getFunctionType({unranked}, {}));
  auto clock = declare("rtclock", b.getFunctionType({}, {b.getF64Type()}));
  auto printF64 = declare("printF64", b.getFunctionType({b.getF64Type()}, {}));
  auto newline = declare("printNewline", b.getFunctionType({}, {}));
  auto main = func::FuncOp::create(b, loc, "main", b.getFunctionType({}, {}));
  b.setInsertionPointToStart(main.addEntryBlock());
  SmallVector<Value> operands;
  for (auto [k, arg] : llvm::enumerate(args)) {
    if (f32(arg.first) != fnType.getInput(k))
      return emitError(loc) << "input tensor " << k << " does not match the function's argument type "
                            << fnType.getInput(k);
    // Copied into a buffer allocated at run time, so no compiler pass folds the model on constant inputs and the
    // time printed is that of the computation.
    auto memType = MemRefType::get(arg.first, b.getF32Type());
    Value constant = bufferization::ToBufferOp::create(b, loc, memType, constF32(arg.first, arg.second));
    Value buffer = memref::AllocOp::create(b, loc, memType);
    memref::CopyOp::create(b, loc, constant, buffer);
    operands.push_back(bufferization::ToTensorOp::create(b, loc, f32(arg.first), buffer, /*restrict=*/true,
                                                         /*writable=*/true));
  }
  Value start = func::CallOp::create(b, loc, clock, ValueRange{}).getResult(0);
  auto call = func::CallOp::create(b, loc, callee, operands);
  Value end = func::CallOp::create(b, loc, clock, ValueRange{}).getResult(0);
  for (Value r : call.getResults()) {
    auto type = dyn_cast<RankedTensorType>(r.getType());
    if (!type || !type.getElementType().isF32())
      return emitError(loc) << "output type " << r.getType() << " is not an f32 tensor";
    Value mem = bufferization::ToBufferOp::create(b, loc, MemRefType::get(type.getShape(), b.getF32Type()), r);
    func::CallOp::create(b, loc, print, ValueRange{memref::CastOp::create(b, loc, unranked, mem)});
  }
  // The call's wall time in milliseconds, last.
  Value ms = arith::MulFOp::create(b, loc, arith::SubFOp::create(b, loc, end, start),
                                   arith::ConstantOp::create(b, loc, b.getF64FloatAttr(1000.0)));
  func::CallOp::create(b, loc, printF64, ValueRange{ms});
  func::CallOp::create(b, loc, newline, ValueRange{});
  func::ReturnOp::create(b, loc);
  return verify(module);
}

// The dispatch tables: every op the importer converts, and nothing else (`--list-onnx-ops` prints them).
const std::pair<llvm::StringLiteral, Importer::OnNode> Importer::kOnNode[] = {
    {"Conv", &Importer::convertConv},
    {"ConvTranspose", &Importer::convertConvTranspose},
    {"Gemm", &Importer::convertGemm},
    {"MatMul", &Importer::convertMatMul},
    {"Add", &Importer::convertBinary},
    {"Sub", &Importer::convertBinary},
    {"Mul", &Importer::convertBinary},
    {"Div", &Importer::convertBinary},
    {"PRelu", &Importer::convertBinary},
    {"Max", &Importer::convertVariadic},
    {"Min", &Importer::convertVariadic},
    {"Sum", &Importer::convertVariadic},
    {"Mean", &Importer::convertVariadic},
    {"Concat", &Importer::convertConcat},
    {"Gather", &Importer::convertGather},
    {"Constant", &Importer::convertConstant}};
const std::pair<llvm::StringLiteral, Importer::OnInput> Importer::kOnInput[] = {
    {"MaxPool", &Importer::convertPool},
    {"AveragePool", &Importer::convertPool},
    {"GlobalMaxPool", &Importer::convertPool},
    {"GlobalAveragePool", &Importer::convertPool},
    {"BatchNormalization", &Importer::convertBatchNorm},
    {"Relu", &Importer::convertUnary},
    {"LeakyRelu", &Importer::convertUnary},
    {"Sigmoid", &Importer::convertUnary},
    {"HardSigmoid", &Importer::convertUnary},
    {"HardSwish", &Importer::convertUnary},
    {"Tanh", &Importer::convertUnary},
    {"Selu", &Importer::convertUnary},
    {"Elu", &Importer::convertUnary},
    {"Exp", &Importer::convertUnary},
    {"Neg", &Importer::convertUnary},
    {"Sqrt", &Importer::convertUnary},
    {"Reciprocal", &Importer::convertUnary},
    {"Abs", &Importer::convertUnary},
    {"Clip", &Importer::convertClip},
    {"Softmax", &Importer::convertSoftmax},
    {"Split", &Importer::convertSplit},
    {"Slice", &Importer::convertSlice},
    {"Reshape", &Importer::convertReshapeLike},
    {"Flatten", &Importer::convertReshapeLike},
    {"Squeeze", &Importer::convertReshapeLike},
    {"Unsqueeze", &Importer::convertReshapeLike},
    {"Transpose", &Importer::convertTranspose},
    {"Pad", &Importer::convertPad},
    {"Resize", &Importer::convertResize},
    {"Upsample", &Importer::convertResize},
    {"ReduceMean", &Importer::convertReduceMean},
    {"Shape", &Importer::convertShape},
    {"Cast", &Importer::convertCast},
    {"Identity", &Importer::convertIdentity},
    {"Dropout", &Importer::convertIdentity}};

SmallVector<llvm::StringRef> Importer::supportedOps() {
  SmallVector<llvm::StringRef> ops;
  for (const auto &entry : kOnNode)
    ops.push_back(entry.first);
  for (const auto &entry : kOnInput)
    ops.push_back(entry.first);
  llvm::sort(ops);
  return ops;
}

LogicalResult Importer::convertNode() {
  for (const auto &[op, convert] : kOnNode)
    if (opType == op)
      return (this->*convert)();
  for (const auto &[op, convert] : kOnInput) {
    if (opType != op)
      continue;
    Val *x = input(0);
    return x ? (this->*convert)(*x) : failure();
  }
  return emitError(loc) << "unsupported ONNX op '" << opType << "' (node '" << nodeName << "', opset " << opset
                        << ")";
}

// ---- convolution and pooling ----------------------------------------------------------------------------------

LogicalResult Importer::windowGeometry(llvm::ArrayRef<int64_t> in, llvm::ArrayRef<int64_t> kernel,
                                       llvm::ArrayRef<int64_t> strides, llvm::ArrayRef<int64_t> dilations,
                                       bool ceilMode, SmallVector<int64_t, 4> &pad, Shape &out, Shape &crop) {
  std::string autoPad = attrString("auto_pad", "NOTSET");
  Shape pads = attrInts("pads").value_or(Shape(4, 0));
  if (pads.size() != 4)
    return error() << "expected 4 pads for a 2-D window, got " << pads.size();
  pad.assign(4, 0);
  out.assign(2, 0);
  crop.assign(in.begin(), in.end());
  for (int d = 0; d < 2; ++d) {
    int64_t span = dilations[d] * (kernel[d] - 1) + 1;
    if (kernel[d] < 1 || strides[d] < 1 || dilations[d] < 1)
      return error() << "kernel, strides and dilations must be positive";
    int64_t before = pads[d], after = pads[d + 2];
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      int64_t o = (in[d] + strides[d] - 1) / strides[d];
      int64_t total = std::max<int64_t>(0, (o - 1) * strides[d] + span - in[d]);
      before = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      after = total - before;
    } else if (autoPad == "VALID") {
      before = after = 0;
    } else if (autoPad != "NOTSET") {
      return error() << "unknown auto_pad '" << autoPad << "'";
    }
    int64_t extent = in[d] + before + after - span;
    if (extent < 0)
      return error() << "window larger than the padded input";
    int64_t o = (ceilMode ? (extent + strides[d] - 1) / strides[d] : extent / strides[d]) + 1;
    // Exact size TOSA wants: trailing pad that the last window reaches, cropping the input when even no pad is
    // too much (rows the floor division never reads).
    int64_t need = (o - 1) * strides[d] + span - in[d] - before;
    if (need < 0) {
      crop[d] = in[d] + need;
      need = 0;
    }
    out[d] = o;
    pad[2 * d] = before;
    pad[2 * d + 1] = need;
  }
  return success();
}

LogicalResult Importer::convertConv() {
  Val *x = input(0), *w = input(1);
  if (!x || !w)
    return failure();
  if (x->shape.size() != 4 || w->shape.size() != 4)
    return error() << "only 2-D convolutions (rank-4 input and weight) are supported";
  int64_t group = attrInt("group", 1);
  int64_t n = x->shape[0], c = x->shape[1], oc = w->shape[0];
  Shape kernel = {w->shape[2], w->shape[3]};
  Shape strides = attrInts("strides").value_or(Shape{1, 1});
  Shape dilations = attrInts("dilations").value_or(Shape{1, 1});
  if (strides.size() != 2 || dilations.size() != 2)
    return error() << "strides and dilations must have 2 entries";
  if (group < 1 || c % group || oc % group || w->shape[1] != c / group)
    return error() << "weight shape does not match input channels and group " << group;
  SmallVector<int64_t, 4> pad;
  Shape outHW, crop;
  if (failed(windowGeometry({x->shape[2], x->shape[3]}, kernel, strides, dilations, false, pad, outHW, crop)))
    return failure();
  Value in = nhwcOf(*x);
  if (!in)
    return failure();
  in = slice(in, {0, 0, 0, 0}, {n, crop[0], crop[1], c});
  Shape outNHWC = {n, outHW[0], outHW[1], oc};
  auto accType = TypeAttr::get(b.getF32Type());
  auto padAttr = b.getDenseI64ArrayAttr(pad);
  auto strideAttr = b.getDenseI64ArrayAttr(strides);
  auto dilationAttr = b.getDenseI64ArrayAttr(dilations);
  Value y;
  if (group == 1) {
    Value weight = weightOf(*w, kToNHWC); // OIHW -> OHWI
    Value bias = biasOf(2, oc);
    if (!weight || !bias)
      return failure();
    y = tosa::Conv2DOp::create(b, loc, f32(outNHWC), in, weight, bias, zeroPoint(), zeroPoint(), padAttr,
                               strideAttr, dilationAttr, accType);
  } else if (group == c) {
    // Depthwise: [C*M, 1, KH, KW] -> [C, M, KH, KW] -> [KH, KW, C, M]; output channel c*M+m in both.
    int64_t m = oc / c;
    Value weight = weightOf(*w, {2, 3, 0, 1}, {c, m, kernel[0], kernel[1]});
    Value bias = biasOf(2, oc);
    if (!weight || !bias)
      return failure();
    y = tosa::DepthwiseConv2DOp::create(b, loc, f32(outNHWC), in, weight, bias, zeroPoint(), zeroPoint(),
                                        padAttr, strideAttr, dilationAttr, accType);
  } else {
    // Grouped: one linalg grouped convolution (G GEMMs side by side, NHWGC x GFHWC), so the flow and the KPI models
    // see one layer with its groups, not G small convolutions and a concatenation. TOSA has no grouped convolution;
    // linalg named convolutions take no padding, so an explicit tosa.pad comes first.
    int64_t cg = c / group, og = oc / group;
    Shape padded = {n, crop[0] + pad[0] + pad[1], crop[1] + pad[2] + pad[3], c};
    if (llvm::any_of(pad, [](int64_t p) { return p != 0; }))
      in = tosa::PadOp::create(b, loc, f32(padded), in, shapeConst({0, 0, pad[0], pad[1], pad[2], pad[3], 0, 0}),
                               constF32({1}, {0.0f}));
    Value x5 = reshape(in, {n, padded[1], padded[2], group, cg});
    // OIHW = [G*og, cg, KH, KW] -> [G, og, cg, KH, KW] -> GFHWC [G, og, KH, KW, cg].
    Value weight = weightOf(*w, {0, 1, 3, 4, 2}, {group, og, cg, kernel[0], kernel[1]});
    Value bias = biasOf(2, oc);
    if (!weight || !bias)
      return failure();
    Shape out5 = {n, outHW[0], outHW[1], group, og};
    Value init = tensor::EmptyOp::create(b, loc, out5, b.getF32Type());
    Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
    Value filled = linalg::FillOp::create(b, loc, zero, init).getResult(0);
    auto pair = [&](const Shape &v) {
      return DenseIntElementsAttr::get(RankedTensorType::get({2}, b.getI64Type()), llvm::ArrayRef<int64_t>(v));
    };
    Value conv = linalg::Conv2DNhwgcGfhwcOp::create(b, loc, TypeRange{f32(out5)}, ValueRange{x5, weight},
                                                    ValueRange{filled}, pair(strides), pair(dilations))
                     .getResult(0);
    y = add(reshape(conv, outNHWC), reshape(bias, {1, 1, 1, oc}));
  }
  return result(tensorVal(y, {n, oc, outHW[0], outHW[1]}, true));
}

LogicalResult Importer::convertConvTranspose() {
  Val *x = input(0), *w = input(1);
  if (!x || !w)
    return failure();
  if (x->shape.size() != 4 || w->shape.size() != 4)
    return error() << "only 2-D transposed convolutions (rank-4 input and weight) are supported, got an input of rank "
                   << x->shape.size();
  int64_t group = attrInt("group", 1);
  int64_t n = x->shape[0], c = x->shape[1];
  // TOSA's transpose_conv2d has no groups; G transposed convolutions and a concatenation would price as G layers.
  if (group != 1)
    return error() << "group " << group << " is not supported (only group = 1)";
  if (w->shape[0] != c)
    return error() << "weight [C, M, KH, KW] has C = " << w->shape[0] << " but the input has " << c << " channels";
  int64_t oc = w->shape[1];
  Shape kernel = {w->shape[2], w->shape[3]};
  Shape strides = attrInts("strides").value_or(Shape{1, 1});
  Shape dilations = attrInts("dilations").value_or(Shape{1, 1});
  Shape outputPadding = attrInts("output_padding").value_or(Shape{0, 0});
  if (strides.size() != 2 || dilations.size() != 2 || outputPadding.size() != 2)
    return error() << "strides, dilations and output_padding must have 2 entries";
  if (std::optional<Shape> k = attrInts("kernel_shape"); k && *k != kernel)
    return error() << "kernel_shape differs from the weight's " << kernel[0] << "x" << kernel[1];
  for (int d = 0; d < 2; ++d)
    if (outputPadding[d] < 0 || outputPadding[d] >= std::max(strides[d], dilations[d]))
      return error() << "output_padding " << outputPadding[d] << " must be in [0, max(stride, dilation))";
  std::string autoPad = attrString("auto_pad", "NOTSET");
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return error() << "unknown auto_pad '" << autoPad << "'";
  std::optional<Shape> outputShape = attrInts("output_shape");
  if (outputShape && outputShape->size() == 4) // some exporters give N, C, H, W
    outputShape = Shape{(*outputShape)[2], (*outputShape)[3]};
  if (outputShape && outputShape->size() != 2)
    return error() << "output_shape must have 2 (or 4) entries";
  Shape pads = attrInts("pads").value_or(Shape{0, 0, 0, 0});
  if (pads.size() != 4)
    return error() << "pads must have 4 entries";

  // Per spatial dimension, ONNX's output is the full scatter (stride * (in - 1) + dilated kernel + output_padding)
  // with pads[begin] cropped at the start and pads[end] at the end; output_shape and SAME_* fix the output size
  // instead and derive the pads (ONNX 1.12's rule, halving with Python's floor division as its reference
  // implementation does: an output_shape beyond the full scatter, a negative total, extends the end, or the start
  // under SAME_UPPER; test_convtranspose_output_shape's expected output shows the end).
  Shape effKernel(2), outHW(2);
  SmallVector<int64_t, 4> begin(2), end(2);
  for (int d = 0; d < 2; ++d) {
    effKernel[d] = (kernel[d] - 1) * dilations[d] + 1;
    int64_t full = strides[d] * (x->shape[2 + d] - 1) + outputPadding[d] + effKernel[d];
    bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
    if (outputShape || same) {
      int64_t total = full - (outputShape ? (*outputShape)[d] : x->shape[2 + d] * strides[d]);
      int64_t half = llvm::divideFloorSigned(total, int64_t(2));
      begin[d] = autoPad == "SAME_UPPER" ? half : total - half;
      end[d] = total - begin[d];
    } else if (autoPad == "NOTSET") {
      begin[d] = pads[d];
      end[d] = pads[d + 2];
    }
    outHW[d] = full - begin[d] - end[d];
    if (outHW[d] < 1)
      return error() << "pads crop the whole output (size " << outHW[d] << ")";
  }

  // TOSA: out = (in - 1) * stride + out_pad[top] + out_pad[bottom] + kernel, and each out_pad > -kernel. Pads
  // that crop a kernel's extent or more are applied as a slice of the result instead.
  SmallVector<int64_t, 4> outPad(4);
  Shape crop(2);
  for (int d = 0; d < 2; ++d) {
    outPad[2 * d] = std::max(-begin[d], 1 - effKernel[d]);
    outPad[2 * d + 1] = std::max(outputPadding[d] - end[d], 1 - effKernel[d]);
    crop[d] = begin[d] + outPad[2 * d]; // rows TOSA computes before the ONNX output's first
  }
  Shape tosaHW = {(x->shape[2] - 1) * strides[0] + outPad[0] + outPad[1] + effKernel[0],
                  (x->shape[3] - 1) * strides[1] + outPad[2] + outPad[3] + effKernel[1]};

  Value in = nhwcOf(*x);
  Value weight = dilatedTransposeWeight(*w, dilations); // [C, M, KH, KW] -> OHWI [M, KH', KW', C]
  Value bias = biasOf(2, oc);
  if (!in || !weight || !bias)
    return failure();
  Value y = tosa::TransposeConv2DOp::create(b, loc, f32({n, tosaHW[0], tosaHW[1], oc}), in, weight, bias, zeroPoint(),
                                            zeroPoint(), b.getDenseI64ArrayAttr(outPad),
                                            b.getDenseI64ArrayAttr(strides), TypeAttr::get(b.getF32Type()));
  y = slice(y, {0, crop[0], crop[1], 0}, {n, outHW[0], outHW[1], oc});
  return result(tensorVal(y, {n, oc, outHW[0], outHW[1]}, true));
}

Value Importer::dilatedTransposeWeight(Val &w, llvm::ArrayRef<int64_t> dilations) {
  constexpr int32_t kToOHWI[4] = {1, 2, 3, 0};
  int64_t dh = dilations[0], dw = dilations[1];
  if (dh == 1 && dw == 1)
    return weightOf(w, kToOHWI);
  // TOSA's transposed convolution has no dilation: the kernel gets (dilation - 1) zeros between its taps, which
  // computes the same sums (and, priced, counts the zero taps as work).
  Shape ohwi = permuteShape(w.shape, kToOHWI);
  int64_t o = ohwi[0], kh = ohwi[1], kw = ohwi[2], ic = ohwi[3];
  Shape dilated = {o, (kh - 1) * dh + 1, (kw - 1) * dw + 1, ic};
  if (w.cst && w.cst->isFloat) {
    std::vector<float> src = permuteData(w.cst->f, w.shape, kToOHWI), out(numElements(dilated), 0.0f);
    for (int64_t a = 0; a < o; ++a)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t z = 0; z < kw; ++z)
          for (int64_t i = 0; i < ic; ++i)
            out[((a * dilated[1] + y * dh) * dilated[2] + z * dw) * ic + i] = src[((a * kh + y) * kw + z) * ic + i];
    return constF32(dilated, out);
  }
  // A runtime weight: [O, KH, 1, KW, 1, I], zero-padded to [O, KH, dh, KW, dw, I], merged and cut to size.
  Value v = weightOf(w, kToOHWI);
  if (!v)
    return {};
  v = reshape(v, {o, kh, 1, kw, 1, ic});
  v = tosa::PadOp::create(b, loc, f32({o, kh, dh, kw, dw, ic}), v,
                          shapeConst({0, 0, 0, 0, 0, dh - 1, 0, 0, 0, dw - 1, 0, 0}), constF32({1}, {0.0f}));
  v = reshape(v, {o, kh * dh, kw * dw, ic});
  return slice(v, {0, 0, 0, 0}, dilated);
}

LogicalResult Importer::convertPool(Val &x) {
  bool isMax = llvm::StringRef(opType).ends_with("MaxPool"), global = llvm::StringRef(opType).starts_with("Global");
  if (x.shape.size() != 4)
    return error() << "only 2-D pooling (rank-4 input) is supported";
  if (node->output_size() > 1 && !node->output(1).empty())
    return error() << "the Indices output is not supported";
  int64_t n = x.shape[0], c = x.shape[1];
  Shape kernel = global ? Shape{x.shape[2], x.shape[3]} : attrInts("kernel_shape").value_or(Shape{});
  Shape strides = global ? Shape{1, 1} : attrInts("strides").value_or(Shape{1, 1});
  Shape dilations = global ? Shape{1, 1} : attrInts("dilations").value_or(Shape{1, 1});
  if (kernel.size() != 2 || strides.size() != 2 || dilations.size() != 2)
    return error() << "kernel_shape, strides and dilations must have 2 entries";
  if (dilations != Shape{1, 1})
    return error() << "dilated pooling is not supported";
  SmallVector<int64_t, 4> pad(4, 0);
  Shape outHW = {1, 1}, crop = {x.shape[2], x.shape[3]};
  // The input sizes are a copy: windowGeometry overwrites crop, which must not be read through `in` meanwhile.
  const Shape inHW = crop;
  if (!global &&
      failed(windowGeometry(inHW, kernel, strides, dilations, attrInt("ceil_mode", 0) != 0, pad, outHW, crop)))
    return failure();
  Value in = nhwcOf(x);
  if (!in)
    return failure();
  in = slice(in, {0, 0, 0, 0}, {n, crop[0], crop[1], c});
  Shape outNHWC = {n, outHW[0], outHW[1], c};
  Value y;
  if (isMax) {
    y = tosa::MaxPool2dOp::create(b, loc, f32(outNHWC), in, b.getDenseI64ArrayAttr(kernel),
                                  b.getDenseI64ArrayAttr(strides), b.getDenseI64ArrayAttr(pad));
  } else {
    if (!global && attrInt("count_include_pad", 0) && llvm::any_of(pad, [](int64_t p) { return p; })) {
      // TOSA's average excludes padding; counting it means padding with zeros explicitly first.
      Value padding = shapeConst({0, 0, pad[0], pad[1], pad[2], pad[3], 0, 0});
      in = tosa::PadOp::create(b, loc, f32({n, crop[0] + pad[0] + pad[1], crop[1] + pad[2] + pad[3], c}), in,
                               padding, constF32({1}, {0.0f}));
      pad.assign(4, 0);
    }
    y = tosa::AvgPool2dOp::create(b, loc, f32(outNHWC), in, zeroPoint(), zeroPoint(),
                                  b.getDenseI64ArrayAttr(kernel), b.getDenseI64ArrayAttr(strides),
                                  b.getDenseI64ArrayAttr(pad), TypeAttr::get(b.getF32Type()));
  }
  return result(tensorVal(y, {n, c, outHW[0], outHW[1]}, true));
}

// ---- dense layers ---------------------------------------------------------------------------------------------

LogicalResult Importer::convertGemm() {
  Val *a = input(0), *w = input(1);
  if (!a || !w)
    return failure();
  if (a->shape.size() != 2 || w->shape.size() != 2)
    return error() << "Gemm operands must be matrices";
  bool transA = attrInt("transA", 0), transB = attrInt("transB", 0);
  float alpha = attrFloat("alpha", 1.0f), beta = attrFloat("beta", 1.0f);
  int64_t m = transA ? a->shape[1] : a->shape[0], k = transA ? a->shape[0] : a->shape[1];
  int64_t kb = transB ? w->shape[1] : w->shape[0], nn = transB ? w->shape[0] : w->shape[1];
  if (k != kb)
    return error() << "inner dimensions differ (" << k << " vs " << kb << ")";
  Value av = plainOf(*a);
  if (!av)
    return failure();
  if (transA)
    av = transpose(av, {1, 0});
  av = reshape(av, {1, m, k});
  Value bv = transB ? weightOf(*w, {1, 0}) : weightOf(*w, {0, 1});
  if (!bv)
    return failure();
  bv = reshape(bv, {1, k, nn});
  Value r = tosa::MatMulOp::create(b, loc, f32({1, m, nn}), av, bv, zeroPoint(), zeroPoint());
  r = reshape(r, {m, nn});
  if (alpha != 1.0f)
    r = mul(r, scalarLike(alpha, 2));
  if (Val *c = input(2, false)) {
    if (!broadcastShapes(c->shape, {m, nn}) || c->shape.size() > 2)
      return error() << "C does not broadcast to the output";
    Value cv = broadcastOperand(*c, 2, false);
    if (!cv)
      return failure();
    if (beta != 1.0f)
      cv = mul(cv, scalarLike(beta, 2));
    r = add(r, cv);
  }
  return result(tensorVal(r, {m, nn}, false));
}

LogicalResult Importer::convertMatMul() {
  Val *a = input(0), *w = input(1);
  if (!a || !w)
    return failure();
  if (a->shape.size() < 2 || w->shape.size() < 2)
    return error() << "1-D MatMul operands are not supported";
  int64_t m = a->shape[a->shape.size() - 2], k = a->shape.back();
  int64_t kb = w->shape[w->shape.size() - 2], nn = w->shape.back();
  if (k != kb)
    return error() << "inner dimensions differ (" << k << " vs " << kb << ")";
  Shape batchA(a->shape.begin(), a->shape.end() - 2), batchB(w->shape.begin(), w->shape.end() - 2);
  Value av = plainOf(*a), bv = plainOf(*w);
  if (!av || !bv)
    return failure();
  Shape outShape;
  Value r;
  if (batchB.empty() || numElements(batchB) == 1) {
    // Shared right operand: fold A's batch into its rows.
    int64_t rows = numElements(batchA) * m;
    r = tosa::MatMulOp::create(b, loc, f32({1, rows, nn}), reshape(av, {1, rows, k}), reshape(bv, {1, k, nn}),
                               zeroPoint(), zeroPoint());
    outShape = batchA.size() >= batchB.size() ? batchA : batchB;
  } else if (batchA == batchB) {
    int64_t batch = numElements(batchA);
    r = tosa::MatMulOp::create(b, loc, f32({batch, m, nn}), reshape(av, {batch, m, k}), reshape(bv, {batch, k, nn}),
                               zeroPoint(), zeroPoint());
    outShape = batchA;
  } else {
    return error() << "broadcast batch dimensions are only supported for a 2-D right operand";
  }
  outShape.push_back(m);
  outShape.push_back(nn);
  return result(tensorVal(reshape(r, outShape), outShape, false));
}

LogicalResult Importer::convertBatchNorm(Val &x) {
  if (node->output_size() > 1)
    for (int k = 1; k < node->output_size(); ++k)
      if (!node->output(k).empty())
        return error() << "training mode (running statistics outputs) is not supported";
  if (x.shape.size() < 2)
    return error() << "input must have a channel dimension";
  int64_t c = x.shape[1];
  float eps = attrFloat("epsilon", 1e-5f);
  Val *p[4];
  for (int k = 0; k < 4; ++k) {
    if (!(p[k] = input(k + 1)))
      return failure();
    if (p[k]->shape != Shape{c})
      return error() << "parameter " << k + 1 << " must have shape [" << c << "]";
  }
  size_t rank = x.shape.size();
  bool isNHWC = prefersNHWC(x) || rank == 4; // BN sits between convolutions: stay channels-last
  Value xv = valueOf(x, isNHWC);
  if (!xv)
    return failure();
  // Per-channel parameters shaped to broadcast along the channel axis of the chosen layout.
  Shape chanShape(rank, 1);
  chanShape[isNHWC ? 3 : 1] = c;
  Value y;
  if (llvm::all_of(p, [](Val *v) { return v->cst && v->cst->isFloat; })) {
    // Inference BN is an affine map per channel: y = x * s + t with s = scale / sqrt(var + eps).
    std::vector<float> s(c), t(c);
    for (int64_t i = 0; i < c; ++i) {
      s[i] = p[0]->cst->f[i] / std::sqrt(p[3]->cst->f[i] + eps);
      t[i] = p[1]->cst->f[i] - p[2]->cst->f[i] * s[i];
    }
    y = add(mul(xv, constF32(chanShape, s)), constF32(chanShape, t));
  } else {
    Value v[4];
    for (int k = 0; k < 4; ++k) {
      Value pv = plainOf(*p[k]);
      if (!pv)
        return failure();
      v[k] = reshape(pv, chanShape);
    }
    Value inv = tosa::RsqrtOp::create(b, loc, f32(chanShape), add(v[3], scalarLike(eps, rank)));
    y = add(mul(sub(xv, v[2]), mul(v[0], inv)), v[1]);
  }
  return result(tensorVal(y, x.shape, isNHWC));
}

// ---- elementwise ----------------------------------------------------------------------------------------------

LogicalResult Importer::convertBinary() {
  llvm::StringRef kind = opType;
  Val *a = input(0), *c = input(1);
  if (!a || !c)
    return failure();
  auto outShape = broadcastShapes(a->shape, c->shape);
  if (!outShape)
    return error() << "operand shapes do not broadcast";
  // Shape arithmetic on compile-time integers folds on the host.
  if (a->cst && c->cst && !(a->cst->isFloat && c->cst->isFloat) && kind != "PRelu") {
    if (numElements(*outShape) > 1024 || a->cst->isFloat || c->cst->isFloat)
      return error() << "mixed or large integer arithmetic is not supported";
    Contents r{/*isFloat=*/false};
    size_t rank = outShape->size();
    for (int64_t o = 0; o < numElements(*outShape); ++o) {
      auto index = [&](const Shape &s) {
        int64_t idx = 0, rem = o, stride = 1;
        SmallVector<int64_t> coords(rank);
        for (int k = rank - 1; k >= 0; --k) {
          coords[k] = rem % (*outShape)[k];
          rem /= (*outShape)[k];
        }
        for (int k = s.size() - 1; k >= 0; --k) {
          int64_t ck = coords[k + rank - s.size()];
          idx += (s[k] == 1 ? 0 : ck) * stride;
          stride *= s[k];
        }
        return idx;
      };
      int64_t x = a->cst->i[index(a->shape)], y = c->cst->i[index(c->shape)];
      if (kind == "Div" && y == 0)
        return error() << "integer division by zero";
      r.i.push_back(kind == "Add" ? x + y : kind == "Sub" ? x - y : kind == "Mul" ? x * y : x / y);
    }
    return result(constVal(*outShape, std::move(r)));
  }
  size_t rank = outShape->size();
  bool isNHWC = rank == 4 && (prefersNHWC(*a) || prefersNHWC(*c) ||
                              (a->shape.size() == 4 && a->nhwc) || (c->shape.size() == 4 && c->nhwc));
  Value av = broadcastOperand(*a, rank, isNHWC);
  if (!av)
    return failure();
  Value cv;
  if (kind == "Div" && c->cst && c->cst->isFloat) {
    // Dividing by a constant multiplies by its reciprocal, computed here.
    Contents inv;
    for (float f : c->cst->f)
      inv.f.push_back(1.0f / f);
    Val iv = constVal(c->shape, std::move(inv));
    cv = broadcastOperand(iv, rank, isNHWC);
    kind = "Mul";
  } else {
    cv = broadcastOperand(*c, rank, isNHWC);
  }
  if (!cv)
    return failure();
  Value r;
  if (kind == "Add")
    r = add(av, cv);
  else if (kind == "Sub")
    r = sub(av, cv);
  else if (kind == "Mul")
    r = mul(av, cv);
  else if (kind == "Div")
    r = mul(av, tosa::ReciprocalOp::create(b, loc, cv.getType(), cv));
  else { // PRelu: max(x, 0) + slope * min(x, 0)
    auto inf = std::numeric_limits<float>::infinity();
    r = add(clamp(av, 0.0f, inf), mul(clamp(av, -inf, 0.0f), cv));
  }
  return result(tensorVal(r, *outShape, isNHWC));
}

LogicalResult Importer::allInputs(SmallVectorImpl<Val *> &ins) {
  for (int k = 0; k < node->input_size(); ++k) {
    Val *v = input(k);
    if (!v)
      return failure();
    ins.push_back(v);
  }
  return success();
}

LogicalResult Importer::convertVariadic() {
  // Max, Min, Sum, Mean: a left fold of the binary op over all inputs, with numpy broadcasting.
  SmallVector<Val *> ins;
  if (failed(allInputs(ins)))
    return failure();
  if (ins.empty())
    return error() << "needs at least one input";
  if (ins.size() == 1)
    return result(*ins[0]);
  Shape outShape = ins[0]->shape;
  for (Val *v : llvm::drop_begin(ins)) {
    std::optional<Shape> s = broadcastShapes(outShape, v->shape);
    if (!s)
      return error() << "operand shapes do not broadcast";
    outShape = *s;
  }
  size_t rank = outShape.size();
  bool isNHWC = rank == 4 && llvm::any_of(ins, [](Val *v) { return v->shape.size() == 4 && v->nhwc; });
  Value r = broadcastOperand(*ins[0], rank, isNHWC);
  if (!r)
    return failure();
  for (Val *v : llvm::drop_begin(ins)) {
    Value next = broadcastOperand(*v, rank, isNHWC);
    if (!next)
      return failure();
    auto type = f32(*broadcastShapes(cast<RankedTensorType>(r.getType()).getShape(),
                                     cast<RankedTensorType>(next.getType()).getShape()));
    if (opType == "Max")
      r = tosa::MaximumOp::create(b, loc, type, r, next);
    else if (opType == "Min")
      r = tosa::MinimumOp::create(b, loc, type, r, next);
    else
      r = tosa::AddOp::create(b, loc, type, r, next);
  }
  if (opType == "Mean")
    r = mul(r, scalarLike(1.0f / static_cast<float>(ins.size()), rank));
  return result(tensorVal(r, outShape, isNHWC));
}

LogicalResult Importer::convertUnary(Val &x) {
  llvm::StringRef kind = opType;
  bool isNHWC;
  Value v = preferredOf(x, isNHWC);
  if (!v)
    return failure();
  Type type = v.getType();
  size_t rank = x.shape.size();
  const float inf = std::numeric_limits<float>::infinity();
  Value r;
  auto negativeBranch = [&](float alpha, Value neg) {
    // x > 0 ? x : neg
    auto predType = RankedTensorType::get(cast<RankedTensorType>(type).getShape(), b.getI1Type());
    Value pred = tosa::GreaterOp::create(b, loc, predType, v, scalarLike(0.0f, rank));
    (void)alpha;
    return tosa::SelectOp::create(b, loc, type, pred, v, neg);
  };
  if (kind == "Relu") {
    r = clamp(v, 0.0f, inf);
  } else if (kind == "LeakyRelu") {
    r = negativeBranch(0, mul(v, scalarLike(attrFloat("alpha", 0.01f), rank)));
  } else if (kind == "Sigmoid") {
    r = tosa::SigmoidOp::create(b, loc, type, v);
  } else if (kind == "Tanh") {
    r = tosa::TanhOp::create(b, loc, type, v);
  } else if (kind == "Exp") {
    r = tosa::ExpOp::create(b, loc, type, v);
  } else if (kind == "Abs") {
    r = tosa::AbsOp::create(b, loc, type, v);
  } else if (kind == "Reciprocal") {
    r = tosa::ReciprocalOp::create(b, loc, type, v);
  } else if (kind == "Sqrt") {
    r = tosa::ReciprocalOp::create(b, loc, type, tosa::RsqrtOp::create(b, loc, type, v));
  } else if (kind == "Neg") {
    r = mul(v, scalarLike(-1.0f, rank));
  } else if (kind == "HardSigmoid") {
    Value lin = add(mul(v, scalarLike(attrFloat("alpha", 0.2f), rank)), scalarLike(attrFloat("beta", 0.5f), rank));
    r = clamp(lin, 0.0f, 1.0f);
  } else if (kind == "HardSwish") {
    Value lin = add(mul(v, scalarLike(1.0f / 6.0f, rank)), scalarLike(0.5f, rank));
    r = mul(v, clamp(lin, 0.0f, 1.0f));
  } else if (kind == "Elu" || kind == "Selu") {
    bool selu = kind == "Selu";
    float alpha = attrFloat("alpha", selu ? 1.67326319217681884765625f : 1.0f);
    Value em1 = sub(tosa::ExpOp::create(b, loc, type, v), scalarLike(1.0f, rank));
    r = negativeBranch(0, mul(em1, scalarLike(alpha, rank)));
    if (selu)
      r = mul(r, scalarLike(attrFloat("gamma", 1.05070102214813232421875f), rank));
  }
  return result(tensorVal(r, x.shape, isNHWC));
}

LogicalResult Importer::convertClip(Val &x) {
  float lo = -std::numeric_limits<float>::infinity(), hi = std::numeric_limits<float>::infinity();
  if (opset < 11) {
    lo = attrFloat("min", lo);
    hi = attrFloat("max", hi);
  } else {
    for (int k = 1; k <= 2; ++k) {
      if (!hasInput(k))
        continue;
      Val *bound = input(k);
      if (!bound)
        return failure();
      if (!bound->cst || bound->cst->size() != 1)
        return error() << "min and max must be compile-time scalars";
      (k == 1 ? lo : hi) = static_cast<float>(bound->cst->at(0));
    }
  }
  return resultFrom(x, prefersNHWC(x), x.shape, [&](Value v) { return clamp(v, lo, hi); });
}

LogicalResult Importer::convertSoftmax(Val &x) {
  int64_t rank = x.shape.size();
  int64_t axis;
  if (failed(axisAttr(opset < 13 ? 1 : -1, rank, axis)))
    return failure();
  Value v = plainOf(x);
  if (!v)
    return failure();
  // Before opset 13 Softmax normalises over all dimensions from `axis` on, as one flattened row.
  Shape work = x.shape;
  if (opset < 13 && axis != rank - 1) {
    work = {numElements(Shape(x.shape.begin(), x.shape.begin() + axis)),
            numElements(Shape(x.shape.begin() + axis, x.shape.end()))};
    v = reshape(v, work);
    axis = 1;
  }
  Shape reduced = work;
  reduced[axis] = 1;
  Value mx = tosa::ReduceMaxOp::create(b, loc, f32(reduced), v, b.getI32IntegerAttr(axis));
  Value e = tosa::ExpOp::create(b, loc, f32(work), sub(v, mx));
  Value s = tosa::ReduceSumOp::create(b, loc, f32(reduced), e, b.getI32IntegerAttr(axis));
  Value r = mul(e, tosa::ReciprocalOp::create(b, loc, f32(reduced), s));
  return result(tensorVal(reshape(r, x.shape), x.shape, false));
}

// ---- data movement --------------------------------------------------------------------------------------------

LogicalResult Importer::convertConcat() {
  SmallVector<Val *> ins;
  if (failed(allInputs(ins)))
    return failure();
  if (ins.empty())
    return error() << "no inputs";
  int64_t rank = ins[0]->shape.size();
  int64_t axis;
  if (failed(axisAttr(0, rank, axis)))
    return failure();
  Shape out = ins[0]->shape;
  out[axis] = 0;
  for (Val *v : ins) {
    if (static_cast<int64_t>(v->shape.size()) != rank)
      return error() << "inputs have different ranks";
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && v->shape[d] != out[d])
        return error() << "inputs differ outside the concatenation axis";
    out[axis] += v->shape[axis];
  }
  if (llvm::all_of(ins, [](Val *v) { return v->cst && !v->cst->isFloat; }) && rank == 1) {
    Contents r{/*isFloat=*/false};
    for (Val *v : ins)
      r.i.insert(r.i.end(), v->cst->i.begin(), v->cst->i.end());
    return result(constVal(out, std::move(r)));
  }
  bool isNHWC = rank == 4 && llvm::any_of(ins, [](Val *v) { return v->nhwc; });
  SmallVector<Value> vs;
  for (Val *v : ins) {
    if (v->shape[axis] == 0)
      continue;
    Value x = valueOf(*v, isNHWC);
    if (!x)
      return failure();
    vs.push_back(x);
  }
  int64_t physAxis = isNHWC ? kAxisInNHWC[axis] : axis;
  Value r = vs.size() == 1 ? vs[0]
                           : tosa::ConcatOp::create(b, loc, f32(physical(out, isNHWC)), vs,
                                                    b.getI32IntegerAttr(physAxis));
  return result(tensorVal(r, out, isNHWC));
}

LogicalResult Importer::convertSplit(Val &x) {
  int64_t rank = x.shape.size();
  int64_t axis;
  if (failed(axisAttr(0, rank, axis)))
    return failure();
  std::vector<int64_t> sizes;
  if (failed(intsFrom(opset >= 13, 1, "split", sizes)))
    return failure();
  int64_t outs = node->output_size();
  if (sizes.empty()) {
    if (x.shape[axis] % outs)
      return error() << "dimension " << x.shape[axis] << " does not split evenly into " << outs;
    sizes.assign(outs, x.shape[axis] / outs);
  }
  if (static_cast<int64_t>(sizes.size()) != outs ||
      std::accumulate(sizes.begin(), sizes.end(), int64_t(0)) != x.shape[axis])
    return error() << "split sizes do not match the outputs and the dimension";
  bool isNHWC;
  Value v = preferredOf(x, isNHWC);
  if (!v)
    return failure();
  int64_t physAxis = isNHWC ? kAxisInNHWC[axis] : axis;
  Shape phys = physical(x.shape, isNHWC);
  int64_t offset = 0;
  for (int64_t k = 0; k < outs; ++k) {
    Shape start(rank, 0), size = phys, logical = x.shape;
    start[physAxis] = offset;
    size[physAxis] = sizes[k];
    logical[axis] = sizes[k];
    offset += sizes[k];
    define(k, tensorVal(slice(v, start, size), logical, isNHWC));
  }
  return success();
}

LogicalResult Importer::convertSlice(Val &x) {
  int64_t rank = x.shape.size();
  std::vector<int64_t> starts, ends, axes, steps;
  if (opset < 10) {
    auto s = attrInts("starts"), e = attrInts("ends"), a = attrInts("axes");
    if (!s || !e)
      return error() << "starts and ends are required";
    starts.assign(s->begin(), s->end());
    ends.assign(e->begin(), e->end());
    if (a)
      axes.assign(a->begin(), a->end());
  } else {
    auto s = constInts(1), e = constInts(2), a = constInts(3), st = constInts(4);
    if (!s || !e || !a || !st)
      return failure();
    starts = *s, ends = *e, axes = *a, steps = *st;
  }
  if (axes.empty())
    for (size_t k = 0; k < starts.size(); ++k)
      axes.push_back(k);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    return error() << "starts, ends, axes and steps differ in length";
  Shape start(rank, 0), size = x.shape;
  for (size_t k = 0; k < starts.size(); ++k) {
    int64_t a = axes[k] < 0 ? axes[k] + rank : axes[k];
    if (a < 0 || a >= rank)
      return error() << "axis out of range";
    if (steps[k] != 1)
      return error() << "only unit steps are supported";
    int64_t dim = x.shape[a];
    auto norm = [dim](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + dim : v, 0, dim); };
    int64_t s = norm(starts[k]), e = norm(ends[k]);
    start[a] = s;
    size[a] = std::max<int64_t>(0, e - s);
  }
  if (x.cst && rank == 1) {
    Contents r{x.cst->isFloat};
    for (int64_t k = start[0]; k < start[0] + size[0]; ++k)
      r.pushFrom(*x.cst, k);
    return result(constVal(size, std::move(r)));
  }
  if (numElements(size) == 0)
    return error() << "empty slices are not supported";
  bool isNHWC = prefersNHWC(x);
  return resultFrom(x, isNHWC, size, [&](Value v) {
    return isNHWC ? slice(v, permuteShape(start, kToNHWC), permuteShape(size, kToNHWC)) : slice(v, start, size);
  });
}

LogicalResult Importer::convertReshapeLike(Val &x) {
  int64_t rank = x.shape.size();
  int64_t count = numElements(x.shape);
  Shape out;
  if (opType == "Flatten") {
    int64_t axis;
    if (failed(axisAttr(1, rank, axis, /*endAllowed=*/true)))
      return failure();
    int64_t lead = numElements(Shape(x.shape.begin(), x.shape.begin() + axis));
    out = {lead, lead ? count / lead : 0};
  } else if (opType == "Reshape") {
    auto target = constInts(1);
    if (!target)
      return failure();
    bool allowZero = attrInt("allowzero", 0);
    int64_t infer = -1, known = 1;
    for (size_t k = 0; k < target->size(); ++k) {
      int64_t d = (*target)[k];
      if (d == 0 && !allowZero) {
        if (static_cast<int64_t>(k) >= rank)
          return error() << "0 in the target shape copies a dimension the input does not have";
        d = x.shape[k];
      }
      if (d == -1) {
        if (infer >= 0)
          return error() << "more than one -1 in the target shape";
        infer = k;
        d = 1;
      } else if (d < 0) {
        return error() << "invalid target dimension " << d;
      }
      out.push_back(d);
      known *= d;
    }
    if (infer >= 0) {
      if (known == 0 || count % known)
        return error() << "cannot infer the -1 dimension";
      out[infer] = count / known;
    }
  } else {
    std::vector<int64_t> axes;
    if (failed(intsFrom(opset >= 13, 1, "axes", axes)))
      return failure();
    if (opType == "Squeeze") {
      SmallVector<bool> drop(rank, false);
      for (int64_t a : axes) {
        a = a < 0 ? a + rank : a;
        if (a < 0 || a >= rank || x.shape[a] != 1)
          return error() << "cannot squeeze axis " << a;
        drop[a] = true;
      }
      for (int64_t d = 0; d < rank; ++d)
        if (!(axes.empty() ? x.shape[d] == 1 : drop[d]))
          out.push_back(x.shape[d]);
    } else {
      int64_t outRank = rank + axes.size();
      SmallVector<bool> ins(outRank, false);
      for (int64_t a : axes) {
        a = a < 0 ? a + outRank : a;
        if (a < 0 || a >= outRank || ins[a])
          return error() << "invalid unsqueeze axis";
        ins[a] = true;
      }
      int64_t src = 0;
      for (int64_t d = 0; d < outRank; ++d)
        out.push_back(ins[d] ? 1 : x.shape[src++]);
    }
  }
  if (numElements(out) != count)
    return error() << "element count changes (" << count << " to " << numElements(out) << ")";
  if (x.cst)
    return result(Val{out, {}, {}, x.cst});
  return resultFrom(x, /*isNHWC=*/false, out, [&](Value v) { return reshape(v, out); });
}

LogicalResult Importer::convertTranspose(Val &x) {
  int64_t rank = x.shape.size();
  SmallVector<int32_t> perm;
  if (auto p = attrInts("perm"))
    perm.assign(p->begin(), p->end());
  else
    for (int64_t k = rank - 1; k >= 0; --k)
      perm.push_back(k);
  if (static_cast<int64_t>(perm.size()) != rank)
    return error() << "perm has the wrong length";
  SmallVector<bool> seen(rank, false);
  for (int32_t p : perm) {
    if (p < 0 || p >= rank || seen[p])
      return error() << "perm is not a permutation";
    seen[p] = true;
  }
  Shape out = permuteShape(x.shape, perm);
  // Layout transposes written in the model (channels-last exports) meet ours and cancel: the NHWC form of the
  // result is the input itself, or the input's NHWC form is the result.
  if (rank == 4 && llvm::equal(perm, kToNCHW) && !prefersNHWC(x)) {
    Value v = plainOf(x);
    if (!v)
      return failure();
    return result(tensorVal(v, out, true));
  }
  if (rank == 4 && llvm::equal(perm, kToNHWC) && x.nhwc)
    return result(tensorVal(x.nhwc, out, false));
  if (x.cst && x.cst->isFloat) {
    Contents r;
    r.f = permuteData(x.cst->f, x.shape, perm);
    return result(constVal(out, std::move(r)));
  }
  return resultFrom(x, /*isNHWC=*/false, out, [&](Value v) { return transpose(v, perm); });
}

LogicalResult Importer::convertPad(Val &x) {
  int64_t rank = x.shape.size();
  std::string mode = attrString("mode", "constant");
  if (mode != "constant")
    return error() << "pad mode '" << mode << "' is not supported (only constant)";
  std::vector<int64_t> pads;
  float value = 0.0f;
  if (opset < 11) {
    auto p = attrInts("pads");
    if (!p)
      return error() << "pads is required";
    pads.assign(p->begin(), p->end());
    value = attrFloat("value", 0.0f);
  } else {
    auto p = constInts(1);
    if (!p)
      return failure();
    pads = *p;
    if (Val *cv = input(2, false)) {
      if (!cv->cst || cv->cst->size() != 1)
        return error() << "constant_value must be a compile-time scalar";
      value = cv->cst->at(0);
    }
    if (hasInput(3))
      return error() << "the axes input is not supported";
  }
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return error() << "expected " << 2 * rank << " pads";
  Shape out = x.shape;
  SmallVector<int64_t> lo(rank), hi(rank);
  for (int64_t d = 0; d < rank; ++d) {
    lo[d] = pads[d];
    hi[d] = pads[d + rank];
    if (lo[d] < 0 || hi[d] < 0)
      return error() << "negative pads are not supported";
    out[d] += lo[d] + hi[d];
  }
  bool isNHWC = prefersNHWC(x);
  return resultFrom(x, isNHWC, out, [&](Value v) -> Value {
    SmallVector<int64_t> padding;
    for (int64_t k = 0; k < rank; ++k) {
      int64_t d = isNHWC ? kToNHWC[k] : k;
      padding.push_back(lo[d]);
      padding.push_back(hi[d]);
    }
    return tosa::PadOp::create(b, loc, f32(physical(out, isNHWC)), v, shapeConst(padding), constF32({1}, {value}));
  });
}

LogicalResult Importer::convertResize(Val &x) {
  if (x.shape.size() != 4)
    return error() << "only rank-4 inputs are supported";
  std::string mode = attrString("mode", "nearest");
  if (mode != "nearest")
    return error() << "mode '" << mode << "' is not supported (only nearest with integer factors)";
  // Scales come from an attribute (Upsample-7), the second input (Upsample-9, Resize-10) or the third input,
  // or sizes from the fourth (Resize-11+).
  std::vector<double> scales;
  Shape out;
  if (auto *a = attr("scales")) {
    scales.assign(a->floats().begin(), a->floats().end());
  } else {
    int scalesIndex = opType == "Upsample" || opset < 11 ? 1 : 2;
    for (int k : {scalesIndex, 3}) {
      if (!hasInput(k))
        continue;
      Val *v = input(k);
      if (!v)
        return failure();
      if (!v->cst)
        return error() << "scales and sizes must be compile-time constants";
      if (v->cst->size() == 0)
        continue;
      if (k == 3)
        for (size_t i = 0; i < v->cst->size(); ++i)
          out.push_back(static_cast<int64_t>(v->cst->at(i)));
      else
        for (size_t i = 0; i < v->cst->size(); ++i)
          scales.push_back(v->cst->at(i));
    }
  }
  if (out.empty()) {
    if (scales.size() != 4)
      return error() << "expected 4 scales";
    for (int d = 0; d < 4; ++d)
      out.push_back(static_cast<int64_t>(std::floor(x.shape[d] * scales[d])));
  }
  if (out.size() != 4 || out[0] != x.shape[0] || out[1] != x.shape[1])
    return error() << "only spatial resizing is supported";
  int64_t fh = out[2] / x.shape[2], fw = out[3] / x.shape[3];
  if (fh < 1 || fw < 1 || out[2] != fh * x.shape[2] || out[3] != fw * x.shape[3])
    return error() << "only integer upsampling factors are supported";
  // Integer-factor nearest upsampling repeats every pixel: reshape [N,H,1,W,1,C], tile, reshape back. For such
  // factors every ONNX coordinate mode in use (asymmetric, half_pixel, align_corners off) picks the same pixels.
  int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
  return resultFrom(x, /*isNHWC=*/true, out, [&](Value v) {
    Value r = reshape(v, {n, h, 1, w, 1, c});
    r = tosa::TileOp::create(b, loc, f32({n, h, fh, w, fw, c}), r, shapeConst({1, 1, fh, 1, fw, 1}));
    return reshape(r, {n, h * fh, w * fw, c});
  });
}

LogicalResult Importer::convertReduceMean(Val &x) {
  int64_t rank = x.shape.size();
  std::vector<int64_t> axes;
  if (auto a = attrInts("axes"))
    axes.assign(a->begin(), a->end());
  if (axes.empty())
    for (int64_t k = 0; k < rank; ++k)
      axes.push_back(k);
  bool keep = attrInt("keepdims", 1);
  bool isNHWC;
  Value v = preferredOf(x, isNHWC);
  if (!v)
    return failure();
  Shape logical = x.shape;
  int64_t count = 1;
  SmallVector<bool> reduced(rank, false);
  for (int64_t a : axes) {
    a = a < 0 ? a + rank : a;
    if (a < 0 || a >= rank || reduced[a])
      return error() << "invalid axis";
    reduced[a] = true;
    count *= logical[a];
    logical[a] = 1;
    int64_t pa = isNHWC ? kAxisInNHWC[a] : a;
    Value cur = v;
    Shape s(cast<RankedTensorType>(cur.getType()).getShape());
    s[pa] = 1;
    v = tosa::ReduceSumOp::create(b, loc, f32(s), cur, b.getI32IntegerAttr(pa));
  }
  v = mul(v, scalarLike(1.0f / static_cast<float>(count), rank));
  Val r = tensorVal(v, logical, isNHWC);
  if (!keep) {
    Shape squeezed;
    for (int64_t d = 0; d < rank; ++d)
      if (!reduced[d])
        squeezed.push_back(x.shape[d]);
    Value p = plainOf(r);
    if (!p)
      return failure();
    r = tensorVal(reshape(p, squeezed), squeezed, false);
  }
  return result(std::move(r));
}

// ---- compile-time values --------------------------------------------------------------------------------------

LogicalResult Importer::convertShape(Val &x) {
  int64_t rank = x.shape.size();
  int64_t start = attrInt("start", 0), end = attrInt("end", rank);
  start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
  end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
  Contents c{/*isFloat=*/false};
  for (int64_t k = start; k < end; ++k)
    c.i.push_back(x.shape[k]);
  Shape shape = {static_cast<int64_t>(c.i.size())};
  return result(constVal(std::move(shape), std::move(c)));
}

LogicalResult Importer::convertGather() {
  Val *x = input(0), *idx = input(1);
  if (!x || !idx)
    return failure();
  if (!x->cst || !idx->cst || idx->cst->isFloat)
    return error() << "only compile-time Gather (shape arithmetic) is supported";
  int64_t rank = x->shape.size();
  int64_t axis;
  if (failed(axisAttr(0, rank, axis)))
    return failure();
  int64_t outer = numElements(Shape(x->shape.begin(), x->shape.begin() + axis));
  int64_t inner = numElements(Shape(x->shape.begin() + axis + 1, x->shape.end()));
  int64_t dim = x->shape[axis];
  Contents r{x->cst->isFloat};
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i : idx->cst->i) {
      if (i < -dim || i >= dim)
        return error() << "index " << i << " out of range";
      i = i < 0 ? i + dim : i;
      for (int64_t k = 0; k < inner; ++k) {
        size_t src = (o * dim + i) * inner + k;
        r.pushFrom(*x->cst, src);
      }
    }
  Shape out(x->shape.begin(), x->shape.begin() + axis);
  out.append(idx->shape.begin(), idx->shape.end());
  out.append(x->shape.begin() + axis + 1, x->shape.end());
  return result(constVal(out, std::move(r)));
}

LogicalResult Importer::convertCast(Val &x) {
  int64_t to = attrInt("to", 0);
  bool toFloat = to == onnx::TensorProto::FLOAT || to == onnx::TensorProto::DOUBLE;
  bool toInt = to == onnx::TensorProto::INT64 || to == onnx::TensorProto::INT32;
  if (x.cst && (toFloat || toInt)) {
    Contents r{toFloat};
    for (size_t k = 0; k < x.cst->size(); ++k)
      toFloat ? r.f.push_back(static_cast<float>(x.cst->at(k)))
              : r.i.push_back(static_cast<int64_t>(x.cst->at(k)));
    return result(constVal(x.shape, std::move(r)));
  }
  if (toFloat && x.isTensor())
    return result(x);
  return error() << "only casts to float of float tensors, or of compile-time values, are supported";
}

LogicalResult Importer::convertConstant() {
  if (const auto *a = attr("value")) {
    Val v;
    if (failed(readTensor(a->t(), v, "constant")))
      return failure();
    return result(std::move(v));
  }
  Contents c;
  Shape shape;
  if (const auto *a = attr("value_float")) {
    c.f = {a->f()};
  } else if (const auto *a = attr("value_floats")) {
    c.f.assign(a->floats().begin(), a->floats().end());
    shape = {static_cast<int64_t>(c.f.size())};
  } else if (const auto *a = attr("value_int")) {
    c.isFloat = false;
    c.i = {a->i()};
  } else if (const auto *a = attr("value_ints")) {
    c.isFloat = false;
    c.i.assign(a->ints().begin(), a->ints().end());
    shape = {static_cast<int64_t>(c.i.size())};
  } else {
    return error() << "only tensor, float(s) and int(s) constants are supported";
  }
  return result(constVal(shape, std::move(c)));
}

} // namespace

// ---- public API -----------------------------------------------------------------------------------------------

std::string mlir::flydel::parseOnnxInputShape(llvm::StringRef spec, OnnxImportOptions &options) {
  auto [name, dims] = spec.rsplit('=');
  if (name.empty() || dims.empty() || !spec.contains('='))
    return "expected NAME=D0xD1x..., got '" + spec.str() + "'";
  SmallVector<int64_t, 4> shape;
  SmallVector<llvm::StringRef> parts;
  dims.split(parts, 'x');
  for (llvm::StringRef p : parts) {
    int64_t d;
    if (p.getAsInteger(10, d) || d < 1 || d > kMaxElements)
      return "invalid dimension '" + p.str() + "' in --input-shape " + spec.str();
    shape.push_back(d);
  }
  options.inputShapes[name] = shape;
  return {};
}

SmallVector<llvm::StringRef> mlir::flydel::getSupportedOnnxOps() { return Importer::supportedOps(); }

void mlir::flydel::registerOnnxImportDialects(DialectRegistry &registry) {
  registry.insert<func::FuncDialect, tosa::TosaDialect, bufferization::BufferizationDialect, memref::MemRefDialect,
                  arith::ArithDialect, linalg::LinalgDialect, tensor::TensorDialect>();
}

LogicalResult mlir::flydel::appendOnnxTestHarness(ModuleOp module, llvm::ArrayRef<std::string> inputs,
                                                  llvm::ArrayRef<std::string> outputs, double atol, double rtol,
                                                  const OnnxImportOptions &options) {
  MLIRContext *ctx = module.getContext();
  ctx->loadDialect<bufferization::BufferizationDialect, memref::MemRefDialect>();
  onnx::ModelProto none;
  OnnxImportOptions inlineOptions = options;
  inlineOptions.elideWeights = false;
  return Importer(ctx, inlineOptions, none).appendHarness(module, inputs, outputs, atol, rtol);
}

LogicalResult mlir::flydel::appendOnnxRunHarness(ModuleOp module, llvm::ArrayRef<std::string> inputs, uint64_t seed,
                                                 const OnnxImportOptions &options) {
  MLIRContext *ctx = module.getContext();
  ctx->loadDialect<arith::ArithDialect, bufferization::BufferizationDialect, memref::MemRefDialect>();
  onnx::ModelProto none;
  OnnxImportOptions inlineOptions = options;
  inlineOptions.elideWeights = false;
  return Importer(ctx, inlineOptions, none).appendRunHarness(module, inputs, seed);
}

OwningOpRef<ModuleOp> mlir::flydel::importOnnxModel(llvm::StringRef bytes, llvm::StringRef sourceName,
                                                     MLIRContext *context, const OnnxImportOptions &options) {
  // linalg, tensor and arith: grouped convolutions (TOSA has none).
  context->loadDialect<func::FuncDialect, tosa::TosaDialect, arith::ArithDialect, linalg::LinalgDialect,
                       tensor::TensorDialect>();
  Location fileLoc = FileLineColLoc::get(context, sourceName, 0, 0);
  onnx::ModelProto model;
  std::string err = detail::loadOnnxModel(bytes, options.inputShapes, model);
  if (!err.empty()) {
    emitError(fileLoc) << err;
    return nullptr;
  }
  return Importer(context, options, model).run(fileLoc);
}
