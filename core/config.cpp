#include "core/config.hpp"

#include <arpa/inet.h>

#include <array>
#include <functional>
#include <set>
#include <type_traits>
#include <vector>

#include <rapidjson/document.h>

#include "core/decimal.hpp"
#include "core/endpoint.hpp"
#include "core/eth_address.hpp"
#include "core/json_parse.hpp"
#include "core/redact.hpp"
#include "core/market_cap.hpp"

namespace tdmaker {
namespace {

using json = rapidjson::Value;
using setter = std::function<std::string(const json&, node_config&)>; // "" = ok

struct field {
  std::string path; // "$.section.key"
  setter apply;
};

std::string type_name(const json& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType: return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType: return "a boolean";
    case rapidjson::kObjectType: return "an object";
    case rapidjson::kArrayType: return "an array";
    case rapidjson::kStringType: return "a string";
    case rapidjson::kNumberType: return v.IsInt64() ? "an integer" : "a number";
  }
  return "a value";
}

std::string shown(const json& v) {
  if (v.IsInt64())
    return std::to_string(v.GetInt64());
  if (v.IsString()) {
    std::string s(v.GetString(), std::min<std::size_t>(v.GetStringLength(), 40));
    return "'" + s + "'";
  }
  return type_name(v);
}

/// An integer in [lo, hi] into `out`; "" = ok.
std::string read_integer(const json& v, std::int64_t lo, std::int64_t hi, std::int64_t& out) {
  std::string range = "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  if (!v.IsInt64())
    return "expected " + range + ", got " + type_name(v);
  auto x = v.GetInt64();
  if (x < lo || x > hi)
    return "expected " + range + ", got " + std::to_string(x);
  out = x;
  return {};
}

/// A decimal string ("0.85", "50") into micro-units within [lo, hi]; "" = ok.
std::string read_micros(const json& v, std::int64_t lo, std::int64_t hi, std::int64_t& out) {
  std::string range = "a decimal string in [" + format_fixed(lo, 6) + ", " + format_fixed(hi, 6) + "]";
  if (!v.IsString())
    return "expected " + range + " (amounts are strings, never floats), got " + type_name(v);
  auto x = parse_fixed({v.GetString(), v.GetStringLength()}, 6, lo, hi);
  if (!x)
    return "expected " + range + ": " + x.error();
  out = *x;
  return {};
}

template <class T>
setter integer(T node_config::*member, std::int64_t lo, std::int64_t hi) {
  return [=](const json& v, node_config& c) -> std::string {
    std::int64_t x = 0;
    if (auto err = read_integer(v, lo, hi, x); !err.empty())
      return err;
    c.*member = static_cast<T>(x);
    return {};
  };
}

setter string(std::string node_config::*member, bool allow_empty) {
  return [=](const json& v, node_config& c) -> std::string {
    if (!v.IsString())
      return "expected a string, got " + type_name(v);
    if (!allow_empty && v.GetStringLength() == 0)
      return "must not be empty";
    c.*member = std::string(v.GetString(), v.GetStringLength());
    return {};
  };
}

setter boolean(bool node_config::*member) {
  return [=](const json& v, node_config& c) -> std::string {
    if (!v.IsBool())
      return "expected a boolean, got " + type_name(v);
    c.*member = v.GetBool();
    return {};
  };
}

/// A decimal amount ("0.85", "50") into micro-units within [lo, hi].
setter micros(std::int64_t node_config::*member, std::int64_t lo, std::int64_t hi) {
  return [=](const json& v, node_config& c) -> std::string { return read_micros(v, lo, hi, c.*member); };
}

setter one_of(std::string node_config::*member, std::vector<std::string_view> allowed) {
  return [=](const json& v, node_config& c) -> std::string {
    std::string list;
    for (auto a : allowed)
      list += (list.empty() ? "" : ", ") + std::string(a);
    if (!v.IsString())
      return "expected one of " + list + ", got " + type_name(v);
    std::string_view s(v.GetString(), v.GetStringLength());
    for (auto a : allowed)
      if (s == a) {
        c.*member = std::string(s);
        return {};
      }
    return "expected one of " + list + ", got " + shown(v);
  };
}

setter url(std::string node_config::*member, bool websocket) {
  return [=](const json& v, node_config& c) -> std::string {
    if (!v.IsString())
      return "expected a URL, got " + type_name(v);
    auto e = parse_endpoint({v.GetString(), v.GetStringLength()});
    if (!e)
      return e.error();
    if (e->websocket != websocket)
      return std::string("expected a ") + (websocket ? "ws:// or wss://" : "http:// or https://")
             + " URL, got " + shown(v);
    c.*member = std::string(v.GetString(), v.GetStringLength());
    return {};
  };
}

std::vector<field> with_phase_fields(std::vector<field> fields);
std::vector<field> with_strategy_fields(std::vector<field> fields);

const std::vector<field>& schema() {
  static const std::vector<field> fields = with_strategy_fields(with_phase_fields({
    {"$.node.worker_threads", integer(&node_config::worker_threads, 1, 64)},
    {"$.node.data_dir", string(&node_config::data_dir, false)},
    {"$.node.log_dir", string(&node_config::log_dir, false)},
    {"$.node.mode",
     [](const json& v, node_config& c) -> std::string {
       if (!v.IsString())
         return "expected one of paper, live, got " + type_name(v);
       std::string_view s(v.GetString(), v.GetStringLength());
       if (s == "paper")
         c.mode = trading_mode::paper;
       else if (s == "live")
         c.mode = trading_mode::live;
       else
         return "expected one of paper, live, got " + shown(v);
       return {};
     }},
    {"$.log.level",
     one_of(&node_config::log_level,
            {"trace", "debug", "info", "warn", "error", "critical", "off"})},
    {"$.log.file", string(&node_config::log_file, true)},
    {"$.http.listen",
     [](const json& v, node_config& c) -> std::string {
       if (!v.IsString())
         return "expected \"host:port\", got " + type_name(v);
       auto a = parse_listen_address({v.GetString(), v.GetStringLength()});
       if (!a)
         return a.error();
       c.http_listen = *a;
       return {};
     }},
    {"$.http.allow_non_loopback", boolean(&node_config::http_allow_non_loopback)},
    {"$.http.max_connections", integer(&node_config::http_max_connections, 1, 100000)},
    {"$.http.idle_timeout_ms", integer(&node_config::http_idle_timeout_ms, 100, 600000)},
    {"$.phase.initial",
     [](const json& v, node_config& c) -> std::string {
       if (!v.IsString())
         return "expected a phase name, got " + type_name(v);
       auto p = parse_phase({v.GetString(), v.GetStringLength()});
       if (!p)
         return p.error();
       c.initial_phase = *p;
       return {};
     }},
    {"$.store.map_size_mb", integer(&node_config::store_map_size_mb, 16, 1 << 20)},
    {"$.store.max_batch", integer(&node_config::store_max_batch, 1, 100000)},
    {"$.markets.max_live", integer(&node_config::markets_max_live, 1, 10000)},
    {"$.markets.max_restarts", integer(&node_config::markets_max_restarts, 0, 1000)},
    {"$.markets.restart_window_s", integer(&node_config::markets_restart_window_s, 1, 86400)},
    {"$.telemetry.flush_ms", integer(&node_config::telemetry_flush_ms, 10, 60000)},
    {"$.record.enabled", boolean(&node_config::record_enabled)},
    {"$.record.flush_ms", integer(&node_config::record_flush_ms, 10, 60000)},
    {"$.record.block_bytes", integer(&node_config::record_block_bytes, 4096, 16LL << 20)},
    {"$.record.segment_bytes", integer(&node_config::record_segment_bytes, 64 << 10, 64LL << 30)},
    {"$.record.segment_seconds", integer(&node_config::record_segment_seconds, 1, 86400)},
    {"$.record.retention_hours", integer(&node_config::record_retention_hours, 0, 87600)},
    {"$.record.retention_bytes", integer(&node_config::record_retention_bytes, 0, 1LL << 50)},
    {"$.record.buffer_size", integer(&node_config::record_buffer_size, 1, 10'000'000)},
    {"$.record.buffer_ttl_ms", integer(&node_config::record_buffer_ttl_ms, 100, 3'600'000)},
    {"$.debug.fault_injection", boolean(&node_config::debug_fault_injection)},
    {"$.candles.enabled", boolean(&node_config::candles_enabled)},
    {"$.candles.markets", boolean(&node_config::candles_tokens)}, // "tokens" reads as a secret's name
    {"$.venue.clob_url", url(&node_config::venue_clob_url, false)},
    {"$.venue.gamma_url", url(&node_config::venue_gamma_url, false)},
    {"$.venue.market_ws_url", url(&node_config::venue_market_ws_url, true)},
    {"$.venue.user_ws_url", url(&node_config::venue_user_ws_url, true)},
    {"$.venue.rtds_url", url(&node_config::venue_rtds_url, true)},
    {"$.venue.io_threads", integer(&node_config::venue_io_threads, 1, 16)},
    {"$.venue.request_timeout_ms", integer(&node_config::venue_request_timeout_ms, 100, 120000)},
    {"$.wallet.signature_type",
     one_of(&node_config::wallet_signature_type, {"EOA", "POLY_PROXY", "POLY_GNOSIS_SAFE", "POLY_1271"})},
    {"$.wallet.funder", [](const json& v, node_config& c) -> std::string {
       if (!v.IsString())
         return "expected a 0x address, got " + type_name(v);
       std::string_view s(v.GetString(), v.GetStringLength());
       if (auto a = parse_address(s); !a)
         return a.error();
       c.wallet_funder = std::string(s);
       return {};
     }},
    {"$.feed.ping_ms", integer(&node_config::feed_ping_ms, 100, 60000)},
    {"$.feed.market_stale_ms", integer(&node_config::feed_market_stale_ms, 200, 600000)},
    {"$.feed.user_stale_ms", integer(&node_config::feed_user_stale_ms, 200, 600000)},
    {"$.feed.rtds_stale_ms", integer(&node_config::feed_rtds_stale_ms, 200, 600000)},
    {"$.feed.reconnect_min_ms", integer(&node_config::feed_reconnect_min_ms, 10, 60000)},
    {"$.feed.reconnect_max_ms", integer(&node_config::feed_reconnect_max_ms, 10, 600000)},
    {"$.feed.breaker_failures", integer(&node_config::feed_breaker_failures, 1, 1000)},
    {"$.feed.book_hash_check", boolean(&node_config::feed_book_hash_check)},
    {"$.feed.refetch_min_interval_ms", integer(&node_config::feed_refetch_min_interval_ms, 0, 600000)},
    {"$.heartbeat.interval_ms", integer(&node_config::heartbeat_interval_ms, 200, 60000)},
    {"$.heartbeat.grace_ms", integer(&node_config::heartbeat_grace_ms, 100, 60000)},
    {"$.heartbeat.venue_timeout_ms", integer(&node_config::heartbeat_venue_timeout_ms, 1000, 600000)},
    {"$.discovery.assets",
     [](const json& v, node_config& c) -> std::string {
       if (!v.IsArray() || v.Empty())
         return "expected a non-empty array of asset names, got " + type_name(v);
       std::vector<std::string> out;
       for (auto& a : v.GetArray()) {
         if (!a.IsString() || a.GetStringLength() < 2 || a.GetStringLength() > 10)
           return "expected asset names of 2-10 lower-case letters, got " + shown(a);
         std::string s(a.GetString(), a.GetStringLength());
         for (char ch : s)
           if (ch < 'a' || ch > 'z')
             return "expected asset names of 2-10 lower-case letters, got " + shown(a);
         out.push_back(std::move(s));
       }
       c.discovery_assets = std::move(out);
       c.discovery_legacy_keys = true;
       return {};
     }},
    {"$.discovery.slot_seconds",
     [](const json& v, node_config& c) -> std::string {
       c.discovery_legacy_keys = true;
       return integer(&node_config::discovery_slot_seconds, 5, 86400)(v, c);
     }},
    {"$.discovery.series",
     [](const json& v, node_config& c) -> std::string {
       auto list = parse_series_list(v);
       if (!list)
         return list.error();
       c.discovery_series = std::move(list).value();
       return {};
     }},
    {"$.discovery.interval_ms", integer(&node_config::discovery_interval_ms, 100, 600000)},
    {"$.discovery.lookahead_slots", integer(&node_config::discovery_lookahead_slots, 0, 8)},
    {"$.discovery.retire_after_end_s", integer(&node_config::discovery_retire_after_end_s, 0, 86400)},
    {"$.entry.target_bid", micros(&node_config::entry_target_bid, 1, 999'999)},
    {"$.entry.max_bid", micros(&node_config::entry_max_bid, 1, 999'999)},
    {"$.entry.min_move_ppm", integer(&node_config::entry_min_move_ppm, -1'000'000, 1'000'000)},
    {"$.entry.max_move_ppm", integer(&node_config::entry_max_move_ppm, 0, 10'000'000)},
    {"$.entry.min_entry_s", integer(&node_config::entry_min_entry_s, 0, 86400)},
    {"$.entry.max_entry_s", integer(&node_config::entry_max_entry_s, 0, 86400)},
    {"$.entry.fair_value", boolean(&node_config::entry_fair_value)},
    {"$.entry.annual_vol_ppm", integer(&node_config::entry_annual_vol_ppm, 1, 100'000'000)},
    {"$.entry.min_edge", micros(&node_config::entry_min_edge, -1'000'000, 1'000'000)},
    {"$.entry.model_file", string(&node_config::entry_model_file, true)},
    {"$.ladder.rungs", integer(&node_config::ladder_rungs, 1, 32)},
    {"$.ladder.spacing_ticks", integer(&node_config::ladder_spacing_ticks, 1, 100)},
    {"$.ladder.shares_per_rung", integer(&node_config::ladder_shares_per_rung, 1, 1'000'000)},
    {"$.ladder.sequential", boolean(&node_config::ladder_sequential)},
    {"$.budget.max_exposure", micros(&node_config::budget_max_exposure, 0, 1'000'000'000'000'000)},
    {"$.budget.max_per_market", micros(&node_config::budget_max_per_market, 0, 1'000'000'000'000'000)},
    {"$.budget.auto_fraction_ppm", integer(&node_config::budget_auto_fraction_ppm, 0, 1'000'000)},
    {"$.orders.placement_timeout_ms", integer(&node_config::orders_placement_timeout_ms, 1000, 600'000)},
    {"$.orders.cancel_timeout_ms", integer(&node_config::orders_cancel_timeout_ms, 1000, 600'000)},
    {"$.orders.cancel_before_end_ms", integer(&node_config::orders_cancel_before_end_ms, 0, 3'600'000)},
    {"$.orders.batch_max", integer(&node_config::orders_batch_max, 1, 15)},
    {"$.rate_limits.enabled", boolean(&node_config::rate_limits_enabled)},
    {"$.rate_limits.order_rate", integer(&node_config::rate_limits_order_rate, 1, 100'000)},
    {"$.rate_limits.order_burst", integer(&node_config::rate_limits_order_burst, 1, 1'000'000)},
    {"$.rate_limits.cancel_rate", integer(&node_config::rate_limits_cancel_rate, 1, 100'000)},
    {"$.rate_limits.cancel_burst", integer(&node_config::rate_limits_cancel_burst, 1, 1'000'000)},
    {"$.rate_limits.exit_reserve", integer(&node_config::rate_limits_exit_reserve, 0, 1'000'000)},
    {"$.rate_limits.entry_max_wait_ms", integer(&node_config::rate_limits_entry_max_wait_ms, 0, 600'000)},
    {"$.risk.stale_cancel_ms", integer(&node_config::risk_stale_cancel_ms, 500, 3'600'000)},
    {"$.risk.stale_halt_ms", integer(&node_config::risk_stale_halt_ms, 500, 86'400'000)},
    {"$.risk.max_order_errors", integer(&node_config::risk_max_order_errors, 1, 100'000)},
    {"$.risk.max_loss", micros(&node_config::risk_max_loss, 0, 1'000'000'000'000'000)},
    {"$.fills.reconcile_interval_ms", integer(&node_config::fills_reconcile_interval_ms, 1000, 3'600'000)},
    {"$.fills.lookback_s", integer(&node_config::fills_lookback_s, 60, 30 * 86400)},
    {"$.stop_loss.enabled", boolean(&node_config::stop_loss_enabled)},
    {"$.stop_loss.peak", micros(&node_config::stop_loss_peak, 1, 1'000'000)},
    {"$.stop_loss.exit", micros(&node_config::stop_loss_exit, 1, 999'999)},
    {"$.stop_loss.fair_value_override", boolean(&node_config::stop_loss_fair_value_override)},
    {"$.stop_loss.fair_hold", micros(&node_config::stop_loss_fair_hold, 0, 1'000'000)},
    {"$.stop_loss.grace_ms", integer(&node_config::stop_loss_grace_ms, 0, 600'000)},
    {"$.stop_loss.model_file", string(&node_config::stop_loss_model_file, true)},
    {"$.settlement.grace_s", integer(&node_config::settlement_grace_s, 0, 86400)},
    {"$.settlement.defer_max_s", integer(&node_config::settlement_defer_max_s, 0, 7 * 86400)},
    {"$.settlement.win_bid", micros(&node_config::settlement_win_bid, 500'000, 1'000'000)},
    {"$.settlement.interval_ms", integer(&node_config::settlement_interval_ms, 100, 600'000)},
    {"$.notifier.webhook_url", string(&node_config::notifier_webhook_url, true)},
    {"$.notifier.chat_id", string(&node_config::notifier_chat_id, true)},
    {"$.notifier.min_level",
     [](const json& v, node_config& c) -> std::string {
       std::string_view names[] = {"info", "warning", "critical"};
       if (v.IsString())
         for (int i = 0; i < 3; ++i)
           if (names[i] == std::string_view(v.GetString(), v.GetStringLength())) {
             c.notifier_min_level = i;
             return {};
           }
       return "expected \"info\", \"warning\" or \"critical\", got " + shown(v);
     }},
    {"$.notifier.per_minute", integer(&node_config::notifier_per_minute, 1, 600)},
    {"$.notifier.queue_max", integer(&node_config::notifier_queue_max, 1, 100'000)},
    {"$.status.interval_ms", integer(&node_config::status_interval_ms, 0, 3'600'000)},
    {"$.events.history", integer(&node_config::events_history, 1, 100'000)},
    {"$.events.tick_sample_ms", integer(&node_config::events_tick_sample_ms, 100, 3'600'000)},
    {"$.events.max_subscribers", integer(&node_config::events_max_subscribers, 1, 256)},
  }));
  return fields;
}

// ---- the phase section (seed 002): per-phase and per-gate keys generated over the phase names ----

constexpr std::int64_t max_amount = 1'000'000'000'000'000; // as budget.max_exposure
constexpr std::int64_t not_given = -1;                      // a limit left to the ladder/budget config

/// A setter of a value inside `node_config::phases`; `target` picks the member.
template <class F>
setter phase_integer(F target, std::int64_t lo, std::int64_t hi, std::int64_t scale = 1) {
  return [=](const json& v, node_config& c) -> std::string {
    std::int64_t x = 0;
    if (auto err = read_integer(v, lo, hi, x); !err.empty())
      return err;
    auto& m = target(c);
    m = static_cast<std::remove_reference_t<decltype(m)>>(x * scale);
    return {};
  };
}

template <class F>
setter phase_micros(F target, std::int64_t lo, std::int64_t hi) {
  return [=](const json& v, node_config& c) -> std::string { return read_micros(v, lo, hi, target(c)); };
}

template <class F>
setter phase_boolean(F target) {
  return [=](const json& v, node_config& c) -> std::string {
    if (!v.IsBool())
      return "expected a boolean, got " + type_name(v);
    target(c) = v.GetBool();
    return {};
  };
}

/// "HH:MM" (UTC) into seconds after midnight.
std::string read_boundary(const json& v, node_config& c) {
  std::string_view s = v.IsString() ? std::string_view(v.GetString(), v.GetStringLength()) : "";
  auto digit = [&](std::size_t i) { return s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1; };
  if (s.size() != 5 || s[2] != ':' || digit(0) < 0 || digit(1) < 0 || digit(3) < 0 || digit(4) < 0)
    return "expected \"HH:MM\" (UTC), got " + shown(v);
  int hh = digit(0) * 10 + digit(1), mm = digit(3) * 10 + digit(4);
  if (hh > 23 || mm > 59)
    return "expected \"HH:MM\" with HH in 00..23 and MM in 00..59, got " + shown(v);
  c.phases.session.boundary_s = hh * 3600 + mm * 60;
  return {};
}

void add_limit_fields(std::vector<field>& out, std::size_t i, const std::string& base) {
  auto lim = [i](node_config& c) -> phase_limits& { return c.phases.limits[i]; };
  out.push_back({base + ".shares_per_rung",
                 phase_integer([=](node_config& c) -> auto& { return lim(c).shares_per_rung.micros; }, 1,
                               1'000'000, micros_per_unit)});
  out.push_back({base + ".max_exposure",
                 phase_micros([=](node_config& c) -> auto& { return lim(c).max_exposure.micros; }, 0, max_amount)});
  out.push_back({base + ".max_per_market",
                 phase_micros([=](node_config& c) -> auto& { return lim(c).max_per_market.micros; }, 0, max_amount)});
  out.push_back({base + ".max_trades_per_session",
                 phase_integer([=](node_config& c) -> auto& { return lim(c).max_trades_per_session; }, 0, 1'000'000)});
  out.push_back({base + ".capital",
                 phase_micros([=](node_config& c) -> auto& { return lim(c).capital.micros; }, 0, max_amount)});
}

void add_gate_fields(std::vector<field>& out, std::size_t i, const std::string& base) {
  auto gate = [i](node_config& c) -> gate_rule& { return c.phases.gates[i]; };
  out.push_back({base + ".window_sessions",
                 phase_integer([=](node_config& c) -> auto& { return gate(c).window_sessions; }, 1, 1000)});
  out.push_back({base + ".min_sessions",
                 phase_integer([=](node_config& c) -> auto& { return gate(c).min_sessions; }, 0, 1000)});
  out.push_back({base + ".min_trades",
                 phase_integer([=](node_config& c) -> auto& { return gate(c).min_trades; }, 0, 1'000'000)});
  out.push_back({base + ".min_win_rate",
                 phase_micros([=](node_config& c) -> auto& { return gate(c).min_win_rate_ppm; }, 0, 1'000'000)});
  out.push_back({base + ".min_rr",
                 phase_micros([=](node_config& c) -> auto& { return gate(c).min_rr_ppm; }, 0, 100'000'000)});
  out.push_back({base + ".require_positive_pnl",
                 phase_boolean([=](node_config& c) -> auto& { return gate(c).require_positive_pnl; })});
  out.push_back({base + ".max_drawdown", [=](const json& v, node_config& c) -> std::string {
                   if (v.IsNull()) { // null: the drawdown is not checked
                     gate(c).max_drawdown.reset();
                     return {};
                   }
                   std::int64_t x = 0;
                   if (auto err = read_micros(v, 0, max_amount, x); !err.empty())
                     return err + " (or null: not checked)";
                   gate(c).max_drawdown = usdc{x};
                   return {};
                 }});
}

void add_downgrade_fields(std::vector<field>& out) {
  const std::string base = "$.phase.downgrade";
  auto dg = [](node_config& c) -> downgrade_rule& { return c.phases.downgrade; };
  out.push_back({base + ".enabled", phase_boolean([=](node_config& c) -> auto& { return dg(c).enabled; })});
  out.push_back({base + ".consecutive_losses",
                 phase_integer([=](node_config& c) -> auto& { return dg(c).consecutive_losses; }, 0, 100)});
  out.push_back({base + ".min_win_rate",
                 phase_micros([=](node_config& c) -> auto& { return dg(c).min_win_rate_ppm; }, 0, 1'000'000)});
  out.push_back({base + ".win_rate_window_sessions",
                 phase_integer([=](node_config& c) -> auto& { return dg(c).win_rate_window_sessions; }, 1, 1000)});
  out.push_back({base + ".win_rate_min_trades",
                 phase_integer([=](node_config& c) -> auto& { return dg(c).win_rate_min_trades; }, 1, 1'000'000)});
  out.push_back({base + ".max_session_loss",
                 phase_micros([=](node_config& c) -> auto& { return dg(c).max_session_loss_ppm; }, 0, 1'000'000)});
}

std::vector<field> with_phase_fields(std::vector<field> fields) {
  fields.push_back({"$.phase.auto_upgrade",
                    phase_boolean([](node_config& c) -> auto& { return c.phases.auto_upgrade; })});
  fields.push_back({"$.phase.session.boundary_utc", read_boundary});
  // 10 s at the least so end-to-end tests can run short sessions; a week at most.
  fields.push_back({"$.phase.session.length_s",
                    phase_integer([](node_config& c) -> auto& { return c.phases.session.length_s; }, 10, 7 * 86'400)});
  for (auto p : all_phases) {
    auto i = static_cast<std::size_t>(p);
    add_limit_fields(fields, i, "$.phase.limits." + std::string(to_string(p)));
    if (i > 0) // a gate is keyed by the phase it leads into: nothing leads into Experience
      add_gate_fields(fields, i - 1, "$.phase.gates." + std::string(to_string(p)));
  }
  add_downgrade_fields(fields);
  return fields;
}

// ---- the strategies section (issue 17): each strategy's switch, budget cap and knobs ----
// (the phase_* setters above are generic: they write whatever member `target` picks)

/// A decimal string with `decimals` places into `target(c)` within [lo, hi]; on
/// `grid` (in the same units) when given. The 99c capture's relative velocity
/// needs 9 places (ppb), everything else is micro-units.
template <class F>
setter fixed_on_grid(F target, int decimals, std::int64_t lo, std::int64_t hi, std::int64_t grid = 1) {
  return [=](const json& v, node_config& c) -> std::string {
    std::string range = "a decimal string in [" + format_fixed(lo, decimals) + ", " + format_fixed(hi, decimals) + "]";
    if (!v.IsString())
      return "expected " + range + " (amounts are strings, never floats), got " + type_name(v);
    auto x = parse_fixed({v.GetString(), v.GetStringLength()}, decimals, lo, hi);
    if (!x)
      return "expected " + range + ": " + x.error();
    if (*x % grid != 0)
      return "expected a multiple of " + format_fixed(grid, decimals) + ", got " + shown(v);
    target(c) = *x;
    return {};
  };
}

void add_confidence_fields(std::vector<field>& out, const std::string& base) {
  auto rules = [](node_config& c) -> confidence_rules& { return c.capture.confidence; };
  auto ppm = [&](const char* key, std::int64_t confidence_rules::*m) {
    out.push_back({base + "." + key, phase_micros([=](node_config& c) -> auto& { return rules(c).*m; }, 0, 1'000'000)});
  };
  ppm("cap", &confidence_rules::cap_ppm);
  ppm("validate_above", &confidence_rules::validate_above_ppm);
  ppm("extreme", &confidence_rules::extreme_ppm);
  ppm("vote_min", &confidence_rules::vote_min_ppm);
  ppm("vote_weights.move", &confidence_rules::vote_move_ppm);
  ppm("vote_weights.velocity", &confidence_rules::vote_velocity_ppm);
  ppm("vote_weights.imbalance", &confidence_rules::vote_imbalance_ppm);
  ppm("vote_weights.last_trade", &confidence_rules::vote_last_trade_ppm);
  ppm("market_weight", &confidence_rules::market_weight_ppm);
  ppm("time_penalty_max", &confidence_rules::time_penalty_max_ppm);
  ppm("thin_penalty_max", &confidence_rules::thin_penalty_max_ppm);
  // A volatility, not a probability: above 100 % a year is real for small coins; 0 would
  // leave the model without a floor (a sure thing on any move), so it is refused.
  out.push_back({base + ".annual_vol",
                 phase_micros([=](node_config& c) -> auto& { return rules(c).annual_vol_ppm; }, 1, 100'000'000)});
  out.push_back({base + ".fill_time_s",
                 phase_integer([=](node_config& c) -> auto& { return rules(c).fill_time_s; }, 0, 3'600)});
  out.push_back({base + ".thin_book_shares",
                 phase_integer([=](node_config& c) -> auto& { return rules(c).thin_book_shares; }, 0, 1'000'000)});
}

void add_danger_fields(std::vector<field>& out, const std::string& base) {
  auto dw = [](node_config& c) -> danger_weights& { return c.capture.danger; };
  out.push_back({base + ".exit_at", phase_integer([](node_config& c) -> auto& { return c.capture.danger_exit; }, 1, 100)});
  auto weight = [&](const char* key, std::int64_t danger_weights::*m) {
    out.push_back({base + ".weights." + key, phase_integer([=](node_config& c) -> auto& { return dw(c).*m; }, 0, 100)});
  };
  weight("confidence_drop", &danger_weights::confidence_drop);
  weight("adverse_velocity", &danger_weights::adverse_velocity);
  weight("time_left", &danger_weights::time_left);
  weight("opposite_bid", &danger_weights::opposite_bid);
  out.push_back({base + ".drop_full",
                 phase_micros([=](node_config& c) -> auto& { return dw(c).drop_full_ppm; }, 1, 1'000'000)});
  out.push_back({base + ".velocity_full",
                 fixed_on_grid([=](node_config& c) -> auto& { return dw(c).velocity_full_ppb; }, 9, 1, 1'000'000'000)});
  out.push_back({base + ".time_full_s",
                 phase_integer([=](node_config& c) -> auto& { return dw(c).time_full_s; }, 1, 86'400)});
  out.push_back({base + ".opposite_full",
                 phase_micros([=](node_config& c) -> auto& { return dw(c).opposite_full; }, 1, 1'000'000)});
}

std::vector<field> with_strategy_fields(std::vector<field> fields) {
  const std::string td = "$.strategies.td_maker", cap = "$.strategies.capture_99c";
  fields.push_back({td + ".enabled", phase_boolean([](node_config& c) -> auto& { return c.td_maker.enabled; })});
  fields.push_back({td + ".max_exposure",
                    phase_micros([](node_config& c) -> auto& { return c.td_maker.max_exposure; }, 0, max_amount)});
  auto cc = [](node_config& c) -> capture_config& { return c.capture; };
  auto flag = [&](const char* key, bool capture_config::*m) {
    fields.push_back({cap + "." + key, phase_boolean([=](node_config& c) -> auto& { return cc(c).*m; })});
  };
  auto whole = [&](const char* key, std::int64_t capture_config::*m, std::int64_t lo, std::int64_t hi) {
    fields.push_back({cap + "." + key, phase_integer([=](node_config& c) -> auto& { return cc(c).*m; }, lo, hi)});
  };
  flag("enabled", &capture_config::enabled);
  whole("entry_window_s", &capture_config::entry_window_s, 1, 86'400);
  whole("stop_before_end_s", &capture_config::stop_before_end_s, 0, 86'400);
  fields.push_back({cap + ".threshold",
                    phase_micros([](node_config& c) -> auto& { return c.capture.threshold_ppm; }, 0, 1'000'000)});
  // A limit price on the 0.001 grid, inside (0, 1): the finest tick a market can have.
  fields.push_back({cap + ".max_price",
                    fixed_on_grid([](node_config& c) -> auto& { return c.capture.max_price; }, 6, 1'000, 999'000, 1'000)});
  whole("shares", &capture_config::shares, 1, 1'000'000);
  fields.push_back({cap + ".max_exposure",
                    phase_micros([](node_config& c) -> auto& { return c.capture.max_exposure; }, 0, max_amount)});
  flag("presign", &capture_config::presign);
  whole("velocity_window_ms", &capture_config::velocity_window_ms, 1'000, 3'600'000);
  whole("slow_window_ms", &capture_config::slow_window_ms, 1'000, 3'600'000);
  add_confidence_fields(fields, cap + ".confidence");
  add_danger_fields(fields, cap + ".danger");
  flag("winning_exit", &capture_config::winning_exit);
  fields.push_back({cap + ".winning_exit_price",
                    phase_micros([](node_config& c) -> auto& { return c.capture.winning_exit_px; }, 1, 999'999)});
  return fields;
}

/// After the walk: the strategies' values that only hold together.
std::string finish_strategies(const node_config& c) {
  const std::string cap = "$.strategies.capture_99c";
  const auto& k = c.capture;
  const auto& r = k.confidence;
  if (!c.td_maker.enabled && !k.enabled)
    return "$.strategies: no strategy is enabled (enable strategies.td_maker or strategies.capture_99c)";
  auto above_cap = [&](const std::string& key, std::int64_t v) {
    return cap + "." + key + ": " + format_fixed(v, 6) + " is above confidence.cap " + format_fixed(r.cap_ppm, 6)
           + " (a confidence is never above the cap)";
  };
  if (k.threshold_ppm > r.cap_ppm)
    return above_cap("threshold", k.threshold_ppm);
  if (r.validate_above_ppm > r.cap_ppm)
    return above_cap("confidence.validate_above", r.validate_above_ppm);
  if (r.extreme_ppm > r.cap_ppm)
    return above_cap("confidence.extreme", r.extreme_ppm);
  if (r.vote_move_ppm + r.vote_velocity_ppm + r.vote_imbalance_ppm + r.vote_last_trade_ppm <= 0)
    return cap + ".confidence.vote_weights: the weights must not all be 0";
  const auto& w = k.danger;
  auto sum = w.confidence_drop + w.adverse_velocity + w.time_left + w.opposite_bid;
  if (sum < 1 || sum > 100)
    return cap + ".danger.weights: must sum to 1..100 points, got " + std::to_string(sum);
  if (k.stop_before_end_s >= k.entry_window_s)
    return cap + ".stop_before_end_s: must be below entry_window_s (" + std::to_string(k.stop_before_end_s)
           + " >= " + std::to_string(k.entry_window_s) + ": no time left to enter)";
  return {};
}

/// After the walk: the series list (legacy keys or discovery.series, not both) and
/// the market cap it needs at worst (issue 14: refused here, not mid-run).
std::string finish_series(node_config& c) {
  if (!c.discovery_series.empty() && c.discovery_legacy_keys)
    return "$.discovery.series: give either series or the legacy assets/slot_seconds, not both";
  if (c.discovery_series.empty()) {
    c.discovery_series = legacy_series(c.discovery_assets, c.discovery_slot_seconds);
    return check_market_capacity({static_cast<std::int64_t>(c.discovery_assets.size()), c.discovery_slot_seconds,
                                  c.discovery_lookahead_slots, c.discovery_retire_after_end_s,
                                  c.discovery_interval_ms},
                                 c.markets_max_live);
  }
  for (std::size_t i = 0; i < c.discovery_series.size(); ++i) {
    const auto& o = c.discovery_series[i].set;
    const auto at = "$.discovery.series[" + std::to_string(i) + "]";
    if (o.cancel_before_end_ms && *o.cancel_before_end_ms < c.orders_cancel_before_end_ms)
      return at + ".orders.cancel_before_end_ms: a series may stop before $.orders.cancel_before_end_ms ("
             + std::to_string(c.orders_cancel_before_end_ms) + "), not after it: the order actor cancels then";
    const auto window = o.capture_entry_window_s.value_or(c.capture.entry_window_s);
    if (o.capture_stop_before_end_s.value_or(c.capture.stop_before_end_s) >= window)
      return at + ".capture_99c.stop_before_end_s: must be below its entry_window_s (" + std::to_string(window) + ")";
    if (o.entry_max_entry_s.value_or(c.entry_max_entry_s) < o.entry_min_entry_s.value_or(c.entry_min_entry_s))
      return at + ".entry.max_entry_s: must be >= its min_entry_s";
  }
  std::int64_t need = 0;
  std::string worst;
  for (auto& s : c.discovery_series) {
    auto n = worst_case_live_markets({1, s.spec.slot_s, c.discovery_lookahead_slots, c.discovery_retire_after_end_s,
                                      c.discovery_interval_ms});
    need += n;
    if (worst.empty())
      worst = s.spec.key() + " " + std::to_string(n);
  }
  if (need <= c.markets_max_live)
    return {};
  return "$.markets.max_live: " + std::to_string(c.markets_max_live) + " cannot hold what discovery keeps alive: "
         + std::to_string(c.discovery_series.size()) + " series ($.discovery.series) keep " + std::to_string(need)
         + " markets alive at worst (" + worst + ", ...; $.discovery.lookahead_slots "
         + std::to_string(c.discovery_lookahead_slots) + ", $.discovery.retire_after_end_s "
         + std::to_string(c.discovery_retire_after_end_s) + "); raise $.markets.max_live to " + std::to_string(need);
}

/// Why a key under $.phase.limits or $.phase.gates is not a phase this section knows.
std::string unknown_phase_key(std::string_view parent, std::string_view key) {
  auto p = parse_phase(key);
  if (!p)
    return p.error();
  if (to_string(*p) != key)
    return "phase names are canonical here: use '" + std::string(to_string(*p)) + "'";
  if (parent == "$.phase.gates" && *p == phase::experience)
    return "no gate leads into Experience (gates are keyed by the phase they lead into: ProofOfConcept, "
           "RealMoneyTrial, Scaling)";
  return "unknown key";
}

/// Before the walk: the limits a file may leave to the ladder/budget config are marked.
void mark_phase_defaults(node_config& c) {
  for (auto& l : c.phases.limits)
    l = phase_limits{shares{not_given}, usdc{not_given}, usdc{not_given}, 0, usdc{not_given}};
  c.phases.limits[static_cast<std::size_t>(phase::proof_of_concept)].max_trades_per_session = 1;
}

/// After the walk: limits not given take the ladder/budget config; what cannot hold together is refused.
std::string finish_phases(node_config& c) {
  for (auto p : all_phases) {
    auto& l = c.phases.limits[static_cast<std::size_t>(p)];
    std::string base = "$.phase.limits." + std::string(to_string(p));
    if (l.shares_per_rung.micros == not_given)
      l.shares_per_rung = shares{c.ladder_shares_per_rung * micros_per_unit};
    if (l.max_exposure.micros == not_given)
      l.max_exposure = usdc{c.budget_max_exposure};
    if (l.max_per_market.micros == not_given) // the budget's cap, never above this phase's exposure
      l.max_per_market = usdc{std::min(c.budget_max_per_market, l.max_exposure.micros)};
    if (l.capital.micros == not_given)
      l.capital = l.max_exposure;
    if (l.max_per_market.micros > l.max_exposure.micros)
      return base + ".max_per_market: must be <= the phase's max_exposure (" + format_fixed(l.max_per_market.micros, 6)
             + " > " + format_fixed(l.max_exposure.micros, 6) + ")";
  }
  for (std::size_t i = 0; i < c.phases.gates.size(); ++i) {
    const auto& g = c.phases.gates[i];
    if (static_cast<std::int64_t>(g.min_sessions) > g.window_sessions)
      return "$.phase.gates." + std::string(to_string(all_phases[i + 1]))
             + ".min_sessions: must be <= window_sessions (a gate that can never pass)";
  }
  return {};
}

bool looks_like_secret(std::string_view key) {
  static constexpr std::array<std::string_view, 7> words{
    "private_key", "secret", "passphrase", "password", "token", "api_key", "mnemonic"};
  for (auto w : words)
    if (key.find(w) != std::string_view::npos)
      return true;
  return false;
}

bool is_section(std::string_view path) {
  for (const auto& f : schema())
    if (f.path.size() > path.size() && f.path.substr(0, path.size()) == path
        && f.path[path.size()] == '.')
      return true;
  return false;
}

const field* find_field(std::string_view path) {
  for (const auto& f : schema())
    if (f.path == path)
      return &f;
  return nullptr;
}

// How a key appears in an error path: a key shaped like a secret is not shown.
std::string path_of(const std::string& parent, std::string_view key) {
  return parent + "." + (looks_like_secret_value(key) ? "<" + redacted(key) + ">" : std::string(key));
}

std::string secret_refused(const std::string& path, std::string_view what) {
  return path + ": " + std::string(what) + " looks like a secret; secrets are not accepted in config files,"
                                            " set them in the environment (see .env.example)";
}

/// Refuses, anywhere in the document (inside "_comment" too): a key given twice in
/// one object (RapidJSON keeps both and a lookup takes one, so "mode":"paper" then
/// "mode":"live" would be read as either), and a key or string value shaped like a
/// secret. Runs before any value is read, so no error can echo a secret. The depth is
/// bounded by the parse's limits.
std::string scan(const json& v, const std::string& path) {
  if (v.IsString()) {
    std::string_view s(v.GetString(), v.GetStringLength());
    // An address is 40 hex digits, a key 64: the funder is public by nature.
    if (path == "$.wallet.funder" && s.size() == 42 && parse_address(s))
      return {};
    return looks_like_secret_value(s) ? secret_refused(path, redacted(s)) : std::string();
  }
  if (v.IsArray()) {
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i)
      if (auto err = scan(v[i], path + "[" + std::to_string(i) + "]"); !err.empty())
        return err;
    return {};
  }
  if (!v.IsObject())
    return {};
  std::set<std::string_view> seen;
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
    std::string_view key(it->name.GetString(), it->name.GetStringLength());
    auto child = path_of(path, key);
    if (looks_like_secret_value(key))
      return secret_refused(child, "this key");
    if (!seen.insert(key).second)
      return child + ": duplicate key (each key may appear once)";
    if (auto err = scan(it->value, child); !err.empty())
      return err;
  }
  return {};
}

std::string walk(const json& obj, const std::string& path, node_config& cfg) {
  for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
    std::string_view key(it->name.GetString(), it->name.GetStringLength());
    std::string child = path + "." + std::string(key);
    if (key == "_comment")
      continue; // JSON has no comments; "_comment" keys document a file in place.
    if (looks_like_secret(key))
      return child + ": secrets are not accepted in config files; set them in the environment"
                     " (see .env.example)";
    if (auto f = find_field(child)) {
      if (auto err = f->apply(it->value, cfg); !err.empty())
        return child + (err[0] == '[' || err[0] == ':' ? "" : ": ") + err; // "[2].duration: ..." extends the path
    } else if (is_section(child)) {
      if (!it->value.IsObject())
        return child + ": expected an object, got " + type_name(it->value);
      if (auto err = walk(it->value, child, cfg); !err.empty())
        return err;
    } else if (path == "$.phase.limits" || path == "$.phase.gates") {
      return child + ": " + unknown_phase_key(path, key);
    } else {
      return child + ": unknown key";
    }
  }
  return {};
}

} // namespace

result<node_config> parse_config(std::string_view json_text) {
  // Bounded (size, nesting depth) and whole: the default flags refuse anything but
  // whitespace after the document ("{...} {...}" or "{...}garbage").
  rapidjson::Document doc;
  if (auto ok = tdmaker::json::parse(doc, json_text, {.max_bytes = 4u << 20, .max_depth = 32}); !ok)
    return fail(ok.error());
  if (!doc.IsObject())
    return fail("$: expected an object, got " + type_name(doc));
  if (auto err = scan(doc, "$"); !err.empty())
    return fail(err);
  node_config cfg;
  mark_phase_defaults(cfg);
  if (auto err = walk(doc, "$", cfg); !err.empty())
    return fail(err);
  if (auto err = finish_phases(cfg); !err.empty())
    return fail(err);
  if (auto err = finish_strategies(cfg); !err.empty())
    return fail(err);
  // A frame must outlive the wait for its flush, or every frame is evicted unwritten.
  if (cfg.record_buffer_ttl_ms <= cfg.record_flush_ms)
    return fail("$.record.buffer_ttl_ms: must be above $.record.flush_ms");
  if (cfg.record_segment_bytes < cfg.record_block_bytes)
    return fail("$.record.segment_bytes: must be >= $.record.block_bytes");
  if (cfg.feed_reconnect_max_ms < cfg.feed_reconnect_min_ms)
    return fail("$.feed.reconnect_max_ms: must be >= $.feed.reconnect_min_ms");
  // A beat that fails is retried within the grace; interval + grace must leave a
  // retry room before the venue cancels everything.
  if (cfg.heartbeat_interval_ms * 2 > cfg.heartbeat_venue_timeout_ms)
    return fail("$.heartbeat.interval_ms: must be at most half of $.heartbeat.venue_timeout_ms");
  if (cfg.heartbeat_interval_ms + cfg.heartbeat_grace_ms >= cfg.heartbeat_venue_timeout_ms)
    return fail("$.heartbeat.grace_ms: interval_ms + grace_ms must be below $.heartbeat.venue_timeout_ms");
  if (cfg.wallet_signature_type != "EOA" && cfg.wallet_funder.empty())
    return fail("$.wallet.funder: required with $.wallet.signature_type " + cfg.wallet_signature_type
                + " (the address that holds the funds)");
  if (cfg.entry_max_bid < cfg.entry_target_bid)
    return fail("$.entry.max_bid: must be >= $.entry.target_bid");
  if (!cfg.notifier_webhook_url.empty()) {
    if (auto ep = parse_endpoint(cfg.notifier_webhook_url); !ep)
      return fail("$.notifier.webhook_url: " + ep.error());
    if (cfg.notifier_chat_id.empty())
      return fail("$.notifier.chat_id: required with $.notifier.webhook_url");
  }
  if (cfg.stop_loss_exit >= cfg.stop_loss_peak)
    return fail("$.stop_loss.exit: must be below $.stop_loss.peak");
  if (cfg.entry_max_entry_s < cfg.entry_min_entry_s)
    return fail("$.entry.max_entry_s: must be >= $.entry.min_entry_s");
  if (cfg.entry_max_move_ppm < cfg.entry_min_move_ppm)
    return fail("$.entry.max_move_ppm: must be >= $.entry.min_move_ppm");
  if (cfg.risk_stale_halt_ms < cfg.risk_stale_cancel_ms)
    return fail("$.risk.stale_halt_ms: must be >= $.risk.stale_cancel_ms");
  if (cfg.budget_max_per_market > cfg.budget_max_exposure)
    return fail("$.budget.max_per_market: must be <= $.budget.max_exposure");
  // A batch over the burst is refused whole by the venue, and a buy must still fit
  // beside the exits' reserve.
  if (cfg.rate_limits_order_burst < cfg.orders_batch_max + cfg.rate_limits_exit_reserve)
    return fail("$.rate_limits.order_burst: must be >= $.orders.batch_max + $.rate_limits.exit_reserve");
  if (!cfg.http_allow_non_loopback && !is_loopback_host(cfg.http_listen.host))
    return fail("$.http.listen: '" + cfg.http_listen.host
                + "' is not a loopback address; set $.http.allow_non_loopback to expose it");
  if (auto err = finish_series(cfg); !err.empty())
    return fail(err);
  return cfg;
}

result<listen_address> parse_listen_address(std::string_view text) {
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return fail("expected \"[ipv6]:port\", got '" + std::string(text) + "'");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos)
      return fail("expected \"host:port\", got '" + std::string(text) + "'");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (port.empty() || port.size() > 5)
    return fail("invalid port in '" + std::string(text) + "'");
  unsigned p = 0;
  for (char c : port) {
    if (c < '0' || c > '9')
      return fail("invalid port in '" + std::string(text) + "'");
    p = p * 10 + static_cast<unsigned>(c - '0');
  }
  if (p > 65535)
    return fail("port out of range in '" + std::string(text) + "'");
  std::string h(host);
  unsigned char buf[16];
  if (h != "localhost" && inet_pton(AF_INET, h.c_str(), buf) != 1
      && inet_pton(AF_INET6, h.c_str(), buf) != 1)
    return fail("host must be an IP address or localhost, got '" + h + "'");
  return listen_address{h, static_cast<std::uint16_t>(p)};
}

bool is_loopback_host(std::string_view host) {
  return host == "localhost" || host == "::1" || host.substr(0, 4) == "127.";
}

std::string_view to_string(trading_mode m) { return m == trading_mode::paper ? "paper" : "live"; }

} // namespace tdmaker
