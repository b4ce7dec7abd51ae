#include "flydel/Identify/Table.h"
#include "flydel/Measure/Excitation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

using namespace flydel;
using namespace flydel::measure;

namespace {
// Each of the n equal strata of [0,1) holds exactly one of the values.
bool oneInEachStratum(const std::vector<std::vector<double>> &points, int dim, int n) {
  std::set<int> strata;
  for (size_t i = 0; i < static_cast<size_t>(n); ++i) {
    double x = points[i][dim];
    if (x < 0 || x >= 1)
      return false;
    strata.insert(static_cast<int>(std::floor(x * n)));
  }
  return static_cast<int>(strata.size()) == n;
}
} // namespace

TEST(ExcitationTest, LatinHypercubeStratifiesEveryDimension) {
  auto p = latinHypercube(37, 5, 7);
  for (int d = 0; d < 5; ++d)
    EXPECT_TRUE(oneInEachStratum(p, d, 37)) << "dimension " << d;
}

TEST(ExcitationTest, SobolFirstPowerOfTwoPointsAreStratified) {
  auto p = sobolPoints(64, kSobolMaxDims, 3);
  for (int d = 0; d < kSobolMaxDims; ++d) {
    EXPECT_TRUE(oneInEachStratum(p, d, 64)) << "dimension " << d;
    EXPECT_TRUE(oneInEachStratum(p, d, 16)) << "dimension " << d;
  }
  // Two-dimensional projection of the first 16 points of dims 0 and 1: a (0,4,2)-net, one point per 4x4 cell.
  std::set<int> cells;
  for (int i = 0; i < 16; ++i)
    cells.insert(static_cast<int>(p[i][0] * 4) * 4 + static_cast<int>(p[i][1] * 4));
  EXPECT_EQ(cells.size(), 16u);
}

TEST(ExcitationTest, PrbsUsesOnlyItsLevelsAndMovesEveryDimension) {
  auto p = prbsPoints(200, 4, 11, 5, 3);
  for (int d = 0; d < 4; ++d) {
    std::set<double> levels;
    int changes = 0;
    for (size_t i = 0; i < p.size(); ++i) {
      levels.insert(p[i][d]);
      changes += i > 0 && p[i][d] != p[i - 1][d];
    }
    EXPECT_EQ(levels.size(), 5u);
    EXPECT_GT(changes, 30);
    for (double x : levels)
      EXPECT_NEAR(std::fmod(x * 5, 1.0), 0.5, 1e-12);
  }
}

TEST(ExcitationTest, SeededAndReproducible) {
  DesignSpace space;
  for (Design design : {Design::Prbs, Design::Uniform, Design::LogUniform, Design::Lhs, Design::Sobol}) {
    DesignOptions o;
    o.design = design;
    o.n = 30;
    o.seed = 5;
    auto a = generateDesign(space, o), b = generateDesign(space, o);
    ASSERT_TRUE(a) << a.error();
    ASSERT_TRUE(b);
    EXPECT_EQ(writePlanCsv(*a, {}, {}), writePlanCsv(*b, {}, {})) << designName(design);
    o.seed = 6;
    auto c = generateDesign(space, o);
    ASSERT_TRUE(c);
    EXPECT_NE(writePlanCsv(*a, {}, {}), writePlanCsv(*c, {}, {})) << designName(design);
  }
}

TEST(ExcitationTest, RangesAndCapsHold) {
  DesignSpace space;
  space.inHW = {8, 64, {}};
  space.cIn = {4, 128, {}};
  space.cOut = {4, 128, {}};
  space.maxMacs = 20e6;
  space.maxBytes = 1 << 20;
  space.depthwiseShare = 0.25;
  DesignOptions o;
  o.n = 80;
  auto layers = generateDesign(space, o);
  ASSERT_TRUE(layers) << layers.error();
  int depthwise = 0;
  std::set<int64_t> kernels;
  for (const Layer &l : *layers) {
    EXPECT_TRUE(checkCaps(space, l).empty());
    EXPECT_GE(l.in_h, 8);
    EXPECT_LE(l.in_h, 64);
    EXPECT_LE(l.macs(), 20e6);
    EXPECT_EQ(l.pad_h, l.kernel_h / 2);
    depthwise += l.groups > 1;
    kernels.insert(l.kernel_h);
  }
  EXPECT_GT(depthwise, 5);
  EXPECT_EQ(kernels.size(), 4u);
}

TEST(ExcitationTest, ValidShareMixesPaddedAndUnpaddedLayersAndPoolsPadLikeModels) {
  DesignSpace space;
  space.inHW = {8, 64, {}};
  space.depthwiseShare = 0.3;
  space.validShare = 0.4;
  space.maxMacs = 20e6;
  EXPECT_EQ(designDims(space), 7);
  DesignOptions o;
  o.n = 100;
  auto layers = generateDesign(space, o);
  ASSERT_TRUE(layers) << layers.error();
  int valid = 0, same = 0, validDepthwise = 0;
  for (const Layer &l : *layers) {
    if (l.kernel_h == 1)
      continue;
    EXPECT_TRUE(l.pad_h == 0 || l.pad_h == l.kernel_h / 2);
    (l.pad_h == 0 ? valid : same) += 1;
    validDepthwise += l.pad_h == 0 && l.groups > 1;
  }
  EXPECT_GT(valid, 15);
  EXPECT_GT(same, 15);
  EXPECT_GT(validDepthwise, 2);

  DesignSpace pool;
  pool.op = OpKind::Pool2d;
  pool.kernel = {1, 1, {2, 3}};
  auto pools = generateDesign(pool, o);
  ASSERT_TRUE(pools) << pools.error();
  for (const Layer &l : *pools)
    EXPECT_EQ(l.pad_h, (l.kernel_h - 1) / 2); // 2x2 unpadded, 3x3 pad 1

  pool.globalShare = 0.25;
  EXPECT_EQ(designDims(pool), 6);
  auto withGlobal = generateDesign(pool, o);
  ASSERT_TRUE(withGlobal) << withGlobal.error();
  int global = 0, rectangular = 0;
  for (const Layer &l : *withGlobal) {
    if (l.kernel_h <= 3) {
      EXPECT_EQ(l.pad_h, (l.kernel_h - 1) / 2);
      continue;
    }
    ++global; // the whole map in one window: one output pixel
    EXPECT_EQ(l.kernel_h, l.in_h);
    EXPECT_EQ(l.kernel_w, l.in_w);
    EXPECT_EQ(l.pad_h, 0);
    EXPECT_EQ(l.outH(), 1);
    EXPECT_EQ(l.outW(), 1);
    rectangular += l.in_h != l.in_w;
  }
  EXPECT_GT(rectangular, global / 2);
  EXPECT_GT(global, 15);
  EXPECT_LT(global, 35);

  pool.validShare = 0.5;
  EXPECT_EQ(designDims(pool), 7);
  auto withValid = generateDesign(pool, o);
  ASSERT_TRUE(withValid) << withValid.error();
  int unpadded3 = 0, padded3 = 0;
  for (const Layer &l : *withValid)
    if (l.kernel_h == 3 && l.in_h != 3)
      (l.pad_h == 0 ? unpadded3 : padded3) += 1;
  EXPECT_GT(unpadded3, 5);
  EXPECT_GT(padded3, 5);
}

TEST(ExcitationTest, ChannelMultipleRoundsOnlyCountsAtOrAboveIt) {
  DesignSpace space;
  space.cIn = {1, 1024, {}};
  space.cOut = {2, 1000, {}};
  space.depthwiseShare = 0.3;
  space.channelMultiple = 8;
  DesignOptions o;
  o.n = 200;
  auto layers = generateDesign(space, o);
  ASSERT_TRUE(layers) << layers.error();
  int small = 0, rounded = 0;
  for (const Layer &l : *layers) {
    for (int64_t c : {l.c_in, l.c_out}) {
      EXPECT_GE(c, 1);
      EXPECT_LE(c, 1024);
      if (c < 8)
        ++small; // below the multiple: any count, so first layers (3 channels) stay in the design
      else
        EXPECT_EQ(c % 8, 0) << c;
      rounded += c >= 8;
    }
    EXPECT_LE(l.c_out, l.groups > 1 ? 1024 : 1000);
  }
  EXPECT_GT(small, 10);
  EXPECT_GT(rounded, 200);
}

TEST(ExcitationTest, Pow2ShareRoundsChannelCountsOfThatShareToPowersOfTwoInsideTheRange) {
  auto isPow2 = [](int64_t c) { return c > 0 && (c & (c - 1)) == 0; };
  for (OpKind op : {OpKind::Conv2d, OpKind::Pool2d, OpKind::MatMul}) {
    DesignSpace space;
    space.op = op;
    space.cIn = {3, 1000, {}};
    space.cOut = {10, 4000, {}};
    space.kernel = {2, 3, {}};
    space.pow2Share = 0.4;
    DesignOptions o;
    o.n = 200;
    auto layers = generateDesign(space, o);
    ASSERT_TRUE(layers) << layers.error();
    int both = 0;
    for (const Layer &l : *layers) {
      EXPECT_GE(l.c_in, 3);
      EXPECT_LE(l.c_in, 1000); // 1000 rounds to 1024, outside the range: 512 instead
      if (op != OpKind::Pool2d) {
        EXPECT_GE(l.c_out, 10);
        EXPECT_LE(l.c_out, 4000);
      }
      both += isPow2(l.c_in) && isPow2(l.c_out);
    }
    // About 40 % of the layers, plus the few drawn as powers of two by chance.
    EXPECT_GT(both, 60) << opKindName(op);
    EXPECT_LT(both, 110) << opKindName(op);
  }
  // The draw takes one extra dimension, and only when asked for: designs without it keep their layers.
  DesignSpace plain;
  EXPECT_EQ(designDims(plain), 5);
  plain.pow2Share = 0.5;
  EXPECT_EQ(designDims(plain), 6);
}

TEST(ExcitationTest, RealisticLeavesOutLayersNoCnnHas) {
  DesignSpace space;
  space.inHW = {1, 16, {}};
  space.kernel = {1, 1, {1, 3, 5, 7}};
  space.depthwiseShare = 0.5;
  DesignOptions o;
  o.n = 150;
  auto count = [](const std::vector<Layer> &layers) {
    int odd = 0;
    for (const Layer &l : layers)
      odd += (l.isDepthwise() && l.kernel_h == 1) || l.kernel_h > l.in_h;
    return odd;
  };
  auto plain = generateDesign(space, o);
  ASSERT_TRUE(plain) << plain.error();
  EXPECT_GT(count(*plain), 20); // the draws this option exists for
  space.realistic = true;
  auto realistic = generateDesign(space, o);
  ASSERT_TRUE(realistic) << realistic.error();
  EXPECT_EQ(realistic->size(), 150u);
  EXPECT_EQ(count(*realistic), 0);
}

TEST(ExcitationTest, ImpossibleCapsAreAClearError) {
  DesignSpace space;
  space.maxMacs = 1; // no convolution fits
  DesignOptions o;
  o.n = 10;
  o.maxTriesPerPoint = 5;
  auto layers = generateDesign(space, o);
  ASSERT_FALSE(layers);
  EXPECT_NE(layers.error().find("only 0 distinct conv2d layers"), std::string::npos) << layers.error();
}

TEST(ExcitationTest, PlanLoadsAsAMeasurementTableWithProvenanceComments) {
  DesignSpace space;
  space.op = OpKind::MatMul;
  DesignOptions o;
  o.n = 12;
  o.design = Design::Sobol;
  auto layers = generateDesign(space, o);
  ASSERT_TRUE(layers) << layers.error();
  std::string csv = writePlanCsv(*layers, {"latency_ms", "energy_j"}, {"flydel-measure plan", "seed: 1"});
  EXPECT_EQ(csv.rfind("# flydel-measure plan\n# seed: 1\nop,", 0), 0u);
  auto table = MeasurementTable::parseCsv(csv, "plan.csv");
  ASSERT_TRUE(table) << table.error();
  ASSERT_EQ(table->layers.size(), 12u);
  EXPECT_EQ(table->lines[0], 4); // after two comment lines and the header
  EXPECT_EQ(table->layers[3].c_out, (*layers)[3].c_out);
  EXPECT_EQ(table->layers[3].op, OpKind::MatMul);
  EXPECT_TRUE(std::isnan(table->kpiValues[0][0])); // KPI columns of a plan are empty, never filled
  EXPECT_FALSE(table->dataset("latency_ms", std::nullopt, false, nullptr)); // nothing measured yet
}
