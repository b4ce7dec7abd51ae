//===- PredictionAllocationTest.cpp - model evaluation allocates nothing --===//
//
// annotate-kpis evaluates models on every op of modules with 100,000 layers; evaluation must not allocate. This
// binary replaces the global operator new to count allocations around the calls.
//
//===----------------------------------------------------------------------===//

#include "flydel/Model/Library.h"
#include "flydel/Platforms/EmbeddedPlatforms.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

static std::atomic<long> allocations{0};

void *operator new(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void *p = std::malloc(size ? size : 1))
    return p;
  throw std::bad_alloc();
}
void operator delete(void *p) noexcept { std::free(p); }
void operator delete(void *p, std::size_t) noexcept { std::free(p); }

namespace {

TEST(PredictionAllocationTest, PredictAllocatesNothing) {
  auto library = flydel::Library::parse(flydel::getEmbeddedPlatform("tx2-c10gx"), "tx2-c10gx");
  ASSERT_TRUE(library) << library.error();
  ASSERT_FALSE(library->models.empty());

  flydel::Layer layer;
  layer.op = flydel::OpKind::Conv2d;
  layer.in_h = layer.in_w = 56;
  layer.c_in = 64;
  layer.c_out = 128;
  layer.kernel_h = layer.kernel_w = 3;
  double sum = 0;
  long before = allocations.load();
  for (int i = 0; i < 1000; ++i) {
    layer.c_out = 16 + i % 500; // in and out of the FPGA domain, so both prediction paths run
    flydel::FeatureVector features = flydel::computeFeatures(layer);
    for (const flydel::KpiModel &model : library->models) {
      flydel::Prediction p = model.model.predict(features);
      sum += p.value + (p.extrapolated ? 1 : 0);
    }
  }
  long after = allocations.load();
  EXPECT_EQ(after - before, 0) << "model evaluation allocated";
  EXPECT_TRUE(sum > 0);
}

} // namespace
