//===- library_fuzzer.cpp - libFuzzer entry for the JSON and CSV readers --===//
//
// Feeds arbitrary bytes to the MLIR-free readers of user files: the platform library JSON (Library::parse, and
// what a library that loads is used for: validate, toJson and a re-parse of it, predictions), the standalone KPI
// model JSON (parseKpiModel), and the measurement table CSV (MeasurementTable::parseCsv, then dropDuplicateRows
// and dataset() for every KPI column). Every input must end in a value or an error, never a crash, a sanitizer
// report or a hang. The first byte picks the reader, so one corpus covers all three. Not part of the build or CI;
// scripts/fuzz.sh builds it with the reader sources instrumented (see fuzz/README.md).
//
//===----------------------------------------------------------------------===//

#include "flydel/Identify/Table.h"
#include "flydel/Model/Library.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  const std::string_view text(reinterpret_cast<const char *>(data) + 1, size - 1);
  switch (data[0] % 3) {
  case 0: {
    auto lib = flydel::Library::parse(text, "fuzz.json");
    if (!lib)
      return 0;
    (void)lib->validate();
    // A library that loads must serialise to a library that loads again.
    std::string json = lib->toJson();
    if (json.empty() || !flydel::Library::parse(json, "fuzz-roundtrip.json"))
      __builtin_trap();
    flydel::Layer layer;
    layer.in_h = layer.in_w = 14, layer.c_in = layer.c_out = 16, layer.kernel_h = layer.kernel_w = 3;
    for (const flydel::KpiModel &m : lib->models)
      (void)m.model.evaluate(flydel::computeFeatures(layer));
    return 0;
  }
  case 1:
    (void)flydel::parseKpiModel(text, "fuzz-model.json");
    return 0;
  default: {
    auto table = flydel::MeasurementTable::parseCsv(std::string(text), "fuzz.csv");
    if (!table)
      return 0;
    (void)table->dropDuplicateRows();
    std::vector<std::string> notes;
    for (const std::string &kpi : table->kpiNames)
      (void)table->dataset(kpi, std::nullopt, false, &notes);
    return 0;
  }
  }
}
