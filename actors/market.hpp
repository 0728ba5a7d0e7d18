#pragma once
#include <chrono>

#include "actors/interfaces.hpp"
#include <optional>

#include "core/config.hpp"
#include "core/entry_filters.hpp"
#include "core/ladder.hpp"
#include "core/paper_fills.hpp"
#include "core/phase_policy.hpp"

namespace tdmaker {

/// The TD maker's knobs (seed 003): entry filters, optional model, ladder.
struct td_maker_setup {
  entry_rules entry;
  std::optional<entry_model> model; // replaces the move and fair-value filters when set
  ladder_rules ladder;
};

struct market_options {
  bool fault_injection = false;
  bool book_hash_check = true; // verify price_change hashes; re-fetch on mismatch
  feed_actor feed;             // where re-fetch requests go (may be null in tests)
  bidding_actor bidding;       // evaluates the market on each book update (null: no trading)
  order_actor orders;          // places and cancels (null: no trading)
  fill_actor fills;            // gets simulated fills of paper orders (null: none)
  stop_loss_actor stop_loss;   // checks an open position on every book update (null: no exits)
  audit_actor audit;           // the shadow taker entry of a first fill (null: none)
  paper_rules paper;
  // The strategies this market runs (issue 17); unset = off. Both off: the
  // market streams and settles, and places nothing.
  std::optional<td_maker_setup> td_maker;
  std::optional<capture_config> capture;
  // The phase's rung size sizes every strategy's buys (seed 002); unset: the
  // ladder's own size, and no phase is awaited.
  std::optional<phase_policy> phases;
  std::int64_t stop_before_end_ms = 10'000; // no new intents this close to the slot end
  std::chrono::milliseconds idle_evaluate{1'000}; // re-evaluate without book updates (time gates)
  std::chrono::milliseconds flush_every{250};
  // `tdmaker train` only (a replay): every TD maker evaluation and every check of a
  // held outcome, as feature rows, and the winner that labels them. Null live.
  sample_writer_actor samples;
};

/// Spawns the actor that alone owns market `id`. It loads its persisted record
/// before handling anything else, so a restarted actor resumes where it stopped.
market_actor spawn_market(caf::local_actor* parent, condition_id id, std::uint32_t incarnation,
                          store_actor store, telemetry_actor telemetry, market_options opts);

} // namespace tdmaker
