#include "core/td_maker.hpp"

#include <algorithm>

namespace tdmaker {

entry_inputs entry_inputs_of(const strategy_snapshot& snap, outcome side) {
  const auto& t = snap.top(side);
  return {side, t.bid, t.ask, snap.ref_start, snap.ref_now, snap.now_ms, snap.slot_start_s, snap.slot_end_s};
}

td_maker::td_maker(entry_rules entry, std::optional<entry_model> model, ladder_rules ladder)
  : entry_(entry), model_(std::move(model)), ladder_(ladder) {}

void td_maker::evaluate(const strategy_snapshot& snap, const strategy_orders& mine, strategy_intents& out) {
  if (snap.awaiting_settlement) {
    out.reason = "awaiting settlement";
    return;
  }
  std::string_view why;
  for (auto side : {outcome::up, outcome::down}) {
    auto& last = last_[side == outcome::up ? 0 : 1];
    last.in = entry_inputs_of(snap, side);
    last.r = evaluate_entry(entry_, model_ ? &*model_ : nullptr, last.in);
    auto before = out.place.size();
    last.verdict = last.r.action == entry_action::skip ? std::string_view("skip") : plan(snap, mine, side, last.r, out);
    last.proposals = out.place.size() - before;
    if (why.empty() || last.r.action != entry_action::skip)
      why = last.verdict == "skip" ? last.r.reason : last.verdict;
  }
  out.reason = why;
}

/// The rungs due for `side` (seed 003): one marketable order at the ask for a
/// taker entry, never twice; else the ladder's rungs not placed yet (for a
/// sequential ladder only the next after those filled). Sized on the phase's
/// rung (raised to the market's minimum).
std::string_view td_maker::plan(const strategy_snapshot& snap, const strategy_orders& mine, outcome side,
                                const filter_result& r, strategy_intents& out) const {
  const int i = side == outcome::up ? 0 : 1;
  auto ladder = ladder_;
  if (snap.rung_shares > 0)
    ladder.shares_per_rung = snap.rung_shares;
  if (r.action == entry_action::taker) {
    if (mine.placed[i] & 1u)
      return "ladder complete";
    out.place.push_back({side, 0, r.px, rung_size(ladder, snap.min_size), false});
    return "taker order";
  }
  auto rungs = ladder_rungs(ladder, r.px, snap.tick, snap.min_size);
  std::vector<bool> placed(rungs.size());
  for (std::size_t k = 0; k < rungs.size(); ++k)
    placed[k] = (mine.placed[i] >> k) & 1u;
  auto due = rungs_due(ladder, placed, mine.filled[i]);
  if (due.empty())
    return mine.filled[i] >= ladder.rungs ? "ladder filled" : "ladder placed";
  for (auto k : due)
    out.place.push_back({side, k, rungs[k].px, rungs[k].size, true});
  return "maker orders";
}

} // namespace tdmaker
