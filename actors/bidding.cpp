#include "actors/bidding.hpp"

#include <limits>
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

/// A strategy's cap as a budget of its own; the per-market limit is the global one's.
exposure_budget cap_budget(const strategy_cap& c) {
  constexpr usdc unlimited{std::numeric_limits<std::int64_t>::max() / 4};
  return exposure_budget(c.max_exposure.micros > 0 ? c.max_exposure : unlimited, unlimited);
}

class bidding_impl : public instrumented<bidding_actor::base> {
public:
  bidding_impl(caf::actor_config& cfg, telemetry_actor telemetry, audit_actor audit, store_actor store,
               bidding_options opts)
    : instrumented(cfg, "bidding", std::move(telemetry), opts.flush_every),
      audit_(std::move(audit)),
      store_(std::move(store)),
      opts_(std::move(opts)),
      budget_(opts_.max_exposure, opts_.max_per_market),
      caps_{cap_budget(opts_.strategies[0]), cap_budget(opts_.strategies[1])},
      session_(opts_.phases ? opts_.phases->session : session_clock{}),
      live_(session_, false),
      paper_(session_, true) {}

  behavior_type make_behavior() override {
    delayed_send(this, opts_.publish_every, tick_atom::value);
    if (opts_.phases && store_)
      load_trade_counts();
    return {
      [=, this](admission_request& r) -> caf::result<bid_decision> { return on_admission(r); },
      [=, this](budget_release& r) { release(r); },
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

  caf::result<bid_decision> on_admission(admission_request& req) {
    const auto& v = req.view;
    if (opts_.phases && !phase_known_) {
      bid_decision d;
      d.reason = "trading phase not known yet";
      return d;
    }
    trade_ = {};
    auto d = admit(req);
    if (trade_.verdict != trade_verdict::counted)
      return d;
    if (d.place.empty()) { // counted, but nothing could be placed (budget): not a trade
      limiter() = *trade_.before;
      return d;
    }
    spdlog::info("bidding: new trade on market {} ({} book, {}): {} of {} this session", v.market.hex,
                 paper_book() ? "paper" : "live", to_string(d.place.front().strategy), limiter().count(v.now_ms),
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

  /// The proposals in order, each admitted or refused; the first refusal for
  /// budget or the trade limit ends the market's batch (a ladder is placed
  /// best rung first, so the rest would be refused too).
  bid_decision admit(admission_request& req) {
    const auto& v = req.view;
    bid_decision d;
    if (v.awaiting_settlement) {
      d.reason = "awaiting settlement";
      return d;
    }
    for (auto& p : req.proposals) {
      const char* refused = refusal(v, p);
      if (!refused) {
        d.place.push_back(std::move(p));
        continue;
      }
      d.reason = refused;
      if (std::string_view(refused) != "strategy disabled" && std::string_view(refused) != "above the phase's rung size")
        break;
    }
    if (d.reason.empty())
      d.reason = d.place.empty() ? "nothing proposed" : "admitted";
    else if (!d.place.empty() && d.reason == "no budget")
      d.reason = "admitted (budget exhausted)";
    return d;
  }

  /// Why `p` may not go out (null: admitted, its budget reserved).
  const char* refusal(const market_view& v, place_intent& p) {
    const auto& cap = opts_.strategies[index_of(p.strategy)];
    if (!cap.enabled)
      return "strategy disabled";
    if (p.side != order_side::buy || p.market != v.market)
      return "not a buy of this market";
    // A proposal sized before a phase change reached the market is refused, not
    // placed at the old size; the next evaluation uses the new one.
    if (p.size > rung_size(opts_.ladder, v.min_size))
      return "above the phase's rung size";
    if (!trade_allowed(v))
      return "trade limit";
    auto cost = order_cost(p.px, p.size);
    if (!try_reserve(p.strategy, v.market.hex, cost))
      return "no budget";
    p.reserved = cost;
    p.slot_end_s = v.slot_end_s;
    p.neg_risk = v.neg_risk;
    return nullptr;
  }

  /// Under the global and per-market limits and under the strategy's own cap, or not at all.
  bool try_reserve(strategy_kind s, const std::string& market, usdc cost) {
    if (!budget_.try_reserve(market, cost))
      return false;
    if (caps_[index_of(s)].try_reserve(market, cost))
      return true;
    budget_.release(market, cost);
    return false;
  }

  void release(const budget_release& r) {
    if (r.all_strategies) {
      budget_.release_all(r.market.hex);
      for (auto& c : caps_)
        c.release_all(r.market.hex);
      return;
    }
    auto freed = budget_.release(r.market.hex, r.amount);
    caps_[index_of(r.strategy)].release(r.market.hex, freed);
  }

  void claim(const budget_claim& c) {
    auto& cap = caps_[index_of(c.strategy)];
    if (!cap.try_reserve(c.market.hex, c.amount)) { // it exists: counted against its cap even above it
      auto limit = cap.limit();
      cap.set_limit(usdc{cap.reserved().micros + c.amount.micros});
      cap.try_reserve(c.market.hex, c.amount);
      cap.set_limit(limit);
    }
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
    for (auto k : all_strategies) {
      const auto& cap = opts_.strategies[index_of(k)];
      s.strategies.push_back({k, cap.enabled, cap.max_exposure.micros > 0 ? cap.max_exposure : budget_.limit(),
                              caps_[index_of(k)].reserved()});
    }
    return s;
  }

  void publish() {
    if (telemetry())
      send(telemetry(), snapshot());
  }

  audit_actor audit_;
  store_actor store_;
  bidding_options opts_;
  exposure_budget budget_;
  std::array<exposure_budget, strategy_count> caps_; // each strategy's reservations under its cap
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
};

} // namespace

bidding_actor spawn_bidding(caf::actor_system& sys, telemetry_actor telemetry, audit_actor audit,
                            store_actor store, bidding_options opts) {
  return sys.spawn<bidding_impl>(std::move(telemetry), std::move(audit), std::move(store), std::move(opts));
}

} // namespace tdmaker
