//===- TextParse.h - Strict parsing of numbers and input text ---*- C++ -*-===//
//
// One set of rules for every file and option flydel reads, MLIR-free and header-only so that every tool (also the
// MLIR-free flydel-fpga) shares them:
//  - a UTF-8 byte order mark at the start of a file (Excel and Windows editors write one) is skipped;
//  - a number consumes its whole text, is finite, and is not subnormal: a value below 2.2e-308 in magnitude (such as
//    1e-320) has lost precision and means a unit mistake or corrupt data, so it is refused rather than read as a
//    denormal or silently as 0; exactly 0 stays a number;
//  - an integer consumes its whole text and lies in a stated range (no wrap-around, no atoi-style 0 for "abc").
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_MODEL_TEXTPARSE_H
#define FLYDEL_MODEL_TEXTPARSE_H

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace flydel {

/// `text` without a leading UTF-8 byte order mark (EF BB BF).
inline std::string_view skipUtf8Bom(std::string_view text) {
  if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF && static_cast<unsigned char>(text[1]) == 0xBB &&
      static_cast<unsigned char>(text[2]) == 0xBF)
    text.remove_prefix(3);
  return text;
}

/// Why `value` (already parsed) is not a usable number, or empty: non-finite or subnormal values are refused.
inline std::string numberProblem(double value) {
  if (std::isnan(value))
    return "not a number (NaN)";
  if (std::isinf(value))
    return "not finite";
  if (std::fpclassify(value) == FP_SUBNORMAL)
    return "too small in magnitude (below 2.2e-308, a subnormal double: write 0 or check the unit)";
  return {};
}

/// Parses a whole string as a finite, non-subnormal double. On failure returns false and sets `why` (without the
/// text itself, which the caller quotes with its location).
inline bool parseStrictDouble(std::string_view text, double &value, std::string *why = nullptr) {
  auto refuse = [&](const char *reason) {
    if (why)
      *why = reason;
    return false;
  };
  std::string s(text);
  if (s.empty())
    return refuse("empty");
  // strtod skips leading white space; a value with any is not what the user wrote as a number.
  if (std::isspace(static_cast<unsigned char>(s.front())))
    return refuse("not a number");
  char *end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0')
    return refuse("not a number");
  if (errno == ERANGE && std::isinf(v))
    return refuse("too large in magnitude for a double");
  std::string problem = numberProblem(v);
  if (!problem.empty()) {
    if (why)
      *why = problem;
    return false;
  }
  value = v;
  return true;
}

/// Parses a whole string as a decimal integer in [lo, hi]. On failure returns false and sets `why`.
inline bool parseStrictInteger(std::string_view text, int64_t lo, int64_t hi, int64_t &value,
                               std::string *why = nullptr) {
  std::string s(text);
  char *end = nullptr;
  errno = 0;
  long long v = s.empty() || std::isspace(static_cast<unsigned char>(s.front())) ? 0 : std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || std::isspace(static_cast<unsigned char>(s.front())) || end == s.c_str() || *end != '\0') {
    if (why)
      *why = "not an integer";
    return false;
  }
  if (errno == ERANGE || v < lo || v > hi) {
    if (why)
      *why = "out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
    return false;
  }
  value = v;
  return true;
}

/// A tool's command line, argument by argument: options as `--name value` or `--name=value`. The word after an
/// option that takes a value is another option, not the value, when it starts with '-' and is not a number:
/// "--unit --quiet" is a missing value, not a unit named "--quiet" (write --unit=-x for such a value).
class OptionCursor {
public:
  /// `fail` reports a usage error and ends the program (if it returns, the program exits with status 2).
  OptionCursor(int argc, char **argv, void (*fail)(const std::string &)) : argc(argc), argv(argv), fail(fail) {}

  /// Moves to the next argument; false past the last one.
  bool next() {
    if (++at >= argc)
      return false;
    current = argv[at];
    inlineValue.clear();
    hasInline = false;
    if (current.rfind("--", 0) == 0)
      if (auto eq = current.find('='); eq != std::string::npos) {
        inlineValue = current.substr(eq + 1);
        current.resize(eq);
        hasInline = true;
      }
    return true;
  }
  /// The current argument (for --name=value, --name).
  const std::string &arg() const { return current; }
  /// The current option's value: written inline, or the next argument (which it then consumes).
  std::string value() {
    if (hasInline)
      return inlineValue;
    if (at + 1 >= argc)
      usage("option " + current + " needs a value");
    std::string v = argv[at + 1];
    double number;
    if (v.size() > 1 && v[0] == '-' && !parseStrictDouble(v, number))
      usage("option " + current + " needs a value, but option '" + v + "' follows it (write " + current + "=" + v +
            " if that is the value)");
    ++at;
    return v;
  }

private:
  [[noreturn]] void usage(const std::string &message) {
    fail(message);
    std::exit(2);
  }
  int argc;
  char **argv;
  void (*fail)(const std::string &);
  int at = 0;
  std::string current, inlineValue;
  bool hasInline = false;
};

} // namespace flydel

#endif // FLYDEL_MODEL_TEXTPARSE_H
