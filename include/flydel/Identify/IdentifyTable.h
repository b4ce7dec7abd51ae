//===- IdentifyTable.h - One KPI model from a measurement table -*- C++ -*-===//
//
// What `flydel-identify DATA.csv --kpi COLUMN` does between reading the table and printing: drop copied rows, take
// the KPI's usable rows, cross-validate the structures and build the library's KpiModel with its CV figures.
// The tool and the Python package (flydel.identify) both call it. MLIR-free.
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_IDENTIFY_IDENTIFYTABLE_H
#define FLYDEL_IDENTIFY_IDENTIFYTABLE_H

#include "flydel/Identify/Table.h"
#include "flydel/Identify/Validation.h"
#include "flydel/Model/Library.h"

#include <optional>
#include <string>
#include <vector>

namespace flydel {

struct TableIdentifyOptions {
  std::string kpi;              // the KPI column
  std::optional<OpKind> op;     // rows of this op kind only (default: all rows; the model's op is the first row's)
  std::optional<Structure> structure; // default: auto (autoConfigs)
  CvOptions cv;
  bool strict = false;          // a non-positive KPI value is an error instead of a row left out
  std::string device = "device", unit, source; // unit: default from the column's suffix (unitOfKpiColumn)
};

struct TableIdentification {
  KpiModel model; // with its CV figures, ready for a library
  Identification id;
  size_t rows = 0;                      // usable rows
  std::vector<std::string> duplicates;  // one warning per copied row dropped
  std::vector<std::string> notes;       // one note per row left out (non-positive KPI)
};

/// Identifies the KPI model of a table (its copied rows dropped first). Fails with the message the tool prints.
Expected<TableIdentification> identifyTable(MeasurementTable table, const TableIdentifyOptions &options) noexcept;

/// Unit from a KPI column's suffix (latency_ms -> ms, energy_j -> J); resource counts are their own unit.
std::string unitOfKpiColumn(const std::string &kpi);

} // namespace flydel

#endif // FLYDEL_IDENTIFY_IDENTIFYTABLE_H
