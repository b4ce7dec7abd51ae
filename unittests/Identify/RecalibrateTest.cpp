//===- RecalibrateTest.cpp - probes against a committed library -----------===//
//
// host-intel's library and its own measurement tables (committed under platforms/host-intel).

#include "flydel/Identify/Recalibrate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

using namespace flydel;

namespace {

const std::string kHost = std::string(FLYDEL_SOURCE_DIR_FOR_TESTS) + "/platforms/host-intel/";

/// Every k-th row of a table: probes spread over the excitation, chosen without looking at the values.
MeasurementTable everyKth(const MeasurementTable &table, size_t k) {
  MeasurementTable out = table;
  size_t row = 0;
  out.keepRows([&](const Layer &) { return row++ % k == 0; });
  return out;
}

TEST(Recalibrate, ToItselfChangesNothingBeyondTheProbesNoise) {
  auto library = Library::load(kHost + "host.json");
  ASSERT_TRUE(library) << library.error();
  auto table = MeasurementTable::loadCsv(kHost + "excitation/cpu-onednn-conv2d.csv");
  ASSERT_TRUE(table) << table.error();
  MeasurementTable probes = everyKth(*table, table->layers.size() / 20);
  ASSERT_GE(probes.layers.size(), 18u);
  ProbeReport report;
  auto recalibrated = recalibrate(*library, "cpu-onednn", probes, "{}", report);
  ASSERT_TRUE(recalibrated) << recalibrated.error();
  ASSERT_FALSE(report.models.empty());
  for (const ProbeComparison &c : report.models) {
    // The standard error of a median ratio: 1.2533 sigma / sqrt(n), sigma from the probes' own p10-p90 spread.
    double sigma = (c.ratioP90 - c.ratioP10) / 2.563;
    double noise = 1.2533 * sigma / std::sqrt(static_cast<double>(c.probes));
    EXPECT_LE(std::fabs(c.scale - 1), noise) << c.model << " scale " << c.scale << " noise " << noise;
    EXPECT_FALSE(c.shapeDrift) << c.model;
  }
  // Every prediction of the table's layers moves by less than the noise of the probes' median ratio.
  double noise = 0;
  for (const ProbeComparison &c : report.models)
    noise = std::max(noise, 1.2533 * (c.ratioP90 - c.ratioP10) / 2.563 / std::sqrt(static_cast<double>(c.probes)));
  const Device *device = library->findDevice("cpu-onednn");
  for (const Layer &raw : table->layers) {
    Layer layer = deviceView(*device, raw);
    const KpiModel *before = library->findModelFor("cpu-onednn", layer, "latency_ms");
    const KpiModel *after = recalibrated->findModelFor("cpu-onednn", layer, "latency_ms");
    ASSERT_TRUE(before && after);
    double change = after->predict(layer).value / before->predict(layer).value - 1;
    EXPECT_LE(std::fabs(change), noise) << "a prediction moved by " << 100 * change << " %";
  }
  ASSERT_EQ(recalibrated->models.size(), library->models.size());
  for (size_t i = 0; i < library->models.size(); ++i) {
    double s = recalibrated->models[i].model.scale;
    if (library->models[i].device != "cpu-onednn") {
      EXPECT_EQ(s, 1.0) << "another device's model changed";
    }
  }
  EXPECT_EQ(recalibrated->calibrations.size(), 1u);
  // The record survives a save and load.
  auto again = Library::parse(recalibrated->toJson());
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ(again->calibrations.size(), 1u);
  for (size_t i = 0; i < again->models.size(); ++i)
    EXPECT_DOUBLE_EQ(again->models[i].model.scale, recalibrated->models[i].model.scale);
}

TEST(Recalibrate, ADriftedMachineIsFlaggedAndRescaled) {
  auto library = Library::load(kHost + "host.json");
  ASSERT_TRUE(library) << library.error();
  auto table = MeasurementTable::loadCsv(kHost + "excitation/cpu-onednn-conv2d.csv");
  ASSERT_TRUE(table) << table.error();
  MeasurementTable probes = everyKth(*table, table->layers.size() / 20);
  // The same layers on a machine 22 % faster (the drift issue 22 measured on host-intel ten days later): a
  // transformation of real rows to exercise the detector, not a measurement.
  int k = probes.kpiIndex("latency_ms");
  ASSERT_GE(k, 0);
  for (double &v : probes.kpiValues[static_cast<size_t>(k)])
    v *= 0.78;
  auto before = compareWithProbes(*library, "cpu-onednn", probes);
  ASSERT_TRUE(before) << before.error();
  EXPECT_GT(before->largestDriftPct, 15.0);
  ProbeReport report;
  auto recalibrated = recalibrate(*library, "cpu-onednn", probes, "{}", report);
  ASSERT_TRUE(recalibrated) << recalibrated.error();
  auto after = compareWithProbes(*recalibrated, "cpu-onednn", probes);
  ASSERT_TRUE(after) << after.error();
  EXPECT_LT(after->largestDriftPct, 3.0);
  for (const ProbeComparison &c : report.models)
    EXPECT_FALSE(c.shapeDrift) << c.model << ": a uniform drift taken for a change of shape";
  for (const ProbeComparison &c : after->models)
    if (c.model == "all ops") {
      EXPECT_LT(c.mapeBefore, report.models.back().mapeBefore);
    }
}

TEST(Recalibrate, AHostOfAnotherGenerationIsNamedAsAChangeOfShape) {
  // Measured: host-amd's library (2026-11-27) against 20 probes timed on 2026-12-06, when the VM had moved to a
  // Zen 5 host with AVX-512 (docs/recalibration.md). Dense convolutions run 2.4x faster, depthwise ones 1.25x, and
  // the ratio moves with the layer: the check must say the library drifted, and name the model no adaptation
  // follows.
  const std::string amd = std::string(FLYDEL_SOURCE_DIR_FOR_TESTS) + "/platforms/host-amd/";
  auto library = Library::load(amd + "host.json");
  ASSERT_TRUE(library) << library.error();
  auto probes = MeasurementTable::loadCsv(amd + "recalibration-2026-12-06/probes.csv");
  ASSERT_TRUE(probes) << probes.error();
  auto report = compareWithProbes(*library, "cpu-onednn", *probes);
  ASSERT_TRUE(report) << report.error();
  EXPECT_GT(report->largestDriftPct, 30.0);
  bool named = false;
  for (const ProbeComparison &c : report->models) {
    if (c.model == "conv2d/depthwise") {
      EXPECT_TRUE(c.shapeDrift) << "leave-one-out " << c.mapeLeaveOneOut << " %, CV " << c.cvMape << " %";
    }
    named = named || c.shapeDrift;
    if (c.model == "all ops") {
      EXPECT_FALSE(c.shapeDrift) << "the device-wide row has no CV figure of its own";
    }
  }
  EXPECT_TRUE(named);
}

TEST(Recalibrate, NamesWhatIsMissing) {
  auto library = Library::load(kHost + "host.json");
  ASSERT_TRUE(library) << library.error();
  auto table = MeasurementTable::loadCsv(kHost + "excitation/cpu-onednn-conv2d.csv");
  ASSERT_TRUE(table) << table.error();
  auto noDevice = compareWithProbes(*library, "gpu", *table);
  ASSERT_FALSE(noDevice);
  EXPECT_NE(noDevice.error().find("no device 'gpu'"), std::string::npos) << noDevice.error();
}

} // namespace

namespace {

TEST(Recalibrate, ARefitFollowsAChangeOfShapeThatAFactorCannot) {
  // The same layers with only the compute-bound ones twice as fast (say, a new kernel for large convolutions): a
  // transformation of real rows to exercise the refit, not a measurement. One factor cannot follow it; a refit of
  // the per-work parameters can, and leave-one-out on the probes must pick it.
  auto library = Library::load(kHost + "host.json");
  ASSERT_TRUE(library) << library.error();
  auto table = MeasurementTable::loadCsv(kHost + "excitation/cpu-onednn-conv2d.csv");
  ASSERT_TRUE(table) << table.error();
  MeasurementTable probes = everyKth(*table, table->layers.size() / 40);
  int k = probes.kpiIndex("latency_ms");
  ASSERT_GE(k, 0);
  for (size_t row = 0; row < probes.layers.size(); ++row)
    if (computeFeatures(probes.layers[row])[static_cast<int>(Feature::Macs)] > 2e7)
      probes.kpiValues[static_cast<size_t>(k)][row] *= 0.5;
  RecalibrationOptions factorOnly;
  factorOnly.refit = false;
  ProbeReport scaled, refitted;
  ASSERT_TRUE(recalibrate(*library, "cpu-onednn", probes, "{}", scaled, factorOnly));
  auto out = recalibrate(*library, "cpu-onednn", probes, "{}", refitted);
  ASSERT_TRUE(out) << out.error();
  bool anyRefit = false;
  for (size_t i = 0; i < refitted.models.size(); ++i) {
    const ProbeComparison &c = refitted.models[i];
    if (c.params.empty())
      continue;
    anyRefit = true;
    EXPECT_LT(c.mapeLeaveOneOut, scaled.models[i].mapeLeaveOneOut) << c.model;
  }
  EXPECT_TRUE(anyRefit);
  auto after = compareWithProbes(*out, "cpu-onednn", probes);
  ASSERT_TRUE(after);
  auto afterScaled = compareWithProbes(*recalibrate(*library, "cpu-onednn", probes, "{}", scaled, factorOnly),
                                       "cpu-onednn", probes);
  ASSERT_TRUE(afterScaled);
  EXPECT_LT(after->models.back().mapeBefore, afterScaled->models.back().mapeBefore);
}



/// Term j's share of model m's in-domain prediction of `layer` (the probe's sensitivity to that parameter).
double termShare(const Model &m, const FeatureVector &x, size_t j) {
  double sum = 0, term = 0;
  for (size_t i = 0; i < m.terms.size(); ++i) {
    double t = m.params[i] * evaluateTerm(m.terms[i], x);
    sum += t;
    if (i == j)
      term = t;
  }
  return sum > 0 ? term / sum : 0;
}

TEST(Recalibrate, ProbesInformEveryParameterOfARefittableModel) {
  // A drift of shape moves some terms and not others; the ridge refit can follow it only on terms some probe
  // depends on. A term is informed when some probe's share of it is at least half the largest share it takes
  // anywhere in the plan. Rows spread over the predicted range (the choice before the D-optimal design) leave 5 of
  // the dense model's 9 terms and 4 of the depthwise model's 11 uninformed with 20 probes; the design must leave at
  // most a quarter of each model's terms (11 and 9 probes cannot inform 9 and 11 terms all at once).
  auto library = Library::load(kHost + "host.json");
  ASSERT_TRUE(library) << library.error();
  auto plan = MeasurementTable::loadCsv(kHost + "plans/conv2d.csv");
  ASSERT_TRUE(plan) << plan.error();
  auto depthwise = MeasurementTable::loadCsv(kHost + "plans/depthwise.csv");
  ASSERT_TRUE(depthwise) << depthwise.error();
  ASSERT_EQ(plan->append(*depthwise), "");
  auto chosen = chooseProbes(*library, "cpu-onednn", *plan, 20);
  ASSERT_TRUE(chosen) << chosen.error();
  EXPECT_EQ(chosen->size(), 20u);
  const Device *device = library->findDevice("cpu-onednn");
  std::map<const KpiModel *, std::vector<FeatureVector>> all, probes;
  for (size_t row = 0; row < plan->layers.size(); ++row) {
    Layer layer = deviceView(*device, plan->layers[row]);
    const KpiModel *m = library->findModelFor("cpu-onednn", layer, "latency_ms");
    ASSERT_TRUE(m);
    all[m].push_back(computeFeatures(layer));
    if (std::binary_search(chosen->begin(), chosen->end(), row))
      probes[m].push_back(computeFeatures(layer));
  }
  ASSERT_EQ(all.size(), 2u) << "dense and depthwise";
  for (const auto &[m, rows] : all) {
    ASSERT_EQ(m->model.target, Target::Identity);
    std::string uninformed;
    for (size_t j = 0; j < m->model.terms.size(); ++j) {
      double largest = 0, probed = 0;
      for (const FeatureVector &x : rows)
        largest = std::max(largest, std::fabs(termShare(m->model, x, j)));
      for (const FeatureVector &x : probes[m])
        probed = std::max(probed, std::fabs(termShare(m->model, x, j)));
      if (probed < 0.5 * largest)
        uninformed += " " + formatTerm(m->model.terms[j]) + " (share " + std::to_string(largest) + " in the plan, " +
                      std::to_string(probed) + " on the probes);";
    }
    size_t count = static_cast<size_t>(std::count(uninformed.begin(), uninformed.end(), ';'));
    EXPECT_LE(4 * count, m->model.terms.size())
        << opKindName(m->op) << "/" << modelVariantName(m->variant) << ", " << probes[m].size() << " probes:"
        << uninformed;
  }
}

} // namespace
