#include "flydel/Identify/Table.h"

#include <gtest/gtest.h>

using namespace flydel;

namespace {
std::string errorOf(const std::string &csv) {
  auto t = MeasurementTable::parseCsv(csv, "m.csv");
  return t ? std::string() : t.error();
}
} // namespace

TEST(TableTest, LoadsLayerFieldsAndKpis) {
  auto t = MeasurementTable::parseCsv("op,in_hw,c_in,kernel,c_out,stride,pad,latency_ms,alm\n"
                                      "conv2d,11,3,1,1,1,0,0.88,\n"
                                      "\n"
                                      "conv2d,20,8,3,4,1,1,1.5,120\n",
                                      "m.csv");
  ASSERT_TRUE(t) << t.error();
  EXPECT_EQ(t->kpiNames, (std::vector<std::string>{"latency_ms", "alm"}));
  ASSERT_EQ(t->layers.size(), 2u);
  EXPECT_EQ(t->layers[1].in_w, 20);
  EXPECT_EQ(t->layers[1].kernel_w, 3);
  EXPECT_EQ(t->layers[1].pad_w, 1);
  EXPECT_EQ(t->lines[1], 4);
  auto alm = t->dataset("alm", std::nullopt, false, nullptr);
  ASSERT_TRUE(alm);
  EXPECT_EQ(alm->size(), 1u); // the empty cell is a missing measurement, not a zero
  EXPECT_EQ(alm->lines[0], 4);
}

TEST(TableTest, ErrorsNameLineAndColumn) {
  const std::string header = "in_hw,c_in,kernel,c_out,latency_ms\n";
  EXPECT_EQ(errorOf(header + "11,3,1,1,0.5\n11,x,1,1,0.5\n"), "m.csv:3:2: column 'c_in': 'x' is not an integer");
  EXPECT_EQ(errorOf(header + "11,3,1,1,fast\n"), "m.csv:2:5: column 'latency_ms': 'fast' is not a number");
  EXPECT_EQ(errorOf(header + "11,,1,1,0.5\n"), "m.csv:2:2: column 'c_in': missing value");
  EXPECT_EQ(errorOf(header + "11,3,1\n"), "m.csv:2:4: expected 5 fields, found 3");
  EXPECT_EQ(errorOf(header + "2,3,5,1,0.5\n"),
            "m.csv:2: invalid layer: the output is empty (kernel larger than the padded input)");
  EXPECT_EQ(errorOf("c_in,c_out,latency_ms\n1,1,1\n"),
            "m.csv:1: the header must name the layer columns in_hw (or in_h/in_w), c_in and c_out");
  EXPECT_EQ(errorOf("in_hw,c_in,c_out,c_in\n"), "m.csv:1:4: duplicate column 'c_in'");
  EXPECT_EQ(errorOf("op,in_hw,c_in,c_out\nconv9d,1,1,1\n"),
            "m.csv:2:1: column 'op': unknown op kind 'conv9d' (expected conv2d, pool2d, matmul, elementwise)");
  EXPECT_EQ(errorOf(""), "m.csv: empty file (no header)");
  EXPECT_NE(MeasurementTable::loadCsv("/nonexistent.csv").error().find("cannot open"), std::string::npos);
}

TEST(TableTest, NonPositiveKpiRowsAreReportedNotFitted) {
  auto t = MeasurementTable::parseCsv("in_hw,c_in,c_out,m20k\n5,1,1,3\n5,2,1,0\n5,3,1,-1\n", "m.csv");
  ASSERT_TRUE(t);
  std::vector<std::string> notes;
  auto d = t->dataset("m20k", std::nullopt, false, &notes);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->size(), 1u);
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0].rfind("m.csv:3:4: column 'm20k'", 0), 0u) << notes[0];
  auto strict = t->dataset("m20k", std::nullopt, true, nullptr);
  ASSERT_FALSE(strict);
  EXPECT_EQ(strict.error().rfind("m.csv:3:4:", 0), 0u);
  EXPECT_NE(t->dataset("energy", std::nullopt, false, nullptr).error().find("no column 'energy'"), std::string::npos);
  EXPECT_NE(t->dataset("c_in", std::nullopt, false, nullptr).error().find("is a layer field"), std::string::npos);
  EXPECT_FALSE(t->dataset("m20k", OpKind::MatMul, false, nullptr));
}

TEST(TableTest, FoldingColumnsAreLayerFieldsAndFeatures) {
  // pe/simd describe the FPGA engine's folding: layer fields (not KPIs), visible to the models as features.
  auto t = MeasurementTable::parseCsv("op,in_hw,c_in,c_out,kernel,groups,pe,simd,lut\n"
                                      "conv2d,8,12,10,3,1,4,8,500\n"
                                      "conv2d,8,12,12,3,12,6,1,300\n",
                                      "f.csv");
  ASSERT_TRUE(t) << t.error();
  EXPECT_EQ(t->kpiNames, (std::vector<std::string>{"lut"}));
  EXPECT_EQ(t->layers[0].pe, 4);
  EXPECT_EQ(t->layers[0].simd, 8);
  FeatureVector dense = computeFeatures(t->layers[0]);
  EXPECT_EQ(dense[int(Feature::OutFolds)], 3.0); // ceil(10 / 4)
  EXPECT_EQ(dense[int(Feature::InFolds)], 2.0);  // ceil(12 / 8)
  FeatureVector depthwise = computeFeatures(t->layers[1]);
  EXPECT_EQ(depthwise[int(Feature::OutFolds)], 2.0); // ceil(12 / 6)
  EXPECT_EQ(depthwise[int(Feature::InFolds)], 1.0);  // one input channel per group
  EXPECT_NE(errorOf("op,in_hw,c_in,c_out,pe,lat\nconv2d,8,4,4,0,1.0\n").find("pe and simd must be positive"),
            std::string::npos);
}

TEST(TableTest, AppendAndKeepRowsKeepEachRowsOrigin) {
  auto a = MeasurementTable::parseCsv("in_hw,c_in,c_out,groups,ms,energy_j\n5,4,4,1,1.5,\n5,4,4,4,0.5,\n", "a.csv");
  auto b = MeasurementTable::parseCsv("in_hw,c_in,c_out,groups,energy_j,ms\n7,8,8,8,,2.5\n7,8,8,1,,-1\n", "b.csv");
  ASSERT_TRUE(a && b);
  ASSERT_EQ(a->append(*b), "");
  ASSERT_EQ(a->layers.size(), 4u);
  // Depthwise rows only: one of each file.
  a->keepRows([](const Layer &l) { return l.groups > 1; });
  auto d = a->dataset("ms", std::nullopt, true, nullptr);
  ASSERT_TRUE(d) << d.error();
  EXPECT_EQ(d->y, (std::vector<double>{0.5, 2.5}));

  // A non-positive value names the file it came from, not the first table's.
  auto c = MeasurementTable::parseCsv("in_hw,c_in,c_out,ms,energy_j\n5,4,4,1.5,\n", "c.csv");
  ASSERT_EQ(c->append(*b), "");
  std::vector<std::string> notes;
  ASSERT_TRUE(c->dataset("ms", std::nullopt, false, &notes));
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].rfind("b.csv:3:", 0), 0u) << notes[0];

  auto other = MeasurementTable::parseCsv("in_hw,c_in,c_out,lut\n5,4,4,10\n", "o.csv");
  EXPECT_NE(c->append(*other).find("no KPI column 'ms'"), std::string::npos);
}

TEST(TableTest, ExactDuplicateRowsAreDroppedWithTheirLines) {
  // Line 3 copies line 2 (every column); line 4 repeats the layer with another value (a repeated measurement: kept).
  auto t = MeasurementTable::parseCsv("in_hw,c_in,c_out,latency_ms,energy_j\n"
                                      "8,3,4,1.5,\n"
                                      "8,3,4,1.5,\n"
                                      "8,3,4,1.6,\n"
                                      "9,3,4,2.0,0.1\n"
                                      "9,3,4,2.0,0.1\n",
                                      "d.csv");
  ASSERT_TRUE(t) << t.error();
  std::vector<std::string> warnings = t->dropDuplicateRows();
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0], "d.csv:3: row repeats line 2 in every column; the copy is dropped");
  EXPECT_EQ(warnings[1], "d.csv:6: row repeats line 5 in every column; the copy is dropped");
  EXPECT_EQ(t->lines, (std::vector<int>{2, 4, 5}));
  EXPECT_EQ(t->kpiValues[0], (std::vector<double>{1.5, 1.6, 2.0}));
  EXPECT_TRUE(t->dropDuplicateRows().empty());
}

TEST(TableTest, ByteOrderMarkIsSkippedAndSubnormalsAreRefused) {
  auto t = MeasurementTable::parseCsv("\xEF\xBB\xBFin_hw,c_in,c_out,latency_ms\n8,3,4,1.5\n", "bom.csv");
  ASSERT_TRUE(t) << t.error();
  EXPECT_EQ(t->layerColumns.front(), "in_hw");
  EXPECT_EQ(t->kpiNames, (std::vector<std::string>{"latency_ms"}));
  const std::string header = "in_hw,c_in,c_out,latency_ms\n";
  EXPECT_EQ(errorOf(header + "8,3,4,1e-320\n"),
            "m.csv:2:4: column 'latency_ms': '1e-320' is too small in magnitude (below 2.2e-308, a subnormal double: "
            "write 0 or check the unit)");
  EXPECT_EQ(errorOf(header + "8,3,4,1e999\n"),
            "m.csv:2:4: column 'latency_ms': '1e999' is too large in magnitude for a double");
  EXPECT_EQ(errorOf(header + "8,3,4,nan\n"), "m.csv:2:4: column 'latency_ms': 'nan' is not a number (NaN)");
  // 0 and the smallest normal double stay numbers.
  EXPECT_EQ(errorOf(header + "8,3,4,0\n"), "");
  EXPECT_EQ(errorOf(header + "8,3,4,2.3e-308\n"), "");
}
