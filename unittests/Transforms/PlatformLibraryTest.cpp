//===- PlatformLibraryTest.cpp - library <-> dialect bridge ---------------===//

#include "flydel/Transforms/PlatformLibrary.h"

#include "flydel/Dialect/Flydel/IR/FlydelDialect.h"

#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::flydel;

namespace {

TEST(PlatformLibraryTest, ClassifiesKpiColumnsWithUnitFactors) {
  auto latencyMs = classifyKpiColumn("latency_ms");
  ASSERT_TRUE(latencyMs);
  EXPECT_EQ(latencyMs->kind, KpiSlot::Kind::Latency);
  EXPECT_DOUBLE_EQ(latencyMs->scale, 1e3);
  auto latencyS = classifyKpiColumn("latency_s");
  ASSERT_TRUE(latencyS);
  EXPECT_DOUBLE_EQ(latencyS->scale, 1e6);
  auto energy = classifyKpiColumn("energy_j");
  ASSERT_TRUE(energy);
  EXPECT_EQ(energy->kind, KpiSlot::Kind::Energy);
  EXPECT_DOUBLE_EQ(energy->scale, 1e6);
  auto alm = classifyKpiColumn("alm");
  ASSERT_TRUE(alm);
  EXPECT_EQ(alm->kind, KpiSlot::Kind::Resource);
  EXPECT_EQ(alm->resource, "alm");
  EXPECT_FALSE(classifyKpiColumn("power_w"));
  EXPECT_FALSE(classifyKpiColumn("throughput"));
  EXPECT_FALSE(classifyKpiColumn("latency_fortnights")); // an unknown unit cannot be converted faithfully
}

TEST(PlatformLibraryTest, EmbeddedPlatformBecomesPlatformAttr) {
  MLIRContext context;
  context.getOrLoadDialect<FlydelDialect>();
  std::string error;
  auto library = loadPlatformLibrary("tx2-c10gx", error);
  ASSERT_TRUE(library) << error;
  PlatformAttr platform = getPlatformAttr(&context, *library);
  EXPECT_EQ(platform.getName().getValue(), "tx2-c10gx");
  ASSERT_EQ(platform.getDevices().size(), 3u);
  DeviceAttr fpga = platform.lookupDevice("fpga");
  ASSERT_TRUE(fpga);
  EXPECT_EQ(fpga.getKind(), DeviceKind::fpga);
  EXPECT_EQ(fpga.getCapacities().getAs<IntegerAttr>("alm").getInt(), 80330);

  // The library's link cost is affine in kbit and in ms; the attribute's in KiB (8 kbit) and in us.
  const ::flydel::Link *link = library->findLink("gpu", "fpga");
  ASSERT_NE(link, nullptr);
  LinkAttr attr = platform.lookupLink("gpu", "fpga");
  ASSERT_TRUE(attr);
  for (double bytes : {0.0, 1024.0, 200704.0})
    EXPECT_NEAR(attr.getLatencyUs(bytes), 1e3 * link->latency.evaluateBytes(bytes), 1e-9);
  EXPECT_FALSE(attr.getEnergyUjFixed()); // no link energy was measured: absent, not zero

  PlatformAttr subset = getPlatformAttr(&context, *library, {"cpu", "fpga"});
  EXPECT_EQ(subset.getDevices().size(), 2u);
  EXPECT_TRUE(subset.getLinks().empty()); // the links all involve the GPU
}

TEST(PlatformLibraryTest, UnknownPlatformNamesTheEmbeddedOnes) {
  std::string error;
  EXPECT_FALSE(loadPlatformLibrary("nosuch", error));
  EXPECT_NE(error.find("tx2-c10gx"), std::string::npos) << error;
  EXPECT_FALSE(loadPlatformLibrary("/nonexistent/lib.json", error));
  EXPECT_NE(error.find("/nonexistent/lib.json"), std::string::npos) << error;
}

} // namespace
