#pragma once
// A thin RapidJSON writer for the venue's responses.
#include <cstdint>
#include <string>
#include <string_view>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace tdmaker::venue {

class json_out {
public:
  json_out& obj() { return w_.StartObject(), *this; }
  json_out& end_obj() { return w_.EndObject(), *this; }
  json_out& arr() { return w_.StartArray(), *this; }
  json_out& end_arr() { return w_.EndArray(), *this; }
  json_out& key(std::string_view k) {
    w_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
    return *this;
  }
  json_out& str(std::string_view v) {
    w_.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
    return *this;
  }
  json_out& num(std::int64_t v) { return w_.Int64(v), *this; }
  json_out& real(double v) { return w_.Double(v), *this; }
  json_out& boolean(bool v) { return w_.Bool(v), *this; }
  json_out& null() { return w_.Null(), *this; }
  json_out& raw(std::string_view json) {
    w_.RawValue(json.data(), json.size(), rapidjson::kObjectType);
    return *this;
  }
  /// A number written exactly as given (e.g. a fixed-point decimal).
  json_out& raw_number(std::string_view digits) {
    w_.RawValue(digits.data(), digits.size(), rapidjson::kNumberType);
    return *this;
  }
  // key + value in one call
  json_out& kv(std::string_view k, std::string_view v) { return key(k).str(v); }
  json_out& kv(std::string_view k, const char* v) { return key(k).str(v); }
  json_out& kv(std::string_view k, const std::string& v) { return key(k).str(v); }
  json_out& kn(std::string_view k, std::int64_t v) { return key(k).num(v); }
  json_out& kb(std::string_view k, bool v) { return key(k).boolean(v); }
  std::string take() { return {buf_.GetString(), buf_.GetSize()}; }

private:
  rapidjson::StringBuffer buf_;
  rapidjson::Writer<rapidjson::StringBuffer> w_{buf_};
};

} // namespace tdmaker::venue
