#pragma once
#include <chrono>

#include "actors/interfaces.hpp"
#include "core/paper_fills.hpp"

namespace tdmaker {

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
  std::int64_t stop_before_end_ms = 10'000; // no new intents this close to the slot end
  std::chrono::milliseconds idle_evaluate{1'000}; // re-evaluate without book updates (time gates)
  std::chrono::milliseconds flush_every{250};
};

/// Spawns the actor that alone owns market `id`. It loads its persisted record
/// before handling anything else, so a restarted actor resumes where it stopped.
market_actor spawn_market(caf::local_actor* parent, condition_id id, std::uint32_t incarnation,
                          store_actor store, telemetry_actor telemetry, market_options opts);

} // namespace tdmaker
