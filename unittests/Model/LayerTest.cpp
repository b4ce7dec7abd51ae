#include "flydel/Model/Layer.h"

#include <gtest/gtest.h>

using namespace flydel;

namespace {
double at(const FeatureVector &f, Feature which) { return f[static_cast<int>(which)]; }
} // namespace

TEST(LayerTest, Conv2dDerivedFeatures) {
  Layer l;
  l.in_h = l.in_w = 32;
  l.c_in = 16;
  l.c_out = 8;
  l.kernel_h = l.kernel_w = 3;
  l.pad_h = l.pad_w = 1;
  l.dtype = DType::F16;
  EXPECT_EQ(l.check(), "");
  EXPECT_EQ(l.outH(), 32);
  FeatureVector f = computeFeatures(l);
  EXPECT_DOUBLE_EQ(at(f, Feature::Macs), 32.0 * 32 * 8 * 16 * 9);
  EXPECT_DOUBLE_EQ(at(f, Feature::InputBytes), 32.0 * 32 * 16 * 2);
  EXPECT_DOUBLE_EQ(at(f, Feature::OutputBytes), 32.0 * 32 * 8 * 2);
  EXPECT_DOUBLE_EQ(at(f, Feature::WeightBytes), 8.0 * 16 * 9 * 2);
  EXPECT_DOUBLE_EQ(at(f, Feature::ReductionSize), 16.0 * 9);
  EXPECT_DOUBLE_EQ(at(f, Feature::WeightCount), 8.0 * 16 * 9);
  EXPECT_DOUBLE_EQ(at(f, Feature::ArithIntensity), at(f, Feature::Macs) / at(f, Feature::TotalBytes));
}

TEST(LayerTest, StrideDilationGroupsAndNonSquare) {
  Layer l;
  l.in_h = 11, l.in_w = 20, l.c_in = 8, l.c_out = 8, l.groups = 8;
  l.kernel_h = l.kernel_w = 3, l.stride_h = l.stride_w = 2, l.dilation_h = l.dilation_w = 2;
  // (11 - 2*2 - 1) / 2 + 1 = 4; (20 - 5) / 2 + 1 = 8
  EXPECT_EQ(l.outH(), 4);
  EXPECT_EQ(l.outW(), 8);
  FeatureVector f = computeFeatures(l);
  EXPECT_DOUBLE_EQ(at(f, Feature::Macs), 4.0 * 8 * 8 * 1 * 9); // depthwise: one input channel per filter
  EXPECT_DOUBLE_EQ(at(f, Feature::InHW) * at(f, Feature::InHW), 11.0 * 20);
}

TEST(LayerTest, ValidTapsSkipThePadding) {
  Layer l;
  l.in_h = l.in_w = 3, l.c_in = l.c_out = l.groups = 8, l.kernel_h = l.kernel_w = 5, l.pad_h = l.pad_w = 2;
  // Per axis, output o covers inputs o-2..o+2 of 0..2: 3 + 3 + 3 in-bounds taps; the layer 9 * 9 of 9 * 25.
  FeatureVector f = computeFeatures(l);
  EXPECT_DOUBLE_EQ(at(f, Feature::ValidTaps), 81.0);
  EXPECT_DOUBLE_EQ(at(f, Feature::OutPixels) * at(f, Feature::KernelArea), 225.0);
  // Stride 2, pad 1, 7 wide: outputs 0..3 start at -1, 1, 3, 5 -> 2 + 3 + 3 + 2 taps; unpadded: all taps.
  l.in_h = l.in_w = 7, l.kernel_h = l.kernel_w = 3, l.stride_h = l.stride_w = 2, l.pad_h = l.pad_w = 1;
  EXPECT_DOUBLE_EQ(at(computeFeatures(l), Feature::ValidTaps), 10.0 * 10.0);
  l.pad_h = l.pad_w = 0;
  FeatureVector g = computeFeatures(l);
  EXPECT_DOUBLE_EQ(at(g, Feature::ValidTaps), at(g, Feature::OutPixels) * at(g, Feature::KernelArea));
}

TEST(LayerTest, DepthwiseTilesFollowTheRowKernelBlocking) {
  Layer l;
  l.in_h = l.in_w = 14, l.c_in = l.c_out = l.groups = 576, l.kernel_h = l.kernel_w = 3, l.pad_h = l.pad_w = 1;
  // 36 vectors in tiles of 4 x 7 points: 9 x 2 tiles per row; in-bounds kernel rows over the 14 rows: 3*14 - 2.
  FeatureVector f = computeFeatures(l);
  double iterations = 40.0 * 3 * 2;
  EXPECT_DOUBLE_EQ(at(f, Feature::OutRows), 14.0);
  EXPECT_DOUBLE_EQ(at(f, Feature::RowTaps), 40.0);
  EXPECT_DOUBLE_EQ(at(f, Feature::DwTileTaps), iterations * 9);
  EXPECT_DOUBLE_EQ(at(f, Feature::DwWeightLoads), iterations * 36);
  EXPECT_DOUBLE_EQ(at(f, Feature::DwTailTaps), 0.0);
  // 20 channels: 2 vectors (one masked), tiles of 2 x 15 points: one tile per row.
  l.c_in = l.c_out = l.groups = 20;
  f = computeFeatures(l);
  EXPECT_DOUBLE_EQ(at(f, Feature::DwTileTaps), 40.0 * 3);
  EXPECT_DOUBLE_EQ(at(f, Feature::DwWeightLoads), 40.0 * 3 * 2);
  EXPECT_DOUBLE_EQ(at(f, Feature::DwTailTaps), 40.0 * 3);
  // A dense layer has no depthwise work.
  l.groups = 1;
  EXPECT_DOUBLE_EQ(at(computeFeatures(l), Feature::DwTileTaps), 0.0);
  // Channels past the last whole 8-lane vector: 20 = 2 * 8 + 4; 576 is whole.
  EXPECT_DOUBLE_EQ(at(computeFeatures(l), Feature::CTail8), 4.0);
  l.c_out = 576;
  EXPECT_DOUBLE_EQ(at(computeFeatures(l), Feature::CTail8), 0.0);
  // The power of two in the channel stride: 576 = 64 * 9, 1000 = 8 * 125, 4096 itself, 8192 capped at 4096.
  EXPECT_DOUBLE_EQ(at(computeFeatures(l), Feature::CPow2), 64.0);
  for (auto [c, pow2] : {std::pair{1000, 8.0}, {4096, 4096.0}, {8192, 4096.0}, {1001, 1.0}}) {
    l.c_out = c;
    EXPECT_DOUBLE_EQ(at(computeFeatures(l), Feature::CPow2), pow2) << c;
  }
}

TEST(LayerTest, InvalidLayersAreReported) {
  Layer l;
  l.in_h = l.in_w = 2, l.kernel_h = l.kernel_w = 3;
  EXPECT_NE(l.check(), ""); // empty output
  l.kernel_h = l.kernel_w = 1, l.c_in = 6, l.groups = 4;
  EXPECT_NE(l.check(), ""); // groups does not divide c_in
}

TEST(LayerTest, NamesRoundTrip) {
  for (int i = 0; i < kNumFeatures; ++i) {
    Feature f;
    ASSERT_TRUE(parseFeature(featureName(static_cast<Feature>(i)), f));
    EXPECT_EQ(static_cast<int>(f), i);
  }
  OpKind op;
  EXPECT_TRUE(parseOpKind("conv2d", op));
  EXPECT_FALSE(parseOpKind("conv3d", op));
  DType t;
  EXPECT_TRUE(parseDType("i8", t));
  EXPECT_EQ(dtypeBytes(t), 1);
}

TEST(LayerTest, ValidTapsAreClosedFormAndHugeLayersAreRefused) {
  // The closed form against the direct count, over strides, paddings, dilations and kernels larger than the map.
  auto direct = [](int64_t in, int64_t out, int64_t k, int64_t s, int64_t p, int64_t d) {
    double taps = 0;
    for (int64_t o = 0; o < out; ++o)
      for (int64_t j = 0; j < k; ++j) {
        int64_t i = o * s - p + j * d;
        taps += i >= 0 && i < in;
      }
    return taps;
  };
  for (int64_t in : {1, 2, 5, 9, 16})
    for (int64_t k : {1, 2, 3, 5})
      for (int64_t s : {1, 2, 3})
        for (int64_t p : {0, 1, 2})
          for (int64_t d : {1, 2}) {
            Layer l;
            l.in_h = l.in_w = in, l.kernel_h = l.kernel_w = k, l.stride_h = l.stride_w = s;
            l.pad_h = l.pad_w = p, l.dilation_h = l.dilation_w = d;
            if (!l.check().empty())
              continue;
            FeatureVector f = computeFeatures(l);
            double axis = direct(in, l.outH(), k, s, p, d);
            EXPECT_DOUBLE_EQ(f[static_cast<int>(Feature::RowTaps)], axis) << in << " " << k << " " << s << " " << p;
            EXPECT_DOUBLE_EQ(f[static_cast<int>(Feature::ValidTaps)], axis * axis);
          }
  // A map of 2^31 rows is computed at once (it used to loop over every output row); beyond, a clear refusal.
  Layer wide;
  wide.in_h = int64_t{1} << 31, wide.kernel_h = 3;
  ASSERT_EQ(wide.check(), "");
  EXPECT_DOUBLE_EQ(computeFeatures(wide)[static_cast<int>(Feature::RowTaps)], 3.0 * ((int64_t{1} << 31) - 2));
  wide.in_w = int64_t{4000000000000000000};
  EXPECT_NE(wide.check().find("above 2^31"), std::string::npos) << wide.check();
  Layer kernel;
  kernel.in_h = kernel.in_w = int64_t{1} << 22, kernel.kernel_h = int64_t{1} << 21;
  EXPECT_NE(kernel.check().find("kernel above 2^20"), std::string::npos) << kernel.check();
}
