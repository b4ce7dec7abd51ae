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
