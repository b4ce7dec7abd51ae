#include "flydel/Measure/Harness.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

using namespace flydel::measure;

TEST(HarnessTest, SummaryRejectsOutliersAndReportsSpread) {
  // Seven samples near 10 and one preempted sample at 50: the outlier is dropped, the median is unaffected.
  SampleSummary s = summarize({10, 10.2, 9.8, 10.1, 9.9, 10, 50, 10.05});
  EXPECT_EQ(s.rejected, 1);
  EXPECT_EQ(s.kept, 7);
  EXPECT_NEAR(s.median, 10.0, 1e-12);
  EXPECT_GT(s.iqrPct, 0);
  EXPECT_LT(s.iqrPct, 3);
  // Identical samples: MAD 0, nothing rejected, no spread.
  SampleSummary same = summarize({2, 2, 2});
  EXPECT_EQ(same.rejected, 0);
  EXPECT_EQ(same.iqrPct, 0);
  EXPECT_EQ(summarize({}).kept, 0);
}

TEST(HarnessTest, QuantileInterpolates) {
  EXPECT_DOUBLE_EQ(quantile({1, 2, 3, 4}, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(quantile({1, 2, 3, 4}, 0.0), 1);
  EXPECT_DOUBLE_EQ(quantile({1, 2, 3, 4}, 1.0), 4);
}

namespace {
class FakeSensor : public EnergySensor {
public:
  double readJoules() override { return joules += 1.0; }
  std::string describe() const override { return "fake"; }
  double joules = 0;
};
} // namespace

TEST(HarnessTest, TimingHonoursSampleCountsAndUsesTheSensor) {
  TimingOptions o;
  o.warmupSeconds = 0;
  o.minSeconds = 0;
  o.minSampleSeconds = 0;
  o.minSamples = 5;
  o.maxSamples = 5;
  long calls = 0;
  FakeSensor sensor;
  Timing t = timeCall([&] { ++calls; }, o, &sensor);
  EXPECT_EQ(t.latency.kept + t.latency.rejected, 5);
  EXPECT_EQ(t.calls, 5); // one call per sample when no minimum sample time is asked
  EXPECT_EQ(calls, 6);   // plus the warm-up call
  ASSERT_TRUE(t.energyJoulesPerCall.has_value());
  EXPECT_DOUBLE_EQ(*t.energyJoulesPerCall, 1.0 / 5); // one joule between the two reads, over five calls
  Timing none = timeCall([] {}, o, nullptr);
  EXPECT_FALSE(none.energyJoulesPerCall.has_value()); // no sensor: no energy, never a guess
}

TEST(HarnessTest, AtomicWriteReplacesTheFile) {
  std::string path = ::testing::TempDir() + "flydel-atomic-write.txt";
  ASSERT_TRUE(writeFileAtomically(path, "first\n"));
  ASSERT_TRUE(writeFileAtomically(path, "second\n"));
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "second\n");
  std::remove(path.c_str());
  EXPECT_FALSE(writeFileAtomically("/nonexistent-dir/x.csv", "x"));
}

TEST(HarnessTest, HostInfoIsFilled) {
  HostInfo h = readHostInfo();
  EXPECT_FALSE(h.cpuModel.empty());
  EXPECT_GT(h.cores, 0);
  EXPECT_FALSE(h.governor.empty());
  EXPECT_EQ(h.date.size(), 20u);
  // Where /proc/cpuinfo names the x86 family, the identity carries it (the model name alone does not tell hosts
  // of different generations apart).
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string text((std::istreambuf_iterator<char>(cpuinfo)), std::istreambuf_iterator<char>());
  if (text.find("cpu family") != std::string::npos) {
    EXPECT_EQ(h.cpuIdentity.rfind("family ", 0), 0u) << h.cpuIdentity;
    EXPECT_NE(h.cpuIdentity.find(" model "), std::string::npos) << h.cpuIdentity;
  }
}
