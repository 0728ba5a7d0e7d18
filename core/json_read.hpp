#pragma once
// Small helpers for reading required members out of a RapidJSON object with an
// error that names the field; shared by every decoder in core/.
#include <cstdint>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "core/result.hpp"

namespace tdmaker::json {

result<std::string> get_string(const rapidjson::Value& obj, const char* key);
result<std::int64_t> get_int(const rapidjson::Value& obj, const char* key);
/// A required boolean (field_reader::flag is the optional one).
result<bool> get_bool(const rapidjson::Value& obj, const char* key);

/// Parses `text` into `doc`; fails unless it is a JSON object.
result<bool> parse_object(rapidjson::Document& doc, std::string_view text);

/// Reads required fields of one record and keeps the first error, so a decoder
/// reads every field in a row and checks once at the end.
class field_reader {
public:
  explicit field_reader(const rapidjson::Value& obj) : obj_(obj) {}
  std::string str(const char* key);
  std::int64_t num(const char* key);
  bool flag(const char* key); // optional: absent = false
  /// Stores a parsed value, or notes `what: error`.
  template <class T>
  void check(const result<T>& parsed, T& out, const char* what) {
    if (parsed)
      out = *parsed;
    else
      note(std::string(what) + ": " + parsed.error());
  }
  void note(std::string error) {
    if (error_.empty())
      error_ = std::move(error);
  }
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

private:
  const rapidjson::Value& obj_;
  std::string error_;
};

} // namespace tdmaker::json
