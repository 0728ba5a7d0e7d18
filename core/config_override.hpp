#pragma once
// `tdmaker replay --set key=v1,v2,...`: one config per value, each the base config
// with one dotted key replaced. The replaced value keeps the JSON type the key
// already has (a price written as a string stays a string, a count stays a
// number), so an override can never slip past the config's own type checks; a
// new key takes a number when the text is one, else a string. The result is
// parsed by the config's own parser afterwards: an override is validated exactly
// as a config file is. Pure.
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace tdmaker {

struct config_sweep {
  std::string key;                 // "strategies.capture_99c.threshold"
  std::vector<std::string> values; // "0.6", "0.7"
};

/// "key=v1,v2,...": a key of [A-Za-z0-9_.] with no empty part, one or more non-empty values.
result<config_sweep> parse_config_sweep(std::string_view arg);

/// `json` with `key` set to `value`; objects on the way are created.
result<std::string> override_config(std::string_view json, std::string_view key, std::string_view value);

} // namespace tdmaker
