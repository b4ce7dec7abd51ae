// The FPGA engine features (in_rows_read, in_beats, reduction_bits, line_buffer_bram18, weight_rom_bram18) against
// the engines' geometry worked out by hand from hw/flydel_window_engine.sv (docs/fpga.md).
#include "flydel/Model/Layer.h"

#include <gtest/gtest.h>

using namespace flydel;

namespace {
double at(const FeatureVector &f, Feature which) { return f[static_cast<int>(which)]; }

Layer conv(int64_t hw, int64_t cIn, int64_t cOut, int64_t k, int64_t s, int64_t p, int64_t pe, int64_t simd) {
  Layer l;
  l.in_h = l.in_w = hw, l.c_in = cIn, l.c_out = cOut, l.kernel_h = l.kernel_w = k;
  l.stride_h = l.stride_w = s, l.pad_h = l.pad_w = p, l.pe = pe, l.simd = simd, l.dtype = DType::I8;
  return l;
}
} // namespace

TEST(FpgaFeaturesTest, DenseConvMemories) {
  // 7x7x8 -> 4, 3x3, stride 2, pad 1, PE 4, SIMD 8: line buffer 3 rows x pitch 8 pixels x 2 beats (one beat per
  // pixel, padded to 2) = 48 words of 64 bits: 2 RAMB18 units (one 72-wide RAMB36); weight ROM 1 fold x 9 taps x 1
  // = 9 words of 4 x 8 x 8 = 256 bits: 8 units. Yosys maps this engine to 5 BRAM36 = 10 RAMB18 units.
  FeatureVector f = computeFeatures(conv(7, 8, 4, 3, 2, 1, 4, 8));
  EXPECT_DOUBLE_EQ(at(f, Feature::InBeats), 1.0);
  EXPECT_DOUBLE_EQ(at(f, Feature::LineBufferBram18), 2.0);
  EXPECT_DOUBLE_EQ(at(f, Feature::WeightRomBram18), 8.0);
  // reduction 3*3*8 = 72 products: ceil(log2(73)) = 7 bits of growth.
  EXPECT_DOUBLE_EQ(at(f, Feature::ReductionBits), 7.0);
  // Output rows 0..3 start at input rows -1, 1, 3, 5: the last window hangs into the bottom padding, all 7 rows
  // are read.
  EXPECT_DOUBLE_EQ(at(f, Feature::InRowsRead), 7.0);
}

TEST(FpgaFeaturesTest, DeepLineBufferTakesNarrowShapes) {
  // 30x30x32 -> 32, 5x5, SIMD 1: 32 beats per pixel, pitch 32 x 32, 5 rows = 5120 words of 8 bits: 9 x 2K RAMB18s
  // need 3 (four words per 36-bit row of 512 also 3; a RAMB36 with nine per 72-bit row: 2, i.e. 4 units). Weight
  // ROM 32/4 folds x 25 taps x 32 = 6400 words of 4 x 8 bits: 36 x 512 -> 13 RAMB18; 18 x 1K -> 2 x 7 = 14;
  // RAMB36 with two words per 72-bit row -> 7, i.e. 14 units.
  FeatureVector f = computeFeatures(conv(30, 32, 32, 5, 1, 2, 4, 1));
  EXPECT_DOUBLE_EQ(at(f, Feature::InBeats), 32.0);
  EXPECT_DOUBLE_EQ(at(f, Feature::LineBufferBram18), 3.0);
  EXPECT_DOUBLE_EQ(at(f, Feature::WeightRomBram18), 13.0);
  EXPECT_DOUBLE_EQ(at(f, Feature::InRowsRead), 30.0); // bottom padding: clamped to the input
}

TEST(FpgaFeaturesTest, NarrowWordsPackIntoWideRows) {
  // 7x7x36 -> 20, 3x3, pad 1, PE 2, SIMD 3: weight ROM 10 folds x 9 taps x 12 = 1080 words of 48 bits. By shape
  // alone that is 6 RAMB18 (2 x 36 wide, 3 x 512 deep); Yosys stores it in two RAMB36 as three 24-bit slices per
  // 72-bit row (a read multiplexer picks one): 4 RAMB18 units. With the line buffer's RAMB18 (3 rows x 8 x 16 =
  // 384 words of 24 bits), the layer measured 2.5 BRAM36.
  FeatureVector f = computeFeatures(conv(7, 36, 20, 3, 1, 1, 2, 3));
  EXPECT_DOUBLE_EQ(at(f, Feature::WeightRomBram18), 4.0);
  EXPECT_DOUBLE_EQ(at(f, Feature::LineBufferBram18), 1.0);
  // 8x8x44 -> 4, 5x5, pad 2, PE = SIMD = 1: 4 x 25 x 44 = 4400 words of 8 bits fit one RAMB36 as nine per 72-bit
  // row (4608 x 8 bits); the 2560 x 8 line buffer takes two RAMB18 units. Measured: 2 BRAM36.
  FeatureVector g = computeFeatures(conv(8, 44, 4, 5, 1, 2, 1, 1));
  EXPECT_DOUBLE_EQ(at(g, Feature::WeightRomBram18), 2.0);
  EXPECT_DOUBLE_EQ(at(g, Feature::LineBufferBram18), 2.0);
}

TEST(FpgaFeaturesTest, ChannelWiseEngines) {
  // Depthwise 16x16x24, 3x3, pad 1, PE = SIMD = 8: one weight lane per PE, 3 folds x 9 taps = 27 words of 64 bits.
  Layer dw = conv(16, 24, 24, 3, 1, 1, 8, 8);
  dw.groups = 24;
  FeatureVector f = computeFeatures(dw);
  EXPECT_DOUBLE_EQ(at(f, Feature::InBeats), 3.0);
  EXPECT_DOUBLE_EQ(at(f, Feature::WeightRomBram18), 2.0);
  EXPECT_DOUBLE_EQ(at(f, Feature::ReductionBits), 4.0); // 9 products
  // Line buffer 3 x 16 x 4 = 192 words of 64 bits.
  EXPECT_DOUBLE_EQ(at(f, Feature::LineBufferBram18), 2.0);
  // Max pool 2x2 stride 2 on 9 rows: outputs read rows 0..7, the ninth never.
  Layer pool = conv(9, 4, 4, 2, 2, 0, 4, 4);
  pool.op = OpKind::Pool2d;
  FeatureVector g = computeFeatures(pool);
  EXPECT_DOUBLE_EQ(at(g, Feature::InRowsRead), 8.0);
  EXPECT_DOUBLE_EQ(at(g, Feature::WeightRomBram18), 0.0); // no weights
  EXPECT_DOUBLE_EQ(at(g, Feature::LineBufferBram18), 1.0);
  // A 1x1 depthwise layer with one output fold has a one-word weight ROM: a constant, no block RAM (Yosys agrees:
  // 7x7x4, PE 4 maps to 0.5 BRAM36, the line buffer's RAMB18 alone).
  Layer one = conv(7, 4, 4, 1, 1, 0, 4, 4);
  one.groups = 4;
  EXPECT_DOUBLE_EQ(at(computeFeatures(one), Feature::WeightRomBram18), 0.0);
  EXPECT_DOUBLE_EQ(at(computeFeatures(one), Feature::LineBufferBram18), 1.0);
  // The add engine has no memories.
  Layer add = conv(9, 4, 4, 1, 1, 0, 4, 4);
  add.op = OpKind::Elementwise;
  FeatureVector h = computeFeatures(add);
  EXPECT_DOUBLE_EQ(at(h, Feature::LineBufferBram18), 0.0);
  EXPECT_DOUBLE_EQ(at(h, Feature::WeightRomBram18), 0.0);
  EXPECT_DOUBLE_EQ(at(h, Feature::InRowsRead), 9.0);
}
