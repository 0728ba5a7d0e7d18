#include "actors/bidding.hpp"

#include <map>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/instrumented.hpp"
#include "actors/util.hpp"
#include "core/audit_lines.hpp"
#include "core/trade_limiter.hpp"

namespace tdmaker {
namespace {

class bidding_impl : public instrumented<bidding_actor::base> {
public:
  bidding_impl(caf::actor_config& cfg, telemetry_actor telemetry, audit_actor audit, store_actor store,
               bidding_options opts)
    : instrumented(cfg, "bidding", std::move(telemetry), opts.flush_every),
      audit_(std::move(audit)),
      store_(std::move(store)),
      opts_(std::move(opts)),
      budget_(opts_.max_exposure, opts_.max_per_market),
      session_(opts_.phases ? opts_.phases->session : session_clock{}),
      live_(session_, false),
      paper_(session_, true) {}

  behavior_type make_behavior() override {
    delayed_send(this, opts_.publish_every, tick_atom::value);
    if (opts_.phases && store_)
      load_trade_counts();
    return {
      [=, this](admission_request& r) -> caf::result<bid_decision> { return on_view(r.view); },
      [=, this](budget_release& r) { budget_.release(r.market.hex, r.amount); },
      [=, this](budget_claim& c) { claim(c); },
      [=, this](balance_update& b) { on_balance(b); },
      [=, this](phase_record& p) { on_phase(p); },
      [=, this](tick_atom) {
        publish();
        delayed_send(this, opts_.publish_every, tick_atom::value);
      },
      [=, this](get_atom, budget_atom) { return snapshot(); },
    };
  }

private:
  // ---- seed 002: the phase's limits and the trade limiter ----

  /// `await` holds every market_view until both books' counts are known: a
  /// restart mid-session must not forget the trades already made.
  void load_trade_counts() {
    request(store_, store_timeout, store_scan{record_db::phase, "trades/"})
      .await(
        [=, this](store_rows& rows) {
          for (auto& row : rows.rows) {
            auto rec = decode_trade_count_record(row.payload);
            if (!rec || trade_count_key(rec->paper) != row.key) {
              spdlog::critical("bidding: stored trade count {} is unreadable: {}", row.key,
                               rec ? "book does not match its key" : rec.error());
              quit(op_error("trade count record unreadable"));
              return;
            }
            (rec->paper ? paper_ : live_).restore(*rec);
            spdlog::info("bidding: restored {} trade count: session {}, {} market(s)", row.key, rec->session,
                         rec->markets.size());
          }
        },
        [=, this](caf::error& e) {
          spdlog::critical("bidding: cannot load the trade counts: {}", error_text(e));
          quit(e);
        });
  }

  void on_phase(const phase_record& p) {
    bool changed = !phase_known_ || p.current != phase_;
    phase_known_ = true;
    phase_ = p.current;
    if (!opts_.phases || !changed)
      return;
    const auto& l = opts_.phases->limits_of(phase_);
    opts_.ladder.shares_per_rung = std::max<std::int64_t>(1, l.shares_per_rung.micros / micros_per_unit);
    budget_.set_per_market_limit(l.max_per_market);
    budget_.set_limit(exposure_limit());
    spdlog::info("bidding: phase {} limits: {} shares per rung, exposure {} (limit {}), {} per market, "
                 "{} trade(s) per session ({} book)",
                 to_string(phase_), opts_.ladder.shares_per_rung, to_string(l.max_exposure),
                 to_string(budget_.limit()), to_string(l.max_per_market),
                 l.max_trades_per_session == 0 ? std::string("unlimited") : std::to_string(l.max_trades_per_session),
                 paper_book() ? "paper" : "live");
  }

  /// The phase's (or the options') exposure, lowered by wallet auto-sizing once a balance is known.
  usdc exposure_limit() const {
    auto cap = opts_.phases ? opts_.phases->limits_of(phase_).max_exposure : opts_.max_exposure;
    if (opts_.auto_fraction_ppm > 0 && balance_)
      return auto_budget(*balance_, opts_.auto_fraction_ppm, cap);
    return cap;
  }

  bool paper_book() const { return opts_.paper || is_paper_only(phase_); }
  trade_limiter& limiter() { return paper_book() ? paper_ : live_; }
  std::uint32_t trade_limit() const {
    return opts_.phases ? opts_.phases->limits_of(phase_).max_trades_per_session : 0;
  }

  caf::result<bid_decision> on_view(const market_view& v) {
    if (opts_.phases && !phase_known_) {
      bid_decision d;
      d.reason = "trading phase not known yet";
      return d;
    }
    trade_ = {};
    auto d = evaluate(v);
    if (trade_.verdict != trade_verdict::counted)
      return d;
    if (d.place.empty()) { // counted, but nothing could be placed (budget): not a trade
      limiter() = *trade_.before;
      return d;
    }
    spdlog::info("bidding: new trade on market {} ({} book): {} of {} this session", v.market.hex,
                 paper_book() ? "paper" : "live", limiter().count(v.now_ms),
                 trade_limit() == 0 ? std::string("unlimited") : std::to_string(trade_limit()));
    if (!store_)
      return d;
    return commit_then_deliver(std::move(d));
  }

  /// The count is durable before the market's first order is answered; `await`
  /// keeps the next market from being counted against a record not yet stored.
  caf::result<bid_decision> commit_then_deliver(bid_decision d) {
    auto rp = make_response_promise<bid_decision>();
    auto before = *trade_.before;
    bool paper = paper_book();
    auto market = d.place.front().market.hex;
    write_batch b;
    b.writes.push_back({record_db::phase, trade_count_key(paper), encode(limiter().record()), false});
    request(store_, store_timeout, std::move(b))
      .await([=](commit_ack&) mutable { rp.deliver(std::move(d)); },
             [=, this](caf::error& e) mutable {
               spdlog::error("bidding: trade count not stored ({}); market {} gets no orders", error_text(e),
                             market);
               (paper ? paper_ : live_) = before;
               for (auto& p : d.place)
                 budget_.release(p.market.hex, p.reserved);
               bid_decision none;
               none.reason = "trade count not stored";
               rp.deliver(std::move(none));
             });
    return rp;
  }

  /// Called once a side is about to place its first order of a market this
  /// session: the limiter decides whether it is a new trade, a repeat or refused.
  bool trade_allowed(const market_view& v) {
    if (!opts_.phases || v.placed_up != 0 || v.placed_down != 0)
      return true; // not the market's first buy: later rungs and the other side pass
    if (!trade_.checked) {
      trade_.checked = true;
      trade_.before = limiter();
      trade_.verdict = limiter().check(v.market.hex, trade_limit(), v.now_ms);
      if (trade_.verdict == trade_verdict::refused)
        note_refused(v);
    }
    return trade_.verdict != trade_verdict::refused;
  }

  void note_refused(const market_view& v) {
    ++trades_refused_;
    auto session = session_.index(v.now_ms);
    if (session != refused_session_) {
      refused_session_ = session;
      refused_logged_.clear();
    }
    if (refused_logged_.insert(v.market.hex).second)
      spdlog::info("bidding: market {} refused: trade limit ({} of {} this session, phase {}, {} book)",
                   v.market.hex, limiter().count(v.now_ms), trade_limit(), to_string(phase_),
                   paper_book() ? "paper" : "live");
  }

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
      if (!trade_allowed(v))
        return "trade limit";
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
    if (!trade_allowed(v))
      return "trade limit";
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
    balance_ = b.balance;
    auto limit = exposure_limit();
    if (limit != budget_.limit()) {
      auto cap = opts_.phases ? opts_.phases->limits_of(phase_).max_exposure : opts_.max_exposure;
      spdlog::info("bidding: exposure budget {} (balance {}, fraction {} ppm, cap {})", to_string(limit),
                   to_string(b.balance), opts_.auto_fraction_ppm, to_string(cap));
      budget_.set_limit(limit);
    }
  }

  budget_snapshot snapshot() const {
    budget_snapshot s;
    s.limit = budget_.limit();
    s.reserved = budget_.reserved();
    s.current_phase = phase_;
    s.max_per_market = budget_.per_market_limit();
    s.shares_per_rung = shares{opts_.ladder.shares_per_rung * micros_per_unit};
    s.session_trades = (paper_book() ? paper_ : live_).count(wall_ms());
    s.session_trade_limit = trade_limit();
    s.trades_refused = trades_refused_;
    return s;
  }

  void publish() {
    if (telemetry())
      send(telemetry(), snapshot());
    auto now_s = wall_ms() / 1000;
    std::erase_if(last_, [&](auto& kv) { return kv.second.slot_end_s + 600 < now_s; });
  }

  audit_actor audit_;
  store_actor store_;
  bidding_options opts_;
  exposure_budget budget_;
  phase phase_ = phase::experience;
  bool phase_known_ = false;
  std::optional<usdc> balance_; // the last wallet balance (auto-sizing)
  session_clock session_;
  trade_limiter live_;
  trade_limiter paper_;
  struct trade_check {              // one market_view's trade-limiter verdict
    bool checked = false;
    trade_verdict verdict = trade_verdict::repeat;
    std::optional<trade_limiter> before; // restored when the count is not a trade after all
  };
  trade_check trade_;
  std::uint64_t trades_refused_ = 0;
  std::int64_t refused_session_ = 0;
  std::set<std::string> refused_logged_; // markets refused this session, logged once each
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
                            store_actor store, bidding_options opts) {
  return sys.spawn<bidding_impl>(std::move(telemetry), std::move(audit), std::move(store), std::move(opts));
}

} // namespace tdmaker
