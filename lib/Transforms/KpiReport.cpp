//===- KpiReport.cpp - per-layer report of annotated KPIs -----------------===//

#include "flydel/Dialect/Flydel/IR/FlydelAttrs.h"
#include "flydel/Dialect/Flydel/IR/FlydelDialect.h"
#include "flydel/Interfaces/LayerOpInterface.h"
#include "flydel/Transforms/KpiReport.h"
#include "flydel/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include <map>
#include <set>
#include "llvm/Support/JSON.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::flydel {
#define GEN_PASS_DEF_KPIREPORT
#include "flydel/Transforms/Passes.h.inc"
} // namespace mlir::flydel

using namespace mlir;
using namespace mlir::flydel;

namespace {

/// One reported quantity: a device and a KPI of #flydel.kpi (latency_us, energy_uj or a resource name).
struct Column {
  std::string device;
  std::string kpi;
};

struct Row {
  std::string layer, op, shape;
  DictionaryAttr kpis; // device -> #flydel.kpi
};

struct FunctionReport {
  std::string name;
  std::vector<Row> rows;
  DictionaryAttr totals;
  int hidden = 0; // rows left out (hide=...)
};

/// Whether no device has a model of any KPI of the op.
bool noModelAnywhere(DictionaryAttr kpis) {
  for (NamedAttribute entry : kpis) {
    auto kpi = dyn_cast<KpiAttr>(entry.getValue());
    if (!kpi)
      continue;
    // A layer that does not fit a device has a model there (which says so).
    auto modelled = [](EstimateAttr e) { return e && (e.hasModel() || e.getDoesNotFit()); };
    if (modelled(kpi.getLatencyUs()) || modelled(kpi.getEnergyUj()))
      return false;
    if (DictionaryAttr resources = kpi.getResources())
      for (NamedAttribute resource : resources)
        if (modelled(dyn_cast<EstimateAttr>(resource.getValue())))
          return false;
  }
  return true;
}

std::string layerName(Operation *op) { return reportLayerName(op); }

std::string shapeOf(Operation *op) {
  if (op->getNumResults() == 0)
    return "";
  auto shaped = dyn_cast<ShapedType>(op->getResult(0).getType());
  if (!shaped || !shaped.hasRank())
    return "";
  std::string text;
  llvm::raw_string_ostream os(text);
  for (int64_t dim : shaped.getShape())
    os << (ShapedType::isDynamic(dim) ? std::string("?") : std::to_string(dim)) << "x";
  os << shaped.getElementType();
  return text;
}

EstimateAttr lookup(DictionaryAttr kpis, const Column &column) {
  if (!kpis)
    return {};
  auto kpi = kpis.getAs<KpiAttr>(column.device);
  if (!kpi)
    return {};
  if (column.kpi == "latency_us")
    return kpi.getLatencyUs();
  if (column.kpi == "energy_uj")
    return kpi.getEnergyUj();
  return kpi.getResource(column.kpi);
}

std::string formatNumber(double value) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::format(value >= 100 ? "%.1f" : "%.4g", value);
  return text;
}

/// The capacity of a column's resource on its device (0: none stated).
double capacityOf(PlatformAttr platform, const Column &column) {
  if (!platform)
    return 0;
  DeviceAttr device = platform.lookupDevice(column.device);
  DictionaryAttr capacities = device ? device.getCapacities() : DictionaryAttr();
  auto count = capacities ? capacities.getAs<IntegerAttr>(column.kpi) : IntegerAttr();
  return count ? double(count.getInt()) : 0;
}

/// Text cell: value, `value*` when extrapolated, `no_model`, `does_not_fit`, `>C!` for a demand above the
/// capacity C (the demand itself, usually far outside the model's data, only in CSV/JSON), or empty when the KPI
/// was not annotated. The legend (writeText) explains every mark.
std::string textCell(EstimateAttr estimate, double capacity) {
  if (!estimate)
    return "";
  if (estimate.getDoesNotFit())
    return "does_not_fit";
  if (!estimate.hasModel())
    return "no_model";
  if (estimate.getExceedsCapacity())
    return (capacity > 0 ? ">" + formatNumber(capacity) : formatNumber(estimate.getValueAsDouble())) + "!";
  return formatNumber(estimate.getValueAsDouble()) + (estimate.getExtrapolated() ? "*" : "");
}

/// predicted, extrapolated, no_model, does_not_fit or exceeds_capacity (the value is a demand above the
/// capacity; whether it was extrapolated is in the `extrapolated` field/column and the note).
const char *statusOf(EstimateAttr estimate) {
  if (estimate.getDoesNotFit())
    return "does_not_fit";
  if (!estimate.hasModel())
    return "no_model";
  if (estimate.getExceedsCapacity())
    return "exceeds_capacity";
  return estimate.getExtrapolated() ? "extrapolated" : "predicted";
}

/// The note of one device in a `flydel.kpis` / `flydel.kpi_totals` dictionary: why values are flagged.
StringRef noteOf(DictionaryAttr kpis, StringRef device) {
  auto kpi = kpis ? kpis.getAs<KpiAttr>(device) : KpiAttr();
  StringAttr note = kpi ? kpi.getNote() : StringAttr();
  return note ? note.getValue() : StringRef();
}

struct KpiReportPass : mlir::flydel::impl::KpiReportBase<KpiReportPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Rendered before the output is opened: a failed report leaves no file.
    std::string text;
    SmallVector<std::string> hidden(hide.begin(), hide.end());
    if (failed(renderKpiReport(module, format, hidden, text)))
      return signalPassFailure();
    std::string errorMessage;
    std::unique_ptr<llvm::ToolOutputFile> file = openOutputFile(output, &errorMessage);
    if (!file) {
      module.emitError() << "flydel-kpi-report: " << errorMessage;
      return signalPassFailure();
    }
    llvm::raw_fd_ostream &os = file->os();
    os << text;
    os.flush();
    if (os.has_error()) {
      module.emitError() << "flydel-kpi-report: cannot write '" << output << "'";
      os.clear_error();
      return signalPassFailure();
    }
    file->keep();
    markAllAnalysesPreserved();
  }

  static LogicalResult render(ModuleOp module, StringRef format, ArrayRef<std::string> hide, std::string &text) {
    if (format != "text" && format != "csv" && format != "json")
      return module.emitError() << "flydel-kpi-report: unknown format '" << format
                                << "' (expected text, csv or json)";

    bool hideLayout = false, hideNoModel = false;
    for (const std::string &what : hide) {
      if (what == "layout")
        hideLayout = true;
      else if (what == "no-model")
        hideNoModel = true;
      else
        return module.emitError() << "flydel-kpi-report: unknown hide='" << what
                                  << "' (expected layout or no-model)";
    }
    auto platform = module->getAttrOfType<PlatformAttr>(FlydelDialect::kPlatformAttrName);
    std::vector<FunctionReport> functions;
    module.walk([&](FunctionOpInterface function) {
      FunctionReport report;
      report.name = function.getName().str();
      report.totals = function->getAttrOfType<DictionaryAttr>(FlydelDialect::kKpiTotalsAttrName);
      function.walk([&](Operation *op) {
        auto kpis = op->getAttrOfType<DictionaryAttr>(FlydelDialect::kKpisAttrName);
        if (!kpis)
          return;
        if ((hideLayout && isLayoutOp(op)) || (hideNoModel && noModelAnywhere(kpis))) {
          ++report.hidden;
          return;
        }
        report.rows.push_back({layerName(op), op->getName().getStringRef().str(), shapeOf(op), kpis});
      });
      if (!report.rows.empty() || report.totals)
        functions.push_back(std::move(report));
    });
    if (functions.empty())
      return module.emitError()
             << "flydel-kpi-report: no flydel.kpis annotations in the module (run --annotate-kpis first)";

    std::vector<Column> columns = collectColumns(platform, functions);
    llvm::raw_string_ostream os(text);
    if (format == "text")
      writeText(os, platform, columns, functions);
    else if (format == "csv")
      writeCsv(os, platform, columns, functions);
    else
      writeJson(os, platform, columns, functions);
    return success();
  }

  /// Columns in platform device order (else first-seen order): latency, energy, then resources by name.
  static std::vector<Column> collectColumns(PlatformAttr platform, const std::vector<FunctionReport> &functions) {
    std::vector<std::string> deviceOrder;
    if (platform)
      for (DeviceAttr device : platform.getDevices())
        deviceOrder.push_back(device.getName().str());
    std::map<std::string, std::array<bool, 2>> basics;
    std::map<std::string, std::set<std::string>> resources;
    auto visit = [&](DictionaryAttr kpis) {
      if (!kpis)
        return;
      for (NamedAttribute entry : kpis) {
        std::string device = entry.getName().str();
        if (!llvm::is_contained(deviceOrder, device))
          deviceOrder.push_back(device);
        auto kpi = dyn_cast<KpiAttr>(entry.getValue());
        if (!kpi)
          continue;
        basics[device][0] |= static_cast<bool>(kpi.getLatencyUs());
        basics[device][1] |= static_cast<bool>(kpi.getEnergyUj());
        if (DictionaryAttr res = kpi.getResources())
          for (NamedAttribute r : res)
            resources[device].insert(r.getName().str());
      }
    };
    for (const FunctionReport &function : functions) {
      for (const Row &row : function.rows)
        visit(row.kpis);
      visit(function.totals);
    }
    std::vector<Column> columns;
    for (const std::string &device : deviceOrder) {
      if (basics[device][0])
        columns.push_back({device, "latency_us"});
      if (basics[device][1])
        columns.push_back({device, "energy_uj"});
      for (const std::string &resource : resources[device])
        columns.push_back({device, resource});
    }
    return columns;
  }

  static void writeText(llvm::raw_ostream &os, PlatformAttr platform, const std::vector<Column> &columns,
                        const std::vector<FunctionReport> &functions) {
    os << "flydel KPI report";
    if (platform)
      os << " (platform " << platform.getName().getValue() << ")";
    os << "\nlatency in us, energy in uJ, resources in counts\n"
          "  *            extrapolated outside the model's training domain (why: the notes under each table)\n"
          "  >C!          resource demand above the device's capacity C (the demand is in CSV/JSON): the layer\n"
          "               does not fit the device, unless the platform says the resource spills onto others\n"
          "               (the note says which); on TOTAL, the ops that fit one by one exceed it together\n"
          "  does_not_fit the layer does not fit the device (a resource over capacity): no latency, energy or\n"
          "               other resource there; left out of TOTAL\n"
          "  no_model     the platform has no model for this op and KPI on the device; left out of TOTAL\n";
    for (const FunctionReport &function : functions) {
      std::vector<std::vector<std::string>> table;
      std::vector<std::string> header = {"layer", "op", "shape"};
      for (const Column &c : columns)
        header.push_back(c.device + ":" + c.kpi);
      table.push_back(header);
      for (const Row &row : function.rows) {
        std::vector<std::string> cells = {row.layer, row.op, row.shape};
        for (const Column &c : columns)
          cells.push_back(textCell(lookup(row.kpis, c), capacityOf(platform, c)));
        table.push_back(cells);
      }
      if (function.totals) {
        std::vector<std::string> cells = {"TOTAL", "", ""};
        for (const Column &c : columns)
          cells.push_back(textCell(lookup(function.totals, c), capacityOf(platform, c)));
        table.push_back(cells);
      }
      std::vector<size_t> widths(header.size(), 0);
      for (const auto &cells : table)
        for (size_t i = 0; i < cells.size(); ++i)
          widths[i] = std::max(widths[i], cells[i].size());
      os << "\nfunction @" << function.name << " (" << function.rows.size() << " annotated ops";
      if (function.hidden)
        os << "; " << function.hidden << " more hidden, counted in TOTAL";
      os << ")\n";
      for (const auto &cells : table) {
        for (size_t i = 0; i < cells.size(); ++i) {
          os << (i ? "  " : "");
          if (i < 3)
            os << llvm::left_justify(cells[i], widths[i]);
          else
            os << llvm::right_justify(cells[i], widths[i]);
        }
        os << "\n";
      }
      if (function.totals) {
        for (NamedAttribute entry : function.totals) {
          auto kpi = dyn_cast<KpiAttr>(entry.getValue());
          if (kpi && kpi.getUnmodeledOps() > 0)
            os << "TOTAL on " << entry.getName().getValue() << " leaves out " << kpi.getUnmodeledOps()
               << " ops without a model\n";
          if (kpi && kpi.getUnfitOps() > 0)
            os << "TOTAL on " << entry.getName().getValue() << " leaves out " << kpi.getUnfitOps()
               << " ops that do not fit the device\n";
          if (kpi && kpi.exceedsSomeCapacity())
            os << "WARNING: TOTAL on " << entry.getName().getValue() << ": " << noteOf(function.totals, entry.getName())
               << "\n";
        }
      }
      bool notesHeader = false;
      for (const Row &row : function.rows) {
        for (NamedAttribute entry : row.kpis) {
          StringRef note = noteOf(row.kpis, entry.getName());
          if (note.empty())
            continue;
          if (!notesHeader)
            os << "notes:\n";
          notesHeader = true;
          os << "  " << row.layer << " on " << entry.getName().getValue() << ": " << note << "\n";
        }
      }
    }
  }

  static void writeCsvField(llvm::raw_ostream &os, StringRef text) {
    if (text.find_first_of(",\"\n") == StringRef::npos) {
      os << text;
      return;
    }
    os << '"';
    for (char c : text)
      os << (c == '"' ? "\"\"" : StringRef(&c, 1));
    os << '"';
  }

  /// Long ("tidy") form: one line per (layer, device, KPI); totals use the layer name "TOTAL".
  /// value: the prediction (for exceeds_capacity the demand, never the capacity); extrapolated: 0/1; capacity:
  /// the device's, for resources that have one; note: why the device's values of this op are flagged.
  static void writeCsv(llvm::raw_ostream &os, PlatformAttr platform, const std::vector<Column> &columns,
                       const std::vector<FunctionReport> &functions) {
    os << "function,layer,op,shape,device,kpi,value,status,extrapolated,capacity,note\n";
    auto line = [&](StringRef function, StringRef layer, StringRef op, StringRef shape, const Column &c,
                    EstimateAttr estimate, StringRef note) {
      if (!estimate)
        return;
      for (StringRef field : {function, layer, op, shape, StringRef(c.device), StringRef(c.kpi)}) {
        writeCsvField(os, field);
        os << ',';
      }
      if (estimate.hasModel())
        os << llvm::format("%.17g", estimate.getValueAsDouble());
      os << ',' << statusOf(estimate) << ',' << (estimate.getExtrapolated() ? 1 : 0) << ',';
      if (double capacity = capacityOf(platform, c); capacity > 0)
        os << llvm::format("%.17g", capacity);
      os << ',';
      writeCsvField(os, note);
      os << '\n';
    };
    for (const FunctionReport &function : functions) {
      for (const Row &row : function.rows)
        for (const Column &c : columns)
          line(function.name, row.layer, row.op, row.shape, c, lookup(row.kpis, c), noteOf(row.kpis, c.device));
      if (function.totals) {
        for (const Column &c : columns)
          line(function.name, "TOTAL", "", "", c, lookup(function.totals, c), noteOf(function.totals, c.device));
        for (NamedAttribute entry : function.totals)
          if (auto kpi = dyn_cast<KpiAttr>(entry.getValue())) {
            os << function.name << ",TOTAL,,," << entry.getName().getValue() << ",unmodeled_ops,"
               << kpi.getUnmodeledOps() << ",count,0,,\n";
            os << function.name << ",TOTAL,,," << entry.getName().getValue() << ",unfit_ops," << kpi.getUnfitOps()
               << ",count,0,,\n";
          }
      }
    }
  }

  static llvm::json::Object jsonKpis(PlatformAttr platform, DictionaryAttr kpis, const std::vector<Column> &columns) {
    llvm::json::Object devices;
    for (const Column &c : columns) {
      EstimateAttr estimate = lookup(kpis, c);
      if (!estimate)
        continue;
      llvm::json::Object value;
      value["value"] = estimate.hasModel() ? llvm::json::Value(estimate.getValueAsDouble()) : llvm::json::Value(nullptr);
      value["status"] = statusOf(estimate);
      if (estimate.getExceedsCapacity()) {
        value["extrapolated"] = estimate.getExtrapolated();
        if (double capacity = capacityOf(platform, c); capacity > 0)
          value["capacity"] = capacity;
      }
      llvm::json::Object *device = devices.getObject(c.device);
      if (!device)
        device = &devices.try_emplace(c.device, llvm::json::Object()).first->second.getAsObject()->operator=(
            llvm::json::Object());
      (*device)[c.kpi] = std::move(value);
      if (StringRef note = noteOf(kpis, c.device); !note.empty())
        (*device)["note"] = note.str();
    }
    return devices;
  }

  static void writeJson(llvm::raw_ostream &os, PlatformAttr platform, const std::vector<Column> &columns,
                        const std::vector<FunctionReport> &functions) {
    llvm::json::Array functionArray;
    for (const FunctionReport &function : functions) {
      llvm::json::Array layers;
      for (const Row &row : function.rows)
        layers.push_back(llvm::json::Object{{"name", row.layer},
                                            {"op", row.op},
                                            {"shape", row.shape},
                                            {"kpis", jsonKpis(platform, row.kpis, columns)}});
      llvm::json::Object entry{{"name", function.name}, {"layers", std::move(layers)}};
      if (function.hidden)
        entry["hidden_layers"] = function.hidden;
      if (function.totals) {
        llvm::json::Object totals = jsonKpis(platform, function.totals, columns);
        for (NamedAttribute e : function.totals)
          if (auto kpi = dyn_cast<KpiAttr>(e.getValue()))
            if (llvm::json::Object *device = totals.getObject(e.getName().getValue())) {
              (*device)["unmodeled_ops"] = kpi.getUnmodeledOps();
              (*device)["unfit_ops"] = kpi.getUnfitOps();
            }
        entry["totals"] = std::move(totals);
      }
      functionArray.push_back(std::move(entry));
    }
    llvm::json::Object root{{"schema", "flydel-kpi-report"},
                            {"schema_version", 1},
                            {"platform", platform ? platform.getName().str() : std::string()},
                            {"units", llvm::json::Object{{"latency_us", "us"}, {"energy_uj", "uJ"}}},
                            {"functions", std::move(functionArray)}};
    os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
  }
};

} // namespace

LogicalResult mlir::flydel::renderKpiReport(ModuleOp module, StringRef format, ArrayRef<std::string> hide,
                                            std::string &text) {
  return KpiReportPass::render(module, format, hide, text);
}

/// The ONNX node name an importer put in a NameLoc, else file:line.
std::string mlir::flydel::reportLayerName(Operation *op) {
  std::string name = getLayerName(op);
  if (!name.empty())
    return name;
  if (auto file = dyn_cast<FileLineColLoc>(op->getLoc()))
    return (file.getFilename().getValue() + ":" + Twine(file.getLine())).str();
  return "?";
}
