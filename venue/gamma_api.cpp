#include "venue/gamma_api.hpp"

#include <ctime>

#include "core/control.hpp"
#include "core/decimal.hpp"
#include "venue/json_out.hpp"

namespace tdmaker::venue {

std::string iso8601(std::int64_t unix_s) {
  std::time_t t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

gamma_api::gamma_api(const exchange& ex, std::function<std::int64_t()> now_ms)
    : ex_(ex), now_ms_(std::move(now_ms)) {}

std::string gamma_api::market_json(const slot_market& m) {
  // Gamma ships these arrays as JSON text inside a string.
  auto tokens = "[\"" + m.up_token + "\", \"" + m.down_token + "\"]";
  std::string prices = "[\"0.5\", \"0.5\"]";
  if (m.winner == 0)
    prices = "[\"1\", \"0\"]";
  else if (m.winner == 1)
    prices = "[\"0\", \"1\"]";
  else if (auto bid = ex_.best_bid(m.up_token), ask = ex_.best_ask(m.up_token); bid && ask) {
    auto mid = (bid->micros + ask->micros + 1) / 2;
    prices = "[\"" + format_fixed(mid, micro_decimals) + "\", \""
             + format_fixed(micros_per_unit - mid, micro_decimals) + "\"]";
  }
  auto now_s = now_ms_() / 1000;
  json_out j;
  j.obj().kv("id", m.condition_id.substr(2, 12)).kv("question", m.slug).kv("conditionId", m.condition_id);
  j.kv("slug", m.slug).kv("clobTokenIds", tokens).kv("outcomes", "[\"Up\", \"Down\"]");
  j.kv("outcomePrices", prices).kv("startDate", iso8601(m.created_s));
  j.kv("eventStartTime", iso8601(m.start_s)).kv("endDate", iso8601(m.end_s));
  j.kb("active", !m.closed).kb("closed", m.closed).kb("archived", false);
  j.kb("acceptingOrders", !m.closed && now_s >= m.created_s).kb("enableOrderBook", true);
  j.key("orderPriceMinTickSize").real(static_cast<double>(m.tick.micros) / micros_per_unit);
  j.key("orderMinSize").real(static_cast<double>(m.min_size.micros) / micros_per_unit);
  j.kb("negRisk", false).kb("feesEnabled", true).kv("feeType", "crypto_fees_v2");
  // The series' schedule, its rate as an exact decimal number (0.07, not 0.07000000000000001).
  j.key("feeSchedule").obj().kn("exponent", m.fee.exponent).key("rate")
    .raw_number(format_fixed(m.fee.rate_ppm, micro_decimals)).kb("takerOnly", m.fee.taker_only)
    .key("rebateRate").real(0.2).end_obj();
  j.kv("umaResolutionStatus", m.closed ? "resolved" : "").kv("version", "v1");
  if (m.closed)
    j.kv("closedTime", iso8601(m.resolved_s)); // when it resolved: tests judge late resolutions by it
  // Newer markets (ref §1 Resolution) say which rule resolves them: the spot
  // stream, or its 60 s TWAP ("btc-5m-twap-60", twapEnabled true).
  const bool twap = m.twap;
  j.kv("resolutionSource", "https://data.chain.link/streams/" + m.asset + (twap ? "-usd-twap-60s" : "-usd"));
  j.key("cryptoMarketConfig").obj().kv("id", m.series + (twap ? "-twap-60" : ""));
  j.kv("asset", m.asset).kv("duration", m.label).kb("twapEnabled", twap).kn("twapLookbackSeconds", 60).end_obj();
  return j.end_obj().take();
}

std::string gamma_api::event_json(const slot_market& m) {
  json_out j;
  j.obj().kv("id", m.condition_id.substr(2, 10)).kv("slug", m.slug).kv("title", m.slug);
  j.kv("startDate", iso8601(m.created_s)).kv("endDate", iso8601(m.end_s));
  j.kb("active", !m.closed).kb("closed", m.closed);
  j.kv("seriesSlug", m.gamma_series);
  j.key("markets").arr().raw(market_json(m)).end_arr();
  return j.end_obj().take();
}

http_reply gamma_api::handle(const http_request&, const split_target& t) {
  auto find_slug = [&](const std::string& slug) -> const slot_market* {
    for (auto& [cid, m] : ex_.markets())
      if (m.slug == slug)
        return &m;
    return nullptr;
  };
  auto q = [&](const char* k) {
    auto it = t.query.find(k);
    return it == t.query.end() ? std::string() : it->second;
  };
  if (t.path.rfind("/events/slug/", 0) == 0) {
    auto* m = find_slug(t.path.substr(13));
    if (!m)
      return {404, json_error("event not found")};
    return {200, event_json(*m)};
  }
  if (t.path.rfind("/markets/slug/", 0) == 0) {
    auto* m = find_slug(t.path.substr(14));
    if (!m)
      return {404, json_error("market not found")};
    return {200, market_json(*m)};
  }
  if (t.path == "/events" || t.path == "/markets") {
    bool events = t.path == "/events";
    json_out j;
    j.arr();
    auto slug = q("slug");
    if (!slug.empty()) {
      if (auto* m = find_slug(slug))
        j.raw(events ? event_json(*m) : market_json(*m));
      return {200, j.end_arr().take()};
    }
    // Series listing: ordered by end date, optional closed filter and limit.
    auto series = q("series_slug");
    auto closed = q("closed");
    auto limit_text = q("limit");
    std::size_t limit = 100;
    if (!limit_text.empty()) {
      if (limit_text.size() > 4 || limit_text.find_first_not_of("0123456789") != std::string::npos)
        return {400, json_error("invalid limit")};
      limit = std::stoul(limit_text);
    }
    std::vector<const slot_market*> ms;
    for (auto& [cid, m] : ex_.markets()) {
      if (!series.empty() && series != m.gamma_series)
        continue;
      if ((closed == "false" && m.closed) || (closed == "true" && !m.closed))
        continue;
      ms.push_back(&m);
    }
    std::sort(ms.begin(), ms.end(), [](auto* a, auto* b) {
      return a->end_s != b->end_s ? a->end_s < b->end_s : a->slug < b->slug;
    });
    if (q("ascending") == "false")
      std::reverse(ms.begin(), ms.end());
    for (std::size_t i = 0; i < ms.size() && i < limit; ++i)
      j.raw(events ? event_json(*ms[i]) : market_json(*ms[i]));
    return {200, j.end_arr().take()};
  }
  return {404, json_error("not found")};
}

} // namespace tdmaker::venue
