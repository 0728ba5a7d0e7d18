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

/// Parses `text` into `doc`; fails unless it is a JSON object.
result<bool> parse_object(rapidjson::Document& doc, std::string_view text);

} // namespace tdmaker::json
