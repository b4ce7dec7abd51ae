//===- Table.h - Measurement tables (CSV) -----------------------*- C++ -*-===//
//
// A measurement table is a CSV file whose header names layer fields (see docs/formats.md: op, batch, in_hw or
// in_h/in_w, c_in, c_out, kernel or kernel_h/kernel_w, stride, pad, dilation, groups, dtype) and KPI columns
// (any other column, e.g. latency_ms, energy_j, alm). Layer fields absent from the file take default values.
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_IDENTIFY_TABLE_H
#define FLYDEL_IDENTIFY_TABLE_H

#include "flydel/Model/Expected.h"
#include "flydel/Model/Layer.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace flydel {

/// Training data for one KPI: features of each usable row and the measured value (always > 0).
struct Dataset {
  std::string source; // file name
  std::string kpi;
  std::vector<FeatureVector> x;
  std::vector<double> y;
  std::vector<int> lines; // CSV line of each row, for diagnostics
  /// The same KPI measured again (the table's "<kpi>_retest" column, e.g. latency_retest_ms), NaN where not; empty
  /// when the table has no such column. How repeatable each row is: the GPU pool weights rows by it.
  std::vector<double> retest;

  size_t size() const { return y.size(); }
  /// How well each row repeats: 1 / (|retest - y| / y + 2 %), the 2 % for what two runs cannot show; a row without
  /// a retest gets the median of the others (1 where none has one). The GPU pool's fit weights rows by it, and the
  /// selection weights their errors by it.
  std::vector<double> repeatability() const;
  /// Whether any row carries a retest (then repeatability() differs from 1 somewhere).
  bool hasRetest() const;
  /// Subset by row indices (it shares this dataset's term cache, if any).
  Dataset subset(const std::vector<int> &rows) const;

  /// Candidate-term values evaluated once on a dataset and shared by every subset of its rows (cross-validation
  /// folds, nested folds, unsaturated rows): fitting fold after fold evaluates the same terms on the same layers.
  /// Attached by the selection (identify, cross-validation) to its copy of the data; thread-safe.
  std::shared_ptr<class TermCache> termCache;
  std::vector<int> termCacheRows; // row i of this dataset is row termCacheRows[i] of the cache's dataset
  /// Gives this dataset a term cache of its own rows, unless it already has one.
  void attachTermCache();
  /// Splits the rows of this dataset's own term cache into parts (the cross-validation folds; part of row i):
  /// fits on a union of parts then select their terms from per-part Gram matrices. The first split stays; nothing
  /// happens on a subset or without a cache.
  void setTermCacheParts(const std::vector<int> &partOfRow);
};

class MeasurementTable {
public:
  /// Fails on an unreadable file, a malformed header, a missing or non-numeric layer field or KPI cell, an invalid
  /// layer, with "file:line:column: message" (column = 1-based field number, and its name).
  /// An empty KPI cell is a missing measurement (allowed; that row is left out for that KPI only).
  static Expected<MeasurementTable> loadCsv(const std::string &path, const Layer &defaults = Layer()) noexcept;
  static Expected<MeasurementTable> parseCsv(const std::string &text, const std::string &sourceName,
                                             const Layer &defaults = Layer()) noexcept;

  /// Rows of the given op (all rows when op is empty) whose KPI is present. A non-positive KPI value (meaningless
  /// for relative errors) leaves the row out with a note "file:line:column: ..." appended to *notes, or is an
  /// error when strict. Fails when the column does not exist or no row remains.
  Expected<Dataset> dataset(const std::string &kpi, std::optional<OpKind> op, bool strict,
                            std::vector<std::string> *notes) const noexcept;

  int kpiIndex(const std::string &name) const;
  /// Keeps only the rows whose layer satisfies keep (e.g. one conv2d variant of a mixed table).
  void keepRows(const std::function<bool(const Layer &)> &keep);
  /// Drops every row whose cells all equal an earlier row's (the same layer and the same value, or the same empty
  /// cell, in every KPI column): a copied row, not a repeated measurement, which would count twice and could sit on
  /// both sides of a cross-validation split. Returns one "file:line: ..." warning per dropped row. Rows with equal
  /// layers but different values (repeats) stay; cross-validation keeps them in one fold.
  std::vector<std::string> dropDuplicateRows();
  /// Appends another table's rows (the same KPI columns, in any order). Empty when fine, else why not.
  std::string append(const MeasurementTable &other);

  std::string source;
  std::vector<std::string> layerColumns; // layer fields the file gives
  std::vector<std::string> kpiNames;
  std::vector<int> kpiColumns; // 1-based column of each KPI
  std::vector<Layer> layers;
  std::vector<int> lines;
  std::vector<std::string> rowSources; // file of each row once tables were appended; empty: all from `source`
  std::vector<std::vector<double>> kpiValues; // [kpi][row]; NaN for an empty cell
};

} // namespace flydel

#endif // FLYDEL_IDENTIFY_TABLE_H
