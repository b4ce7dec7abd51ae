#include "flydel/Model/LayerSpec.h"
#include "flydel/Model/Predict.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

using namespace flydel;

namespace {

Library embeddedTx2() {
  std::ifstream in(std::string(FLYDEL_SOURCE_DIR_FOR_TESTS) + "/platforms/tx2-c10gx.json");
  std::stringstream text;
  text << in.rdbuf();
  auto library = Library::parse(text.str(), "tx2-c10gx.json");
  EXPECT_TRUE(library.ok()) << library.error();
  return std::move(*library);
}

TEST(LayerSpec, AliasesAndErrors) {
  auto layer = parseLayerSpec("op=conv2d,in_hw=56,c_in=64,c_out=32,kernel=3,stride_w=2,pad=1,dtype=f16");
  ASSERT_TRUE(layer.ok()) << layer.error();
  EXPECT_EQ(layer->in_h, 56);
  EXPECT_EQ(layer->in_w, 56);
  EXPECT_EQ(layer->kernel_h, 3);
  EXPECT_EQ(layer->stride_h, 1);
  EXPECT_EQ(layer->stride_w, 2);
  EXPECT_EQ(layer->pad_w, 1);
  EXPECT_EQ(layer->dtype, DType::F16);
  // Fields apply left to right: a later one overrides an alias.
  EXPECT_EQ(parseLayerSpec("in_hw=8,in_w=4")->in_w, 4);
  EXPECT_NE(parseLayerSpec("op=conv3d").error().find("unknown op kind 'conv3d'"), std::string::npos);
  EXPECT_NE(parseLayerSpec("c_inn=3").error().find("unknown layer field 'c_inn'"), std::string::npos);
  EXPECT_NE(parseLayerSpec("c_in=3x").error().find("'3x' is not a 64-bit integer"), std::string::npos);
  EXPECT_NE(parseLayerSpec("c_in").error().find("is not field=value"), std::string::npos);
  EXPECT_NE(parseLayerSpec("c_in=0").error().find("invalid layer"), std::string::npos);
}

// The predictor's model table gives every layer the model Library::findModelFor gives it, and the same numbers.
TEST(DevicePredictor, AgreesWithFindModelFor) {
  Library library = embeddedTx2();
  const char *specs[] = {"op=conv2d,in_hw=28,c_in=64,c_out=128,kernel=3",  "op=conv2d,in_hw=56,c_in=32,c_out=32,kernel=3,groups=32",
                         "op=conv2d,in_hw=28,c_in=64,c_out=64,kernel=3,groups=4", "op=pool2d,in_hw=7,c_in=512,c_out=512,kernel=7",
                         "op=pool2d,in_hw=56,c_in=64,c_out=64,kernel=3,stride=2", "op=matmul,c_in=512,c_out=1000",
                         "op=elementwise,in_hw=14,c_in=8,c_out=8",             "op=conv2d,in_hw=512,c_in=3,c_out=2048,kernel=7"};
  std::vector<KpiOutcome> outcomes;
  std::vector<CapacityExcess> excesses;
  int compared = 0, overCapacity = 0;
  for (const Device &device : library.devices) {
    auto predictor = DevicePredictor::create(library, device.name);
    ASSERT_TRUE(predictor.ok()) << predictor.error();
    for (const char *spec : specs) {
      Layer layer = *parseLayerSpec(spec);
      predictor->predict(layer, outcomes, excesses);
      ASSERT_EQ(outcomes.size(), predictor->kpis().size());
      for (size_t k = 0; k < outcomes.size(); ++k) {
        const KpiModel *model = library.findModelFor(device.name, layer, predictor->kpis()[k]);
        EXPECT_EQ(outcomes[k].model, model) << device.name << " " << spec << " " << predictor->kpis()[k];
        if (!model) {
          EXPECT_EQ(outcomes[k].status, KpiOutcome::Status::NoModel);
          continue;
        }
        EXPECT_EQ(outcomes[k].prediction.value, model->predict(deviceView(device, layer)).value);
        ++compared;
      }
      overCapacity += !excesses.empty();
    }
  }
  EXPECT_GT(compared, 50);
  EXPECT_GT(overCapacity, 0); // the FPGA cannot hold the large convolutions
}

TEST(DevicePredictor, CapacityStatus) {
  Library library = embeddedTx2();
  auto fpga = DevicePredictor::create(library, "fpga");
  ASSERT_TRUE(fpga.ok());
  std::vector<KpiOutcome> outcomes;
  std::vector<CapacityExcess> excesses;
  fpga->predict(*parseLayerSpec("op=conv2d,in_hw=512,c_in=3,c_out=2048,kernel=7"), outcomes, excesses);
  ASSERT_FALSE(excesses.empty());
  ASSERT_FALSE(fitsDespite(excesses));
  for (size_t k = 0; k < outcomes.size(); ++k) {
    const KpiOutcome &o = outcomes[k];
    bool over = false;
    for (const CapacityExcess &e : excesses)
      if (e.resource == fpga->kpis()[k]) {
        over = true;
        EXPECT_EQ(o.capacity, e.capacity);
        EXPECT_EQ(o.value(), e.demand); // the demand, never clipped at the capacity
      }
    if (o.status != KpiOutcome::Status::NoModel) {
      EXPECT_EQ(o.status, over ? KpiOutcome::Status::ExceedsCapacity : KpiOutcome::Status::DoesNotFit);
    }
  }
  auto none = DevicePredictor::create(library, "npu");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().find("has no device 'npu' (devices: cpu, gpu, fpga)"), std::string::npos);
}

} // namespace
