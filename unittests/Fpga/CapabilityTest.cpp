//===- CapabilityTest.cpp - which ops the FPGA engines can build ----------===//
#include "flydel/Fpga/Capability.h"

#include <gtest/gtest.h>

using namespace flydel::fpga;

namespace {

TensorShape tensor(std::vector<int64_t> dims, const std::string &element = "f32") {
  TensorShape t;
  t.ranked = t.isStatic = true;
  t.dims = dims;
  t.elementType = element; // the text left to typeText(), as describeFpgaTensor leaves it for static tensors
  return t;
}

TEST(CapabilityTest, TypeTextSpellsAStaticTensor) {
  EXPECT_EQ(tensor({1, 12, 12, 4}).typeText(), "tensor<1x12x12x4xf32>");
  EXPECT_EQ(tensor({5}, "i8").typeText(), "tensor<5xi8>");
  TensorShape unranked;
  unranked.elementType = "f32";
  unranked.text = "tensor<*xf32>";
  EXPECT_EQ(unranked.typeText(), "tensor<*xf32>");
}

// The output size TOSA requires of a window op (exact division), or -1 where TOSA's verifier rejects the op.
int64_t tosaOut(int64_t in, int64_t padBefore, int64_t padAfter, int64_t k, int64_t s) {
  int64_t span = in - 1 + padBefore + padAfter - (k - 1);
  return span < 0 || span % s ? -1 : span / s + 1;
}

OpRequest pool(OpClass kind, int64_t h, int64_t w, int64_t c, std::vector<int64_t> kernel, std::vector<int64_t> stride,
               std::vector<int64_t> pad) {
  OpRequest op;
  op.kind = kind;
  op.input = tensor({1, h, w, c});
  op.result = tensor(
      {1, tosaOut(h, pad[0], pad[1], kernel[0], stride[0]), tosaOut(w, pad[2], pad[3], kernel[1], stride[1]), c});
  op.kernel = kernel;
  op.stride = stride;
  op.pad = pad;
  return op;
}

OpRequest conv(int64_t h, int64_t cin, int64_t cout, int64_t kh, int64_t kw, int64_t s, std::vector<int64_t> pad,
               std::vector<int64_t> dilation = {1, 1}) {
  OpRequest op;
  op.kind = OpClass::Conv;
  op.input = tensor({1, h, h, cin});
  op.weight = tensor({cout, kh, kw, cin}); // OHWI
  op.result = tensor({1, tosaOut(h, pad[0], pad[1], (kh - 1) * dilation[0] + 1, s),
                      tosaOut(h, pad[2], pad[3], (kw - 1) * dilation[1] + 1, s), cout});
  op.stride = {s, s};
  op.dilation = dilation;
  op.pad = pad;
  return op;
}

bool mentions(const std::string &why, const std::string &what) { return why.find(what) != std::string::npos; }

TEST(CapabilityTest, SquarePoolsOnly) {
  EXPECT_EQ(checkBuildable(pool(OpClass::MaxPool, 8, 8, 4, {2, 2}, {2, 2}, {0, 0, 0, 0})), "");
  EXPECT_EQ(checkBuildable(pool(OpClass::MaxPool, 9, 9, 4, {3, 3}, {2, 2}, {1, 1, 1, 1})), "");
  EXPECT_EQ(checkBuildable(pool(OpClass::AvgPool, 7, 7, 4, {7, 7}, {1, 1}, {0, 0, 0, 0})), ""); // global
  // A non-square window, also a global pool over a rectangular map (as OCR heads pool 3x96 maps).
  EXPECT_EQ(checkBuildable(pool(OpClass::MaxPool, 8, 8, 4, {2, 3}, {1, 1}, {0, 0, 0, 0})),
            "kernel 2x3, stride 1x1: the engines take square kernels and equal strides");
  EXPECT_TRUE(mentions(checkBuildable(pool(OpClass::AvgPool, 3, 96, 4, {3, 96}, {1, 1}, {0, 0, 0, 0})), "kernel 3x96"));
  EXPECT_TRUE(mentions(checkBuildable(pool(OpClass::MaxPool, 8, 8, 4, {2, 2}, {2, 1}, {0, 0, 0, 0})), "stride 2x1"));
  // Average pooling divides by K^2, TOSA by the valid elements: no padding.
  EXPECT_TRUE(mentions(checkBuildable(pool(OpClass::AvgPool, 8, 8, 4, {3, 3}, {1, 1}, {1, 1, 1, 1})),
                       "average pooling with padding"));
  EXPECT_EQ(checkBuildable(pool(OpClass::MaxPool, 8, 8, 4, {3, 3}, {1, 1}, {1, 1, 1, 1})), "");
}

TEST(CapabilityTest, WindowLimits) {
  EXPECT_EQ(checkBuildable(conv(8, 4, 8, 3, 3, 1, {1, 1, 1, 1})), "");
  EXPECT_EQ(checkBuildable(conv(8, 4, 8, 1, 1, 1, {0, 0, 0, 0})), "");
  // Stride beyond the kernel (the line buffer holds k rows): a 1x1 stride-2 convolution, as ResNet's shortcuts.
  EXPECT_TRUE(mentions(checkBuildable(conv(9, 4, 8, 1, 1, 2, {0, 0, 0, 0})), "stride must not exceed the kernel"));
  EXPECT_TRUE(
      mentions(checkBuildable(conv(8, 4, 8, 1, 1, 1, {1, 1, 1, 1})), "padding must be smaller than the kernel"));
  EXPECT_EQ(checkBuildable(conv(8, 4, 8, 3, 1, 1, {0, 0, 0, 0})),
            "kernel 3x1, stride 1x1: the engines take square kernels and equal strides");
  EXPECT_EQ(checkBuildable(conv(9, 4, 8, 3, 3, 1, {0, 0, 0, 0}, {2, 2})), "dilation 2x2: the engines take no dilation");
  // TF "same" with stride 2: the extra top/left row no window needs at the bottom is the symmetric pad of 1; an
  // extra bottom/right row that a window reaches is not.
  EXPECT_EQ(checkBuildable(conv(16, 4, 8, 3, 3, 2, {1, 0, 1, 0})), "");
  EXPECT_EQ(checkBuildable(pool(OpClass::MaxPool, 9, 9, 4, {2, 2}, {2, 2}, {0, 1, 0, 1})),
            "padding [top, bottom, left, right] = [0, 1, 0, 1]: the engines pad every side by the same amount");
  // Rows and columns are 16-bit counters.
  EXPECT_TRUE(mentions(checkBuildable(pool(OpClass::MaxPool, 32768, 2, 4, {2, 2}, {2, 2}, {0, 0, 0, 0})), "16-bit"));
}

TEST(CapabilityTest, ConvolutionKinds) {
  OpRequest depthwise;
  depthwise.kind = OpClass::Depthwise;
  depthwise.input = tensor({1, 8, 8, 4});
  depthwise.weight = tensor({3, 3, 4, 1}); // HWCM
  depthwise.result = tensor({1, 8, 8, 4});
  depthwise.stride = {1, 1};
  depthwise.dilation = {1, 1};
  depthwise.pad = {1, 1, 1, 1};
  EXPECT_EQ(checkBuildable(depthwise), "");
  depthwise.weight = tensor({3, 3, 4, 2});
  depthwise.result = tensor({1, 8, 8, 8});
  EXPECT_EQ(checkBuildable(depthwise), "depthwise channel multiplier 2: the engine takes multiplier 1");

  OpRequest wide = conv(8, 4, 8, 3, 3, 1, {1, 1, 1, 1});
  wide.weight = tensor({8, 3, 3, 4}, "f16");
  EXPECT_EQ(checkBuildable(wide), "the weight must be f32, got 'f16'");
}

TEST(CapabilityTest, StreamsAreStaticF32Batch1Nhwc) {
  OpRequest op = pool(OpClass::MaxPool, 8, 8, 4, {2, 2}, {2, 2}, {0, 0, 0, 0});
  op.input = tensor({1, 8, 8, 4}, "i8");
  EXPECT_EQ(checkBuildable(op), "the input must be f32 (the flow quantises f32 models), got 'i8'");
  op.input = tensor({2, 8, 8, 4});
  EXPECT_EQ(checkBuildable(op), "the engines take batch 1, the input has batch 2");
  OpRequest clamp;
  clamp.kind = OpClass::Clamp;
  clamp.input = clamp.result = tensor({4, 4});
  EXPECT_EQ(checkBuildable(clamp), "the input must be a static rank-4 NHWC tensor, got 'tensor<4x4xf32>'");
  clamp.input = clamp.result = tensor({1, 4, 4, 4});
  EXPECT_EQ(checkBuildable(clamp), ""); // a 1x1 max pool when its producer cannot absorb it
  EXPECT_TRUE(mentions(checkActivation(tensor({1, 4, 4, int64_t{1} << 33}), "argument #0"), "out of range"));
  EXPECT_EQ(checkActivation(tensor({1, 4, 4, int64_t{1} << 33}), "input"),
            "a dimension of the input: 8589934592 is out of range for the engines");
}

TEST(CapabilityTest, ElementwiseOps) {
  OpRequest add;
  add.kind = OpClass::Add;
  add.input = add.input2 = add.result = tensor({1, 4, 4, 4});
  EXPECT_EQ(checkBuildable(add), "");
  add.input2 = tensor({1, 1, 1, 4}); // broadcast
  EXPECT_EQ(checkBuildable(add), "the add engine takes two operands of the result's shape (no broadcasting)");

  // A batch norm's mul / add: only folded into the convolution whose only use it is.
  OpRequest scale;
  scale.kind = OpClass::ScaleMul;
  scale.input = scale.result = tensor({1, 4, 4, 8});
  scale.constant = tensor({1, 1, 1, 8});
  scale.producer = OpClass::Conv;
  EXPECT_EQ(checkBuildable(scale), "");
  EXPECT_TRUE(foldsIntoProducer(scale));
  scale.producer = OpClass::Clamp;
  EXPECT_TRUE(mentions(checkBuildable(scale), "only supported folded into the conv2d or depthwise_conv2d"));
  scale.producer = OpClass::Depthwise;
  scale.constant = tensor({1, 4, 4, 8}); // not per channel
  EXPECT_EQ(checkBuildable(scale), "the constant operand must be per channel ([1, 1, 1, 8] or a scalar)");
  scale.constant = tensor({1});
  EXPECT_EQ(checkBuildable(scale), "");
  scale.zeroShift = false;
  EXPECT_EQ(checkBuildable(scale), "the shift must be a constant 0 (f32 models)");

  OpRequest other; // sigmoid, reshape, matmul, concat, ...
  EXPECT_TRUE(mentions(checkBuildable(other), "no FPGA engine for this op"));
}

TEST(CapabilityTest, FoldingIsCheckedWhenGiven) {
  OpRequest op = conv(4, 4, 6, 1, 1, 1, {0, 0, 0, 0});
  op.pe = 4;
  op.simd = 2;
  EXPECT_EQ(checkBuildable(op), "no conv engine for this op: pe must divide the output channels (h 4, w 4, cin 4, "
                                "cout 6, k 1, s 1, p 0, pe 4, simd 2)");
}

// Whatever the rule accepts, the engine it maps to is one the RTL supports and computes the op's output size.
TEST(CapabilityTest, BuildableWindowsMapToEnginesOfTheSameShape) {
  int buildable = 0, refused = 0;
  for (OpClass kind : {OpClass::MaxPool, OpClass::AvgPool, OpClass::Conv})
    for (int64_t h : {5, 8})
      for (int64_t k : {1, 2, 3})
        for (int64_t s : {1, 2, 3})
          for (int64_t before : {0, 1, 2})
            for (int64_t after : {0, 1, 2}) {
              std::vector<int64_t> pad = {before, after, before, after};
              if (tosaOut(h, before, after, k, s) < 1)
                continue; // TOSA's verifier rejects it
              OpRequest op =
                  kind == OpClass::Conv ? conv(h, 4, 4, k, k, s, pad) : pool(kind, h, h, 4, {k, k}, {s, s}, pad);
              if (!checkBuildable(op).empty()) {
                ++refused;
                continue;
              }
              ++buildable;
              EngineConfig c = engineConfigFor(op);
              EXPECT_EQ(c.check(), "") << c.id();
              EXPECT_EQ(c.outH(), op.result.dims[1]) << c.id();
              EXPECT_EQ(c.outW(), op.result.dims[2]) << c.id();
              EXPECT_LE(c.s, c.k);
              EXPECT_LT(c.p, c.k);
            }
  EXPECT_GT(buildable, 50);
  EXPECT_GT(refused, 50);
}

} // namespace
