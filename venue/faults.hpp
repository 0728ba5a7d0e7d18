#pragma once
// Seeded fault injection: what the real venue does to a client on a bad day
// (protocol ref §6), on demand. The plan comes from --faults FILE at start and
// can be replaced at run time through the admin API. Every injected fault is
// counted per kind and logged by the caller.
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace tdmaker::venue {

struct fault_window {
  std::int64_t start_s = 0; // Unix seconds
  std::int64_t end_s = 0;
};

struct fault_plan {
  std::uint64_t seed = 1;
  // Probabilities in [0, 1] per order-path HTTP request (POST/DELETE order endpoints).
  double http_500 = 0, http_429 = 0, http_425 = 0;
  double ghost_order = 0;          // POST /order rests, but the reply is lost
  double taker_delay_unmatched = 0; // a taker-delayed order's delay fails: reply `unmatched`
  double user_trade_drop = 0;      // a user-channel trade frame is not sent
  double user_trade_duplicate = 0; // a user-channel trade frame is sent twice
  double user_trade_delay = 0;     // a user-channel trade frame is held back
  std::int64_t user_trade_delay_ms = 2000;
  double late_resolution = 0;      // a market resolves `late_resolution_s` late
  std::int64_t late_resolution_s = 120;
  std::int64_t ws_drop_every_s = 0;  // 0 = never: drop one open WS connection every N s
  std::int64_t ws_stall_every_s = 0; // 0 = never: stall one (open, silent) every N s
  std::string ws_fault_path;         // "" = any; else only that path ("/ws/market", "/ws/user", "/")
  double market_event_drop = 0;      // a market-channel price_change/last_trade frame is not sent
  double market_event_duplicate = 0; // ... is sent twice
  std::vector<fault_window> ws_refuse_windows; // WS service down: upgrades get 503, open sockets dropped
  std::vector<fault_window> post_only_windows; // 503 post_only_mode for non-post-only orders
  std::vector<fault_window> http_425_windows;  // engine restart: order endpoints answer 425
  std::vector<fault_window> rtds_freeze_windows; // RTDS publishes no price (kept for no backfill either)
};

/// Parses a plan; times in windows are relative to `now_s` when given as
/// {"in_s": A, "for_s": B}, or absolute as {"start_s", "end_s"}.
result<fault_plan> parse_fault_plan(const std::string& json_text, std::int64_t now_s);
std::string fault_plan_json(const fault_plan& p);

class fault_injector {
public:
  fault_injector() : fault_injector(fault_plan{}) {}
  explicit fault_injector(fault_plan p);
  void set_plan(fault_plan p);
  const fault_plan& plan() const { return plan_; }

  /// Draws with probability `p`; counts `kind` when it fires.
  bool roll(double p, const std::string& kind);
  bool in_window(const std::vector<fault_window>& ws, std::int64_t now_s) const;
  /// Index in [0, n) for picking a victim.
  std::size_t pick(std::size_t n);
  void count(const std::string& kind) { ++counts_[kind]; }
  const std::map<std::string, std::uint64_t>& counts() const { return counts_; }

private:
  fault_plan plan_;
  std::mt19937_64 rng_;
  std::map<std::string, std::uint64_t> counts_;
};

} // namespace tdmaker::venue
