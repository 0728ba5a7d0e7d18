#pragma once
// The store's health as one explicit rule, so "may a new order be admitted?" has
// one answer for the whole node (issue 14: a full map let orders out while their
// later states and the fills were lost).
//
//   healthy/recovered --any commit fails--------------------------> failing
//   failing --a commit of the actors' writes succeeds--------------> failing (not trusted:
//             a nearly full map lets small writes through between failures)
//   failing --the store's own probe write succeeds and the map
//             has at least `recover_headroom` free------------------> recovered
//
// Headroom is watched apart: below `alert_headroom` free it is low (an alert before
// the map fills), at or above it it is ok again. The figures are the map's high-water
// mark (last page used x page size), which never falls: a map that filled stays full
// until the node restarts with a larger store.map_size_mb.
#include <cstdint>
#include <string>
#include <string_view>

namespace tdmaker {

enum class store_state : std::uint8_t { healthy = 0, failing = 1, recovered = 2 };
std::string_view to_string(store_state s);

struct store_health_rules {
  double alert_headroom = 0.10;   // fraction of the map free below which headroom is low
  double recover_headroom = 0.02; // a probe recovers a failing store only with this much free
};

struct map_usage {
  std::uint64_t used_bytes = 0;
  std::uint64_t size_bytes = 0;
  /// Fraction of the map still free, 1 when the size is not known.
  double headroom() const;
};

enum class store_transition : std::uint8_t { none, tripped, recovered };
enum class headroom_transition : std::uint8_t { none, low, ok };

class store_health {
public:
  explicit store_health(store_health_rules rules = {}) : rules_(rules) {}

  /// A commit of the actors' writes: a failure trips, a success changes nothing.
  store_transition on_commit(bool ok, std::string_view error);
  /// The store's probe write while failing: the only way back to trusted.
  store_transition on_probe(bool ok, std::string_view error, map_usage usage);
  /// The map's use after a commit.
  headroom_transition on_usage(map_usage usage);

  store_state state() const { return state_; }
  bool failing() const { return state_ == store_state::failing; }
  bool headroom_low() const { return headroom_low_; }
  /// Why it is failing (the first failure of this episode), empty when not.
  const std::string& reason() const { return reason_; }
  std::uint64_t trips() const { return trips_; }

private:
  store_health_rules rules_;
  store_state state_ = store_state::healthy;
  bool headroom_low_ = false;
  std::string reason_;
  std::uint64_t trips_ = 0;
};

} // namespace tdmaker
