#include "core/json_read.hpp"

#include "core/json_parse.hpp"

namespace tdmaker::json {

result<std::string> get_string(const rapidjson::Value& obj, const char* key) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd())
    return fail(std::string("missing field '") + key + "'");
  if (!it->value.IsString())
    return fail(std::string("field '") + key + "' must be a string");
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

result<std::int64_t> get_int(const rapidjson::Value& obj, const char* key) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd())
    return fail(std::string("missing field '") + key + "'");
  if (!it->value.IsInt64())
    return fail(std::string("field '") + key + "' must be an integer");
  return it->value.GetInt64();
}

result<bool> get_bool(const rapidjson::Value& obj, const char* key) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd())
    return fail(std::string("missing field '") + key + "'");
  if (!it->value.IsBool())
    return fail(std::string("field '") + key + "' must be a boolean");
  return it->value.GetBool();
}

result<bool> parse_object(rapidjson::Document& doc, std::string_view text) {
  if (auto parsed = parse(doc, text); !parsed)
    return parsed;
  if (!doc.IsObject())
    return fail("expected a JSON object");
  return true;
}

std::string field_reader::str(const char* key) {
  auto v = get_string(obj_, key);
  if (!v) {
    note(v.error());
    return {};
  }
  return std::move(v).value();
}

std::int64_t field_reader::num(const char* key) {
  auto v = get_int(obj_, key);
  if (!v) {
    note(v.error());
    return 0;
  }
  return *v;
}

bool field_reader::flag(const char* key) {
  auto it = obj_.FindMember(key);
  return it != obj_.MemberEnd() && it->value.IsBool() && it->value.GetBool();
}

} // namespace tdmaker::json
