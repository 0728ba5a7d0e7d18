#include "actors/bidding.hpp"

#include <map>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/instrumented.hpp"
#include "actors/util.hpp"
#include "core/audit_lines.hpp"

namespace tdmaker {
namespace {

class bidding_impl : public instrumented<bidding_actor::base> {
public:
  bidding_impl(caf::actor_config& cfg, telemetry_actor telemetry, audit_actor audit, bidding_options opts)
    : instrumented(cfg, "bidding", std::move(telemetry), opts.flush_every),
      audit_(std::move(audit)),
      opts_(std::move(opts)),
      budget_(opts_.max_exposure, opts_.max_per_market) {}

  behavior_type make_behavior() override {
    delayed_send(this, opts_.publish_every, tick_atom::value);
    return {
      [=, this](market_view& v) -> bid_decision { return evaluate(v); },
      [=, this](budget_release& r) { budget_.release(r.market.hex, r.amount); },
      [=, this](budget_claim& c) { claim(c); },
      [=, this](balance_update& b) { on_balance(b); },
      [=, this](phase_record& p) { phase_ = p.current; },
      [=, this](tick_atom) {
        publish();
        delayed_send(this, opts_.publish_every, tick_atom::value);
      },
      [=, this](get_atom, budget_atom) { return snapshot(); },
    };
  }

private:
  bid_decision evaluate(const market_view& v) {
    bid_decision d;
    if (v.awaiting_settlement) {
      d.reason = "awaiting settlement";
      return d;
    }
    std::string_view why;
    for (auto side : {outcome::up, outcome::down}) {
      const auto& top = side == outcome::up ? v.up : v.down;
      entry_inputs in{side, top.best_bid, top.best_ask, v.ref_start, v.ref_now, v.now_ms, v.slot_start_s, v.slot_end_s};
      auto r = evaluate_entry(opts_.entry, opts_.model ? &*opts_.model : nullptr, in);
      std::string_view verdict = "skip";
      std::size_t before = d.place.size();
      if (r.action != entry_action::skip)
        verdict = plan_orders(v, side, r, d);
      // The reason is text for logs and tests; the static view is kept and
      // copied into the message once, after both outcomes.
      if (why.empty() || r.action != entry_action::skip)
        why = verdict == "skip" ? r.reason : verdict;
      audit_if_changed(v, in, r, verdict, d.place.size() - before);
    }
    d.reason = std::string(why);
    return d;
  }

  /// The rungs due for `side`, each with its budget reserved; returns the verdict.
  std::string_view plan_orders(const market_view& v, outcome side, const filter_result& r, bid_decision& d) {
    const auto placed_mask = side == outcome::up ? v.placed_up : v.placed_down;
    const auto filled = side == outcome::up ? v.filled_up : v.filled_down;
    const auto& token = side == outcome::up ? v.up_token : v.down_token;
    if (r.action == entry_action::taker) {
      // One marketable order at the ask, as the first rung; never twice.
      if (placed_mask & 1u)
        return "ladder complete";
      return reserve_and_add(v, side, token, 0, r.px, rung_size(opts_.ladder, v.min_size), false, d)
               ? "taker order" : "no budget";
    }
    auto rungs = ladder_rungs(opts_.ladder, r.px, v.tick, v.min_size);
    std::vector<bool> placed(rungs.size());
    for (std::size_t i = 0; i < rungs.size(); ++i)
      placed[i] = (placed_mask >> i) & 1u;
    auto due = rungs_due(opts_.ladder, placed, filled);
    if (due.empty())
      return filled >= opts_.ladder.rungs ? "ladder filled" : "ladder placed";
    for (auto i : due)
      if (!reserve_and_add(v, side, token, i, rungs[i].px, rungs[i].size, true, d))
        return d.place.empty() ? "no budget" : "maker orders (budget exhausted)";
    return "maker orders";
  }

  bool reserve_and_add(const market_view& v, outcome side, const token_id& token, std::uint32_t rung,
                       price px, shares size, bool post_only, bid_decision& d) {
    auto cost = order_cost(px, size);
    if (!budget_.try_reserve(v.market.hex, cost))
      return false;
    place_intent p;
    p.market = v.market;
    p.token = token;
    p.side_outcome = side;
    p.rung = rung;
    p.side = order_side::buy;
    p.px = px;
    p.size = size;
    p.reserved = cost;
    p.slot_end_s = v.slot_end_s;
    p.post_only = post_only;
    p.neg_risk = v.neg_risk;
    d.place.push_back(std::move(p));
    return true;
  }

  void audit_if_changed(const market_view& v, const entry_inputs& in, const filter_result& r,
                        std::string_view verdict, std::size_t orders) {
    // Every book update is evaluated; the audit keeps each change of decision
    // (and every decision that produced orders), not thousands of repeats.
    // Verdicts and reasons are static strings: comparing them allocates nothing.
    auto it = last_.find(std::string_view(v.market.hex));
    if (it == last_.end())
      it = last_.emplace(v.market.hex, market_decisions{}).first;
    auto& last = it->second;
    last.slot_end_s = v.slot_end_s;
    auto& side = last.side[in.side == outcome::up ? 0 : 1];
    if (orders == 0 && side.verdict == verdict && side.reason == r.reason)
      return;
    side = {verdict, r.reason};
    if (audit_)
      send(audit_, audit_line{entry_audit_line(v.now_ms, v.market.hex, v.asset, in, r, verdict, orders)});
  }

  void claim(const budget_claim& c) {
    if (!budget_.try_reserve(c.market.hex, c.amount)) {
      // It rests on the venue: count it even above the limit, and refuse more.
      auto limit = budget_.limit();
      budget_.set_limit(usdc{budget_.reserved().micros + c.amount.micros});
      budget_.try_reserve(c.market.hex, c.amount);
      budget_.set_limit(limit);
      spdlog::warn("bidding: order resting at start exceeds the budget; no new orders until it frees");
    }
  }

  void on_balance(const balance_update& b) {
    if (opts_.auto_fraction_ppm <= 0)
      return;
    auto limit = auto_budget(b.balance, opts_.auto_fraction_ppm, opts_.max_exposure);
    if (limit != budget_.limit()) {
      spdlog::info("bidding: exposure budget {} (balance {}, fraction {} ppm, cap {})", to_string(limit),
                   to_string(b.balance), opts_.auto_fraction_ppm, to_string(opts_.max_exposure));
      budget_.set_limit(limit);
    }
  }

  budget_snapshot snapshot() const {
    budget_snapshot s;
    s.limit = budget_.limit();
    s.reserved = budget_.reserved();
    return s;
  }

  void publish() {
    if (telemetry())
      send(telemetry(), snapshot());
    auto now_s = wall_ms() / 1000;
    std::erase_if(last_, [&](auto& kv) { return kv.second.slot_end_s + 600 < now_s; });
  }

  audit_actor audit_;
  bidding_options opts_;
  exposure_budget budget_;
  phase phase_ = phase::experience; // phase limits (seed 002) hook in here
  struct decision_key {
    std::string_view verdict; // static text
    std::string_view reason;  // static text
  };
  struct market_decisions {
    decision_key side[2]; // Up, Down
    std::int64_t slot_end_s = 0;
  };
  std::map<std::string, market_decisions, std::less<>> last_; // by market
};

} // namespace

bidding_actor spawn_bidding(caf::actor_system& sys, telemetry_actor telemetry, audit_actor audit,
                            bidding_options opts) {
  return sys.spawn<bidding_impl>(std::move(telemetry), std::move(audit), std::move(opts));
}

} // namespace tdmaker
