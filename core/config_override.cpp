#include "core/config_override.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/json_parse.hpp"
#include "core/json_read.hpp"

namespace tdmaker {
namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    auto i = s.find(sep);
    out.push_back(s.substr(0, i));
    if (i == std::string_view::npos)
      return out;
    s.remove_prefix(i + 1);
  }
}

bool key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/// The new value in the type of `old` (null: no old value).
result<bool> assign(rapidjson::Value& slot, const rapidjson::Value* old, std::string_view text,
                    rapidjson::Document::AllocatorType& a, std::string_view key) {
  rapidjson::Document parsed;
  const bool is_json = static_cast<bool>(json::parse(parsed, text)) && (parsed.IsNumber() || parsed.IsBool());
  if (old && old->IsString()) {
    slot.SetString(text.data(), static_cast<rapidjson::SizeType>(text.size()), a);
    return true;
  }
  if (old && (old->IsNumber() || old->IsBool())) {
    if (!is_json || parsed.IsBool() != old->IsBool())
      return fail("--set " + std::string(key) + ": '" + std::string(text) + "' is not a "
                  + (old->IsBool() ? "true/false" : "number") + " like the config's value");
    slot.CopyFrom(parsed, a);
    return true;
  }
  if (old && !old->IsNull())
    return fail("--set " + std::string(key) + ": the config's value is an object or array, not one value");
  if (is_json)
    slot.CopyFrom(parsed, a);
  else
    slot.SetString(text.data(), static_cast<rapidjson::SizeType>(text.size()), a);
  return true;
}

} // namespace

result<config_sweep> parse_config_sweep(std::string_view arg) {
  auto eq = arg.find('=');
  if (eq == std::string_view::npos || eq == 0)
    return fail("--set wants key=v1,v2,... (got '" + std::string(arg) + "')");
  config_sweep s;
  s.key = std::string(arg.substr(0, eq));
  for (auto part : split(s.key, '.')) {
    if (part.empty())
      return fail("--set: '" + s.key + "' has an empty part");
    for (char c : part)
      if (!key_char(c))
        return fail("--set: '" + s.key + "' is not a dotted config key");
  }
  for (auto v : split(arg.substr(eq + 1), ',')) {
    if (v.empty())
      return fail("--set " + s.key + ": an empty value");
    s.values.emplace_back(v);
  }
  return s;
}

result<std::string> override_config(std::string_view text, std::string_view key, std::string_view value) {
  rapidjson::Document doc;
  if (auto ok = json::parse_object(doc, text); !ok)
    return fail("config: " + ok.error());
  auto& a = doc.GetAllocator();
  rapidjson::Value* at = &doc;
  auto parts = split(key, '.');
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    rapidjson::Value name(parts[i].data(), static_cast<rapidjson::SizeType>(parts[i].size()), a);
    auto it = at->FindMember(name);
    if (it == at->MemberEnd()) {
      at->AddMember(name, rapidjson::Value(rapidjson::kObjectType), a);
      it = at->FindMember(rapidjson::Value(parts[i].data(), static_cast<rapidjson::SizeType>(parts[i].size())));
    }
    if (!it->value.IsObject())
      return fail("--set " + std::string(key) + ": '" + std::string(parts[i]) + "' is not an object in the config");
    at = &it->value;
  }
  const auto leaf = parts.back();
  rapidjson::Value leaf_name(leaf.data(), static_cast<rapidjson::SizeType>(leaf.size()));
  auto it = at->FindMember(leaf_name);
  rapidjson::Value v;
  if (auto ok = assign(v, it == at->MemberEnd() ? nullptr : &it->value, value, a, key); !ok)
    return fail(ok.error());
  if (it == at->MemberEnd())
    at->AddMember(rapidjson::Value(leaf.data(), static_cast<rapidjson::SizeType>(leaf.size()), a), v, a);
  else
    it->value = v;
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  doc.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

} // namespace tdmaker
