#pragma once
// The market cap (markets.max_live): how many market actors a discovery
// configuration can keep alive at worst, the directory's refusal text, and the
// rule that turns a stream of refusals into one alert per episode.
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

namespace tdmaker {

/// What discovery keeps alive per asset depends on these fields only.
struct discovery_shape {
  std::int64_t assets = 0;
  std::int64_t slot_s = 0;           // discovery.slot_seconds
  std::int64_t lookahead_slots = 0;  // discovery.lookahead_slots
  std::int64_t retire_after_end_s = 0;
  std::int64_t interval_ms = 0;      // discovery.interval_ms
};

/// Market actors the shape can hold alive at one instant, at worst. A slot's
/// market lives from the pass that first sees it (lookahead_slots before its
/// start) until the first pass strictly after end + retire_after_end_s (up to one
/// interval and one second late), so one asset has
/// ceil((slot × (1 + lookahead) + retire_after_end + interval + 1 s) / slot) live.
/// Not counted: a retirement refused while the market still has open orders.
std::int64_t worst_case_live_markets(const discovery_shape& s);

/// Empty when the shape fits max_live; otherwise the error, naming the keys and
/// the numbers (the config check returns it as is).
std::string check_market_capacity(const discovery_shape& s, std::int64_t max_live);

/// The directory's answer when the cap is full, and how discovery recognises it.
std::string max_live_refusal(std::int64_t max_live);
bool is_max_live_refusal(std::string_view error_text);

/// One alert per episode of refusals: an episode starts with the first refused
/// slug and ends only when no wanted slug is still refused (every one was served
/// or left the discovery window). While demand exceeds the cap some slug is
/// always waiting, so a slot retiring and the next being accepted does not end it.
class cap_watch {
public:
  enum class change { none, raised, cleared };

  change refused(const std::string& slug);
  change served(const std::string& slug);
  /// Forget refused slugs discovery no longer wants (their slot passed).
  change keep_only(const std::set<std::string>& wanted);

  bool active() const { return active_; }
  std::size_t waiting() const { return refused_.size(); }

private:
  change settle();

  std::set<std::string> refused_;
  bool active_ = false;
};

} // namespace tdmaker
