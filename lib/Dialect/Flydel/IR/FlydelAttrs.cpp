//===- FlydelAttrs.cpp - flydel attributes --------------------------------===//

#include "flydel/Dialect/Flydel/IR/FlydelAttrs.h"
#include "flydel/Dialect/Flydel/IR/FlydelDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;
using namespace mlir::flydel;

#include "flydel/Dialect/Flydel/IR/FlydelEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "flydel/Dialect/Flydel/IR/FlydelAttrs.cpp.inc"

void FlydelDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "flydel/Dialect/Flydel/IR/FlydelAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// Number printing and parsing shared by the custom formats
//===----------------------------------------------------------------------===//

/// The shortest decimal form that reads back to the same double, written into `buf` (64 characters hold any);
/// returns its length. MLIR's lexer only takes an exponent after a '.', so "1e-05" is written "1.0e-05".
static size_t formatNumber(double value, char (&buf)[64]) {
  // Integral values beyond 2^53 use scientific form: as plain digits they would lex as an integer too wide for
  // the parser.
  bool wide = std::fabs(value) >= 9007199254740992.0;
  auto [end, ec] = wide ? std::to_chars(buf, buf + sizeof(buf) - 2, value, std::chars_format::scientific)
                        : std::to_chars(buf, buf + sizeof(buf) - 2, value);
  (void)ec; // 62 characters hold any double, and leave room for the ".0".
  char *exp = std::find(buf, end, 'e');
  if (exp != end && std::find(buf, exp, '.') == exp) {
    std::memmove(exp + 2, exp, end - exp);
    exp[0] = '.';
    exp[1] = '0';
    end += 2;
  }
  return end - buf;
}

static std::string formatNumber(double value) {
  char buf[64];
  return std::string(buf, formatNumber(value, buf));
}

// Written straight to the stream: a module's annotations are mostly numbers, and a std::string per number was a
// fifth of the time spent printing them.
static void printNumber(AsmPrinter &printer, double value) {
  char buf[64];
  printer.getStream().write(buf, formatNumber(value, buf));
}

/// As AsmPrinter::printString, without its character-by-character escaping for the usual text that needs none
/// (the notes of an annotated module).
static void printQuoted(AsmPrinter &printer, StringRef text) {
  if (llvm::all_of(text, [](char c) { return llvm::isPrint(c) && c != '"' && c != '\\'; })) {
    printer.getStream() << '"' << text << '"';
    return;
  }
  printer.printString(text);
}

/// Parses an integer or floating-point literal (a count like `587` reads as well as `587.0`; a hexadecimal
/// literal is a bit pattern, as everywhere in MLIR).
static ParseResult parseNumber(AsmParser &parser, double &value) {
  bool negative = succeeded(parser.parseOptionalMinus());
  // Accepted so that the verifier, not the lexer, explains why they are rejected.
  if (succeeded(parser.parseOptionalKeyword("nan"))) {
    value = std::numeric_limits<double>::quiet_NaN();
    return success();
  }
  if (succeeded(parser.parseOptionalKeyword("inf"))) {
    value = negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    return success();
  }
  int64_t intValue = 0;
  OptionalParseResult intResult = parser.parseOptionalDecimalInteger(intValue);
  if (intResult.has_value()) {
    if (failed(*intResult))
      return failure();
    value = static_cast<double>(intValue);
  } else if (parser.parseFloat(value)) {
    return failure();
  }
  if (negative)
    value = -value;
  return success();
}

static FloatAttr getF64(MLIRContext *context, double value) {
  return FloatAttr::get(Float64Type::get(context), value);
}

/// A KPI value must be a finite, non-negative number: NaN or a negative latency is a modelling bug upstream
/// that must not propagate silently into device assignment.
static LogicalResult verifyKpiValue(function_ref<InFlightDiagnostic()> emitError, FloatAttr value,
                                    StringRef what) {
  double v = value.getValueAsDouble();
  if (std::isnan(v))
    return emitError() << what << " must be a number, got NaN";
  if (std::isinf(v))
    return emitError() << what << " must be finite, got " << (v < 0 ? "-inf" : "inf");
  if (v < 0)
    return emitError() << what << " must be non-negative, got " << formatNumber(v);
  return success();
}

//===----------------------------------------------------------------------===//
// EstimateAttr
//===----------------------------------------------------------------------===//

EstimateAttr EstimateAttr::getNoModel(MLIRContext *context) { return get(context, FloatAttr(), false, false, false); }

EstimateAttr EstimateAttr::getDoesNotFit(MLIRContext *context) {
  return get(context, FloatAttr(), false, false, true);
}

double EstimateAttr::getValueAsDouble() const {
  FloatAttr value = getValue();
  return value ? value.getValueAsDouble() : 0.0;
}

LogicalResult EstimateAttr::verify(function_ref<InFlightDiagnostic()> emitError, FloatAttr value,
                                   bool extrapolated, bool exceedsCapacity, bool doesNotFit) {
  if (!value) {
    if (extrapolated)
      return emitError() << "a no_model or does_not_fit estimate cannot be extrapolated";
    if (exceedsCapacity)
      return emitError() << "exceeds_capacity needs the demand as a value";
    return success();
  }
  if (doesNotFit)
    return emitError() << "a does_not_fit estimate has no value";
  return verifyKpiValue(emitError, value, "estimate");
}

void EstimateAttr::printBody(AsmPrinter &printer) const {
  if (!hasModel()) {
    printer << (getDoesNotFit() ? "does_not_fit" : "no_model");
    return;
  }
  printNumber(printer, getValueAsDouble());
  if (getExtrapolated())
    printer << " extrapolated";
  if (getExceedsCapacity())
    printer << " exceeds_capacity";
}

EstimateAttr EstimateAttr::parseBody(AsmParser &parser) {
  MLIRContext *context = parser.getContext();
  SMLoc loc = parser.getCurrentLocation();
  auto emitError = [&] { return parser.emitError(loc); };
  if (succeeded(parser.parseOptionalKeyword("no_model")))
    return getChecked(emitError, context, FloatAttr(), false, false, false);
  if (succeeded(parser.parseOptionalKeyword("does_not_fit")))
    return getChecked(emitError, context, FloatAttr(), false, false, true);
  double value;
  if (parseNumber(parser, value))
    return {};
  bool extrapolated = succeeded(parser.parseOptionalKeyword("extrapolated"));
  bool exceeds = succeeded(parser.parseOptionalKeyword("exceeds_capacity"));
  return getChecked(emitError, context, getF64(context, value), extrapolated, exceeds, false);
}

void EstimateAttr::print(AsmPrinter &printer) const {
  printer << '<';
  printBody(printer);
  printer << '>';
}

Attribute EstimateAttr::parse(AsmParser &parser, Type) {
  if (parser.parseLess())
    return {};
  EstimateAttr result = parseBody(parser);
  if (!result || parser.parseGreater())
    return {};
  return result;
}

//===----------------------------------------------------------------------===//
// KpiAttr
//===----------------------------------------------------------------------===//

EstimateAttr KpiAttr::getResource(StringRef name) const {
  DictionaryAttr resources = getResources();
  return resources ? resources.getAs<EstimateAttr>(name) : EstimateAttr();
}

bool KpiAttr::isInfeasible() const {
  for (EstimateAttr e : {getLatencyUs(), getEnergyUj()})
    if (e && e.getDoesNotFit())
      return true;
  if (DictionaryAttr resources = getResources())
    for (NamedAttribute entry : resources)
      if (cast<EstimateAttr>(entry.getValue()).getDoesNotFit())
        return true;
  return false;
}

bool KpiAttr::exceedsSomeCapacity() const {
  if (DictionaryAttr resources = getResources())
    for (NamedAttribute entry : resources)
      if (cast<EstimateAttr>(entry.getValue()).getExceedsCapacity())
        return true;
  return false;
}

LogicalResult KpiAttr::verify(function_ref<InFlightDiagnostic()> emitError, EstimateAttr latencyUs,
                              EstimateAttr energyUj, DictionaryAttr resources, int64_t unmodeledOps,
                              int64_t unfitOps, StringAttr note) {
  if (unmodeledOps < 0)
    return emitError() << "unmodeled_ops must be non-negative, got " << unmodeledOps;
  if (unfitOps < 0)
    return emitError() << "unfit_ops must be non-negative, got " << unfitOps;
  if (!latencyUs && !energyUj && !resources)
    return emitError() << "a #flydel.kpi must hold at least one of latency_us, energy_uj, resources";
  if (resources) {
    for (NamedAttribute entry : resources)
      if (!isa<EstimateAttr>(entry.getValue()))
        return emitError() << "resource '" << entry.getName().getValue() << "' must be a #flydel.estimate";
  }
  return success();
}

void KpiAttr::print(AsmPrinter &printer) const {
  printer << '<';
  llvm::ListSeparator sep;
  if (EstimateAttr latency = getLatencyUs()) {
    printer << StringRef(sep) << "latency_us = ";
    latency.printBody(printer);
  }
  if (EstimateAttr energy = getEnergyUj()) {
    printer << StringRef(sep) << "energy_uj = ";
    energy.printBody(printer);
  }
  if (DictionaryAttr resources = getResources()) {
    printer << StringRef(sep) << "resources = {";
    llvm::interleaveComma(resources, printer, [&](NamedAttribute entry) {
      printer.printKeywordOrString(entry.getName().getValue());
      printer << " = ";
      cast<EstimateAttr>(entry.getValue()).printBody(printer);
    });
    printer << '}';
  }
  if (getUnmodeledOps() != 0)
    printer << StringRef(sep) << "unmodeled_ops = " << getUnmodeledOps();
  if (getUnfitOps() != 0)
    printer << StringRef(sep) << "unfit_ops = " << getUnfitOps();
  if (StringAttr note = getNote()) {
    printer << StringRef(sep) << "note = ";
    printQuoted(printer, note.getValue());
  }
  printer << '>';
}

Attribute KpiAttr::parse(AsmParser &parser, Type) {
  MLIRContext *context = parser.getContext();
  SMLoc startLoc = parser.getCurrentLocation();
  EstimateAttr latency, energy;
  DictionaryAttr resources;
  std::optional<int64_t> unmodeledOps, unfitOps;
  StringAttr note;
  if (parser.parseLess())
    return {};

  auto parseEntry = [&]() -> ParseResult {
    SMLoc keyLoc = parser.getCurrentLocation();
    StringRef key;
    if (parser.parseKeyword(&key) || parser.parseEqual())
      return failure();
    if (key == "latency_us" || key == "energy_uj") {
      EstimateAttr &slot = key == "latency_us" ? latency : energy;
      if (slot)
        return parser.emitError(keyLoc) << "duplicate KPI '" << key << "'";
      slot = EstimateAttr::parseBody(parser);
      return success(static_cast<bool>(slot));
    }
    if (key == "resources") {
      if (resources)
        return parser.emitError(keyLoc) << "duplicate KPI 'resources'";
      NamedAttrList entries;
      llvm::SmallSet<StringRef, 8> seen;
      auto parseResource = [&]() -> ParseResult {
        SMLoc nameLoc = parser.getCurrentLocation();
        std::string name;
        if (parser.parseKeywordOrString(&name) || parser.parseEqual())
          return failure();
        EstimateAttr estimate = EstimateAttr::parseBody(parser);
        if (!estimate)
          return failure();
        if (entries.get(name))
          return parser.emitError(nameLoc) << "duplicate resource '" << name << "'";
        entries.append(name, estimate);
        return success();
      };
      if (parser.parseCommaSeparatedList(AsmParser::Delimiter::Braces, parseResource))
        return failure();
      resources = entries.getDictionary(context);
      return success();
    }
    if (key == "unmodeled_ops") {
      if (unmodeledOps)
        return parser.emitError(keyLoc) << "duplicate 'unmodeled_ops'";
      int64_t count = 0;
      if (parser.parseInteger(count))
        return failure();
      unmodeledOps = count;
      return success();
    }
    if (key == "unfit_ops") {
      if (unfitOps)
        return parser.emitError(keyLoc) << "duplicate 'unfit_ops'";
      int64_t count = 0;
      if (parser.parseInteger(count))
        return failure();
      unfitOps = count;
      return success();
    }
    if (key == "note") {
      if (note)
        return parser.emitError(keyLoc) << "duplicate 'note'";
      std::string text;
      if (parser.parseString(&text))
        return failure();
      note = StringAttr::get(context, text);
      return success();
    }
    return parser.emitError(keyLoc) << "unknown KPI '" << key
                                    << "' (expected latency_us, energy_uj, resources, unmodeled_ops, unfit_ops or note)";
  };

  if (failed(parser.parseOptionalGreater())) {
    if (parser.parseCommaSeparatedList(parseEntry) || parser.parseGreater())
      return {};
  }
  return getChecked([&] { return parser.emitError(startLoc); }, context, latency, energy, resources,
                    unmodeledOps.value_or(0), unfitOps.value_or(0), note);
}

//===----------------------------------------------------------------------===//
// DeviceAttr
//===----------------------------------------------------------------------===//

LogicalResult DeviceAttr::verify(function_ref<InFlightDiagnostic()> emitError, StringAttr name, DeviceKind,
                                 DictionaryAttr capacities) {
  if (!name || name.getValue().empty())
    return emitError() << "device name must not be empty";
  if (capacities) {
    for (NamedAttribute entry : capacities) {
      auto count = dyn_cast<IntegerAttr>(entry.getValue());
      if (!count)
        return emitError() << "capacity '" << entry.getName().getValue() << "' of device '" << name.getValue()
                           << "' must be an integer count";
      if (count.getValue().isNegative())
        return emitError() << "capacity '" << entry.getName().getValue() << "' of device '" << name.getValue()
                           << "' must be non-negative, got " << count.getValue().getSExtValue();
    }
  }
  return success();
}

//===----------------------------------------------------------------------===//
// LinkAttr
//===----------------------------------------------------------------------===//

double LinkAttr::getLatencyUs(double bytes) const {
  return getLatencyUsFixed().getValueAsDouble() + getLatencyUsPerKib().getValueAsDouble() * bytes / 1024.0;
}

LogicalResult LinkAttr::verify(function_ref<InFlightDiagnostic()> emitError, StringAttr from, StringAttr to,
                               FloatAttr latencyFixed, FloatAttr latencyPerKib, FloatAttr energyFixed,
                               FloatAttr energyPerKib, UnitAttr assumed) {
  if (!from || from.getValue().empty() || !to || to.getValue().empty())
    return emitError() << "link endpoints must be non-empty device names";
  if (from == to)
    return emitError() << "link from device '" << from.getValue() << "' to itself";
  if (!latencyFixed || !latencyPerKib)
    return emitError() << "link '" << from.getValue() << "' -> '" << to.getValue() << "' needs a latency model";
  if (failed(verifyKpiValue(emitError, latencyFixed, "link latency_us")) ||
      failed(verifyKpiValue(emitError, latencyPerKib, "link latency_us per_kib")))
    return failure();
  if (static_cast<bool>(energyFixed) != static_cast<bool>(energyPerKib))
    return emitError() << "link energy model needs both a fixed and a per_kib term";
  if (energyFixed && (failed(verifyKpiValue(emitError, energyFixed, "link energy_uj")) ||
                      failed(verifyKpiValue(emitError, energyPerKib, "link energy_uj per_kib"))))
    return failure();
  return success();
}

void LinkAttr::print(AsmPrinter &printer) const {
  printer << '<';
  printer.printString(getFrom().getValue());
  printer << " -> ";
  printer.printString(getTo().getValue());
  printer << ", latency_us = ";
  printNumber(printer, getLatencyUsFixed().getValueAsDouble());
  printer << " + ";
  printNumber(printer, getLatencyUsPerKib().getValueAsDouble());
  printer << " per_kib";
  if (getEnergyUjFixed()) {
    printer << ", energy_uj = ";
    printNumber(printer, getEnergyUjFixed().getValueAsDouble());
    printer << " + ";
    printNumber(printer, getEnergyUjPerKib().getValueAsDouble());
    printer << " per_kib";
  }
  if (getAssumed())
    printer << ", assumed";
  printer << '>';
}

Attribute LinkAttr::parse(AsmParser &parser, Type) {
  MLIRContext *context = parser.getContext();
  SMLoc loc = parser.getCurrentLocation();
  std::string from, to;
  double latencyFixed, latencyPerKib;
  if (parser.parseLess() || parser.parseString(&from) || parser.parseArrow() || parser.parseString(&to) ||
      parser.parseComma() || parser.parseKeyword("latency_us") || parser.parseEqual() ||
      parseNumber(parser, latencyFixed) || parser.parsePlus() || parseNumber(parser, latencyPerKib) ||
      parser.parseKeyword("per_kib"))
    return {};
  FloatAttr energyFixedAttr, energyPerKibAttr;
  UnitAttr assumed;
  bool comma = succeeded(parser.parseOptionalComma());
  if (comma && failed(parser.parseOptionalKeyword("assumed"))) {
    double energyFixed, energyPerKib;
    if (parser.parseKeyword("energy_uj") || parser.parseEqual() || parseNumber(parser, energyFixed) ||
        parser.parsePlus() || parseNumber(parser, energyPerKib) || parser.parseKeyword("per_kib"))
      return {};
    energyFixedAttr = getF64(context, energyFixed);
    energyPerKibAttr = getF64(context, energyPerKib);
    comma = succeeded(parser.parseOptionalComma());
    if (comma && parser.parseKeyword("assumed"))
      return {};
  }
  if (comma)
    assumed = UnitAttr::get(context);
  if (parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(loc); }, context, StringAttr::get(context, from),
                    StringAttr::get(context, to), getF64(context, latencyFixed), getF64(context, latencyPerKib),
                    energyFixedAttr, energyPerKibAttr, assumed);
}

//===----------------------------------------------------------------------===//
// PlatformAttr
//===----------------------------------------------------------------------===//

DeviceAttr PlatformAttr::lookupDevice(StringRef name) const {
  for (DeviceAttr device : getDevices())
    if (device.getName().getValue() == name)
      return device;
  return {};
}

LinkAttr PlatformAttr::lookupLink(StringRef from, StringRef to) const {
  for (LinkAttr link : getLinks())
    if (link.getFrom().getValue() == from && link.getTo().getValue() == to)
      return link;
  return {};
}

LogicalResult PlatformAttr::verify(function_ref<InFlightDiagnostic()> emitError, StringAttr name,
                                   ArrayRef<DeviceAttr> devices, ArrayRef<LinkAttr> links) {
  if (!name || name.getValue().empty())
    return emitError() << "platform name must not be empty";
  if (devices.empty())
    return emitError() << "platform '" << name.getValue() << "' has no devices";
  llvm::SmallSet<StringRef, 8> deviceNames;
  for (DeviceAttr device : devices)
    if (!deviceNames.insert(device.getName().getValue()).second)
      return emitError() << "platform '" << name.getValue() << "' has duplicate device name '"
                         << device.getName().getValue() << "'";
  llvm::SmallSet<std::pair<StringRef, StringRef>, 8> linkEnds;
  for (LinkAttr link : links) {
    for (StringAttr end : {link.getFrom(), link.getTo()})
      if (!deviceNames.contains(end.getValue()))
        return emitError() << "platform '" << name.getValue() << "' has a link to or from unknown device '"
                           << end.getValue() << "'";
    if (!linkEnds.insert({link.getFrom().getValue(), link.getTo().getValue()}).second)
      return emitError() << "platform '" << name.getValue() << "' has two links from '"
                         << link.getFrom().getValue() << "' to '" << link.getTo().getValue() << "'";
  }
  return success();
}

LogicalResult FoldingAttr::verify(function_ref<InFlightDiagnostic()> emitError, int64_t pe, int64_t simd) {
  // The RTL's lane counts: at least one lane each; 1024 keeps beats within what the engines' ports are tested for.
  if (pe < 1 || pe > 1024)
    return emitError() << "folding pe must be in 1..1024, got " << pe;
  if (simd < 1 || simd > 1024)
    return emitError() << "folding simd must be in 1..1024, got " << simd;
  return success();
}
