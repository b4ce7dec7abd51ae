#include "flydel/Model/Library.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>

using namespace flydel;

namespace {

Library sampleLibrary() {
  Library lib;
  lib.platform = {"test-platform", "two devices"};
  lib.devices = {{"cpu", DeviceKind::Cpu, "a CPU", {}}, {"fpga", DeviceKind::Fpga, "an FPGA", {{"m20k", 587}}}};
  Link link;
  link.from = "cpu", link.to = "fpga", link.source = "test";
  link.latency = AffineCost{0.01, 0.0006, "ms", 6.2, 10};
  lib.links.push_back(link);
  KpiModel m;
  m.device = "cpu";
  m.kpi = "latency_ms";
  m.unit = "ms";
  m.model.terms = {*parseTerm("1"), *parseTerm("macs"), *parseTerm("out_pixels*ceil(c_out/8)")};
  m.model.params = {0.5, 1.25e-7, 3.5e-5};
  m.model.domain = {{Feature::InHW, 11, 100}, {Feature::CIn, 3, 512}};
  m.cv = CvFigures{4.0, 2.0, 8.5, 92.0, 0.5, 5.5, 10, 5000, 1};
  lib.models.push_back(m);
  KpiModel p = m;
  p.device = "fpga";
  p.kpi = "m20k";
  p.unit = "M20K";
  p.model = Model();
  p.model.structure = Structure::Paper;
  p.model.factors = {{Feature::CIn, WeakKind::Exponential, 10}, {Feature::COut, WeakKind::Cubic, 10}};
  p.model.params = {1, 0.1, 1, 2, 3, 4};
  p.model.upperBound = 587;
  lib.models.push_back(p);
  return lib;
}

std::string replaceOnce(std::string text, const std::string &from, const std::string &to) {
  auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos)
    text.replace(pos, from.size(), to);
  return text;
}

} // namespace

TEST(LibraryTest, JsonRoundTripPreservesPredictions) {
  Library lib = sampleLibrary();
  std::string text = lib.toJson();
  auto back = Library::parse(text);
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->platform.name, "test-platform");
  ASSERT_EQ(back->models.size(), 2u);
  EXPECT_EQ(back->toJson(), text);
  Layer l;
  l.in_h = l.in_w = 20, l.c_in = 7, l.c_out = 9, l.kernel_h = l.kernel_w = 3;
  for (const KpiModel &m : lib.models) {
    const KpiModel *found = back->findModel(m.device, OpKind::Conv2d, m.kpi);
    ASSERT_NE(found, nullptr);
    EXPECT_NEAR(found->predict(l).value, m.predict(l).value, 1e-9 * std::fabs(m.predict(l).value));
  }
  EXPECT_EQ(back->findModel("cpu", OpKind::Conv2d, "energy_j"), nullptr);
  ASSERT_NE(back->findLink("cpu", "fpga"), nullptr);
  EXPECT_NEAR(back->findLink("cpu", "fpga")->latency.evaluateBytes(1024), 0.01 + 0.0006 * 8, 1e-12);
  EXPECT_EQ(back->findDevice("fpga")->capacities.at("m20k"), 587);
}

TEST(LibraryTest, SaveIsAtomicAndLoadable) {
  std::string path = ::testing::TempDir() + "flydel-library-test.json";
  std::string error;
  ASSERT_TRUE(sampleLibrary().save(path, &error)) << error;
  auto loaded = Library::load(path);
  ASSERT_TRUE(loaded) << loaded.error();
  std::remove(path.c_str());
  EXPECT_FALSE(sampleLibrary().save("/nonexistent-dir/x.json", &error));
  EXPECT_NE(error.find("/nonexistent-dir/x.json"), std::string::npos);
}

TEST(LibraryTest, ValidationErrorsNameThePath) {
  std::string text = sampleLibrary().toJson();
  struct Case {
    std::string from, to, expected;
  };
  std::vector<Case> cases = {
      {"\"schema_version\": 1", "\"schema_version\": 7", "$.schema_version: unsupported version 7"},
      {"\"kind\":\"fpga\"", "\"kind\":\"tpu\"", "$.devices[1].kind: unknown device kind 'tpu'"},
      {"\"terms\":[\"1\",\"macs\"", "\"terms\":[\"1\",\"flops\"", "$.models[0].terms[1]"},
      {"\"params\":[0.5,", "\"params\":[", "$.models[0]: expected 3 parameters, found 2"},
      {"\"device\":\"cpu\",\"op\"", "\"device\":\"dsp\",\"op\"", "$.models[0].device: unknown device 'dsp'"},
      {"\"to\":\"fpga\"", "\"to\":\"gpu\"", "$.links[0]: unknown device 'gpu'"},
      {"\"structure\":\"paper\"", "\"structure\":\"magic\"", "$.models[1].structure: unknown structure 'magic'"},
      {"\"median_ape\":", "\"median\":", "$.models[0].cv: missing required key 'median_ape'"},
      // Counts are whole numbers in range (a fuzzer's 1e30 was cast to int: undefined behaviour).
      {"\"folds\":10", "\"folds\":1e30", "$.models[0].cv.folds: expected a whole number in [0, 2147483647]"},
      {"\"n\":5000", "\"n\":2.5", "$.models[0].cv.n: expected a whole number"},
      {"\"seed\":1", "\"seed\":-3", "$.models[0].cv.seed: expected a whole number"},
  };
  for (const Case &c : cases) {
    auto result = Library::parse(replaceOnce(text, c.from, c.to), "lib.json");
    ASSERT_FALSE(result) << c.expected;
    EXPECT_NE(result.error().find("lib.json: " + c.expected), std::string::npos) << result.error();
  }
  auto bad = Library::parse("{ not json", "broken.json");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("broken.json: invalid JSON"), std::string::npos);
  EXPECT_FALSE(Library::load("/nonexistent/library.json"));
}

TEST(LibraryTest, StandaloneModelRoundTrip) {
  KpiModel m = sampleLibrary().models[0];
  auto back = parseKpiModel(kpiModelToJson(m));
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->model.terms.size(), 3u);
  EXPECT_EQ(back->cv.n, 5000);
  EXPECT_FALSE(parseKpiModel("{\"schema\": \"other\"}"));
}

TEST(LibraryTest, DefaultPlatformLibraryLoads) {
  auto lib = Library::load(std::string(FLYDEL_SOURCE_DIR_FOR_TESTS) + "/platforms/tx2-c10gx.json");
  ASSERT_TRUE(lib) << lib.error();
  for (const char *device : {"cpu", "gpu", "fpga"})
    for (const char *kpi : {"latency_ms", "energy_j"}) {
      const KpiModel *m = lib->findModel(device, OpKind::Conv2d, kpi);
      ASSERT_NE(m, nullptr) << device << " " << kpi;
      EXPECT_LE(m->model.parameterCount(), 16);
    }
  EXPECT_NE(lib->findLink("gpu", "fpga"), nullptr);
  EXPECT_NE(lib->findLink("fpga", "gpu"), nullptr);
}

TEST(LibraryTest, VariantModelsServeTheirOwnLayers) {
  Library lib = sampleLibrary();
  KpiModel dw = lib.models.front();
  dw.variant = ModelVariant::Depthwise;
  dw.model.params = {0.25, 0, 0}; // a constant, distinguishable from the any-layer model
  lib.models.push_back(dw);
  ASSERT_EQ(lib.validate(), "");
  auto back = Library::parse(lib.toJson());
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->toJson(), lib.toJson());

  Layer dense;
  dense.in_h = dense.in_w = 20, dense.c_in = 8, dense.c_out = 8, dense.kernel_h = dense.kernel_w = 3;
  Layer depthwise = dense;
  depthwise.groups = 8;
  Layer grouped = dense;
  grouped.groups = 2;
  EXPECT_EQ(variantOf(dense), ModelVariant::Dense);
  EXPECT_EQ(variantOf(depthwise), ModelVariant::Depthwise);
  EXPECT_EQ(variantOf(grouped), ModelVariant::Any);

  const KpiModel *forDw = back->findModelFor("cpu", depthwise, "latency_ms");
  ASSERT_NE(forDw, nullptr);
  EXPECT_EQ(forDw->variant, ModelVariant::Depthwise);
  EXPECT_DOUBLE_EQ(forDw->predict(depthwise).value, 0.25);
  // No dense-specific model: dense and grouped layers fall back to the any-layer model.
  EXPECT_EQ(back->findModelFor("cpu", dense, "latency_ms")->variant, ModelVariant::Any);
  EXPECT_EQ(back->findModelFor("cpu", grouped, "latency_ms")->variant, ModelVariant::Any);
  // Dense and depthwise models only (the GPU library): a grouped convolution, G dense GEMMs, takes the dense one.
  Library split = *back;
  split.models.front().variant = ModelVariant::Dense;
  ASSERT_EQ(split.validate(), "");
  ASSERT_NE(split.findModelFor("cpu", grouped, "latency_ms"), nullptr);
  EXPECT_EQ(split.findModelFor("cpu", grouped, "latency_ms")->variant, ModelVariant::Dense);
  EXPECT_EQ(split.findModelFor("cpu", depthwise, "latency_ms")->variant, ModelVariant::Depthwise);

  lib.models.push_back(dw);
  EXPECT_NE(lib.validate().find("duplicate model for (cpu, conv2d depthwise, latency_ms)"), std::string::npos)
      << lib.validate();
}

TEST(LibraryTest, VariantErrorsNameTheField) {
  Library lib = sampleLibrary();
  lib.models.front().variant = ModelVariant::Dense;
  std::string text = lib.toJson();
  auto bad = Library::parse(replaceOnce(text, "\"variant\":\"dense\"", "\"variant\":\"sparse\""));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("$.models[0].variant"), std::string::npos) << bad.error();
  EXPECT_NE(bad.error().find("unknown variant 'sparse'"), std::string::npos) << bad.error();
  auto pool = Library::parse(replaceOnce(text, "\"op\":\"conv2d\"", "\"op\":\"pool2d\""));
  ASSERT_FALSE(pool);
  EXPECT_NE(pool.error().find("'dense' is a variant of conv2d models, not of pool2d"), std::string::npos)
      << pool.error();
  auto global = Library::parse(replaceOnce(text, "\"variant\":\"dense\"", "\"variant\":\"global\""));
  ASSERT_FALSE(global);
  EXPECT_NE(global.error().find("'global' is a variant of pool2d models, not of conv2d"), std::string::npos)
      << global.error();
}

TEST(LibraryTest, GlobalAndWindowedPoolsUseTheirOwnModels) {
  Library lib = sampleLibrary();
  KpiModel global = lib.models.front();
  global.op = OpKind::Pool2d;
  global.variant = ModelVariant::Global;
  global.model.params = {0.5, 0, 0};
  lib.models.push_back(global);
  ASSERT_EQ(lib.validate(), "");
  auto back = Library::parse(lib.toJson());
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->toJson(), lib.toJson());

  Layer head; // ResNet's 7x7x512 global average pool
  head.op = OpKind::Pool2d;
  head.in_h = head.in_w = head.kernel_h = head.kernel_w = 7, head.c_in = head.c_out = 512;
  Layer window = head; // a 3x3/2 pool of the same map
  window.kernel_h = window.kernel_w = 3, window.stride_h = window.stride_w = 2;
  Layer padded = head; // a 7x7 window over a padded 7x7 map has 7x7 outputs: not global
  padded.pad_h = padded.pad_w = 3;
  EXPECT_EQ(variantOf(head), ModelVariant::Global);
  EXPECT_EQ(variantOf(window), ModelVariant::Windowed);
  EXPECT_EQ(variantOf(padded), ModelVariant::Windowed);
  EXPECT_EQ(variantOp(ModelVariant::Windowed), OpKind::Pool2d);
  EXPECT_EQ(variantOp(ModelVariant::Depthwise), OpKind::Conv2d);

  const KpiModel *forHead = back->findModelFor("cpu", head, "latency_ms");
  ASSERT_NE(forHead, nullptr);
  EXPECT_EQ(forHead->variant, ModelVariant::Global);
  EXPECT_DOUBLE_EQ(forHead->predict(head).value, 0.5);
  // No windowed model and no any-layer pool model: a windowed pool has no prediction rather than the global one.
  EXPECT_EQ(back->findModelFor("cpu", window, "latency_ms"), nullptr);
}

TEST(LibraryTest, AssumedLinksKeepTheirLabelAndNoFitFigures) {
  Library lib = sampleLibrary();
  Link assumed;
  assumed.from = "fpga", assumed.to = "cpu";
  assumed.latency = AffineCost{0.01, 0.000128, "ms", 0, 0};
  assumed.assumed = true;
  assumed.source = "ASSUMPTION: 1 GB/s";
  lib.links.push_back(assumed);
  std::string text = lib.toJson();
  // A measured link keeps its fit figures; an assumed one has none (not a perfect-looking 0 % on 0 points).
  EXPECT_NE(text.find("\"fit_mape\":6.2,\"n\":10"), std::string::npos) << text;
  EXPECT_NE(text.find("\"slope_per_kbit\":0.000128},\"source\":\"ASSUMPTION: 1 GB/s\",\"assumed\":true"),
            std::string::npos)
      << text;
  auto back = Library::parse(text, "lib.json");
  ASSERT_TRUE(back) << back.error();
  ASSERT_EQ(back->links.size(), 2u);
  EXPECT_FALSE(back->links[0].assumed);
  EXPECT_TRUE(back->links[1].assumed);
  EXPECT_EQ(back->links[1].latency.n, 0);
  EXPECT_DOUBLE_EQ(back->links[1].latency.slopePerKbit, 0.000128);

  auto silent = Library::parse(replaceOnce(text, "\"source\":\"ASSUMPTION: 1 GB/s\",", ""), "lib.json");
  ASSERT_FALSE(silent);
  EXPECT_NE(silent.error().find("lib.json: $.links[1].source: an assumed link must say what was assumed and why"),
            std::string::npos)
      << silent.error();
  auto typed = Library::parse(replaceOnce(text, "\"assumed\":true", "\"assumed\":\"yes\""), "lib.json");
  ASSERT_FALSE(typed);
  EXPECT_NE(typed.error().find("$.links[1].assumed: expected true or false"), std::string::npos) << typed.error();
}

TEST(LibraryTest, DeviceDataTypeRoundTripsAndIsChecked) {
  Library lib = sampleLibrary();
  lib.devices[1].dtype = DType::I8;
  std::string text = lib.toJson();
  EXPECT_NE(text.find("\"capacities\":{\"m20k\":587.0},\"dtype\":\"i8\"}"), std::string::npos) << text;
  auto back = Library::parse(text, "lib.json");
  ASSERT_TRUE(back) << back.error();
  EXPECT_FALSE(back->devices[0].dtype.has_value());
  ASSERT_TRUE(back->devices[1].dtype.has_value());
  EXPECT_EQ(*back->devices[1].dtype, DType::I8);
  auto bad = Library::parse(replaceOnce(text, "\"dtype\":\"i8\"", "\"dtype\":\"int4\""), "lib.json");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("$.devices[1].dtype: unknown data type 'int4'"), std::string::npos) << bad.error();
}

TEST(LibraryTest, DeviceViewFoldsOnlyOnFpgasAndFixesTheType) {
  Layer l;
  l.pe = 4, l.simd = 8, l.dtype = DType::F32;
  Device cpu{"cpu", DeviceKind::Cpu, "", {}, std::nullopt};
  Device fpga{"fpga", DeviceKind::Fpga, "", {}, DType::I8};
  Layer onCpu = deviceView(cpu, l), onFpga = deviceView(fpga, l);
  EXPECT_EQ(onCpu.pe, 1);
  EXPECT_EQ(onCpu.simd, 1);
  EXPECT_EQ(onCpu.dtype, DType::F32);
  EXPECT_EQ(onFpga.pe, 4);
  EXPECT_EQ(onFpga.simd, 8);
  EXPECT_EQ(onFpga.dtype, DType::I8);
}

TEST(LibraryTest, BoundedPhysicsFormRoundTrips) {
  Library lib = sampleLibrary();
  Model form;
  form.terms = {*parseTerm("1"), *parseTerm("macs")};
  form.params = {0.5, 2e-9};
  form.floor = 0.25;
  lib.models.front().model.outside = {form};
  lib.models.front().model.outsideFitMape = 12.5;
  ASSERT_EQ(lib.validate(), "");
  std::string text = lib.toJson();
  EXPECT_NE(text.find("\"outside\":{\"terms\":[\"1\",\"macs\"],\"params\":[0.5,2e-09],\"floor\":0.25,\"fit_mape\":12.5,"),
            std::string::npos)
      << text;
  auto back = Library::parse(text);
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->toJson(), text);
  // A form that is not bounded by construction is refused, naming the model.
  auto bad = Library::parse(replaceOnce(text, "\"params\":[0.5,2e-09]", "\"params\":[-0.5,2e-09]"));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("$.models[0]"), std::string::npos) << bad.error();
  EXPECT_NE(bad.error().find("bounded physics form"), std::string::npos) << bad.error();
}

TEST(LibraryTest, RefusesWhatTheDialectWouldRefuse) {
  // Each of these loaded before and made --annotate-kpis write IR that flydel-opt could not parse back.
  auto problem = [](auto edit) {
    Library lib = sampleLibrary();
    edit(lib);
    return lib.validate();
  };
  EXPECT_EQ(problem([](Library &) {}), "");
  EXPECT_NE(problem([](Library &l) { l.platform.name.clear(); }).find("$.platform.name"), std::string::npos);
  EXPECT_NE(problem([](Library &l) { l.models.clear(); }).find("at least one model"), std::string::npos);
  EXPECT_NE(problem([](Library &l) { l.devices.clear(), l.models.clear(), l.links.clear(); }).find("at least one device"),
            std::string::npos);
  Link self;
  self.from = self.to = "cpu";
  EXPECT_NE(problem([&](Library &l) { l.links = {self}; }).find("to itself"), std::string::npos);
  Link link;
  link.from = "cpu", link.to = "fpga";
  EXPECT_EQ(problem([&](Library &l) { l.links = {link}; }), "");
  EXPECT_NE(problem([&](Library &l) { l.links = {link, link}; }).find("a second link"), std::string::npos);
  link.latency.intercept = -1;
  EXPECT_NE(problem([&](Library &l) { l.links = {link}; }).find("$.links[0].latency"), std::string::npos);
}

TEST(LibraryTest, ByteOrderMarkIsSkippedAndSubnormalsAreRefused) {
  std::string text = sampleLibrary().toJson();
  auto withBom = Library::parse("\xEF\xBB\xBF" + text, "bom.json");
  ASSERT_TRUE(withBom) << withBom.error();
  EXPECT_EQ(withBom->toJson(), text);
  // The JSON parser reads 1e-320 as a denormal; the loader refuses it as the table reader does, naming the path.
  auto tiny = Library::parse(replaceOnce(text, "\"params\":[0.5,", "\"params\":[1e-320,"), "tiny.json");
  ASSERT_FALSE(tiny);
  EXPECT_NE(tiny.error().find("$.models[0].params[0]"), std::string::npos) << tiny.error();
  EXPECT_NE(tiny.error().find("too small in magnitude"), std::string::npos) << tiny.error();
}

TEST(LibraryTest, CapacityExcessesNameTheResourceDemandAndCapacity) {
  Device fpga{"fpga", DeviceKind::Fpga, "an FPGA", {{"alm", 80330}, {"m20k", 587}}};
  // At the capacity fits; above does not; a resource without a capacity (lab) is never an excess.
  EXPECT_TRUE(capacityExcesses(fpga, {{"alm", 80330}, {"m20k", 12}, {"lab", 1e9}}).empty());
  auto excesses = capacityExcesses(fpga, {{"alm", 2.1e6}, {"m20k", 12}, {"lab", 1e9}});
  ASSERT_EQ(excesses.size(), 1u);
  EXPECT_EQ(excesses[0].resource, "alm");
  EXPECT_EQ(excesses[0].demand, 2.1e6);
  EXPECT_EQ(excesses[0].capacity, 80330);
  EXPECT_EQ(describeExcesses(excesses), "alm demand 2.1e+06 > capacity 80330");
  EXPECT_EQ(describeExcesses(capacityExcesses(fpga, {{"alm", 9e4}, {"m20k", 600}})),
            "alm demand 9e+04 > capacity 80330, m20k demand 600 > capacity 587");
  // A device without capacities takes anything; a NaN is no prediction, not an excess.
  EXPECT_TRUE(capacityExcesses(Device{"cpu", DeviceKind::Cpu, "", {}}, {{"alm", 1e12}}).empty());
  EXPECT_TRUE(capacityExcesses(fpga, {{"alm", std::nan("")}}).empty());
  EXPECT_FALSE(fitsDespite(excesses));
  // M20K spills onto logic (measured designs were built with every block used): flagged, but the layer fits.
  fpga.spills = {"m20k"};
  auto spilled = capacityExcesses(fpga, {{"alm", 100}, {"m20k", 671}});
  ASSERT_EQ(spilled.size(), 1u);
  EXPECT_TRUE(spilled[0].spills);
  EXPECT_TRUE(fitsDespite(spilled));
  EXPECT_EQ(describeExcesses(spilled), "m20k demand 671 > capacity 587 (spills onto other resources)");
  EXPECT_FALSE(fitsDespite(capacityExcesses(fpga, {{"alm", 9e4}, {"m20k", 671}})));
}

TEST(LibraryTest, SpillsRoundTripAndMustNameACapacity) {
  Library lib = sampleLibrary();
  lib.devices[1].spills = {"m20k"};
  auto back = Library::parse(lib.toJson());
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->devices[1].spills, std::set<std::string>{"m20k"});
  std::string text = lib.toJson();
  const std::string spills = "\"spills\":[\"m20k\"]";
  ASSERT_NE(text.find(spills), std::string::npos);
  text.replace(text.find(spills), spills.size(), "\"spills\":[\"alm\"]");
  auto bad = Library::parse(text);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("devices[1].spills"), std::string::npos) << bad.error();
}
