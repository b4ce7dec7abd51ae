//===- Train.cpp - Training a whole platform library from a spec ----------===//
#include "flydel/Identify/Train.h"
#include "flydel/Identify/Solvers.h"
#include "flydel/Identify/Table.h"
#include "flydel/Model/TextParse.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace flydel {

using Json = nlohmann::ordered_json;

namespace {

struct SpecError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const Json &need(const Json &object, const std::string &path, const char *key) {
  if (!object.is_object() || !object.contains(key))
    throw SpecError(path + ": missing required key '" + key + "'");
  return object.at(key);
}

std::string needString(const Json &object, const std::string &path, const char *key) {
  const Json &v = need(object, path, key);
  if (!v.is_string())
    throw SpecError(path + "." + key + ": expected a string");
  return v.get<std::string>();
}

std::string joinPath(const std::string &dir, const std::string &file) {
  if (file.empty() || file[0] == '/' || dir.empty())
    return file;
  return dir.back() == '/' ? dir + file : dir + "/" + file;
}

std::string directoryOf(const std::string &path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

/// Plain numeric CSV (the link tables): header, then numbers. Errors name file, line and column.
std::vector<std::vector<double>> readNumericCsv(const std::string &path, const std::vector<std::string> &columns) {
  std::ifstream in(path);
  if (!in)
    throw SpecError(path + ": cannot open");
  std::string line;
  std::vector<std::string> header;
  std::vector<int> index;
  std::vector<std::vector<double>> values(columns.size());
  int lineNo = 0;
  auto split = [](const std::string &s) {
    std::vector<std::string> cells;
    std::stringstream ss(s);
    std::string cell;
    while (std::getline(ss, cell, ','))
      cells.push_back(cell);
    if (!s.empty() && s.back() == ',')
      cells.push_back("");
    return cells;
  };
  while (std::getline(in, line)) {
    ++lineNo;
    if (lineNo == 1)
      line = std::string(skipUtf8Bom(line));
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (line.empty())
      continue;
    std::vector<std::string> cells = split(line);
    if (header.empty()) {
      header = cells;
      for (const std::string &c : columns) {
        auto it = std::find(header.begin(), header.end(), c);
        if (it == header.end())
          throw SpecError(path + ":" + std::to_string(lineNo) + ": no column '" + c + "'");
        index.push_back(static_cast<int>(it - header.begin()));
      }
      continue;
    }
    if (cells.size() != header.size())
      throw SpecError(path + ":" + std::to_string(lineNo) + ": expected " + std::to_string(header.size()) +
                      " fields, found " + std::to_string(cells.size()));
    for (size_t c = 0; c < columns.size(); ++c) {
      const std::string &cell = cells[index[c]];
      double v;
      std::string why;
      if (!parseStrictDouble(cell, v, &why))
        throw SpecError(path + ":" + std::to_string(lineNo) + ":" + std::to_string(index[c] + 1) + ": column '" +
                        columns[c] + "': '" + cell + "' is " + why);
      values[c].push_back(v);
    }
  }
  return values;
}

} // namespace

bool fitAffine(const std::vector<double> &size, const std::vector<double> &value, AffineCost &cost) {
  const size_t n = std::min(size.size(), value.size());
  if (n < 2)
    return false;
  Eigen::MatrixXd a(n, 2);
  Eigen::VectorXd b = Eigen::VectorXd::Ones(n);
  for (size_t i = 0; i < n; ++i) {
    if (!(value[i] > 0))
      return false;
    a(i, 0) = 1.0 / value[i];
    a(i, 1) = size[i] / value[i];
  }
  Eigen::VectorXd theta = solveLeastSquares(a, b);
  cost.intercept = theta[0];
  cost.slopePerKbit = theta[1];
  cost.n = static_cast<int>(n);
  double sum = 0;
  for (size_t i = 0; i < n; ++i)
    sum += std::fabs(cost.evaluateKbit(size[i]) - value[i]) / value[i];
  cost.mape = 100.0 * sum / double(n);
  return true;
}

Expected<Library> trainLibrary(const std::string &specPath, const TrainOptions &options) noexcept {
  try {
    std::ifstream in(specPath);
    if (!in)
      return makeError(specPath + ": cannot open the spec file");
    std::stringstream text;
    text << in.rdbuf();
    Json spec;
    try {
      std::string raw = text.str();
      std::string_view body = skipUtf8Bom(raw);
      spec = Json::parse(body.begin(), body.end());
    } catch (const Json::parse_error &e) {
      return makeError(specPath + ": invalid JSON: " + e.what());
    }
    auto log = [&](const std::string &line) {
      if (options.log)
        options.log(line);
    };
    Library lib;
    const Json &platform = need(spec, "$", "platform");
    lib.platform.name = needString(platform, "$.platform", "name");
    lib.platform.description = platform.value("description", "");
    std::string dataDir = options.dataDir;
    if (dataDir.empty())
      dataDir = joinPath(directoryOf(specPath), spec.value("data_dir", "."));

    CvOptions cv;
    if (spec.contains("cv")) {
      const Json &c = spec["cv"];
      cv.folds = c.value("folds", cv.folds);
      cv.seed = c.value("seed", cv.seed);
      cv.maxParams = c.value("max_params", cv.maxParams);
      if (c.contains("nested") && !c["nested"].is_boolean())
        throw SpecError("$.cv.nested: expected true or false");
      cv.nested = c.value("nested", cv.nested);
      if (c.contains("rule")) {
        if (!c["rule"].is_string() || (c["rule"] != "lowest" && c["rule"] != "one-se"))
          throw SpecError("$.cv.rule: expected \"lowest\" (the lowest score) or \"one-se\" (the fewest "
                          "parameters within one standard error of it)");
        cv.oneStandardError = c["rule"] == "one-se";
      }
    }
    if (options.nested)
      cv.nested = true;
    cv.threads = options.threads;
    if (options.folds)
      cv.folds = *options.folds;
    if (options.seed)
      cv.seed = *options.seed;
    if (options.maxParams)
      cv.maxParams = *options.maxParams;
    // "outside": "physics" (default) gives every model that is not bounded by construction a bounded physics form
    // for layers outside its domain; "none" leaves it out.
    std::string outside = spec.value("outside", "physics");
    if (outside != "physics" && outside != "none")
      throw SpecError("$.outside: expected \"physics\" or \"none\"");
    const bool boundedOutside = outside == "physics";
    std::vector<StructureConfig> configs = autoConfigs();
    std::string structure = spec.value("structure", "auto");
    Structure chosen;
    if (options.structure)
      configs = configsFor(*options.structure);
    else if (structure != "auto") {
      if (!parseStructure(structure, chosen))
        throw SpecError("$.structure: unknown structure '" + structure + "'");
      configs = configsFor(chosen);
    }
    // "extra_pools": ["cpu"] adds forward selection over a hardware-specific candidate pool to what is tried;
    // "pools": ["gpu"] tries those pools alone (a structure whose every model is positive and bounded by physics).
    for (const char *key : {"extra_pools", "pools"}) {
      if (!spec.contains(key) || options.structure)
        continue;
      const Json &pools = spec[key];
      if (!pools.is_array() || pools.empty())
        throw SpecError(std::string("$.") + key + ": expected a non-empty array of pool names");
      if (std::string(key) == "pools") {
        if (spec.contains("extra_pools"))
          throw SpecError("$.pools: give either pools (only these) or extra_pools (these as well), not both");
        configs.clear();
      }
      for (size_t p = 0; p < pools.size(); ++p) {
        std::vector<StructureConfig> extra =
            pools[p].is_string() ? poolConfigs(pools[p].get<std::string>()) : std::vector<StructureConfig>{};
        if (extra.empty())
          throw SpecError(std::string("$.") + key + "[" + std::to_string(p) +
                          "]: unknown pool (expected \"cpu\", \"fpga\" or \"gpu\")");
        configs.insert(configs.end(), extra.begin(), extra.end());
      }
    }

    const Json &devices = need(spec, "$", "devices");
    if (!devices.is_array())
      throw SpecError("$.devices: expected an array");
    for (size_t d = 0; d < devices.size(); ++d) {
      std::string dp = "$.devices[" + std::to_string(d) + "]";
      const Json &dj = devices[d];
      Device device;
      device.name = needString(dj, dp, "name");
      std::string kind = needString(dj, dp, "kind");
      if (!parseDeviceKind(kind, device.kind))
        throw SpecError(dp + ".kind: unknown device kind '" + kind + "'");
      device.description = dj.value("description", "");
      if (dj.contains("chip")) {
        if (!dj["chip"].is_string())
          throw SpecError(dp + ".chip: expected a string (e.g. \"sm_62\")");
        device.chip = dj["chip"].get<std::string>();
      }
      if (dj.contains("dtype")) {
        DType dtype;
        if (!dj["dtype"].is_string() || !parseDType(dj["dtype"].get<std::string>(), dtype))
          throw SpecError(dp + ".dtype: unknown data type");
        device.dtype = dtype;
      }
      if (dj.contains("capacities"))
        for (auto it = dj["capacities"].begin(); it != dj["capacities"].end(); ++it) {
          if (!it->is_number())
            throw SpecError(dp + ".capacities." + it.key() + ": expected a number");
          device.capacities[it.key()] = it->get<double>();
        }
      if (dj.contains("spills")) {
        if (!dj["spills"].is_array())
          throw SpecError(dp + ".spills: expected an array of capacity names");
        for (const auto &name : dj["spills"]) {
          if (!name.is_string() || !device.capacities.count(name.get<std::string>()))
            throw SpecError(dp + ".spills: every entry must name one of the device's capacities");
          device.spills.insert(name.get<std::string>());
        }
      }
      // "library": a device identified elsewhere (its own campaign and spec) joins this platform with its models
      // and their CV figures unchanged, so a combined platform never re-identifies, or drifts from, its parts.
      if (dj.contains("library")) {
        if (dj.contains("tables"))
          throw SpecError(dp + ": give either tables or library, not both");
        std::string file = needString(dj, dp, "library");
        std::string from = dj.contains("library_device") ? needString(dj, dp, "library_device") : device.name;
        auto source = Library::load(joinPath(directoryOf(specPath), file));
        if (!source)
          return makeError(specPath + ": " + dp + ".library: " + source.error());
        const Device *original = source->findDevice(from);
        if (!original)
          throw SpecError(dp + ".library_device: " + file + " has no device '" + from + "'");
        if (original->kind != device.kind)
          throw SpecError(dp + ".kind: device '" + from + "' of " + file + " is a " + deviceKindName(original->kind) +
                          ", not a " + deviceKindName(device.kind));
        if (!dj.contains("capacities"))
          device.capacities = original->capacities;
        if (!dj.contains("spills"))
          device.spills = original->spills;
        if (device.description.empty())
          device.description = original->description;
        if (!device.dtype)
          device.dtype = original->dtype;
        lib.devices.push_back(device);
        int copied = 0;
        for (const KpiModel &m : source->models) {
          if (m.device != from)
            continue;
          KpiModel copy = m;
          copy.device = device.name;
          copy.source = file + " (device " + from + "): " + m.source;
          lib.models.push_back(std::move(copy));
          ++copied;
        }
        if (copied == 0)
          throw SpecError(dp + ": device '" + from + "' of " + file + " has no models");
        log(device.name + ": " + std::to_string(copied) + " models of device '" + from + "' from " + file);
        continue;
      }
      lib.devices.push_back(device);
      // The GPU pool spreads GEMM tiles over the device's streaming multiprocessors: their count is part of the
      // device's description, and of every wave term fitted for it.
      std::vector<StructureConfig> deviceConfigs = configs;
      bool usesGpuPool = std::any_of(configs.begin(), configs.end(), [](const StructureConfig &c) {
        return c.basis == StructureConfig::kSelectGpu;
      });
      if (usesGpuPool) {
        if (!dj.contains("sm_count") || !dj["sm_count"].is_number_integer() || dj["sm_count"].get<int64_t>() < 1 ||
            dj["sm_count"].get<int64_t>() > 100000)
          throw SpecError(dp + ".sm_count: the gpu pool needs the device's streaming multiprocessor count (a whole "
                               "number in 1..100000)");
        for (StructureConfig &c : deviceConfigs)
          if (c.basis == StructureConfig::kSelectGpu)
            c.units = static_cast<int>(dj["sm_count"].get<int64_t>());
      }
      const Json &tables = need(dj, dp, "tables");
      for (size_t t = 0; t < tables.size(); ++t) {
        std::string tp = dp + ".tables[" + std::to_string(t) + "]";
        const Json &tj = tables[t];
        // "file": one CSV, or an array of CSVs measured on the same device (e.g. two excitation designs).
        std::vector<std::string> files;
        if (tj.contains("file") && tj["file"].is_array()) {
          for (const Json &f : tj["file"]) {
            if (!f.is_string())
              throw SpecError(tp + ".file: expected a file name or an array of file names");
            files.push_back(f.get<std::string>());
          }
          if (files.empty())
            throw SpecError(tp + ".file: empty array");
        } else {
          files.push_back(needString(tj, tp, "file"));
        }
        std::string file = files.front();
        for (size_t f = 1; f < files.size(); ++f)
          file += "+" + files[f];
        Layer defaults;
        if (tj.contains("dtype") && !parseDType(tj["dtype"].get<std::string>(), defaults.dtype))
          throw SpecError(tp + ".dtype: unknown data type");
        std::optional<OpKind> op;
        OpKind opKind = OpKind::Conv2d;
        if (tj.contains("op")) {
          if (!parseOpKind(tj["op"].get<std::string>(), opKind))
            throw SpecError(tp + ".op: unknown op kind");
          op = opKind;
        }
        ModelVariant variant = ModelVariant::Any;
        if (tj.contains("variant")) {
          if (!tj["variant"].is_string() || !parseModelVariant(tj["variant"].get<std::string>(), variant))
            throw SpecError(tp + ".variant: expected \"any\", \"dense\", \"depthwise\", \"windowed\" or \"global\"");
          if (std::string problem = variantProblem(variant, opKind, "tables"); !problem.empty())
            throw SpecError(tp + ".variant: " + problem);
        }
        std::string path = joinPath(dataDir, files.front());
        auto table = MeasurementTable::loadCsv(path, defaults);
        if (!table)
          return makeError(table.error());
        for (size_t f = 1; f < files.size(); ++f) {
          auto more = MeasurementTable::loadCsv(joinPath(dataDir, files[f]), defaults);
          if (!more)
            return makeError(more.error());
          if (std::string problem = table->append(*more); !problem.empty())
            return makeError(joinPath(dataDir, files[f]) + ": " + problem);
        }
        for (const std::string &duplicate : table->dropDuplicateRows())
          if (options.warn)
            options.warn(duplicate);
        if (variant != ModelVariant::Any) {
          // A mixed table (dense and depthwise rows, windowed and global pools) trains each variant on its own rows.
          size_t before = table->layers.size();
          table->keepRows([&](const Layer &l) { return variantMatches(variant, l); });
          if (table->layers.empty())
            return makeError(path + ": no " + modelVariantName(variant) + " layer in the table (" + tp + ")");
          log("  " + file + ": " + std::to_string(table->layers.size()) + " of " + std::to_string(before) + " rows are " +
              modelVariantName(variant));
        }
        const Json &kpis = need(tj, tp, "kpis");
        for (auto k = kpis.begin(); k != kpis.end(); ++k) {
          std::vector<std::string> notes;
          auto data = table->dataset(k.key(), op, false, &notes);
          if (!data)
            return makeError(data.error());
          if (!notes.empty())
            log("  " + std::to_string(notes.size()) + " rows of " + file + " left out for " + k.key() + " (" +
                notes.front() + (notes.size() > 1 ? ", ..." : "") + ")");
          // A KPI bounded by a device capacity of the same name (m20k: 587) saturates there.
          CvOptions kpiCv = cv;
          if (auto cap = device.capacities.find(k.key()); cap != device.capacities.end())
            kpiCv.saturation = cap->second;
          // A table may pin a KPI's structure ("structures": {"alm": "physics"}): for a model used far outside its
          // training domain, a physical basis extrapolates sanely where a log-polynomial does not. --structure wins.
          std::vector<StructureConfig> kpiConfigs = deviceConfigs;
          if (!options.structure && tj.contains("structures") && tj["structures"].contains(k.key())) {
            const Json &pin = tj["structures"][k.key()];
            Structure pinned;
            if (!pin.is_string() || !parseStructure(pin.get<std::string>(), pinned))
              throw SpecError(tp + ".structures." + k.key() + ": expected paper, frols or physics");
            kpiConfigs = configsFor(pinned);
          }
          auto id = identify(*data, kpiConfigs, kpiCv);
          if (!id)
            return makeError(path + ": " + k.key() + ": " + id.error());
          KpiModel m;
          m.device = device.name;
          m.op = op ? *op : table->layers.front().op;
          m.variant = variant;
          m.kpi = k.key();
          m.unit = k->get<std::string>();
          m.model = id->model;
          const Metrics &mt = id->chosen.metrics;
          m.cv = cvFiguresOf(*id, cv, static_cast<int>(data->size()));
          for (const SkippedConfig &skip : id->skipped)
            log("  " + m.kpi + ": " + skip.config.label() + " skipped: " + skip.why);
          // Outside its domain (or where it is not positive) a model hands over to a bounded physics form, unless it
          // is bounded by construction itself.
          if (boundedOutside && !m.model.boundedByConstruction())
            if (std::string problem = attachBoundedPhysics(m.model, *data, m.unit == "W"); !problem.empty())
              return makeError(path + ": " + k.key() + ": " + problem);
          m.source = file;
          char line[320];
          std::string what = m.kpi + (variant == ModelVariant::Any ? "" : std::string("/") + modelVariantName(variant));
          std::snprintf(line, sizeof line, "%-5s %-11s %-16s %2d params  CV MAPE %6.2f %%  median %5.2f  p90 %6.2f",
                        device.name.c_str(), what.c_str(), id->chosen.config.label().c_str(),
                        m.model.parameterCount(), mt.mape, mt.medianApe, mt.p90Ape);
          std::string text = line;
          if (m.cv.hasNested) {
            std::snprintf(line, sizeof line, "  nested CV MAPE %6.2f %%", m.cv.nestedMape);
            text += line;
          }
          log(text);
          lib.models.push_back(std::move(m));
        }
      }
    }
    if (spec.contains("links"))
      for (size_t l = 0; l < spec["links"].size(); ++l) {
        std::string lp = "$.links[" + std::to_string(l) + "]";
        const Json &lj = spec["links"][l];
        Link link;
        link.from = needString(lj, lp, "from");
        link.to = needString(lj, lp, "to");
        if (lj.contains("assumed")) {
          // Parameters stated, not measured: kept apart from fitted links by the assumed flag and a source that
          // says what was assumed; no fit figures, no energy.
          if (lj.contains("file"))
            throw SpecError(lp + ": give either file (measured) or assumed, not both");
          link.assumed = true;
          link.source = needString(lj, lp, "source");
          const Json &latency = need(lj["assumed"], lp + ".assumed", "latency_ms");
          for (const char *key : {"intercept", "slope_per_kbit"}) {
            const Json &v = need(latency, lp + ".assumed.latency_ms", key);
            if (!v.is_number() || !(v.get<double>() >= 0) || !std::isfinite(v.get<double>()))
              throw SpecError(lp + ".assumed.latency_ms." + key + ": expected a non-negative number");
          }
          link.latency.unit = "ms";
          link.latency.intercept = latency["intercept"].get<double>();
          link.latency.slopePerKbit = latency["slope_per_kbit"].get<double>();
          log("link " + link.from + "->" + link.to + ": latency_ms = " + std::to_string(link.latency.intercept) +
              " + " + std::to_string(link.latency.slopePerKbit) + " * kbit (ASSUMED, not measured)");
          lib.links.push_back(link);
          continue;
        }
        std::string file = needString(lj, lp, "file");
        std::string sizeColumn = needString(lj, lp, "size_kbit_column");
        std::string latencyColumn = needString(lj, lp, "latency_ms_column");
        auto values = readNumericCsv(joinPath(dataDir, file), {sizeColumn, latencyColumn});
        link.latency.unit = "ms";
        if (!fitAffine(values[0], values[1], link.latency))
          throw SpecError(file + ": cannot fit the link latency (needs two or more positive measurements)");
        link.source = file + " (" + latencyColumn + " vs " + sizeColumn + ")";
        log("link " + link.from + "->" + link.to + ": latency_ms = " + std::to_string(link.latency.intercept) +
            " + " + std::to_string(link.latency.slopePerKbit) + " * kbit (fit MAPE " +
            std::to_string(link.latency.mape) + " %)");
        lib.links.push_back(link);
      }
    if (std::string problem = lib.validate(); !problem.empty())
      return makeError(specPath + ": " + problem);
    return lib;
  } catch (const SpecError &e) {
    return makeError(specPath + ": " + e.what());
  } catch (const std::exception &e) {
    return makeError(specPath + ": " + e.what());
  } catch (...) {
    return makeError(specPath + ": training failed");
  }
}

} // namespace flydel
