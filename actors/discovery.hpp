#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/interfaces.hpp"
#include "actors/util.hpp"
#include "core/series.hpp"
#include "net/http_client.hpp"

namespace tdmaker {

struct discovery_options {
  std::vector<series_spec> series{*make_series("btc", "15m")}; // each listed by its Gamma series
  int lookahead_slots = 1; // also the next N slots, so their books are warm at the start
  std::chrono::milliseconds interval{5'000};
  std::chrono::seconds unsubscribe_after_end{60};
  std::chrono::seconds retire_after_end{300}; // seed 003: slot end + 5 min grace
  std::chrono::milliseconds flush_every{250};
  notifier_actor notifier;                      // the market cap's alert (none: logged only)
  /// Sends one CLOB request (`/clob-markets/{cid}`: the fee schedule that wins over
  /// Gamma's); empty = Gamma's feeSchedule alone. The callback may run on any thread.
  http_fetch clob;
  std::function<std::int64_t()> clock = [] { return wall_ms(); }; // wall ms; tests move it
};

/// Sends one Gamma request; the callback may run on any thread.
using gamma_fetch = http_fetch;

/// Spawns discovery: every interval it asks Gamma for each series' listing
/// (`/events?series_slug=…`, open events by end date), takes the current slot and
/// the next `lookahead_slots` of it, has the directory create their market actors
/// and tells the feed to stream them; it retires ended markets, those the
/// directory already had when discovery (re)started included. A listed event
/// that is not of its series (slug shape, asset, length, start) is skipped and
/// logged once. Gamma errors and malformed events are logged and retried on the
/// next pass, never fatal; the market cap (markets.max_live) refusing slots is
/// alerted once per episode.
discovery_actor spawn_discovery(caf::actor_system& sys, gamma_fetch gamma, directory_actor directory,
                                feed_actor feed, telemetry_actor telemetry, discovery_options opts);

} // namespace tdmaker
