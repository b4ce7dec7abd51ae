//===- DialectAttrsTest.cpp - flydel attribute verifiers from C++ ---------===//
//
// Builders bypass the parser, so the verifiers must also catch what C++ code could construct: NaN, negative or
// infinite values, duplicate devices.
//
//===----------------------------------------------------------------------===//

#include "flydel/Dialect/Flydel/IR/FlydelAttrs.h"
#include "flydel/Dialect/Flydel/IR/FlydelDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::flydel;

namespace {

class DialectAttrsTest : public ::testing::Test {
protected:
  DialectAttrsTest() { context.getOrLoadDialect<FlydelDialect>(); }

  /// Runs `build` with a diagnostic handler; returns the first error message (empty when none).
  template <typename Fn> std::string firstError(Fn build) {
    std::string message;
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
      if (message.empty())
        message = diag.str();
      return success();
    });
    build();
    return message;
  }

  auto emitter() {
    return [this] { return emitError(UnknownLoc::get(&context)); };
  }

  MLIRContext context;
};

TEST_F(DialectAttrsTest, EstimateRejectsNanInfinityAndNegative) {
  auto f64 = [&](double v) { return FloatAttr::get(Float64Type::get(&context), v); };
  EXPECT_EQ(firstError([&] {
              EXPECT_FALSE(EstimateAttr::getChecked(emitter(), &context,
                                                    f64(std::numeric_limits<double>::quiet_NaN()), false, false, false));
            }),
            "estimate must be a number, got NaN");
  EXPECT_EQ(firstError([&] {
              EXPECT_FALSE(EstimateAttr::getChecked(emitter(), &context,
                                                    f64(std::numeric_limits<double>::infinity()), false, false, false));
            }),
            "estimate must be finite, got inf");
  EXPECT_EQ(firstError([&] { EXPECT_FALSE(EstimateAttr::getChecked(emitter(), &context, f64(-0.5), false, false, false)); }),
            "estimate must be non-negative, got -0.5");
  EXPECT_EQ(firstError([&] { EXPECT_FALSE(EstimateAttr::getChecked(emitter(), &context, FloatAttr(), true, false, false)); }),
            "a no_model or does_not_fit estimate cannot be extrapolated");
  EXPECT_EQ(firstError([&] {
              EXPECT_TRUE(EstimateAttr::getChecked(emitter(), &context, f64(3.25), true, false, false));
            }),
            "");
}

TEST_F(DialectAttrsTest, CapacityFlagsKeepTheDemandOrNoValue) {
  auto f64 = [&](double v) { return FloatAttr::get(Float64Type::get(&context), v); };
  // Over capacity: the demand is kept (never the capacity), flagged.
  EXPECT_EQ(firstError([&] {
              EXPECT_FALSE(EstimateAttr::getChecked(emitter(), &context, FloatAttr(), false, true, false));
            }),
            "exceeds_capacity needs the demand as a value");
  // Does not fit: no number that could pass for a valid latency or energy.
  EXPECT_EQ(firstError([&] {
              EXPECT_FALSE(EstimateAttr::getChecked(emitter(), &context, f64(1.0), false, false, true));
            }),
            "a does_not_fit estimate has no value");
  EstimateAttr unfit = EstimateAttr::getDoesNotFit(&context);
  EXPECT_FALSE(unfit.hasModel());
  EXPECT_TRUE(unfit.getDoesNotFit());
  EXPECT_NE(unfit, EstimateAttr::getNoModel(&context));
  EstimateAttr over = EstimateAttr::get(&context, 2.5e6, true, true);
  EXPECT_TRUE(over.hasModel());
  EXPECT_TRUE(over.getExceedsCapacity());
  EXPECT_EQ(over.getValueAsDouble(), 2.5e6);
  // A layer with a latency of does_not_fit cannot be placed; a spilled resource over capacity alone does not say so.
  DictionaryAttr spilled = DictionaryAttr::get(&context, {NamedAttribute(StringAttr::get(&context, "m20k"), over)});
  KpiAttr fits = KpiAttr::get(&context, EstimateAttr::get(&context, 3.0), EstimateAttr(), spilled, 0);
  EXPECT_FALSE(fits.isInfeasible());
  EXPECT_TRUE(fits.exceedsSomeCapacity());
  EXPECT_TRUE(KpiAttr::get(&context, unfit, EstimateAttr(), spilled, 0).isInfeasible());
}

TEST_F(DialectAttrsTest, NoModelIsNotZero) {
  EstimateAttr none = EstimateAttr::getNoModel(&context);
  EstimateAttr zero = EstimateAttr::get(&context, 0.0);
  EXPECT_FALSE(none.hasModel());
  EXPECT_TRUE(zero.hasModel());
  EXPECT_NE(none, zero);
}

TEST_F(DialectAttrsTest, PlatformRejectsDuplicateDevicesAndDanglingLinks) {
  Builder b(&context);
  auto gpu = DeviceAttr::get(&context, b.getStringAttr("gpu"), DeviceKind::gpu, DictionaryAttr());
  auto cpu = DeviceAttr::get(&context, b.getStringAttr("cpu"), DeviceKind::cpu, DictionaryAttr());
  EXPECT_EQ(firstError([&] {
              EXPECT_FALSE(PlatformAttr::getChecked(emitter(), &context, b.getStringAttr("p"),
                                                    ArrayRef<DeviceAttr>{gpu, gpu}, ArrayRef<LinkAttr>{}));
            }),
            "platform 'p' has duplicate device name 'gpu'");
  EXPECT_EQ(firstError([&] {
              EXPECT_FALSE(PlatformAttr::getChecked(emitter(), &context, b.getStringAttr("p"),
                                                    ArrayRef<DeviceAttr>{}, ArrayRef<LinkAttr>{}));
            }),
            "platform 'p' has no devices");
  auto link = LinkAttr::get(&context, b.getStringAttr("cpu"), b.getStringAttr("fpga"), b.getF64FloatAttr(1.0),
                            b.getF64FloatAttr(0.5), FloatAttr(), FloatAttr(), UnitAttr());
  EXPECT_EQ(firstError([&] {
              EXPECT_FALSE(PlatformAttr::getChecked(emitter(), &context, b.getStringAttr("p"),
                                                    ArrayRef<DeviceAttr>{cpu, gpu}, ArrayRef<LinkAttr>{link}));
            }),
            "platform 'p' has a link to or from unknown device 'fpga'");
}

TEST_F(DialectAttrsTest, LinkLatencyIsAffineInKibibytes) {
  Builder b(&context);
  auto link = LinkAttr::get(&context, b.getStringAttr("gpu"), b.getStringAttr("fpga"), b.getF64FloatAttr(10.0),
                            b.getF64FloatAttr(2.0), FloatAttr(), FloatAttr(), UnitAttr());
  EXPECT_DOUBLE_EQ(link.getLatencyUs(0), 10.0);
  EXPECT_DOUBLE_EQ(link.getLatencyUs(4096), 18.0);
}

} // namespace
