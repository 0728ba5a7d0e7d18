#pragma once
// A value or a human-readable error. std::expected is C++23; this is the small
// subset the project needs, so every parser can return "why not" instead of throwing.
#include <string>
#include <utility>
#include <variant>

namespace tdmaker {

struct failure {
  std::string message;
};

template <class T>
class result {
public:
  result(T value) : v_(std::move(value)) {}
  result(failure f) : v_(std::move(f)) {}

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  const T& value() const& { return std::get<0>(v_); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }
  const std::string& error() const { return std::get<1>(v_).message; }

private:
  std::variant<T, failure> v_;
};

inline failure fail(std::string message) { return failure{std::move(message)}; }

} // namespace tdmaker
