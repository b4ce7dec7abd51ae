#include "flydel/Model/Model.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace flydel;

TEST(ModelTest, TermSyntaxRoundTrips) {
  for (const char *text : {"1", "macs", "c_in^2", "log(c_in)*log(out_hw)", "out_pixels*ceil(c_out/8)",
                           "log(reduction_size)^3*c_out", "[kernel>=11]*macs", "ceil(out_pixels/64)*[c_in>=2.5]"}) {
    auto term = parseTerm(text);
    ASSERT_TRUE(term) << text << ": " << term.error();
    EXPECT_EQ(formatTerm(*term), text);
  }
  EXPECT_FALSE(parseTerm("c_in^0"));
  EXPECT_FALSE(parseTerm("log(nothing)"));
  EXPECT_FALSE(parseTerm("ceil(c_out/0)"));
  EXPECT_FALSE(parseTerm("c_in*"));
  EXPECT_FALSE(parseTerm("[kernel>11]"));
  EXPECT_FALSE(parseTerm("[kernel>=]"));
  EXPECT_FALSE(parseTerm("[nothing>=3]"));
  EXPECT_FALSE(parseTerm(""));
}

TEST(ModelTest, EvaluatesLinearLogAndProductStructures) {
  Layer l;
  l.in_h = l.in_w = 10, l.c_in = 4, l.c_out = 9, l.kernel_h = l.kernel_w = 3;
  FeatureVector f = computeFeatures(l);
  Model linear;
  linear.terms = {*parseTerm("1"), *parseTerm("c_in*ceil(c_out/4)")};
  linear.params = {2.0, 0.5};
  ASSERT_EQ(linear.check(), "");
  EXPECT_DOUBLE_EQ(linear.evaluate(f), 2.0 + 0.5 * 4 * 3);
  Model step = linear;
  step.terms = {*parseTerm("[kernel>=3]*c_in"), *parseTerm("[kernel>=5]")};
  EXPECT_DOUBLE_EQ(step.evaluate(f), 2.0 * 4); // kernel 3: the first step is on, the second off

  Model logModel = linear;
  logModel.target = Target::Log;
  logModel.terms = {*parseTerm("1"), *parseTerm("log(c_in)")};
  logModel.params = {std::log(3.0), 2.0};
  EXPECT_NEAR(logModel.evaluate(f), 3.0 * 16, 1e-12);

  Model product;
  product.structure = Structure::Paper;
  product.factors = {{Feature::CIn, WeakKind::Quadratic, 2.0}, {Feature::COut, WeakKind::Reciprocal, 1.0}};
  product.params = {1, 1, 1, 0, 9}; // (1 + x + x^2) at x = 2, times 9 / 9
  ASSERT_EQ(product.check(), "");
  EXPECT_DOUBLE_EQ(product.evaluate(f), 7.0);
  product.upperBound = 5.0;
  EXPECT_DOUBLE_EQ(product.evaluate(f), 5.0);
}

TEST(ModelTest, ReportsDomainViolations) {
  Model m;
  m.terms = {*parseTerm("1")};
  m.params = {1.0};
  m.domain = {{Feature::InHW, 11, 100}, {Feature::CIn, 3, 512}};
  Layer l;
  l.in_h = l.in_w = 50, l.c_in = 512;
  Prediction inside = m.predict(l);
  EXPECT_FALSE(inside.extrapolated);
  EXPECT_EQ(Model::describeDomain(inside), "");
  l.c_in = 1024;
  Prediction outside = m.predict(l);
  EXPECT_TRUE(outside.extrapolated);
  EXPECT_EQ(outside.feature, Feature::CIn);
  EXPECT_EQ(Model::describeDomain(outside), "feature c_in = 1024 outside training range [3, 512]");
}

TEST(ModelTest, CheckRejectsInconsistentModels) {
  Model m;
  m.terms = {*parseTerm("1"), *parseTerm("macs")};
  m.params = {1.0};
  EXPECT_NE(m.check(), "");
  m.params = {1.0, NAN};
  EXPECT_NE(m.check(), "");
}

TEST(ModelTest, WavesCountTileRoundsOverTheUnits) {
  auto term = parseTerm("waves(64,32,132)*reduction_size");
  ASSERT_TRUE(term) << term.error();
  EXPECT_EQ(formatTerm(*term), "waves(64,32,132)*reduction_size");
  // 28x28 output, 512 filters, 3x3x512 reduction: ceil(784/64) * ceil(512/32) = 13 * 16 = 208 tiles, 2 waves.
  Layer l;
  l.in_h = l.in_w = 28, l.c_in = 512, l.c_out = 512, l.kernel_h = l.kernel_w = 3, l.pad_h = l.pad_w = 1;
  EXPECT_DOUBLE_EQ(evaluateTerm(*term, computeFeatures(l)), 2.0 * 4608);
  // Groups: G GEMMs of c_out / G filters each. 13 groups of 8 filters on 28x28: 13 * 13 * 1 = 169 tiles, 2 waves.
  l.c_in = l.c_out = 104, l.groups = 13;
  EXPECT_DOUBLE_EQ(evaluateTerm(*parseTerm("waves(64,32,132)"), computeFeatures(l)), 2.0);
  // Batch multiplies the rows of the GEMM: 4 x 784 pixels -> 49 row tiles x 1 = 49 tiles, 1 wave on 132 SMs.
  l.groups = 1, l.c_out = 32, l.batch = 4;
  EXPECT_DOUBLE_EQ(evaluateTerm(*parseTerm("waves(64,32,132)"), computeFeatures(l)), 1.0);
  EXPECT_DOUBLE_EQ(evaluateTerm(*parseTerm("waves(64,32,10)"), computeFeatures(l)), 5.0);
  for (const char *bad : {"waves(64,32)", "waves(0,32,132)", "waves(64,32,1.5)", "waves(64,32,132", "waves(a,b,c)",
                          "waves(64,32,132,4)", "waves(64,32,1e7)"})
    EXPECT_FALSE(parseTerm(bad)) << bad;
}

TEST(ModelTest, FloorHoldsPredictionsAboveTheIssueRate) {
  Layer small, large;
  small.in_h = small.in_w = 4, small.c_in = 2, small.c_out = 2;
  large.in_h = large.in_w = 100, large.c_in = 64, large.c_out = 64;
  Model m;
  m.terms = {*parseTerm("1"), *parseTerm("macs")};
  m.params = {0.001, 1e-6};
  m.floor = 0.02;
  ASSERT_EQ(m.check(), "");
  EXPECT_EQ(m.parameterCount(), 3); // the floor is fitted: a parameter
  EXPECT_DOUBLE_EQ(m.predict(small).value, 0.02);
  EXPECT_DOUBLE_EQ(m.predict(large).value, 0.001 + 1e-6 * large.macs());
  m.floor = -1;
  EXPECT_NE(m.check(), "");
  m.floor = 0.5, m.upperBound = 0.1;
  EXPECT_NE(m.check().find("floor"), std::string::npos) << m.check();
  // No floor leaves a negative value visible (to be flagged), not clamped to 0.
  Model negative;
  negative.terms = {*parseTerm("1")};
  negative.params = {-1.0};
  EXPECT_DOUBLE_EQ(negative.predict(small).value, -1.0);
}

TEST(ModelTest, BoundedPhysicsFormTakesOverWhereTheModelIsNoPhysics) {
  Model form;
  form.terms = {*parseTerm("1"), *parseTerm("macs")};
  form.params = {1.0, 1e-3};
  form.floor = 0.5;
  ASSERT_TRUE(form.boundedByConstruction());
  Layer inside, far;
  inside.in_h = inside.in_w = 10, inside.c_in = 4, inside.c_out = 4;
  far = inside;
  far.c_in = 4000; // outside c_in [1, 64]
  // A polynomial in log(c_in): fine inside its domain, runaway outside.
  Model frols;
  frols.structure = Structure::Frols;
  frols.target = Target::Log;
  frols.terms = {*parseTerm("1"), *parseTerm("log(c_in)^3")};
  frols.params = {0.0, 0.5};
  frols.domain = {{Feature::CIn, 1, 64}};
  frols.outside = {form};
  ASSERT_EQ(frols.check(), "");
  Prediction in = frols.predict(inside);
  EXPECT_FALSE(in.extrapolated);
  EXPECT_DOUBLE_EQ(in.value, std::exp(0.5 * std::pow(std::log(4.0), 3)));
  Prediction out = frols.predict(far);
  EXPECT_TRUE(out.extrapolated && out.handedOver);
  EXPECT_DOUBLE_EQ(out.value, form.evaluate(computeFeatures(far)));
  EXPECT_NE(Model::describeDomain(out).find("predicted by its bounded physics form"), std::string::npos);
  // A physics model keeps its own extrapolation while within 10x of the form; beyond, and where it is not
  // positive (inside the domain too), the form.
  Model physics;
  physics.terms = {*parseTerm("1"), *parseTerm("c_in")};
  physics.params = {2.0, 0.001};
  physics.domain = {{Feature::CIn, 1, 64}};
  physics.outside = {form};
  Prediction kept = physics.predict(far);
  EXPECT_TRUE(kept.extrapolated);
  EXPECT_FALSE(kept.handedOver);
  EXPECT_DOUBLE_EQ(kept.value, 2.0 + 0.001 * 4000);
  physics.params = {2.0, 100.0}; // 400002 against the form's ~160: a runaway term
  EXPECT_TRUE(physics.predict(far).handedOver);
  // ... and beyond 5x what its own data cost per unit of work, even where the form would allow it.
  physics.params = {2.0, 0.04}; // 162 at c_in 4000: under 10x the form (~1600)
  EXPECT_FALSE(physics.predict(far).handedOver);
  physics.dataBound = {1.0, 1e-7}; // 5x (1 + 1e-7 * work) is about 9 here
  EXPECT_TRUE(physics.predict(far).handedOver);
  physics.dataBound = {};
  physics.params = {-5.0, 0.001};
  Prediction negative = physics.predict(inside);
  EXPECT_TRUE(negative.handedOver && negative.notPositive && negative.extrapolated);
  EXPECT_GT(negative.value, 0.0);
  EXPECT_NE(Model::describeDomain(negative).find("no positive value"), std::string::npos);
  // The form must be bounded by construction.
  physics.outside.front().params = {-1.0, 1e-3};
  EXPECT_NE(physics.check().find("bounded physics form"), std::string::npos) << physics.check();
}

TEST(ModelTest, PredictGivesTheDemandNotTheSaturatedCapacity) {
  Layer l;
  l.in_h = l.in_w = 10, l.c_in = 4, l.c_out = 9, l.kernel_h = l.kernel_w = 3;
  FeatureVector f = computeFeatures(l);
  Model m;
  m.terms = {*parseTerm("c_in")};
  m.params = {100.0};
  m.upperBound = 300.0; // a capacity: measured rows stop there (what cross-validation compares with)
  ASSERT_EQ(m.check(), "");
  EXPECT_DOUBLE_EQ(m.evaluate(f), 300.0);
  EXPECT_DOUBLE_EQ(m.evaluateDemand(f), 400.0);
  // What annotate-kpis and --predict see: the demand, so that "does not fit" can be told from "fits exactly".
  EXPECT_DOUBLE_EQ(m.predict(f).value, 400.0);
}
