#include "venue/admin_api.hpp"

#include "core/control.hpp"
#include "core/decimal.hpp"
#include "core/eth_address.hpp"
#include "core/json_parse.hpp"
#include "venue/admin_wallets.hpp"
#include "venue/json_out.hpp"

#include <cstdio>

#include <rapidjson/document.h>

namespace tdmaker::venue {

admin_api::admin_api(world& w, fault_injector& faults, std::string token,
                     std::function<venue_counters()> counters, std::function<std::int64_t()> now_ms)
    : world_(w), faults_(faults), token_(std::move(token)), counters_(std::move(counters)),
      now_ms_(std::move(now_ms)) {}

http_reply admin_api::handle(const http_request& req, const split_target& t) {
  if (t.path == "/metrics")
    return {200, metrics(), "text/plain; version=0.0.4"};
  if (t.path.rfind("/admin/account/", 0) != 0 && t.path != "/admin/faults" && t.path != "/admin/sim"
      && t.path != "/admin/reference" && !is_wallet_admin_path(t.path))
    return {404, json_error("not found")};
  if (token_.empty())
    return {503, json_error("admin API disabled: TDMAKER_VENUE_ADMIN_TOKEN is not set")};
  auto auth = req.find(http::field::authorization);
  if (auth == req.end() || !bearer_matches(std::string_view(auth->value().data(), auth->value().size()), token_))
    return {401, json_error("missing or invalid bearer token")};
  if (is_wallet_admin_path(t.path))
    return wallet_admin(world_.ex(), req, t);
  if (t.path == "/admin/sim")
    return sim(req);
  if (t.path == "/admin/reference")
    return reference(req);
  if (t.path == "/admin/faults") {
    if (req.method() == http::verb::post) {
      auto plan = parse_fault_plan(req.body(), now_ms_() / 1000);
      if (!plan)
        return {400, json_error(plan.error())};
      faults_.set_plan(*plan);
      std::printf("tdmaker-venue: fault plan replaced via admin API: %s\n", fault_plan_json(*plan).c_str());
      std::fflush(stdout);
    }
    json_out j;
    j.obj().key("plan").raw(fault_plan_json(faults_.plan())).key("injected").obj();
    for (auto& [kind, n] : faults_.counts())
      j.kn(kind, static_cast<std::int64_t>(n));
    return {200, j.end_obj().end_obj().take()};
  }
  auto addr = parse_address(t.path.substr(15));
  if (!addr)
    return {400, json_error(addr.error())};
  auto* a = world_.ex().account_by_address(*addr);
  if (!a)
    return {404, json_error("unknown address")};
  return {200, account_json(*a)};
}

// POST {"takers_paused": true|false}; GET shows it.
http_reply admin_api::sim(const http_request& req) {
  if (req.method() == http::verb::post) {
    rapidjson::Document d;
    auto parsed = json::parse(d, req.body(), {.max_bytes = 4096, .max_depth = 4});
    if (!parsed)
      return {400, json_error("Invalid payload: " + parsed.error())};
    if (!d.IsObject() || d.MemberCount() != 1 || !d.HasMember("takers_paused") || !d["takers_paused"].IsBool())
      return {400, json_error("Invalid payload: expected {\"takers_paused\": true|false}")};
    world_.sim().pause_takers(d["takers_paused"].GetBool());
    std::printf("tdmaker-venue: simulated takers %s via admin API\n", world_.sim().takers_paused() ? "paused" : "resumed");
    std::fflush(stdout);
  }
  return {200, json_out().obj().kb("takers_paused", world_.sim().takers_paused()).end_obj().take()};
}

// POST {"asset":"btc","move_bps":-80}: the asset's reference jumps from now on.
// GET lists every asset's current reference.
http_reply admin_api::reference(const http_request& req) {
  auto dec = [](ref_price p) { return format_fixed(p.e8, 8); };
  if (req.method() != http::verb::post) {
    json_out j;
    j.obj();
    for (auto& a : world_.assets())
      j.kv(a, dec(world_.reference(a)));
    return {200, j.end_obj().take()};
  }
  auto move = parse_reference_move(req.body());
  if (!move)
    return {400, json_error(move.error())};
  auto jump = world_.jump_reference(*move);
  if (!jump)
    return {400, json_error(jump.error())};
  std::printf("tdmaker-venue: reference %s moved %+lld bps via admin API: %s -> %s\n", move->asset.c_str(),
              static_cast<long long>(move->move_bps), dec(jump->before).c_str(), dec(jump->after).c_str());
  std::fflush(stdout);
  return {200, json_out()
                 .obj()
                 .kv("asset", move->asset)
                 .kn("move_bps", move->move_bps)
                 .kv("value_before", dec(jump->before))
                 .kv("value_after", dec(jump->after))
                 .end_obj()
                 .take()};
}

std::string admin_api::account_json(const account& a) {
  auto dec = [](std::int64_t v) { return format_fixed(v, micro_decimals); };
  const auto& ex = world_.ex();
  // Orders and fills belong to the address that holds the funds (the maker):
  // an EOA's own orders, or a wallet's orders signed by its owner.
  auto mine = [&](const address20& maker) { return maker == a.address; };
  auto placed = ex.orders_by_maker(a.address);
  json_out j;
  j.obj().kv("address", to_checksum(a.address)).kv("usdc", dec(a.usdc)).kv("reserved_usdc", dec(a.reserved_usdc));
  j.key("positions").obj();
  for (auto& [tok, n] : a.tokens)
    if (n != 0)
      j.kv(tok, dec(n));
  auto order_fields = [&](const venue_order& o) {
    auto m = ex.markets().find(o.market);
    j.obj().kv("id", o.id).kv("market", o.market).kv("asset_id", o.asset_id).kv("side", to_string(o.side))
      .kv("price", dec(o.px.micros)).kv("original_size", dec(o.original))
      .kv("size_matched", dec(o.matched)).kv("status", to_string(o.status))
      .kn("created_s", o.created_s).kn("market_end_s", m == ex.markets().end() ? 0 : m->second.end_s).end_obj();
  };
  j.end_obj().key("open_orders").arr();
  for (auto* o : placed)
    if (o->status == order_status::live)
      order_fields(*o);
  // Every order ever placed, for "no order lost or duplicated" checks.
  j.end_arr().key("orders").arr();
  for (auto* o : placed)
    order_fields(*o);
  j.end_arr().key("fills").arr();
  for (auto& tr : ex.all_trades()) {
    if (mine(tr.taker_address))
      j.obj().kv("trade_id", tr.id).kv("order_id", tr.taker_order_id).kv("role", "TAKER")
        .kv("asset_id", tr.asset_id).kv("side", to_string(tr.side)).kv("size", dec(tr.size))
        .kv("price", dec(tr.px.micros)).kv("fee", dec(tr.taker_fee)).kv("status", to_string(tr.status)).end_obj();
    for (auto& f : tr.makers)
      if (mine(f.maker_address))
        j.obj().kv("trade_id", tr.id).kv("order_id", f.order_id).kv("role", "MAKER")
          .kv("asset_id", f.asset_id).kv("side", to_string(f.side)).kv("size", dec(f.matched_amount))
          .kv("price", dec(f.px.micros)).kv("fee", "0").kv("status", to_string(tr.status)).end_obj();
  }
  j.end_arr().key("settlements").arr();
  for (auto& s : ex.settlements())
    if (s.address == a.address)
      j.obj().kv("market", s.market).kv("token", s.token).kv("shares", dec(s.shares))
        .kv("payout", dec(s.payout)).kn("at", s.at_s).end_obj();
  return j.end_arr().end_obj().take();
}

std::string admin_api::metrics() {
  auto c = counters_();
  const auto& ex = world_.ex();
  std::size_t open = 0, closed = 0;
  for (auto& [cid, m] : ex.markets())
    (m.closed ? closed : open)++;
  std::string out;
  auto gauge = [&](const char* name, const char* help, const char* type, std::uint64_t v) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " "
           + std::to_string(v) + "\n";
  };
  gauge("venue_clob_requests_total", "CLOB REST requests served.", "counter", c.clob_requests);
  gauge("venue_gamma_requests_total", "Gamma REST requests served.", "counter", c.gamma_requests);
  out += "# HELP venue_rate_limited_total Requests over a signer's bucket (429, or a warning in warn mode).\n"
         "# TYPE venue_rate_limited_total counter\n";
  out += "venue_rate_limited_total{bucket=\"order\"} " + std::to_string(c.rate_limited_orders) + "\n";
  out += "venue_rate_limited_total{bucket=\"cancel\"} " + std::to_string(c.rate_limited_cancels) + "\n";
  gauge("venue_markets_open", "Listed markets not yet resolved.", "gauge", open);
  gauge("venue_markets_resolved_total", "Markets resolved.", "counter", closed);
  gauge("venue_trades_total", "Trades matched.", "counter", ex.all_trades().size());
  gauge("venue_settlements_total", "Position settlements paid.", "counter", ex.settlements().size());
  out += "# HELP venue_reference_jumps_total Scripted reference-price jumps (POST /admin/reference), by asset.\n"
         "# TYPE venue_reference_jumps_total counter\n";
  for (auto& a : world_.assets()) {
    auto it = world_.reference_jumps().find(a);
    out += "venue_reference_jumps_total{asset=\"" + a + "\"} "
           + std::to_string(it == world_.reference_jumps().end() ? 0 : it->second) + "\n";
  }
  out += "# HELP venue_faults_injected_total Faults injected, by kind.\n# TYPE venue_faults_injected_total counter\n";
  for (auto& [kind, n] : faults_.counts())
    out += "venue_faults_injected_total{kind=\"" + kind + "\"} " + std::to_string(n) + "\n";
  return out;
}

} // namespace tdmaker::venue
