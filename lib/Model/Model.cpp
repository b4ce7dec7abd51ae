//===- Model.cpp - Evaluation of identified KPI models --------------------===//
#include "flydel/Model/Model.h"
#include "flydel/Model/EnumNames.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace flydel {

namespace {
constexpr const char *kWeakNames[kNumWeakKinds] = {"linear",      "quadratic",  "logarithmic",
                                                   "exponential", "reciprocal", "cubic"};

double intPow(double x, int p) {
  double r = 1.0;
  for (int i = 0; i < p; ++i)
    r *= x;
  return r;
}

// As printf's "%.6g" (the standard defines to_chars with a precision so), without its locale and format parsing.
std::string formatNumber(double v) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::general, 6);
  (void)ec; // 32 characters hold any double at 6 digits.
  return std::string(buffer, end);
}

// Parses "name", "name^p", "log(name)", "log(name)^p", "ceil(name/d)", "ceil(name/d)^p", "[name>=d]",
// "waves(tm,tn,units)".
Expected<Factor> parseFactor(std::string_view text) {
  Factor factor;
  auto fail = [&](const char *why) { return makeError("bad term factor '" + std::string(text) + "': " + why); };
  if (text.substr(0, 6) == "waves(") {
    if (text.back() != ')')
      return fail("waves needs the form waves(tile_m,tile_n,units)");
    std::string args(text.substr(6, text.size() - 7));
    double v[3];
    const char *p = args.c_str();
    for (int i = 0; i < 3; ++i) {
      char *end = nullptr;
      v[i] = std::strtod(p, &end);
      // Whole counts >= 1 (tiles of output elements, streaming multiprocessors), bounded so the product stays exact.
      if (end == p || !(v[i] >= 1 && v[i] <= 1e6) || v[i] != std::floor(v[i]) || *end != (i < 2 ? ',' : '\0'))
        return fail("waves needs three whole numbers in 1..1e6: waves(tile_m,tile_n,units)");
      p = end + 1;
    }
    factor.op = Factor::Op::Waves;
    factor.feature = Feature::OutPixels;
    factor.tileM = v[0], factor.tileN = v[1], factor.divisor = v[2];
    return factor;
  }
  if (!text.empty() && text.front() == '[') {
    auto ge = text.find(">=");
    if (text.back() != ']' || ge == std::string_view::npos)
      return fail("a step needs the form [feature>=threshold]");
    factor.op = Factor::Op::AtLeast;
    std::string threshold(text.substr(ge + 2, text.size() - ge - 3));
    char *end = nullptr;
    factor.divisor = std::strtod(threshold.c_str(), &end);
    if (threshold.empty() || *end != '\0' || !std::isfinite(factor.divisor))
      return fail("the threshold must be a finite number");
    if (!parseFeature(text.substr(1, ge - 1), factor.feature))
      return fail("unknown feature");
    return factor;
  }
  std::string_view body = text;
  auto caret = text.rfind('^');
  auto close = text.rfind(')');
  if (caret != std::string_view::npos && (close == std::string_view::npos || caret > close)) {
    std::string exponent(text.substr(caret + 1));
    char *end = nullptr;
    long p = std::strtol(exponent.c_str(), &end, 10);
    if (exponent.empty() || *end != '\0' || p < 1 || p > 8)
      return fail("exponent must be an integer in 1..8");
    factor.power = static_cast<int>(p);
    body = text.substr(0, caret);
  }
  if (body.empty())
    return fail("empty factor");
  std::string_view name = body;
  if (body.substr(0, 4) == "log(" && body.back() == ')') {
    factor.op = Factor::Op::LogPower;
    name = body.substr(4, body.size() - 5);
  } else if (body.substr(0, 5) == "ceil(" && body.back() == ')') {
    factor.op = Factor::Op::CeilDiv;
    std::string_view inner = body.substr(5, body.size() - 6);
    auto slash = inner.find('/');
    if (slash == std::string_view::npos)
      return fail("ceil needs the form ceil(feature/divisor)");
    name = inner.substr(0, slash);
    std::string divisor(inner.substr(slash + 1));
    char *end = nullptr;
    factor.divisor = std::strtod(divisor.c_str(), &end);
    if (divisor.empty() || *end != '\0' || !(factor.divisor > 0))
      return fail("the divisor must be a positive number");
  }
  if (!parseFeature(name, factor.feature))
    return fail("unknown feature");
  return factor;
}
} // namespace

double evaluateTerm(const Term &term, const FeatureVector &features) {
  double value = 1.0;
  for (const Factor &factor : term.factors) {
    double x = features[static_cast<int>(factor.feature)];
    switch (factor.op) {
    case Factor::Op::Power:
      value *= intPow(x, factor.power);
      break;
    case Factor::Op::LogPower:
      value *= intPow(std::log(x), factor.power);
      break;
    case Factor::Op::CeilDiv:
      value *= intPow(std::ceil(x / factor.divisor), factor.power);
      break;
    case Factor::Op::AtLeast:
      value *= x >= factor.divisor ? 1.0 : 0.0;
      break;
    case Factor::Op::Waves: {
      auto at = [&features](Feature f) { return features[static_cast<int>(f)]; };
      double groups = std::max(1.0, at(Feature::Groups));
      double m = at(Feature::Batch) * at(Feature::OutPixels), n = at(Feature::COut) / groups;
      double tiles = groups * std::ceil(m / factor.tileM) * std::ceil(n / factor.tileN);
      value *= intPow(std::ceil(tiles / factor.divisor), factor.power);
      break;
    }
    }
  }
  return value;
}

std::string formatTerm(const Term &term) {
  if (term.factors.empty())
    return "1";
  std::string text;
  for (const Factor &factor : term.factors) {
    if (!text.empty())
      text += '*';
    const char *name = featureName(factor.feature);
    switch (factor.op) {
    case Factor::Op::Power:
      text += name;
      break;
    case Factor::Op::LogPower:
      text += std::string("log(") + name + ")";
      break;
    case Factor::Op::CeilDiv:
      text += std::string("ceil(") + name + "/" + formatNumber(factor.divisor) + ")";
      break;
    case Factor::Op::AtLeast:
      text += std::string("[") + name + ">=" + formatNumber(factor.divisor) + "]";
      continue; // a step is 0 or 1: no power
    case Factor::Op::Waves:
      text += "waves(" + formatNumber(factor.tileM) + "," + formatNumber(factor.tileN) + "," +
              formatNumber(factor.divisor) + ")";
      break;
    }
    if (factor.power != 1)
      text += "^" + std::to_string(factor.power);
  }
  return text;
}

Expected<Term> parseTerm(std::string_view text) {
  Term term;
  if (text == "1")
    return term;
  if (text.empty())
    return makeError("empty term");
  size_t start = 0;
  while (start <= text.size()) {
    size_t star = text.find('*', start);
    std::string_view piece = text.substr(start, star == std::string_view::npos ? std::string_view::npos : star - start);
    auto factor = parseFactor(piece);
    if (!factor)
      return makeError(factor.error());
    term.factors.push_back(*factor);
    if (star == std::string_view::npos)
      break;
    start = star + 1;
  }
  return term;
}

const char *weakKindName(WeakKind kind) {
  int index = static_cast<int>(kind);
  return index >= 0 && index < kNumWeakKinds ? kWeakNames[index] : "unknown";
}

bool parseWeakKind(std::string_view text, WeakKind &kind) {
  for (int i = 0; i < kNumWeakKinds; ++i)
    if (text == kWeakNames[i]) {
      kind = static_cast<WeakKind>(i);
      return true;
    }
  return false;
}

int weakParamCount(WeakKind kind) {
  switch (kind) {
  case WeakKind::Linear:
  case WeakKind::Logarithmic:
  case WeakKind::Exponential:
  case WeakKind::Reciprocal:
    return 2;
  case WeakKind::Quadratic:
    return 3;
  case WeakKind::Cubic:
    return 4;
  }
  return 0;
}

double evaluateWeak(WeakKind kind, const double *p, double x) {
  switch (kind) {
  case WeakKind::Linear:
    return p[0] + p[1] * x;
  case WeakKind::Quadratic:
    return p[0] + x * (p[1] + x * p[2]);
  case WeakKind::Logarithmic:
    return p[0] + p[1] * std::log(x);
  case WeakKind::Exponential:
    return p[0] * std::exp(p[1] * x);
  case WeakKind::Reciprocal:
    return p[0] + p[1] / x;
  case WeakKind::Cubic:
    return p[0] + x * (p[1] + x * (p[2] + x * p[3]));
  }
  return 0.0;
}

const char *structureName(Structure structure) {
  switch (structure) {
  case Structure::Paper:
    return "paper";
  case Structure::Frols:
    return "frols";
  case Structure::Physics:
    return "physics";
  }
  return "unknown";
}

bool parseStructure(std::string_view text, Structure &structure) {
  return parseByName(text, {Structure::Paper, Structure::Frols, Structure::Physics}, structureName, structure);
}

std::string Model::check() const {
  size_t expected = 0;
  if (structure == Structure::Paper) {
    if (factors.empty())
      return "a paper-structure model needs at least one factor";
    for (const ProductFactor &factor : factors) {
      if (!(factor.scale > 0))
        return "factor scales must be positive";
      expected += weakParamCount(factor.kind);
    }
  } else {
    if (terms.empty())
      return "a linear-in-parameters model needs at least one term";
    expected = terms.size();
  }
  if (params.size() != expected)
    return "expected " + std::to_string(expected) + " parameters, found " + std::to_string(params.size());
  for (double p : params)
    if (!std::isfinite(p))
      return "parameters must be finite numbers";
  if (!(upperBound >= 0) || !std::isfinite(upperBound))
    return "the saturation bound must be a finite number >= 0";
  if (!(floor >= 0) || !std::isfinite(floor))
    return "the floor must be a finite number >= 0";
  if (!(scale > 0) || !std::isfinite(scale))
    return "the calibration scale must be a finite number > 0";
  if (floor > 0 && upperBound > 0 && floor > upperBound)
    return "the floor lies above the saturation bound";
  for (const DomainRange &range : domain)
    if (!(range.min <= range.max))
      return std::string("domain of '") + featureName(range.feature) + "' has min > max";
  if (outside.size() > 1)
    return "at most one bounded physics form";
  for (const Model &form : outside) {
    if (std::string problem = form.check(); !problem.empty())
      return "bounded physics form: " + problem;
    if (!form.boundedByConstruction() || !form.outside.empty())
      return "the bounded physics form needs an identity target, non-negative parameters and a positive floor";
  }
  return {};
}

WorkBound WorkBound::of(std::vector<std::pair<double, double>> workAndValue) {
  std::sort(workAndValue.begin(), workAndValue.end());
  WorkBound bound;
  for (size_t i = 0; i < workAndValue.size(); ++i) {
    bound.maxValue = std::max(bound.maxValue, workAndValue[i].second);
    if (2 * i >= workAndValue.size())
      bound.maxPerWork = std::max(bound.maxPerWork, workAndValue[i].second / workAndValue[i].first);
  }
  return bound;
}

bool Model::boundedByConstruction() const {
  if (structure == Structure::Paper || target != Target::Identity || !(floor > 0))
    return false;
  for (double p : params)
    if (!(p >= 0))
      return false;
  return true;
}

double Model::evaluate(const FeatureVector &features) const noexcept {
  double value = evaluateDemand(features);
  return upperBound > 0 ? std::min(value, upperBound) : value;
}

double Model::evaluateDemand(const FeatureVector &features) const noexcept {
  if (structure == Structure::Paper) {
    double value = 1.0;
    const double *p = params.data();
    for (const ProductFactor &factor : factors) {
      value *= evaluateWeak(factor.kind, p, features[static_cast<int>(factor.feature)] / factor.scale);
      p += weakParamCount(factor.kind);
    }
    if (floor > 0)
      value = std::max(value, floor);
    return value * scale;
  }
  double sum = 0.0;
  for (size_t j = 0; j < terms.size(); ++j)
    sum += params[j] * evaluateTerm(terms[j], features);
  return linearOutput(sum);
}

double Model::linearOutput(double sum) const noexcept {
  double value = target == Target::Log ? std::exp(sum) : sum;
  if (floor > 0) // no floor (0) leaves a negative value visible, to be flagged, not hidden as 0
    value = std::max(value, floor);
  return value * scale;
}

double Model::evaluateFromTerms(const double *termValues) const noexcept {
  double sum = 0.0;
  for (size_t j = 0; j < terms.size(); ++j)
    sum += params[j] * termValues[j];
  double value = linearOutput(sum);
  return upperBound > 0 ? std::min(value, upperBound) : value;
}

Prediction Model::predict(const FeatureVector &features) const noexcept {
  Prediction prediction;
  // The demand, not min(demand, capacity): a design above the capacity does not fit, and the caller says so
  // (capacityExcesses) instead of reporting the capacity as if the design used exactly all of it.
  prediction.value = evaluateDemand(features);
  for (const DomainRange &range : domain) {
    double x = features[static_cast<int>(range.feature)];
    // A relative tolerance keeps values printed and re-read with 6-9 digits inside their own range.
    double slack = 1e-9 * std::max(std::fabs(range.min), std::fabs(range.max));
    if (x < range.min - slack || x > range.max + slack) {
      prediction.extrapolated = true;
      prediction.feature = range.feature;
      prediction.featureValue = x;
      prediction.min = range.min;
      prediction.max = range.max;
      break;
    }
  }
  if (!outside.empty()) {
    // Hand over where the identified model is no physics: a polynomial in log features (frols) or a product of
    // weak regressors (paper) beyond its domain; a physics model (linear in counted work) beyond its domain only
    // once it leaves its bounded form by more than kSteeperThanPhysics (a super-linear term running away); any
    // model, anywhere, where it gives no finite positive number.
    // Inside the domain with a positive value (the common case) nothing more is evaluated.
    prediction.notPositive = !(std::isfinite(prediction.value) && prediction.value > 0);
    if (!prediction.notPositive && !prediction.extrapolated)
      return prediction;
    double bounded = outside.front().evaluateDemand(features);
    // The bounded form and the work see the layer, not an FPGA engine's lanes: a physics model of what the lanes
    // take (DSP48 = pe * simd + 3 pe) past its pe range is an exact count, which the form (a few DSPs whatever the
    // pe) would replace with nonsense, and which a folding search would then take for a fit.
    bool judgedByWork = structure != Structure::Physics || !readsLanes();
    bool handOver = prediction.notPositive || structure != Structure::Physics ||
                    (judgedByWork && prediction.value > kSteeperThanPhysics * bounded) ||
                    (judgedByWork && !dataBound.empty() &&
                     prediction.value > kBeyondItsData * dataBound.at(workOf(features)));
    if (handOver) {
      prediction.value = bounded;
      prediction.handedOver = true;
      prediction.extrapolated = true;
    }
  }
  return prediction;
}

bool Model::readsLanes() const noexcept {
  auto lanes = [](Feature f) { return f == Feature::Pe || f == Feature::Simd || f == Feature::WeightRomBram18; };
  for (const ProductFactor &factor : factors)
    if (lanes(factor.feature))
      return true;
  for (const Term &term : terms)
    for (const Factor &factor : term.factors)
      if (lanes(factor.feature))
        return true;
  return false;
}

std::vector<Feature> Model::featuresUsed() const {
  std::vector<Feature> used;
  auto add = [&used](Feature f) {
    for (Feature g : used)
      if (g == f)
        return;
    used.push_back(f);
  };
  for (const ProductFactor &factor : factors)
    add(factor.feature);
  for (const Term &term : terms)
    for (const Factor &factor : term.factors)
      add(factor.feature);
  return used;
}

std::string Model::describeDomain(const Prediction &prediction) {
  if (!prediction.extrapolated)
    return {};
  std::string text;
  if (prediction.feature != Feature::Count)
    text = std::string("feature ") + featureName(prediction.feature) + " = " + formatNumber(prediction.featureValue) +
           " outside training range [" + formatNumber(prediction.min) + ", " + formatNumber(prediction.max) + "]";
  if (prediction.notPositive)
    text += std::string(text.empty() ? "" : "; ") + "the identified model gives no positive value here";
  if (prediction.handedOver)
    text += "; predicted by its bounded physics form";
  return text;
}

} // namespace flydel
