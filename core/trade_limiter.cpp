#include "core/trade_limiter.hpp"

#include <algorithm>
#include <set>

#include <rapidjson/document.h>

#include "core/json_read.hpp"
#include "core/json_write.hpp"
#include "core/money.hpp"

namespace tdmaker {

trade_limiter::trade_limiter(session_clock clock, bool paper) : clock_(clock) {
  rec_.paper = paper;
  rec_.session = clock_.index(0);
}

void trade_limiter::restore(const trade_count_record& r) {
  if (r.paper != rec_.paper)
    return; // the other book's record: books never mix
  rec_ = r;
}

trade_verdict trade_limiter::check(std::string_view market, std::uint32_t limit, std::int64_t now_ms) {
  auto idx = clock_.index(now_ms);
  // A new session starts at zero. A clock that went back keeps counting the
  // stored session: resetting would let it trade more than the limit.
  if (idx > rec_.session) {
    rec_.session = idx;
    rec_.markets.clear();
  }
  if (std::find(rec_.markets.begin(), rec_.markets.end(), market) != rec_.markets.end())
    return trade_verdict::repeat;
  // Only what the record's reader accepts is counted: a record the store could
  // not read back would lose the session's count at the next restart.
  if (auto id = parse_condition_id(market); !id || id->hex != market)
    return trade_verdict::refused;
  if ((limit != 0 && rec_.markets.size() >= limit) || rec_.markets.size() >= max_trade_count_markets)
    return trade_verdict::refused;
  rec_.markets.emplace_back(market);
  return trade_verdict::counted;
}

std::uint32_t trade_limiter::count(std::int64_t now_ms) const {
  if (clock_.index(now_ms) > rec_.session)
    return 0;
  return static_cast<std::uint32_t>(rec_.markets.size());
}

std::string trade_count_key(bool paper) { return paper ? "trades/paper" : "trades/live"; }

std::string encode(const trade_count_record& r) {
  json::object_writer w;
  w.flag("paper", r.paper).num("session", r.session).open_array("markets");
  for (const auto& m : r.markets)
    w.item(m);
  w.close_array();
  return w.take();
}

result<trade_count_record> decode_trade_count_record(std::string_view text) {
  rapidjson::Document doc;
  if (auto ok = json::parse_object(doc, text); !ok)
    return fail("trade count record: " + ok.error());
  if (doc.MemberCount() != 3)
    return fail("trade count record: expected exactly the fields paper, session, markets");
  trade_count_record r;
  auto paper = json::get_bool(doc, "paper");
  if (!paper)
    return fail("trade count record: " + paper.error());
  auto session = json::get_int(doc, "session");
  if (!session)
    return fail("trade count record: " + session.error());
  auto markets = doc.FindMember("markets");
  if (markets == doc.MemberEnd() || !markets->value.IsArray())
    return fail("trade count record: missing 'markets' array");
  if (markets->value.Size() > max_trade_count_markets)
    return fail("trade count record: more than " + std::to_string(max_trade_count_markets) + " markets");
  r.paper = *paper;
  r.session = *session;
  std::set<std::string> seen;
  for (const auto& m : markets->value.GetArray()) {
    if (!m.IsString())
      return fail("trade count record: a market is not a string");
    std::string_view text(m.GetString(), m.GetStringLength());
    auto id = parse_condition_id(text);
    if (!id || id->hex != text) // the encoder writes the canonical lower-case form only
      return fail("trade count record: market: " + (id ? std::string("not canonical") : id.error()));
    if (!seen.insert(id->hex).second)
      return fail("trade count record: market " + id->hex + " counted twice");
    r.markets.push_back(id->hex);
  }
  return r;
}

} // namespace tdmaker
