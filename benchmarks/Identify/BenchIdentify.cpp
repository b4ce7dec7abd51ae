//===- BenchIdentify.cpp - CV table of every structure on tx2-c10gx -------===//
//
// flydel-bench-identify [DATA_DIR]
// Prints, as Markdown, 10-fold CV figures (seed 1, at most 16 parameters) of every KPI of the paper's data with
// each structure (its best order) and the automatic choice, then sample efficiency of the automatic choice.
//
//===----------------------------------------------------------------------===//
#include "flydel/Identify/Table.h"
#include "flydel/Identify/Validation.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

using namespace flydel;

namespace {

struct Kpi {
  const char *device, *file, *kpi;
  double saturation; // device capacity bounding the KPI (M20K blocks), 0 if none
};

const Kpi kKpis[] = {
    {"cpu", "tx2_cpu_conv.csv", "latency_ms", 0},      {"cpu", "tx2_cpu_conv.csv", "energy_j", 0},
    {"cpu", "tx2_cpu_conv.csv", "power_w", 0},         {"gpu", "tx2_gpu_conv.csv", "latency_ms", 0},
    {"gpu", "tx2_gpu_conv.csv", "energy_j", 0},        {"gpu", "tx2_gpu_conv.csv", "power_w", 0},
    {"fpga", "c10gx_fpga_conv.csv", "latency_ms", 0},  {"fpga", "c10gx_fpga_conv.csv", "energy_j", 0},
    {"fpga", "c10gx_fpga_conv.csv", "power_w", 0},     {"fpga", "c10gx_fpga_conv.csv", "alm", 0},
    {"fpga", "c10gx_fpga_conv.csv", "alut", 0},        {"fpga", "c10gx_fpga_conv.csv", "lab", 0},
    {"fpga", "c10gx_fpga_conv.csv", "m20k", 587},
};

void row(const char *device, const char *kpi, const std::string &what, const CvOutcome &o) {
  const Metrics &m = o.metrics;
  std::printf("| %s | %s | %s | %d | %.2f | %.2f | %.2f | %.1f | %.2f |\n", device, kpi, what.c_str(), o.parameters,
              m.mape, m.medianApe, m.p90Ape, m.within10pct, m.bias);
}

} // namespace

int main(int argc, char **argv) {
  std::string dir = argc > 1 ? argv[1] : std::string(FLYDEL_SHARED_DIR) + "/data/tx2-c10gx";
  auto start = std::chrono::steady_clock::now();
  CvOptions options; // 10 folds, seed 1, <= 16 parameters
  std::printf("10-fold CV, seed %llu, at most %d parameters; MAPE/median/p90 in %%, within = share within +-10 %%, "
              "bias = |mean signed relative error| (the paper scripts' figure)\n\n",
              static_cast<unsigned long long>(options.seed), options.maxParams);
  std::printf("| device | KPI | structure | params | MAPE | median | p90 | within 10%% | bias |\n");
  std::printf("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  struct Chosen {
    const Kpi *kpi;
    Dataset data;
    StructureConfig config;
    int pathIndex;
    double cvMape;
  };
  std::vector<Chosen> chosen;
  for (const Kpi &k : kKpis) {
    auto table = MeasurementTable::loadCsv(dir + "/" + k.file);
    if (!table) {
      std::fprintf(stderr, "flydel-bench-identify: %s\n", table.error().c_str());
      return 1;
    }
    auto data = table->dataset(k.kpi, OpKind::Conv2d, false, nullptr);
    if (!data) {
      std::fprintf(stderr, "flydel-bench-identify: %s\n", data.error().c_str());
      return 1;
    }
    CvOptions kpiOptions = options;
    kpiOptions.saturation = k.saturation;
    // One identification over every configuration; each structure's row is its best-scoring configuration.
    auto best = identify(*data, autoConfigs(), kpiOptions);
    if (!best) {
      std::printf("| %s | %s | auto | - | failed: %s |\n", k.device, k.kpi, best.error().c_str());
      continue;
    }
    for (Structure s : {Structure::Paper, Structure::Frols, Structure::Physics}) {
      const CvOutcome *top = nullptr;
      for (const CvOutcome &c : best->candidates)
        if (c.config.structure == s && (!top || c.score(kpiOptions) < top->score(kpiOptions)))
          top = &c;
      if (top)
        row(k.device, k.kpi, top->config.label(), *top);
    }
    row(k.device, k.kpi, "**auto: " + best->chosen.config.label() + "**", best->chosen);
    chosen.push_back({&k, *data, best->chosen.config, best->chosen.pathIndex, best->chosen.metrics.mape});
    std::fflush(stdout);
  }

  // Sample efficiency: the automatically chosen structure and order, refitted on random subsets and scored on
  // the rows left out (median over 5 draws).
  const int sizes[] = {50, 100, 200, 500};
  std::printf("\nSample efficiency (auto-chosen structure and order refitted on N random rows, MAPE on the other "
              "rows, median of 5 draws)\n\n| device | KPI | structure | N=50 | N=100 | N=200 | N=500 | all (CV) |\n"
              "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
  for (const Chosen &c : chosen) {
    std::printf("| %s | %s | %s |", c.kpi->device, c.kpi->kpi, c.config.label().c_str());
    for (int size : sizes) {
      std::vector<double> mapes;
      for (int draw = 0; draw < 5; ++draw) {
        std::vector<int> perm = randomPermutation(static_cast<int>(c.data.size()), 1000 + draw);
        std::vector<int> train(perm.begin(), perm.begin() + size), test(perm.begin() + size, perm.end());
        auto path = fitPath(c.config, c.data.subset(train), options.maxParams, c.kpi->saturation);
        if (!path)
          continue;
        const Model &m = (*path)[std::min<size_t>(c.pathIndex, path->size() - 1)];
        std::vector<double> pred, meas;
        for (int i : test) {
          pred.push_back(m.evaluate(c.data.x[i]));
          meas.push_back(c.data.y[i]);
        }
        mapes.push_back(computeMetrics(pred, meas).mape);
      }
      if (mapes.empty()) {
        std::printf(" - |");
        continue;
      }
      std::sort(mapes.begin(), mapes.end());
      std::printf(" %.2f |", mapes[mapes.size() / 2]);
    }
    std::printf(" %.2f |\n", c.cvMape);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("\n(%.0f s)\n", seconds);
  return 0;
}
