#include "core/capture_99c.hpp"

#include <algorithm>

namespace tdmaker {
namespace {

constexpr double presign_lead_s = 30; // sign this long before the window opens

double relative(ref_price a, ref_price base) {
  return base.e8 > 0 ? static_cast<double>(a.e8 - base.e8) / static_cast<double>(base.e8) : 0.0;
}

} // namespace

capture_99c::capture_99c(capture_config cfg) : cfg_(std::move(cfg)) {}

confidence_result capture_99c::confidence_now(const strategy_snapshot& snap, outcome side) const {
  const auto& t = snap.top(side);
  const auto& other = snap.top(side == outcome::up ? outcome::down : outcome::up);
  confidence_inputs in;
  in.side = side;
  in.ask = t.ask;
  in.ask_size = t.ask_size;
  in.seconds_to_close = snap.seconds_to_close();
  in.move_known = snap.ref_start.e8 > 0 && snap.ref_now.e8 > 0;
  in.move_since_start = relative(snap.ref_now, snap.ref_start);
  in.motion = snap.fast;
  in.volatility = snap.slow.volatility_known ? snap.slow.volatility : 0.0;
  in.rule = snap.rule;
  in.twap_mean_known = snap.slow.mean_known && snap.ref_start.e8 > 0;
  in.twap_move = relative(snap.slow.mean, snap.ref_start);
  in.own_bid_size = t.bid_size;
  in.other_bid_size = other.bid_size;
  in.last_trade_vote = side == outcome::up ? snap.last_trade_vote_up : -snap.last_trade_vote_up;
  return confidence_99c(cfg_.confidence, in);
}

shares capture_99c::order_size(const strategy_snapshot& snap) const {
  auto whole = cfg_.shares;
  if (snap.rung_shares > 0)
    whole = std::min(whole, snap.rung_shares); // the phase's rung caps every buy
  auto size = whole * micros_per_unit;
  // The market's minimum, rounded up to a whole share.
  auto min = (snap.min_size.micros + micros_per_unit - 1) / micros_per_unit * micros_per_unit;
  return shares{std::max(size, min)};
}

void capture_99c::on_ordered(outcome side, std::int64_t confidence_ppm) {
  state_.ordered = true;
  state_.side = side;
  state_.order_confidence_ppm = confidence_ppm;
  dirty_ = true;
}

void capture_99c::on_filled(const strategy_snapshot& snap, outcome side) {
  if (state_.peak_confidence_ppm >= 0)
    return; // the first fill's: later fills of the same order do not move the peak
  state_.ordered = true;
  state_.side = side;
  state_.peak_confidence_ppm = confidence_now(snap, side).confidence_ppm;
  state_.filled_ms = snap.now_ms;
  dirty_ = true;
}

void capture_99c::evaluate(const strategy_snapshot& snap, const strategy_orders& mine, strategy_intents& out) {
  conf_[0] = confidence_now(snap, outcome::up);
  conf_[1] = confidence_now(snap, outcome::down);
  watch(snap, mine, out);
  if (snap.awaiting_settlement) {
    out.reason = "awaiting settlement";
    return;
  }
  enter(snap, mine, out);
}

/// The danger score of each book's holding; past the threshold an exit through
/// the stop-loss actor, else (optionally) a resting sell of the winner at 0.999.
void capture_99c::watch(const strategy_snapshot& snap, const strategy_orders& mine, strategy_intents& out) {
  for (int b = 0; b < 2; ++b) {
    const auto& h = mine.held[b];
    danger_known_[b] = h.open;
    if (!h.open) {
      danger_[b] = {};
      held_conf_ppm_[b] = -1;
      continue;
    }
    const int i = h.side == outcome::up ? 0 : 1;
    const std::int64_t peak = state_.peak_confidence_ppm >= 0 ? state_.peak_confidence_ppm : conf_[i].confidence_ppm;
    if (!(conf_[i].reasons & reason_no_ask))
      held_conf_ppm_[b] = conf_[i].confidence_ppm;
    danger_inputs in;
    in.peak_confidence_ppm = peak;
    in.confidence_ppm = held_conf_ppm_[b] >= 0 ? held_conf_ppm_[b] : peak;
    in.velocity_known = snap.fast.velocity_known;
    in.adverse_velocity = h.side == outcome::up ? -snap.fast.velocity : snap.fast.velocity;
    in.seconds_to_close = std::max(0.0, snap.seconds_to_close());
    in.opposite_bid = snap.top(h.side == outcome::up ? outcome::down : outcome::up).bid.micros;
    danger_[b] = danger_score(cfg_.danger, in);
    if (mine.exit_open[b])
      continue;
    if (danger_[b].score >= cfg_.danger_exit) {
      out.exits.push_back({b == 1, snap.top(h.side).bid, true, "danger score"});
      continue;
    }
    const bool on_grid = snap.tick.micros > 0 && cfg_.winning_exit_px % snap.tick.micros == 0;
    if (cfg_.winning_exit && on_grid && cfg_.winning_exit_px > h.entry.micros)
      out.exits.push_back({b == 1, price{cfg_.winning_exit_px}, false, "winning exit"});
  }
}

void capture_99c::enter(const strategy_snapshot& snap, const strategy_orders& mine, strategy_intents& out) {
  if (state_.ordered || mine.any_placed()) {
    out.reason = "captured";
    return;
  }
  const double left = snap.seconds_to_close();
  const auto size = order_size(snap);
  if (left > static_cast<double>(cfg_.entry_window_s)) {
    if (cfg_.presign && !presigned_ && left <= static_cast<double>(cfg_.entry_window_s) + presign_lead_s) {
      presigned_ = true; // both outcomes: which one wins the capture is not known yet
      for (auto side : {outcome::up, outcome::down})
        out.presign.push_back({side, 0, price{cfg_.max_price}, size, false});
    }
    out.reason = "before the capture window";
    return;
  }
  if (left <= static_cast<double>(cfg_.stop_before_end_s)) {
    out.reason = "too close to the end";
    return;
  }
  const auto side = conf_[0].confidence_ppm >= conf_[1].confidence_ppm ? outcome::up : outcome::down;
  const auto& c = conf_[side == outcome::up ? 0 : 1];
  const auto ask = snap.top(side).ask;
  if (c.confidence_ppm < cfg_.threshold_ppm) {
    out.reason = "confidence below threshold";
    return;
  }
  if (ask.micros <= 0 || ask.micros > cfg_.max_price) {
    out.reason = "ask above max price";
    return;
  }
  // A limit at the max price, marketable: it takes the ask (and whatever rests
  // up to the max); price and size known in advance, so it may be signed ahead.
  out.place.push_back({side, 0, price{cfg_.max_price}, size, false});
  out.reason = "capture order";
}

} // namespace tdmaker
