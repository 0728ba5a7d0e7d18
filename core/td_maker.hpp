#pragma once
// Seed 003's TD maker behind the strategy seam: the entry filter chain and the
// maker ladder, exactly as bidding ran them before strategies (issue 17 moved
// them here with no change of behaviour). The budget and the trade limiter are
// bidding's: this only proposes.
#include <optional>

#include "core/entry_filters.hpp"
#include "core/ladder.hpp"
#include "core/strategy.hpp"

namespace tdmaker {

/// The entry filters' view of `side` at `snap`: what the TD maker decides on, the
/// stop-loss checks, and `tdmaker train` samples.
entry_inputs entry_inputs_of(const strategy_snapshot& snap, outcome side);

/// One outcome's last decision, for the entry audit line.
struct td_maker_side {
  entry_inputs in;
  filter_result r;
  std::string_view verdict; // "skip", "maker orders", "taker order", "ladder placed", ...
  std::size_t proposals = 0;
};

class td_maker final : public strategy {
public:
  td_maker(entry_rules entry, std::optional<entry_model> model, ladder_rules ladder);
  strategy_kind kind() const override { return strategy_kind::td_maker; }
  void evaluate(const strategy_snapshot& snap, const strategy_orders& mine, strategy_intents& out) override;
  const td_maker_side& last(outcome side) const { return last_[side == outcome::up ? 0 : 1]; }

private:
  std::string_view plan(const strategy_snapshot& snap, const strategy_orders& mine, outcome side,
                        const filter_result& r, strategy_intents& out) const;
  entry_rules entry_;
  std::optional<entry_model> model_;
  ladder_rules ladder_;
  td_maker_side last_[2];
};

} // namespace tdmaker
