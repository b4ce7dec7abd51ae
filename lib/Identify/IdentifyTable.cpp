//===- IdentifyTable.cpp - One KPI model from a measurement table ---------===//

#include "flydel/Identify/IdentifyTable.h"

#include <exception>

namespace flydel {

std::string unitOfKpiColumn(const std::string &kpi) {
  auto ends = [&](const char *s) {
    std::string suffix = s;
    return kpi.size() > suffix.size() && kpi.compare(kpi.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends("_ms"))
    return "ms";
  if (ends("_us"))
    return "us";
  if (ends("_s"))
    return "s";
  if (ends("_j"))
    return "J";
  if (ends("_mj"))
    return "mJ";
  if (ends("_w"))
    return "W";
  return kpi;
}

Expected<TableIdentification> identifyTable(MeasurementTable table, const TableIdentifyOptions &o) noexcept {
  try {
    TableIdentification result;
    // Copied rows would count twice (and sit on both sides of a CV split).
    result.duplicates = table.dropDuplicateRows();
    auto data = table.dataset(o.kpi, o.op, o.strict, &result.notes);
    if (!data)
      return makeError(data.error());
    if (o.cv.folds > static_cast<int>(data->size()))
      return makeError("option --folds: " + std::to_string(o.cv.folds) + " folds but only " +
                       std::to_string(data->size()) + " usable rows");
    auto id = identify(*data, o.structure ? configsFor(*o.structure) : autoConfigs(), o.cv);
    if (!id)
      return makeError(o.source + ": " + id.error());
    result.rows = data->size();
    KpiModel &model = result.model;
    model.device = o.device;
    model.op = o.op ? *o.op : table.layers.front().op;
    model.kpi = o.kpi;
    model.unit = o.unit.empty() ? unitOfKpiColumn(o.kpi) : o.unit;
    model.model = id->model;
    model.cv = cvFiguresOf(*id, o.cv, static_cast<int>(data->size()));
    model.source = o.source;
    result.id = std::move(*id);
    return result;
  } catch (const std::exception &e) {
    return makeError(o.source + ": " + e.what());
  } catch (...) {
    return makeError(o.source + ": unexpected failure while identifying");
  }
}

} // namespace flydel
