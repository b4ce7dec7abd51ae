//===- Library.cpp - Platform library JSON load/save with validation ------===//
//
// Parsing uses nlohmann::json internally; every exception (syntax errors, wrong types, our own validation
// errors) is caught at the public boundary and turned into an Error naming the source and the JSON path.
//
//===----------------------------------------------------------------------===//
#include "flydel/Model/Library.h"
#include "flydel/Model/TextParse.h"
#include "flydel/Model/EnumNames.h"

#include <nlohmann/json.hpp>
#include <cstdlib>
#include <sys/stat.h>

#include <cmath>
#include <limits>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace flydel {

using Json = nlohmann::ordered_json;

namespace {

/// Validation failure at a JSON path, e.g. "models[2].params".
struct PathError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void fail(const std::string &path, const std::string &message) { throw PathError(path + ": " + message); }

const Json &member(const Json &object, const std::string &path, const char *key) {
  if (!object.is_object())
    fail(path, "expected an object");
  auto it = object.find(key);
  if (it == object.end())
    fail(path, std::string("missing required key '") + key + "'");
  return *it;
}

std::string getString(const Json &object, const std::string &path, const char *key) {
  const Json &value = member(object, path, key);
  if (!value.is_string())
    fail(path + "." + key, "expected a string");
  return value.get<std::string>();
}

std::string getOptionalString(const Json &object, const char *key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

double toNumber(const Json &value, const std::string &path) {
  if (!value.is_number())
    fail(path, "expected a number");
  double v = value.get<double>();
  if (!std::isfinite(v))
    fail(path, "expected a finite number");
  // The JSON parser reads 1e-320 as a denormal: refused as the table reader refuses it (flydel/Model/TextParse.h).
  if (std::string problem = numberProblem(v); !problem.empty())
    fail(path, "the number is " + problem);
  return v;
}

double getNumber(const Json &object, const std::string &path, const char *key) {
  return toNumber(member(object, path, key), path + "." + key);
}

/// A whole number in [lo, hi] (a count, a seed): anything else, 1e30 included, is an error, not a wrapped cast.
long long getInteger(const Json &object, const std::string &path, const char *key, long long lo, long long hi) {
  double v = getNumber(object, path, key);
  if (v != std::floor(v) || v < static_cast<double>(lo) || v > static_cast<double>(hi))
    fail(path + "." + key, "expected a whole number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return static_cast<long long>(v);
}

/// Shortens a double to `digits` significant digits so the library stays compact (a few KB).
double rounded(double v, int digits) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.*g", digits, v);
  return std::strtod(buffer, nullptr);
}

Json termsToJson(const std::vector<Term> &terms) {
  Json out = Json::array();
  for (const Term &t : terms)
    out.push_back(formatTerm(t));
  return out;
}

/// object.terms: an array of term texts (formatTerm syntax), each error naming its JSON path.
std::vector<Term> termsFromJson(const Json &object, const std::string &path) {
  const Json &terms = member(object, path, "terms");
  if (!terms.is_array())
    fail(path + ".terms", "expected an array of strings");
  std::vector<Term> out;
  for (size_t i = 0; i < terms.size(); ++i) {
    std::string tp = path + ".terms[" + std::to_string(i) + "]";
    if (!terms[i].is_string())
      fail(tp, "expected a string");
    auto term = parseTerm(terms[i].get<std::string>());
    if (!term)
      fail(tp, term.error());
    out.push_back(std::move(*term));
  }
  return out;
}

Json modelToJson(const KpiModel &m) {
  Json j;
  j["device"] = m.device;
  j["op"] = opKindName(m.op);
  if (m.variant != ModelVariant::Any)
    j["variant"] = modelVariantName(m.variant);
  j["kpi"] = m.kpi;
  j["unit"] = m.unit;
  j["structure"] = structureName(m.model.structure);
  Json features = Json::array();
  for (Feature f : m.model.featuresUsed())
    features.push_back(featureName(f));
  j["features"] = features;
  if (m.model.structure == Structure::Paper) {
    Json factors = Json::array();
    for (const ProductFactor &f : m.model.factors)
      factors.push_back(
          Json{{"feature", featureName(f.feature)}, {"regressor", weakKindName(f.kind)}, {"scale", rounded(f.scale, 12)}});
    j["factors"] = factors;
  } else {
    j["target"] = m.model.target == Target::Log ? "log" : "identity";
    j["terms"] = termsToJson(m.model.terms);
  }
  if (m.model.upperBound > 0)
    j["saturate_at"] = m.model.upperBound;
  if (m.model.floor > 0)
    j["floor"] = rounded(m.model.floor, 12);
  if (m.model.scale != 1.0)
    j["scale"] = rounded(m.model.scale, 12);
  for (const Model &form : m.model.outside) {
    Json params = Json::array();
    for (double p : form.params)
      params.push_back(rounded(p, 12));
    j["outside"] = Json{{"terms", termsToJson(form.terms)},
                        {"params", params},
                        {"floor", rounded(form.floor, 12)},
                        {"fit_mape", rounded(m.model.outsideFitMape, 4)},
                        {"data_max_value", rounded(m.model.dataBound.maxValue, 12)},
                        {"data_max_per_work", rounded(m.model.dataBound.maxPerWork, 12)}};
  }
  Json params = Json::array();
  for (double p : m.model.params)
    params.push_back(rounded(p, 12));
  j["params"] = params;
  Json domain = Json::object();
  for (const DomainRange &r : m.model.domain)
    domain[featureName(r.feature)] = Json::array({rounded(r.min, 10), rounded(r.max, 10)});
  j["domain"] = domain;
  j["cv"] = Json{{"mape", rounded(m.cv.mape, 4)},         {"median_ape", rounded(m.cv.medianApe, 4)},
                 {"p90_ape", rounded(m.cv.p90Ape, 4)},    {"within_10pct", rounded(m.cv.within10pct, 4)},
                 {"bias", rounded(m.cv.bias, 4)},         {"rmspe", rounded(m.cv.rmspe, 4)},
                 {"folds", m.cv.folds},                    {"seed", m.cv.seed},
                 {"n", m.cv.n}};
  if (m.cv.hasNested)
    j["cv"]["nested"] = Json{{"mape", rounded(m.cv.nestedMape, 4)},
                             {"median_ape", rounded(m.cv.nestedMedianApe, 4)},
                             {"p90_ape", rounded(m.cv.nestedP90Ape, 4)},
                             {"within_10pct", rounded(m.cv.nestedWithin10pct, 4)}};
  if (!m.source.empty())
    j["source"] = m.source;
  return j;
}

KpiModel modelFromJson(const Json &j, const std::string &path) {
  KpiModel m;
  m.device = getString(j, path, "device");
  std::string op = getString(j, path, "op");
  if (!parseOpKind(op, m.op))
    fail(path + ".op", "unknown op kind '" + op + "'");
  if (j.contains("variant")) {
    std::string variant = getString(j, path, "variant");
    if (!parseModelVariant(variant, m.variant) || m.variant == ModelVariant::Any)
      fail(path + ".variant", "unknown variant '" + variant + "' (expected dense, depthwise, windowed or global)");
  }
  m.kpi = getString(j, path, "kpi");
  m.unit = getString(j, path, "unit");
  std::string structure = getString(j, path, "structure");
  if (!parseStructure(structure, m.model.structure))
    fail(path + ".structure", "unknown structure '" + structure + "' (expected paper, frols or physics)");
  if (m.model.structure == Structure::Paper) {
    const Json &factors = member(j, path, "factors");
    if (!factors.is_array())
      fail(path + ".factors", "expected an array");
    for (size_t i = 0; i < factors.size(); ++i) {
      std::string fp = path + ".factors[" + std::to_string(i) + "]";
      ProductFactor factor;
      std::string feature = getString(factors[i], fp, "feature");
      if (!parseFeature(feature, factor.feature))
        fail(fp + ".feature", "unknown feature '" + feature + "'");
      std::string regressor = getString(factors[i], fp, "regressor");
      if (!parseWeakKind(regressor, factor.kind))
        fail(fp + ".regressor", "unknown weak regressor '" + regressor + "'");
      factor.scale = getNumber(factors[i], fp, "scale");
      m.model.factors.push_back(factor);
    }
  } else {
    std::string target = getString(j, path, "target");
    if (target == "log")
      m.model.target = Target::Log;
    else if (target == "identity")
      m.model.target = Target::Identity;
    else
      fail(path + ".target", "expected 'log' or 'identity', found '" + target + "'");
    m.model.terms = termsFromJson(j, path);
  }
  if (j.contains("saturate_at"))
    m.model.upperBound = getNumber(j, path, "saturate_at");
  if (j.contains("floor"))
    m.model.floor = getNumber(j, path, "floor");
  if (j.contains("outside")) {
    const Json &o = j["outside"];
    std::string op = path + ".outside";
    Model form;
    form.structure = Structure::Physics;
    form.target = Target::Identity;
    form.terms = termsFromJson(o, op);
    const Json &params = member(o, op, "params");
    if (!params.is_array())
      fail(op + ".params", "expected an array of numbers");
    for (size_t i = 0; i < params.size(); ++i)
      form.params.push_back(toNumber(params[i], op + ".params[" + std::to_string(i) + "]"));
    form.floor = getNumber(o, op, "floor");
    if (o.contains("fit_mape"))
      m.model.outsideFitMape = getNumber(o, op, "fit_mape");
    if (o.contains("data_max_value"))
      m.model.dataBound.maxValue = getNumber(o, op, "data_max_value");
    if (o.contains("data_max_per_work"))
      m.model.dataBound.maxPerWork = getNumber(o, op, "data_max_per_work");
    if (!(m.model.dataBound.maxValue >= 0) || !(m.model.dataBound.maxPerWork >= 0))
      fail(op, "data_max_value and data_max_per_work must not be negative");
    m.model.outside.push_back(std::move(form));
  }
  if (j.contains("scale")) {
    m.model.scale = getNumber(j, path, "scale");
    if (!(m.model.scale > 0) || !std::isfinite(m.model.scale))
      fail(path + ".scale", "expected a calibration factor > 0");
    for (Model &form : m.model.outside)
      form.scale = m.model.scale; // the bounded form predicts for the same machine
  }
  const Json &params = member(j, path, "params");
  if (!params.is_array())
    fail(path + ".params", "expected an array of numbers");
  for (size_t i = 0; i < params.size(); ++i)
    m.model.params.push_back(toNumber(params[i], path + ".params[" + std::to_string(i) + "]"));
  const Json &domain = member(j, path, "domain");
  if (!domain.is_object())
    fail(path + ".domain", "expected an object {feature: [min, max]}");
  for (auto it = domain.begin(); it != domain.end(); ++it) {
    std::string dp = path + ".domain." + it.key();
    DomainRange range;
    if (!parseFeature(it.key(), range.feature))
      fail(dp, "unknown feature '" + it.key() + "'");
    if (!it->is_array() || it->size() != 2)
      fail(dp, "expected [min, max]");
    range.min = toNumber((*it)[0], dp + "[0]");
    range.max = toNumber((*it)[1], dp + "[1]");
    m.model.domain.push_back(range);
  }
  if (std::string problem = m.model.check(); !problem.empty())
    fail(path, problem);
  const Json &cv = member(j, path, "cv");
  std::string cp = path + ".cv";
  m.cv.mape = getNumber(cv, cp, "mape");
  m.cv.medianApe = getNumber(cv, cp, "median_ape");
  m.cv.p90Ape = getNumber(cv, cp, "p90_ape");
  m.cv.within10pct = getNumber(cv, cp, "within_10pct");
  m.cv.bias = getNumber(cv, cp, "bias");
  m.cv.rmspe = getNumber(cv, cp, "rmspe");
  m.cv.folds = static_cast<int>(getInteger(cv, cp, "folds", 0, std::numeric_limits<int>::max()));
  // A seed is written as a JSON integer and read back exactly; one written as another number must be whole.
  if (const Json &seed = member(cv, cp, "seed"); seed.is_number_unsigned())
    m.cv.seed = seed.get<unsigned long long>();
  else
    m.cv.seed = static_cast<unsigned long long>(getInteger(cv, cp, "seed", 0, 1LL << 53));
  m.cv.n = static_cast<int>(getInteger(cv, cp, "n", 0, std::numeric_limits<int>::max()));
  if (cv.contains("nested")) {
    const Json &nested = cv["nested"];
    std::string np = cp + ".nested";
    m.cv.hasNested = true;
    m.cv.nestedMape = getNumber(nested, np, "mape");
    m.cv.nestedMedianApe = getNumber(nested, np, "median_ape");
    m.cv.nestedP90Ape = getNumber(nested, np, "p90_ape");
    m.cv.nestedWithin10pct = getNumber(nested, np, "within_10pct");
  }
  m.source = getOptionalString(j, "source");
  return m;
}

Json costToJson(const AffineCost &c, const char *sizeUnit) {
  Json j{{"model", "affine"},
         {"unit", c.unit},
         {"size_unit", sizeUnit},
         {"intercept", rounded(c.intercept, 10)},
         {"slope_per_kbit", rounded(c.slopePerKbit, 10)}};
  // An assumed cost was fitted to nothing: no fit figures rather than a perfect-looking 0 % on 0 points.
  if (c.n > 0) {
    j["fit_mape"] = rounded(c.mape, 4);
    j["n"] = c.n;
  }
  return j;
}

AffineCost costFromJson(const Json &j, const std::string &path) {
  AffineCost c;
  std::string model = getString(j, path, "model");
  if (model != "affine")
    fail(path + ".model", "only 'affine' link cost models are supported, found '" + model + "'");
  std::string sizeUnit = getString(j, path, "size_unit");
  if (sizeUnit != "kbit")
    fail(path + ".size_unit", "expected 'kbit', found '" + sizeUnit + "'");
  c.unit = getString(j, path, "unit");
  c.intercept = getNumber(j, path, "intercept");
  c.slopePerKbit = getNumber(j, path, "slope_per_kbit");
  if (j.contains("fit_mape"))
    c.mape = getNumber(j, path, "fit_mape");
  if (j.contains("n"))
    c.n = static_cast<int>(getInteger(j, path, "n", 0, std::numeric_limits<int>::max()));
  return c;
}

Library libraryFromJson(const Json &root) {
  Library lib;
  std::string schema = getString(root, "$", "schema");
  if (schema != kLibrarySchemaName)
    fail("$.schema", "expected '" + std::string(kLibrarySchemaName) + "', found '" + schema + "'");
  double version = getNumber(root, "$", "schema_version");
  if (version != kLibrarySchemaVersion)
    fail("$.schema_version", "unsupported version " + std::to_string(int(version)) + " (this flydel reads version " +
                                 std::to_string(kLibrarySchemaVersion) + ")");
  const Json &platform = member(root, "$", "platform");
  lib.platform.name = getString(platform, "$.platform", "name");
  lib.platform.description = getOptionalString(platform, "description");
  const Json &devices = member(root, "$", "devices");
  if (!devices.is_array())
    fail("$.devices", "expected an array");
  for (size_t i = 0; i < devices.size(); ++i) {
    std::string dp = "$.devices[" + std::to_string(i) + "]";
    Device d;
    d.name = getString(devices[i], dp, "name");
    std::string kind = getString(devices[i], dp, "kind");
    if (!parseDeviceKind(kind, d.kind))
      fail(dp + ".kind", "unknown device kind '" + kind + "' (expected cpu, gpu or fpga)");
    d.description = getOptionalString(devices[i], "description");
    if (auto it = devices[i].find("chip"); it != devices[i].end()) {
      if (!it->is_string() || it->get<std::string>().empty())
        fail(dp + ".chip", "expected the device's code-generation target as a string (e.g. \"sm_62\")");
      d.chip = it->get<std::string>();
    }
    if (auto it = devices[i].find("capacities"); it != devices[i].end()) {
      if (!it->is_object())
        fail(dp + ".capacities", "expected an object {resource: count}");
      for (auto c = it->begin(); c != it->end(); ++c) {
        double count = toNumber(*c, dp + ".capacities." + c.key());
        if (count <= 0)
          fail(dp + ".capacities." + c.key(), "capacity must be positive");
        d.capacities[c.key()] = count;
      }
    }
    if (auto it = devices[i].find("spills"); it != devices[i].end()) {
      if (!it->is_array())
        fail(dp + ".spills", "expected an array of capacity names");
      for (const auto &name : *it) {
        if (!name.is_string() || !d.capacities.count(name.get<std::string>()))
          fail(dp + ".spills", "every entry must name one of the device's capacities");
        d.spills.insert(name.get<std::string>());
      }
    }
    if (devices[i].contains("dtype")) {
      std::string dtype = getString(devices[i], dp, "dtype");
      DType t;
      if (!parseDType(dtype, t))
        fail(dp + ".dtype", "unknown data type '" + dtype + "'");
      d.dtype = t;
    }
    lib.devices.push_back(std::move(d));
  }
  if (auto it = root.find("calibrations"); it != root.end()) {
    if (!it->is_array())
      fail("$.calibrations", "expected an array of objects");
    for (size_t i = 0; i < it->size(); ++i) {
      if (!(*it)[i].is_object())
        fail("$.calibrations[" + std::to_string(i) + "]", "expected an object");
      lib.calibrations.push_back((*it)[i].dump());
    }
  }
  if (auto it = root.find("links"); it != root.end()) {
    if (!it->is_array())
      fail("$.links", "expected an array");
    for (size_t i = 0; i < it->size(); ++i) {
      std::string lp = "$.links[" + std::to_string(i) + "]";
      const Json &lj = (*it)[i];
      Link link;
      link.from = getString(lj, lp, "from");
      link.to = getString(lj, lp, "to");
      link.latency = costFromJson(member(lj, lp, "latency"), lp + ".latency");
      if (auto e = lj.find("energy"); e != lj.end() && !e->is_null()) {
        link.hasEnergy = true;
        link.energy = costFromJson(*e, lp + ".energy");
      }
      link.source = getOptionalString(lj, "source");
      if (auto as = lj.find("assumed"); as != lj.end()) {
        if (!as->is_boolean())
          fail(lp + ".assumed", "expected true or false");
        link.assumed = as->get<bool>();
        if (link.assumed && link.source.empty())
          fail(lp + ".source", "an assumed link must say what was assumed and why");
      }
      lib.links.push_back(std::move(link));
    }
  }
  const Json &models = member(root, "$", "models");
  if (!models.is_array())
    fail("$.models", "expected an array");
  for (size_t i = 0; i < models.size(); ++i)
    lib.models.push_back(modelFromJson(models[i], "$.models[" + std::to_string(i) + "]"));
  if (std::string problem = lib.validate(); !problem.empty())
    throw PathError(problem);
  return lib;
}

Json parseJsonText(std::string_view text) {
  text = skipUtf8Bom(text);
  return Json::parse(text.begin(), text.end());
}

} // namespace

const char *deviceKindName(DeviceKind kind) {
  switch (kind) {
  case DeviceKind::Cpu:
    return "cpu";
  case DeviceKind::Gpu:
    return "gpu";
  case DeviceKind::Fpga:
    return "fpga";
  }
  return "unknown";
}

bool parseDeviceKind(std::string_view text, DeviceKind &kind) {
  return parseByName(text, {DeviceKind::Cpu, DeviceKind::Gpu, DeviceKind::Fpga}, deviceKindName, kind);
}

std::string Library::validate() const {
  // What the flydel dialect's verifiers refuse (#flydel.platform, #flydel.link) is refused here already, so that a
  // library that loads never makes --annotate-kpis write IR that cannot be parsed back.
  if (platform.name.empty())
    return "$.platform.name: must not be empty";
  if (devices.empty())
    return "$.devices: a platform needs at least one device";
  if (models.empty())
    return "$.models: a platform needs at least one model";
  for (size_t i = 0; i < devices.size(); ++i) {
    if (devices[i].name.empty())
      return "$.devices[" + std::to_string(i) + "].name: must not be empty";
    for (size_t k = 0; k < i; ++k)
      if (devices[k].name == devices[i].name)
        return "$.devices[" + std::to_string(i) + "].name: duplicate device '" + devices[i].name + "'";
  }
  for (size_t i = 0; i < links.size(); ++i) {
    std::string lp = "$.links[" + std::to_string(i) + "]";
    const Link &l = links[i];
    for (const std::string *end : {&l.from, &l.to})
      if (!findDevice(*end))
        return lp + ": unknown device '" + *end + "'";
    if (l.from == l.to)
      return lp + ": a link from device '" + l.from + "' to itself";
    for (size_t k = 0; k < i; ++k)
      if (links[k].from == l.from && links[k].to == l.to)
        return lp + ": a second link from '" + l.from + "' to '" + l.to + "'";
    auto costProblem = [&](const AffineCost &c, const char *what) -> std::string {
      if (!std::isfinite(c.intercept) || !std::isfinite(c.slopePerKbit) || c.intercept < 0 || c.slopePerKbit < 0)
        return lp + "." + what + ": intercept and slope_per_kbit must be finite and non-negative";
      return {};
    };
    if (std::string problem = costProblem(l.latency, "latency"); !problem.empty())
      return problem;
    if (l.hasEnergy)
      if (std::string problem = costProblem(l.energy, "energy"); !problem.empty())
        return problem;
  }
  for (size_t i = 0; i < models.size(); ++i) {
    const KpiModel &m = models[i];
    std::string mp = "$.models[" + std::to_string(i) + "]";
    if (!findDevice(m.device))
      return mp + ".device: unknown device '" + m.device + "'";
    if (findModel(m.device, m.op, m.kpi, m.variant) != &m)
      return mp + ": duplicate model for (" + m.device + ", " + opKindName(m.op) +
             (m.variant == ModelVariant::Any ? "" : std::string(" ") + modelVariantName(m.variant)) + ", " + m.kpi +
             ")";
    if (std::string problem = variantProblem(m.variant, m.op, "models"); !problem.empty())
      return mp + ".variant: " + problem;
    if (std::string problem = m.model.check(); !problem.empty())
      return mp + ": " + problem;
  }
  return {};
}

Expected<Library> Library::parse(std::string_view text, std::string_view sourceName) noexcept {
  try {
    return libraryFromJson(parseJsonText(text));
  } catch (const Json::parse_error &e) {
    return makeError(std::string(sourceName) + ": invalid JSON: " + e.what());
  } catch (const std::exception &e) {
    return makeError(std::string(sourceName) + ": " + e.what());
  } catch (...) {
    return makeError(std::string(sourceName) + ": unknown error while reading the platform library");
  }
}

Expected<Library> Library::load(const std::string &path) noexcept {
  try {
    std::ifstream in(path, std::ios::binary);
    if (!in)
      return makeError(path + ": cannot open the platform library");
    std::ostringstream text;
    text << in.rdbuf();
    return parse(text.str(), path);
  } catch (...) {
    return makeError(path + ": cannot read the platform library");
  }
}

std::string Library::toJson() const noexcept {
  try {
    Json head;
    head["schema"] = kLibrarySchemaName;
    head["schema_version"] = kLibrarySchemaVersion;
    head["platform"] = Json{{"name", platform.name}, {"description", platform.description}};
    std::string out = "{\n";
    for (auto it = head.begin(); it != head.end(); ++it)
      out += "\"" + it.key() + "\": " + it->dump() + ",\n";
    auto list = [&out](const char *key, const std::vector<Json> &items, bool last) {
      out += std::string("\"") + key + "\": [";
      for (size_t i = 0; i < items.size(); ++i)
        out += (i ? ",\n  " : "\n  ") + items[i].dump();
      out += items.empty() ? "]" : "\n]";
      out += last ? "\n" : ",\n";
    };
    std::vector<Json> items;
    for (const Device &d : devices) {
      Json j{{"name", d.name}, {"kind", deviceKindName(d.kind)}, {"description", d.description}};
      Json caps = Json::object();
      for (const auto &[resource, count] : d.capacities)
        caps[resource] = count;
      j["capacities"] = caps;
      if (!d.spills.empty())
        j["spills"] = d.spills;
      if (d.dtype)
        j["dtype"] = dtypeName(*d.dtype);
      if (!d.chip.empty())
        j["chip"] = d.chip;
      items.push_back(j);
    }
    list("devices", items, false);
    items.clear();
    for (const Link &l : links) {
      Json j{{"from", l.from}, {"to", l.to}, {"latency", costToJson(l.latency, "kbit")}};
      if (l.hasEnergy)
        j["energy"] = costToJson(l.energy, "kbit");
      j["source"] = l.source;
      if (l.assumed)
        j["assumed"] = true;
      items.push_back(j);
    }
    list("links", items, false);
    if (!calibrations.empty()) {
      items.clear();
      for (const std::string &c : calibrations)
        items.push_back(Json::parse(c));
      list("calibrations", items, false);
    }
    items.clear();
    for (const KpiModel &m : models)
      items.push_back(modelToJson(m));
    list("models", items, true);
    return out + "}\n";
  } catch (...) {
    return {};
  }
}

bool writeFileAtomically(const std::string &path, const std::string &text, std::string *error) noexcept {
  auto failWith = [&](const std::string &why) {
    if (error)
      *error = path + ": " + why;
    return false;
  };
  try {
    // A symbolic link is written through (the link stays a link); a device node or pipe (/dev/null, a FIFO) is
    // written as it is, never replaced by a regular file.
    std::string target = path;
    struct stat st;
    if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
      char *resolved = ::realpath(path.c_str(), nullptr);
      if (!resolved)
        return failWith("a symbolic link to nothing");
      target = resolved;
      std::free(resolved);
    }
    if (::stat(target.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
      if (S_ISDIR(st.st_mode))
        return failWith("is a directory");
      FILE *f = std::fopen(target.c_str(), "wb");
      bool ok = f && std::fwrite(text.data(), 1, text.size(), f) == text.size();
      ok = f && (std::fclose(f) == 0) && ok;
      return ok ? true : failWith("write failed");
    }
    // A regular file: a temporary beside it, flushed to disk, renamed over it, so a reader or a crash sees either
    // the old file or the whole new one.
    std::string tmp = target + ".tmp." + std::to_string(::getpid());
    FILE *f = std::fopen(tmp.c_str(), "wb");
    if (!f)
      return failWith("cannot create '" + tmp + "'");
    bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    ok &= std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
    ok &= std::fclose(f) == 0;
    if (!ok || std::rename(tmp.c_str(), target.c_str()) != 0) {
      std::remove(tmp.c_str());
      return failWith(ok ? "cannot rename the temporary file into place" : "write failed");
    }
    return true;
  } catch (...) {
    return failWith("cannot write");
  }
}

bool Library::save(const std::string &path, std::string *error) const noexcept {
  std::string text = toJson();
  if (text.empty()) {
    if (error)
      *error = "cannot serialise the platform library";
    return false;
  }
  return writeFileAtomically(path, text, error);
}

const Device *Library::findDevice(std::string_view name) const noexcept {
  for (const Device &d : devices)
    if (d.name == name)
      return &d;
  return nullptr;
}

const Link *Library::findLink(std::string_view from, std::string_view to) const noexcept {
  for (const Link &l : links)
    if (l.from == from && l.to == to)
      return &l;
  return nullptr;
}

const KpiModel *Library::findModel(std::string_view device, OpKind op, std::string_view kpi,
                                   ModelVariant variant) const noexcept {
  for (const KpiModel &m : models)
    if (m.device == device && m.op == op && m.kpi == kpi && m.variant == variant)
      return &m;
  return nullptr;
}

const KpiModel *Library::findModelFor(std::string_view device, const Layer &layer,
                                      std::string_view kpi) const noexcept {
  if (ModelVariant v = variantOf(layer); v != ModelVariant::Any)
    if (const KpiModel *m = findModel(device, layer.op, kpi, v))
      return m;
  if (const KpiModel *m = findModel(device, layer.op, kpi))
    return m;
  // A grouped convolution is G dense GEMMs side by side: without a model of its own the dense one predicts it (its
  // domain flags the groups it never saw).
  if (layer.op == OpKind::Conv2d && layer.groups > 1 && !layer.isDepthwise())
    return findModel(device, layer.op, kpi, ModelVariant::Dense);
  return nullptr;
}

const char *modelVariantName(ModelVariant variant) {
  switch (variant) {
  case ModelVariant::Any:
    return "any";
  case ModelVariant::Dense:
    return "dense";
  case ModelVariant::Depthwise:
    return "depthwise";
  case ModelVariant::Windowed:
    return "windowed";
  case ModelVariant::Global:
    return "global";
  }
  return "any";
}

bool parseModelVariant(std::string_view text, ModelVariant &variant) {
  return parseByName(text,
                     {ModelVariant::Any, ModelVariant::Dense, ModelVariant::Depthwise, ModelVariant::Windowed,
                      ModelVariant::Global},
                     modelVariantName, variant);
}

OpKind variantOp(ModelVariant variant) noexcept {
  return variant == ModelVariant::Windowed || variant == ModelVariant::Global ? OpKind::Pool2d : OpKind::Conv2d;
}

std::string variantProblem(ModelVariant variant, OpKind op, const char *what) {
  if (variant == ModelVariant::Any || variantOp(variant) == op)
    return {};
  return std::string("'") + modelVariantName(variant) + "' is a variant of " + opKindName(variantOp(variant)) + " " +
         what + ", not of " + opKindName(op);
}

bool variantMatches(ModelVariant variant, const Layer &layer) noexcept {
  return variant == ModelVariant::Any || variantOf(layer) == variant;
}

std::vector<CapacityExcess> capacityExcesses(const Device &device,
                                             const std::vector<std::pair<std::string, double>> &demands) {
  std::vector<CapacityExcess> excesses;
  for (const auto &[resource, demand] : demands) {
    auto it = device.capacities.find(resource);
    // A capacity of 0 states nothing usable; a NaN demand is no prediction (reported elsewhere), not an excess.
    if (it != device.capacities.end() && it->second > 0 && demand > it->second)
      excesses.push_back({resource, demand, it->second, device.spills.count(resource) > 0});
  }
  return excesses;
}

std::string describeExcesses(const std::vector<CapacityExcess> &excesses) {
  std::string text;
  char buffer[96];
  for (const CapacityExcess &e : excesses) {
    std::snprintf(buffer, sizeof buffer, "%s%s demand %.3g > capacity %.6g", text.empty() ? "" : ", ",
                  e.resource.c_str(), e.demand, e.capacity);
    text += buffer;
    if (e.spills)
      text += " (spills onto other resources)";
  }
  return text;
}

bool fitsDespite(const std::vector<CapacityExcess> &excesses) {
  for (const CapacityExcess &e : excesses)
    if (!e.spills)
      return false;
  return true;
}

Layer deviceView(const Device &device, Layer layer) noexcept {
  if (device.kind != DeviceKind::Fpga)
    layer.pe = layer.simd = 1;
  if (device.dtype)
    layer.dtype = *device.dtype;
  return layer;
}

ModelVariant variantOf(const Layer &layer) noexcept {
  switch (layer.op) {
  case OpKind::Conv2d:
    return layer.groups == 1 ? ModelVariant::Dense : layer.isDepthwise() ? ModelVariant::Depthwise : ModelVariant::Any;
  case OpKind::Pool2d:
    return layer.isGlobalPool() ? ModelVariant::Global : ModelVariant::Windowed;
  default:
    return ModelVariant::Any;
  }
}

std::string kpiModelToJson(const KpiModel &model) noexcept {
  try {
    Json j{{"schema", kModelSchemaName}, {"schema_version", kLibrarySchemaVersion}};
    Json body = modelToJson(model);
    for (auto it = body.begin(); it != body.end(); ++it)
      j[it.key()] = *it;
    return j.dump(1) + "\n";
  } catch (...) {
    return {};
  }
}

Expected<KpiModel> parseKpiModel(std::string_view text, std::string_view sourceName) noexcept {
  try {
    Json j = parseJsonText(text);
    std::string schema = getString(j, "$", "schema");
    if (schema != kModelSchemaName)
      fail("$.schema", "expected '" + std::string(kModelSchemaName) + "', found '" + schema + "'");
    return modelFromJson(j, "$");
  } catch (const std::exception &e) {
    return makeError(std::string(sourceName) + ": " + e.what());
  } catch (...) {
    return makeError(std::string(sourceName) + ": unknown error while reading the model");
  }
}

} // namespace flydel
