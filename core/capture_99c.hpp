#pragma once
// Seed 000's 99c capture behind the strategy seam: in a slot's last minutes,
// when one outcome is all but certain (confidence >= threshold, seed 001's
// rules) and its ask is at or below the max price, buy it as a taker and hold
// it to settlement; never both outcomes. The confidence at fill (not at
// placement) is the peak; a danger score watches the position from then on and
// asks for an exit through the stop-loss actor past its threshold. Optionally a
// winner is offered at 0.999 before resolution (seed 001's smart exit).
#include <cstdint>

#include "core/config.hpp"
#include "core/danger_score.hpp"
#include "core/records.hpp"
#include "core/strategy.hpp"

namespace tdmaker {

class capture_99c final : public strategy {
public:
  explicit capture_99c(capture_config cfg);
  strategy_kind kind() const override { return strategy_kind::capture_99c; }
  void evaluate(const strategy_snapshot& snap, const strategy_orders& mine, strategy_intents& out) override;

  /// The durable part (market_record.capture): restored at start, persisted by
  /// the market whenever `take_dirty()` says it changed.
  void restore(const capture_state& s) { state_ = s; }
  const capture_state& state() const { return state_; }
  bool take_dirty() { return std::exchange(dirty_, false); }

  /// A capture order went out on `side` with the confidence it was placed at.
  void on_ordered(outcome side, std::int64_t confidence_ppm);
  /// The first fill was booked: the peak is the confidence recomputed now from
  /// the current ask and time to close (seed 000's pitfall 2), not the placement's.
  void on_filled(const strategy_snapshot& snap, outcome side);
  void on_danger_exit() { state_.danger_exited = true, dirty_ = true; }

  /// The last evaluation's figures (for /status, /metrics and the audit).
  const confidence_result& confidence(outcome side) const { return conf_[side == outcome::up ? 0 : 1]; }
  const danger_result& danger(bool paper) const { return danger_[paper ? 1 : 0]; }
  bool danger_known(bool paper) const { return danger_known_[paper ? 1 : 0]; }
  /// The held outcome's confidence the danger score used (its last measured one).
  std::int64_t watched_confidence(bool paper) const { return held_conf_ppm_[paper ? 1 : 0]; }
  std::int32_t danger_exit_at() const { return static_cast<std::int32_t>(cfg_.danger_exit); }
  shares order_size(const strategy_snapshot& snap) const;
  /// The confidence of `side` now (the function the peak and every evaluation use).
  confidence_result confidence_now(const strategy_snapshot& snap, outcome side) const;

private:
  void watch(const strategy_snapshot& snap, const strategy_orders& mine, strategy_intents& out);
  void enter(const strategy_snapshot& snap, const strategy_orders& mine, strategy_intents& out);
  capture_config cfg_;
  capture_state state_;
  bool dirty_ = false;
  bool presigned_ = false;
  confidence_result conf_[2];
  danger_result danger_[2];     // per book: [0] live, [1] paper
  bool danger_known_[2] = {false, false};
  // The held outcome's last measured confidence, per book: a book with no ask
  // for a moment (a maker re-quoting, or no seller left of a near-certain winner)
  // measures nothing, and must not read as a fall to 0 that sells a winner.
  std::int64_t held_conf_ppm_[2] = {-1, -1};
};

} // namespace tdmaker
