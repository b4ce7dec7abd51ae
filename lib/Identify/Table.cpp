//===- Table.cpp - Measurement table CSV reader ---------------------------===//
#include "flydel/Identify/Table.h"
#include "flydel/Model/TextParse.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

namespace flydel {

namespace {

enum class Field {
  Op, Batch, InHW, InH, InW, CIn, COut, Kernel, KernelH, KernelW, Stride, StrideH, StrideW, Pad, PadH, PadW,
  Dilation, Groups, DType, Pe, Simd, None
};

struct FieldName {
  Field field;
  const char *name;
};
constexpr FieldName kFields[] = {
    {Field::Op, "op"},          {Field::Batch, "batch"},       {Field::InHW, "in_hw"},       {Field::InH, "in_h"},
    {Field::InW, "in_w"},       {Field::CIn, "c_in"},          {Field::COut, "c_out"},       {Field::Kernel, "kernel"},
    {Field::KernelH, "kernel_h"}, {Field::KernelW, "kernel_w"}, {Field::Stride, "stride"},    {Field::StrideH, "stride_h"},
    {Field::StrideW, "stride_w"}, {Field::Pad, "pad"},          {Field::PadH, "pad_h"},       {Field::PadW, "pad_w"},
    {Field::Dilation, "dilation"}, {Field::Groups, "groups"},   {Field::DType, "dtype"},
    {Field::Pe, "pe"},          {Field::Simd, "simd"}};

Field fieldOf(const std::string &name) {
  for (const auto &f : kFields)
    if (name == f.name)
      return f.field;
  return Field::None;
}

std::string trim(const std::string &s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos)
    return {};
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

/// Splits one CSV record; supports double-quoted fields without embedded newlines.
std::vector<std::string> splitCsv(const std::string &line) {
  std::vector<std::string> cells;
  std::string cell;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"')
        cell += '"', ++i;
      else if (c == '"')
        quoted = false;
      else
        cell += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cells.push_back(trim(cell));
      cell.clear();
    } else {
      cell += c;
    }
  }
  cells.push_back(trim(cell));
  return cells;
}

bool parseDouble(const std::string &text, double &value, std::string *why = nullptr) {
  return parseStrictDouble(text, value, why);
}

bool parseInteger(const std::string &text, int64_t &value) {
  double d;
  if (!parseDouble(text, d) || d != std::floor(d) || std::fabs(d) > 9e15)
    return false;
  value = static_cast<int64_t>(d);
  return true;
}

} // namespace

std::vector<double> Dataset::repeatability() const {
  std::vector<double> w(y.size(), NAN), known;
  if (retest.size() == y.size())
    for (size_t i = 0; i < y.size(); ++i)
      if (std::isfinite(retest[i]) && retest[i] > 0 && y[i] > 0)
        known.push_back(w[i] = 1.0 / (std::fabs(retest[i] - y[i]) / y[i] + 0.02));
  // A row measured once is neither noisy nor repeatable as far as anyone knows: the median weight of the others.
  double typical = 1.0;
  if (!known.empty()) {
    std::nth_element(known.begin(), known.begin() + static_cast<std::ptrdiff_t>(known.size() / 2), known.end());
    typical = known[known.size() / 2];
  }
  for (double &v : w)
    if (std::isnan(v))
      v = typical;
  return w;
}

bool Dataset::hasRetest() const {
  return retest.size() == y.size() &&
         std::any_of(retest.begin(), retest.end(), [](double r) { return std::isfinite(r) && r > 0; });
}

Dataset Dataset::subset(const std::vector<int> &rows) const {
  Dataset d;
  d.source = source;
  d.kpi = kpi;
  d.x.reserve(rows.size());
  d.y.reserve(rows.size());
  d.lines.reserve(rows.size());
  for (int r : rows) {
    d.x.push_back(x[r]);
    d.y.push_back(y[r]);
    d.lines.push_back(lines[r]);
    if (!retest.empty())
      d.retest.push_back(retest[r]);
  }
  if (termCache) {
    d.termCache = termCache;
    d.termCacheRows.reserve(rows.size());
    for (int r : rows)
      d.termCacheRows.push_back(termCacheRows[static_cast<size_t>(r)]);
  }
  return d;
}

Expected<MeasurementTable> MeasurementTable::loadCsv(const std::string &path, const Layer &defaults) noexcept {
  try {
    std::ifstream in(path, std::ios::binary);
    if (!in)
      return makeError(path + ": cannot open the measurement table");
    std::ostringstream text;
    text << in.rdbuf();
    return parseCsv(text.str(), path, defaults);
  } catch (...) {
    return makeError(path + ": cannot read the measurement table");
  }
}

Expected<MeasurementTable> MeasurementTable::parseCsv(const std::string &text, const std::string &sourceName,
                                                      const Layer &defaults) noexcept {
  try {
    MeasurementTable table;
    table.source = sourceName;
    std::istringstream in(std::string(skipUtf8Bom(text)));
    std::string line;
    int lineNo = 0;
    std::vector<std::string> header;
    std::vector<Field> fields;
    std::vector<int> kpiOfColumn;
    auto where = [&](int line, int column) {
      std::string at = sourceName + ":" + std::to_string(line);
      if (column > 0)
        at += ":" + std::to_string(column);
      return at + ": ";
    };
    while (std::getline(in, line)) {
      ++lineNo;
      // '#' lines carry provenance (flydel-measure writes them above the header); they hold no data.
      if (trim(line).empty() || trim(line)[0] == '#')
        continue;
      std::vector<std::string> cells = splitCsv(line);
      if (header.empty()) {
        header = cells;
        bool hasInHW = false, hasCIn = false, hasCOut = false;
        for (size_t c = 0; c < header.size(); ++c) {
          const std::string &name = header[c];
          int column = static_cast<int>(c) + 1;
          if (name.empty())
            return makeError(where(lineNo, column) + "empty column name in the header");
          for (size_t k = 0; k < c; ++k)
            if (header[k] == name)
              return makeError(where(lineNo, column) + "duplicate column '" + name + "'");
          Field f = fieldOf(name);
          fields.push_back(f);
          kpiOfColumn.push_back(-1);
          if (f == Field::None) {
            kpiOfColumn.back() = static_cast<int>(table.kpiNames.size());
            table.kpiNames.push_back(name);
            table.kpiColumns.push_back(column);
          } else {
            table.layerColumns.push_back(name);
          }
          hasInHW |= f == Field::InHW || f == Field::InH;
          hasCIn |= f == Field::CIn;
          hasCOut |= f == Field::COut;
        }
        if (!hasInHW || !hasCIn || !hasCOut)
          return makeError(where(lineNo, 0) +
                           "the header must name the layer columns in_hw (or in_h/in_w), c_in and c_out");
        table.kpiValues.resize(table.kpiNames.size());
        continue;
      }
      if (cells.size() != header.size())
        return makeError(where(lineNo, static_cast<int>(std::min(cells.size(), header.size())) + 1) + "expected " +
                         std::to_string(header.size()) + " fields, found " + std::to_string(cells.size()));
      Layer layer = defaults;
      bool inWGiven = false, kernelWGiven = false, strideWGiven = false, padWGiven = false;
      for (size_t c = 0; c < cells.size(); ++c) {
        int column = static_cast<int>(c) + 1;
        const std::string &cell = cells[c];
        std::string at = where(lineNo, column) + "column '" + header[c] + "': ";
        if (fields[c] == Field::None) {
          double value = std::numeric_limits<double>::quiet_NaN();
          std::string why;
          if (!cell.empty() && !parseDouble(cell, value, &why))
            return makeError(at + "'" + cell + "' is " + why);
          table.kpiValues[kpiOfColumn[c]].push_back(value);
          continue;
        }
        if (cell.empty())
          return makeError(at + "missing value");
        if (fields[c] == Field::Op) {
          if (!parseOpKind(cell, layer.op))
            return makeError(at + "unknown op kind '" + cell + "' (expected conv2d, pool2d, matmul, elementwise)");
          continue;
        }
        if (fields[c] == Field::DType) {
          if (!parseDType(cell, layer.dtype))
            return makeError(at + "unknown data type '" + cell + "' (expected f64, f32, f16, bf16, i32, i16, i8)");
          continue;
        }
        int64_t v;
        if (!parseInteger(cell, v))
          return makeError(at + "'" + cell + "' is not an integer");
        switch (fields[c]) {
        case Field::Batch: layer.batch = v; break;
        case Field::InHW: layer.in_h = v; if (!inWGiven) layer.in_w = v; break;
        case Field::InH: layer.in_h = v; if (!inWGiven) layer.in_w = v; break;
        case Field::InW: layer.in_w = v; inWGiven = true; break;
        case Field::CIn: layer.c_in = v; break;
        case Field::COut: layer.c_out = v; break;
        case Field::Kernel: layer.kernel_h = v; if (!kernelWGiven) layer.kernel_w = v; break;
        case Field::KernelH: layer.kernel_h = v; if (!kernelWGiven) layer.kernel_w = v; break;
        case Field::KernelW: layer.kernel_w = v; kernelWGiven = true; break;
        case Field::Stride: layer.stride_h = v; if (!strideWGiven) layer.stride_w = v; break;
        case Field::StrideH: layer.stride_h = v; if (!strideWGiven) layer.stride_w = v; break;
        case Field::StrideW: layer.stride_w = v; strideWGiven = true; break;
        case Field::Pad: layer.pad_h = v; if (!padWGiven) layer.pad_w = v; break;
        case Field::PadH: layer.pad_h = v; if (!padWGiven) layer.pad_w = v; break;
        case Field::PadW: layer.pad_w = v; padWGiven = true; break;
        case Field::Dilation: layer.dilation_h = layer.dilation_w = v; break;
        case Field::Groups: layer.groups = v; break;
        case Field::Pe: layer.pe = v; break;
        case Field::Simd: layer.simd = v; break;
        default: break;
        }
      }
      if (std::string problem = layer.check(); !problem.empty())
        return makeError(where(lineNo, 0) + "invalid layer: " + problem);
      table.layers.push_back(layer);
      table.lines.push_back(lineNo);
    }
    if (header.empty())
      return makeError(sourceName + ": empty file (no header)");
    return table;
  } catch (const std::exception &e) {
    return makeError(sourceName + ": " + e.what());
  } catch (...) {
    return makeError(sourceName + ": cannot parse the measurement table");
  }
}

void MeasurementTable::keepRows(const std::function<bool(const Layer &)> &keep) {
  size_t out = 0;
  for (size_t i = 0; i < layers.size(); ++i) {
    if (!keep(layers[i]))
      continue;
    layers[out] = layers[i];
    lines[out] = lines[i];
    if (!rowSources.empty())
      rowSources[out] = rowSources[i];
    for (std::vector<double> &column : kpiValues)
      column[out] = column[i];
    ++out;
  }
  layers.resize(out);
  lines.resize(out);
  if (!rowSources.empty())
    rowSources.resize(out);
  for (std::vector<double> &column : kpiValues)
    column.resize(out);
}

std::vector<std::string> MeasurementTable::dropDuplicateRows() {
  std::vector<std::string> warnings;
  // Key: every layer field and the bit pattern of every KPI value (all NaNs, i.e. empty cells, alike).
  std::map<std::vector<int64_t>, size_t> firstRow;
  std::vector<bool> keep(layers.size(), true);
  for (size_t r = 0; r < layers.size(); ++r) {
    const Layer &l = layers[r];
    std::vector<int64_t> key = {static_cast<int64_t>(l.op), l.batch, l.in_h, l.in_w, l.c_in, l.c_out, l.kernel_h,
                                l.kernel_w, l.stride_h, l.stride_w, l.pad_h, l.pad_w, l.dilation_h, l.dilation_w,
                                l.groups, static_cast<int64_t>(l.dtype), l.pe, l.simd};
    for (const std::vector<double> &column : kpiValues) {
      double v = std::isnan(column[r]) ? std::numeric_limits<double>::quiet_NaN() : column[r] + 0.0; // -0 == 0
      int64_t bits;
      std::memcpy(&bits, &v, sizeof bits);
      key.push_back(bits);
    }
    auto [it, inserted] = firstRow.emplace(std::move(key), r);
    if (inserted)
      continue;
    keep[r] = false;
    auto at = [&](size_t row) {
      return (rowSources.empty() ? source : rowSources[row]) + ":" + std::to_string(lines[row]);
    };
    warnings.push_back(at(r) + ": row repeats line " + std::to_string(lines[it->second]) +
                       (rowSources.empty() || rowSources[r] == rowSources[it->second]
                            ? std::string()
                            : " of " + rowSources[it->second]) +
                       " in every column; the copy is dropped");
  }
  if (warnings.empty())
    return warnings;
  size_t index = 0;
  keepRows([&](const Layer &) { return keep[index++]; });
  return warnings;
}

std::string MeasurementTable::append(const MeasurementTable &other) {
  std::vector<int> from(kpiNames.size());
  for (size_t k = 0; k < kpiNames.size(); ++k) {
    from[k] = other.kpiIndex(kpiNames[k]);
    if (from[k] < 0)
      return "no KPI column '" + kpiNames[k] + "' (the tables of one spec entry must have the same KPI columns)";
  }
  if (other.kpiNames.size() != kpiNames.size())
    return "KPI columns differ from " + source + "'s";
  if (rowSources.empty())
    rowSources.assign(layers.size(), source);
  if (other.rowSources.empty())
    rowSources.insert(rowSources.end(), other.layers.size(), other.source);
  else
    rowSources.insert(rowSources.end(), other.rowSources.begin(), other.rowSources.end());
  layers.insert(layers.end(), other.layers.begin(), other.layers.end());
  lines.insert(lines.end(), other.lines.begin(), other.lines.end());
  for (size_t k = 0; k < kpiNames.size(); ++k)
    kpiValues[k].insert(kpiValues[k].end(), other.kpiValues[from[k]].begin(), other.kpiValues[from[k]].end());
  return {};
}

int MeasurementTable::kpiIndex(const std::string &name) const {
  for (size_t i = 0; i < kpiNames.size(); ++i)
    if (kpiNames[i] == name)
      return static_cast<int>(i);
  return -1;
}

Expected<Dataset> MeasurementTable::dataset(const std::string &kpi, std::optional<OpKind> op, bool strict,
                                            std::vector<std::string> *notes) const noexcept {
  try {
    int k = kpiIndex(kpi);
    if (k < 0) {
      std::string known;
      for (const std::string &name : kpiNames)
        known += (known.empty() ? "" : ", ") + name;
      for (const std::string &name : layerColumns)
        if (name == kpi)
          return makeError(source + ": column '" + kpi + "' is a layer field, not a KPI (KPI columns: " + known + ")");
      return makeError(source + ": no column '" + kpi + "' (KPI columns: " + known + ")");
    }
    Dataset d;
    d.source = source;
    d.kpi = kpi;
    // latency_ms -> latency_retest_ms: the second measurement flydel-measure and the importers write.
    size_t unit = kpi.rfind('_');
    int retestColumn = unit == std::string::npos ? -1 : kpiIndex(kpi.substr(0, unit) + "_retest" + kpi.substr(unit));
    for (size_t r = 0; r < layers.size(); ++r) {
      if (op && layers[r].op != *op)
        continue;
      double value = kpiValues[k][r];
      if (std::isnan(value))
        continue; // missing measurement: never filled in
      if (!(value > 0)) {
        std::string note = (rowSources.empty() ? source : rowSources[r]) + ":" + std::to_string(lines[r]) + ":" + std::to_string(kpiColumns[k]) +
                           ": column '" + kpi + "': value " + std::to_string(value) +
                           " is not positive (relative errors undefined)";
        if (strict)
          return makeError(note);
        if (notes)
          notes->push_back(note + "; row left out");
        continue;
      }
      d.x.push_back(computeFeatures(layers[r]));
      d.y.push_back(value);
      d.lines.push_back(lines[r]);
      if (retestColumn >= 0)
        d.retest.push_back(kpiValues[retestColumn][r]);
    }
    if (d.y.empty())
      return makeError(source + ": no usable rows for KPI '" + kpi + "'" +
                       (op ? std::string(" and op ") + opKindName(*op) : std::string()));
    return d;
  } catch (...) {
    return makeError(source + ": cannot build the data set for '" + kpi + "'");
  }
}

} // namespace flydel
