#include "venue/fee_config.hpp"

#include <algorithm>

#include "venue/market_catalog.hpp"

namespace tdmaker::venue {
namespace {

const fee_schedule polymarket_crypto_default{true, 70'000, 1, true};

bool series_name_ok(const std::string& s) {
  return !s.empty() && s.size() <= 24 && s.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos;
}

} // namespace

result<fee_schedule> parse_fee_entry(const std::string& path, const rapidjson::Value& v) {
  if (!v.IsObject())
    return fail(path + ": expected an object {\"rate\": \"0.07\", \"exponent\": 1}");
  std::string rate, exponent = "1";
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
    std::string k = it->name.GetString();
    if (k == "rate" && it->value.IsString())
      rate = it->value.GetString();
    else if (k == "exponent" && it->value.IsInt64())
      exponent = std::to_string(it->value.GetInt64());
    else if (k == "rate" || k == "exponent")
      return fail(path + "." + k + (k == "rate" ? ": expected a decimal string" : ": expected an integer"));
    else
      return fail(path + "." + k + ": unknown key");
  }
  if (rate.empty())
    return fail(path + ".rate: missing");
  auto s = make_fee_schedule(rate, exponent, true);
  if (!s)
    return fail(path + ": " + s.error());
  return s;
}

result<std::pair<std::string, fee_schedule>> parse_fee_flag(const std::string& text) {
  auto eq = text.find('=');
  if (eq == std::string::npos || !series_name_ok(text.substr(0, eq)))
    return fail("--fee-schedule: expected SERIES=RATE[:EXPONENT] (e.g. btc-15m=0.05:2), got '" + text + "'");
  auto rest = text.substr(eq + 1);
  auto colon = rest.find(':');
  auto s = make_fee_schedule(rest.substr(0, colon), colon == std::string::npos ? "1" : rest.substr(colon + 1), true);
  if (!s)
    return fail("--fee-schedule " + text + ": " + s.error());
  return std::pair{text.substr(0, eq), *s};
}

std::string unknown_fee_series(const fee_table& fees, const std::set<std::string>& series) {
  for (auto& entry : fees)
    if (!series.count(entry.first)) {
      std::string known;
      for (auto& s : series)
        known += (known.empty() ? "" : " ") + s;
      return "fee schedule for series '" + entry.first + "': no such series (listed: " + known + ")";
    }
  return "";
}

fee_schedule fee_for(const fee_table& fees, const std::string& key) {
  auto it = fees.find(key);
  return it == fees.end() ? polymarket_crypto_default : it->second;
}

fee_schedule fee_for(const fee_table& fees, const std::string& asset, std::int64_t slot_seconds) {
  return fee_for(fees, asset + "-" + slot_label(slot_seconds));
}

} // namespace tdmaker::venue
