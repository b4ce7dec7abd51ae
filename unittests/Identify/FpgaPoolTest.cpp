// The "fpga" candidate pool: its texts, and what it does on the xc7-yosys campaign's measurements
// (platforms/xc7-yosys, committed with the repository).
#include "flydel/Identify/Structures.h"
#include "flydel/Identify/Table.h"
#include "flydel/Identify/Validation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

using namespace flydel;

namespace {

/// The best CV MAPE along a configuration's path (at most 8 parameters, 10 folds, seed 1).
double bestCvMape(const StructureConfig &config, const std::string &file, const std::string &kpi, OpKind op);

/// The best of the pool's configurations (least squares and MAPE fit), as a spec with "extra_pools" tries them.
double bestPoolCvMape(const std::string &file, const std::string &kpi, OpKind op) {
  double best = INFINITY;
  for (const StructureConfig &config : poolConfigs("fpga"))
    best = std::min(best, bestCvMape(config, file, kpi, op));
  return best;
}

double bestCvMape(const StructureConfig &config, const std::string &file, const std::string &kpi, OpKind op) {
  auto table = MeasurementTable::loadCsv(std::string(FLYDEL_SOURCE_DIR_FOR_TESTS) + "/platforms/xc7-yosys/" + file);
  EXPECT_TRUE(table) << table.error();
  if (!table)
    return INFINITY;
  auto data = table->dataset(kpi, op, false, nullptr);
  EXPECT_TRUE(data) << data.error();
  if (!data)
    return INFINITY;
  CvOptions cv;
  cv.maxParams = 8;
  auto path = crossValidatePath(config, *data, cv);
  EXPECT_TRUE(path) << path.error();
  double best = INFINITY;
  if (path)
    for (const CvOutcome &o : *path)
      best = std::min(best, o.metrics.mape);
  return best;
}

} // namespace

TEST(FpgaPoolTest, TextsRoundTrip) {
  std::set<std::string> names;
  for (const CandidateText &t : fpgaCandidateTexts()) {
    auto term = parseTerm(t.term);
    ASSERT_TRUE(term) << t.term;
    EXPECT_EQ(formatTerm(*term), t.term); // the text round-trips: what the library will store
    EXPECT_TRUE(names.insert(t.term).second) << "duplicate " << t.term;
  }
  ASSERT_EQ(poolConfigs("fpga").size(), 2u);
  EXPECT_EQ(poolConfigs("fpga")[0].label(), "physics(select-fpga)");
}

// The max-pool engine's schedule (rows loaded up to the last one a window reads, then one output row computed, a
// hand-over per row) and its line buffer in block RAM are in the pool's terms: cycles and BRAM36 of the measured
// layers follow to well under the 2 % target; the generic physics pool, without the structure, does not.
TEST(FpgaPoolTest, MaxPoolScheduleAndLineBufferAreExact) {
  StructureConfig generic{Structure::Physics, 0, StructureConfig::kSelectGeneric};
  EXPECT_LT(bestPoolCvMape("pool2d.csv", "cycles", OpKind::Pool2d), 0.5);
  EXPECT_LT(bestPoolCvMape("pool2d.csv", "bram36", OpKind::Pool2d), 0.5);
  EXPECT_GT(bestCvMape(generic, "pool2d.csv", "cycles", OpKind::Pool2d), 2.0);
}

// Dense and depthwise convolution: input beats + compute beats (out_pixels x kernel_area x out folds x input folds)
// + hand-overs, PE x SIMD + 3 PE DSP48, and the BRAM of the line buffer plus the weight ROM (a one-word ROM is a
// constant: none). BRAM within the 2 % target, not exact: Yosys splits one dense layer's 2100 x 64 ROM by depth
// into 9 RAMB18, which the block rule puts at 10.
TEST(FpgaPoolTest, ConvCyclesDspAndBram) {
  for (const char *file : {"conv2d.csv", "depthwise.csv"}) {
    EXPECT_LT(bestPoolCvMape(file, "cycles", OpKind::Conv2d), 0.5) << file;
    EXPECT_LT(bestPoolCvMape(file, "dsp", OpKind::Conv2d), 0.5) << file;
    EXPECT_LT(bestPoolCvMape(file, "bram36", OpKind::Conv2d), 2.0) << file;
  }
}

// LUT and FF keep a few per cent of scatter from constant-dependent logic optimisation, within the 5 % target.
TEST(FpgaPoolTest, LutAndFfWithinFivePercent) {
  struct Table {
    const char *file;
    OpKind op;
  };
  for (Table t : {Table{"conv2d.csv", OpKind::Conv2d}, Table{"depthwise.csv", OpKind::Conv2d},
                  Table{"pool2d.csv", OpKind::Pool2d}, Table{"elementwise.csv", OpKind::Elementwise}})
    for (const char *kpi : {"lut", "ff"})
      EXPECT_LT(bestPoolCvMape(t.file, kpi, t.op), 5.0) << t.file << " " << kpi;
}
