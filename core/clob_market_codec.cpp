#include "core/clob_market_codec.hpp"

#include <string>

#include <rapidjson/document.h>

#include "core/json_parse.hpp"

namespace tdmaker {
namespace {

// A JSON number read as text (kParseNumbersAsStringsFlag), or "" when absent.
std::string number_text(const rapidjson::Value& o, const char* key) {
  auto it = o.FindMember(key);
  return it != o.MemberEnd() && it->value.IsString()
           ? std::string(it->value.GetString(), it->value.GetStringLength())
           : std::string();
}

} // namespace

result<fee_schedule> parse_clob_market_fees(std::string_view json) {
  rapidjson::Document d;
  if (auto parsed = json::parse<rapidjson::kParseNumbersAsStringsFlag>(d, json); !parsed)
    return fail("clob-markets: reply refused: " + parsed.error());
  if (!d.IsObject())
    return fail("clob-markets: reply is not an object");
  auto fd = d.FindMember("fd");
  if (fd == d.MemberEnd() || !fd->value.IsObject())
    return fail("clob-markets: no fee details ('fd')");
  bool taker_only = true;
  if (auto to = fd->value.FindMember("to"); to != fd->value.MemberEnd()) {
    if (!to->value.IsBool())
      return fail("clob-markets: fd.to is not a boolean");
    taker_only = to->value.GetBool();
  }
  auto s = make_fee_schedule(number_text(fd->value, "r"), number_text(fd->value, "e"), taker_only);
  if (!s)
    return fail("clob-markets: fd: " + s.error());
  return s;
}

fee_choice choose_fee_schedule(const fee_schedule& gamma, int clob_status, std::string_view clob_body) {
  std::string why;
  if (clob_status == 200) {
    auto clob = parse_clob_market_fees(clob_body);
    if (clob) {
      if (gamma.known && !(gamma == *clob))
        return {*clob, "CLOB fd (" + describe(*clob) + ") differs from Gamma feeSchedule (" + describe(gamma)
                         + "); the CLOB's is used"};
      return {*clob, ""};
    }
    why = clob.error();
  } else {
    why = "clob-markets answered " + std::to_string(clob_status);
  }
  return {gamma, why + (gamma.known ? "; Gamma's feeSchedule is used" : "; Gamma has none either")};
}

} // namespace tdmaker
