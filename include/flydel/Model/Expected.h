//===- Expected.h - Value-or-error result without exceptions ----*- C++ -*-===//
//
// The model library is called from code built with -fno-exceptions (the MLIR pass), so every fallible public
// function returns one of these instead of throwing.
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_MODEL_EXPECTED_H
#define FLYDEL_MODEL_EXPECTED_H

#include <optional>
#include <string>
#include <utility>

namespace flydel {

/// An error message, meant for a human (it names the file, line, column or option at fault where known).
struct Error {
  std::string message;
};

/// Holds either a value or an Error. Accessing the value of an error result is a programming error (asserted).
template <typename T> class Expected {
public:
  Expected(T value) : value_(std::move(value)) {}
  Expected(Error error) : error_(std::move(error.message)) {}

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  const std::string &error() const { return error_; }

  T &value() & { return *value_; }
  const T &value() const & { return *value_; }
  T &&value() && { return std::move(*value_); }
  T *operator->() { return &*value_; }
  const T *operator->() const { return &*value_; }
  T &operator*() & { return *value_; }
  const T &operator*() const & { return *value_; }

private:
  std::optional<T> value_;
  std::string error_;
};

/// Convenience to build an error result: `return makeError("bad thing: " + what);`.
inline Error makeError(std::string message) { return Error{std::move(message)}; }

} // namespace flydel

#endif // FLYDEL_MODEL_EXPECTED_H
