#pragma once
// The config tests' one probe: a document's error text, or "OK" when it parses.
#include <string>

#include "core/config.hpp"

namespace tdmaker::test {

inline std::string config_error(const std::string& json) {
  auto r = parse_config(json);
  return r ? std::string("OK") : r.error();
}

} // namespace tdmaker::test
