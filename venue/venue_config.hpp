#pragma once
// tdmaker-venue settings: JSON file (validated like the node's: unknown keys and
// out-of-range values are errors with their JSON path) plus command-line flags.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "venue/wallet_registry.hpp"
#include "venue/fee_config.hpp"
#include "venue/signer_limits.hpp"
#include "venue/market_catalog.hpp"

namespace tdmaker::venue {

struct venue_config {
  std::uint64_t seed = 1;
  std::int64_t slot_seconds = 900;
  std::vector<std::string> assets{"btc", "eth", "sol", "xrp"};
  std::int64_t lead_slots = 2;           // slots listed ahead of the current one
  std::int64_t resolution_delay_s = 60;  // after the slot end
  bool twap_resolution = false;          // compare the 60 s TWAP at the end, not the spot
  double annual_vol = 0.6;               // reference price path
  std::int64_t starting_usdc = 1'000'000'000'000; // micro pUSD per new address
  std::string host = "127.0.0.1";
  int clob_port = 18080;
  int gamma_port = 18081;
  int ws_port = 18082;   // /ws/market and /ws/user
  int rtds_port = 18083;
  int admin_port = 18084;
  std::int64_t ping_timeout_ms = 30'000; // no PING for this long: close 1008
  std::int64_t heartbeat_timeout_ms = 10'000; // lapsed /v1/heartbeats series: cancel all
  std::string ports_file; // if set, the bound ports are written here as JSON
  bool sim_traders = true;      // simulated makers and takers keep books alive
  double sim_taker_rate = 0.15; // chance per market per second of a crossing taker
  std::string faults_file; // fault plan applied at start (see faults.hpp)
  std::vector<registered_wallet> wallets;   // proxy/safe/deposit wallets and their owners
  std::vector<address20> deposit_wallet_only; // owners refused as EOA makers
  fee_table fee_schedules;  // per series ("btc-15m"); unlisted: 0.07, exponent 1
  signer_limits_config rate_limits; // per-signer buckets, on (Standard tier) by default
  // Taker delay per series (asset -> ms; absent or 0 = none): a marketable order
  // is held this long, then matched against the book as it is then (`itode`).
  std::map<std::string, std::int64_t> taker_delay_ms;
  // The series listed (issue 19): config `series` or --series; when neither is
  // given, `assets` x `slot_seconds` as timestamped series resolving per
  // `twap_resolution`. After parsing, never empty, and `assets` is their union.
  std::vector<venue_series> series;
};

/// The listed series of `c` and the assets they need (what the world rolls).
void settle_series(venue_config& c);

result<venue_config> parse_venue_config(const std::string& json_text);
/// Applies --flags over `cfg`; fails on an unknown flag or a bad value.
result<venue_config> apply_flags(venue_config cfg, const std::vector<std::string>& args);

} // namespace tdmaker::venue
