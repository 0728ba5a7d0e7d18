#pragma once
// Seeded simulated traders that make the venue's books look alive: per open
// market a market maker quotes both outcomes around a fair probability (from
// the reference move since the slot start, volatility and time left), and a
// taker now and then crosses the spread, which also fills other makers' resting
// bids. They trade through exchange::place with real signed orders, so they
// obey every rule a client does.
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/money.hpp"
#include "core/secp256k1_signer.hpp"
#include "venue/exchange.hpp"

namespace tdmaker::venue {

struct sim_config {
  bool enabled = true;
  double taker_rate = 0.15;     // chance per market per second that a taker crosses
  std::int64_t half_spread = 20'000; // 0.02 around fair
  double annual_vol = 0.6;
};

/// P(Up) for a slot: the probability that a driftless GBM ends at or above
/// `start`, given `now` and `seconds_left`. Clamped to [0.02, 0.98].
double fair_up(ref_price start, ref_price now, std::int64_t seconds_left, double annual_vol);

class sim_traders {
public:
  sim_traders(exchange& ex, std::uint64_t seed, sim_config cfg);
  /// One step per second for every open, started market.
  void step(std::int64_t now_ms, const slot_market& m, ref_price start, ref_price now);
  std::uint64_t orders_sent() const { return sent_; }
  /// Paused takers send nothing (makers keep quoting): a test that must keep the
  /// resting orders it is looking at, across a node restart, pauses them.
  void pause_takers(bool paused) { takers_paused_ = paused; }
  bool takers_paused() const { return takers_paused_; }

private:
  struct agent {
    private_key key;
    api_creds creds;
  };
  struct quotes {
    std::string up_bid, down_bid;
    std::int64_t fair = -1;
  };
  order_request make(const agent& a, const std::string& token, order_side side, std::int64_t px,
                     std::int64_t size, order_type type, bool post_only, std::int64_t now_ms);
  std::string place(const agent& a, const order_request& r, std::int64_t now_ms);

  exchange& ex_;
  sim_config cfg_;
  std::mt19937_64 rng_;
  std::vector<agent> makers_, takers_;
  std::map<std::string, quotes> quotes_; // by condition id
  std::uint64_t salt_ = 1;
  std::uint64_t sent_ = 0;
  bool takers_paused_ = false;
};

} // namespace tdmaker::venue
