#include "actors/settlement.hpp"

#include <map>
#include <set>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/instrumented.hpp"
#include "actors/util.hpp"
#include "net/weak_handle.hpp"
#include "core/audit_lines.hpp"

namespace tdmaker {
namespace {

constexpr auto reconcile_timeout = std::chrono::seconds(60);

class settlement_impl : public instrumented<settlement_actor::base> {
public:
  settlement_impl(caf::actor_config& cfg, settlement_peers peers, resolution_sources sources,
                  settlement_options opts)
    : instrumented(cfg, "settlement", peers.telemetry, opts.flush_every),
      peers_(std::move(peers)),
      sources_(std::move(sources)),
      opts_(std::move(opts)) {
    if (!opts_.clock)
      opts_.clock = [] { return wall_ms(); };
  }

  behavior_type make_behavior() override {
    load_totals();
    delayed_send(this, std::chrono::seconds(1), tick_atom::value);
    return {
      [=, this](tick_atom) {
        scan();
        delayed_send(this, opts_.tick_every, tick_atom::value);
      },
      [=, this](resolution_done& r) { on_resolution(r); },
      [=, this](get_atom, settle_atom) {
        every_strategy();
        return status_;
      },
    };
  }

private:
  /// A market with an open position, on its way to settlement.
  struct pending {
    condition_id market;
    std::string slug;
    std::int64_t end_s = 0;
    bool record_checked = false; // the market record was looked up in the store
    bool in_flight = false;      // a look-up or the settlement itself is under way
    bool deferred = false;
    std::int64_t next_try_ms = 0;
    token_id biggest;            // the token with the most shares held (last-bid fallback)
  };

  void load_totals() {
    // Realised PnL survives a restart: it is the sum of the settlements on record.
    request(peers_.store, store_timeout, store_scan{record_db::settlements, ""})
      .await(
        [=, this](store_rows& rows) {
          for (auto& row : rows.rows)
            if (auto s = decode_settlement_record(row.payload)) {
              settled_.insert(s->market.hex);
              count(*s);
            } else {
              spdlog::error("settlement: unreadable record {}: {}", row.key, s.error());
            }
          publish();
        },
        [=, this](caf::error& e) { spdlog::error("settlement: cannot read settlements: {}", error_text(e)); });
  }

  // ---- which markets are due ----

  void scan() {
    request(peers_.fills, store_timeout, get_atom::value, positions_atom::value)
      .then(
        [=, this](positions_view& v) {
          std::map<std::string, shares> most;
          std::map<std::string, pending> next;
          for (auto& p : v.positions) {
            if (settled_.count(p.market.hex))
              continue; // the fill actor has not heard yet
            auto& e = next[p.market.hex];
            if (auto it = markets_.find(p.market.hex); it != markets_.end() && e.market.hex.empty())
              e = it->second;
            e.market = p.market;
            auto& m = most[p.market.hex];
            if (p.held() > m || e.biggest.digits.empty()) {
              m = p.held();
              e.biggest = p.token;
            }
          }
          markets_ = std::move(next); // markets settled (or emptied) since leave
          for (auto& [cid, e] : markets_)
            advance(e);
        },
        [=, this](caf::error& e) { spdlog::warn("settlement: positions not available: {}", error_text(e)); });
  }

  void advance(pending& e) {
    auto now = opts_.clock();
    if (e.in_flight || now < e.next_try_ms)
      return;
    if (!e.record_checked)
      return look_up_record(e.market);
    if (e.end_s == 0) {
      // A position whose market was never rediscovered: the CLOB knows its end.
      return ask(e, settle_method::clob);
    }
    auto step = settle_due(now / 1000, e.end_s, opts_.rules);
    if (step == settle_step::wait)
      return;
    ask(e, !e.slug.empty() && sources_.gamma ? settle_method::gamma : settle_method::clob);
  }

  void look_up_record(const condition_id& cid) {
    markets_[cid.hex].in_flight = true;
    request(peers_.store, store_timeout, store_get{record_db::markets, cid.hex})
      .then(
        [=, this](store_value& v) {
          auto it = markets_.find(cid.hex);
          if (it == markets_.end())
            return;
          auto& e = it->second;
          e.in_flight = false;
          e.record_checked = true;
          if (v.found)
            if (auto rec = decode_market_record(v.payload)) {
              e.slug = rec->slug;
              e.end_s = rec->slot_end_s;
            }
          advance(e);
        },
        [=, this](caf::error& err) {
          if (auto it = markets_.find(cid.hex); it != markets_.end())
            it->second.in_flight = false;
          spdlog::warn("settlement: market {} record not read: {}", cid.hex, error_text(err));
        });
  }

  // ---- resolution: Gamma -> CLOB market -> last bid ----

  void ask(pending& e, settle_method source) {
    weak_handle<settlement_actor> self(caf::actor_cast<settlement_actor>(this));
    auto back = [self](resolution_done d) { self.send(std::move(d)); };
    e.in_flight = true;
    switch (source) {
      case settle_method::gamma: return sources_.gamma(e.market, e.slug, back);
      case settle_method::clob:
        if (sources_.clob)
          return sources_.clob(e.market, back);
        break;
      case settle_method::last_bid:
        if (sources_.book)
          return sources_.book(e.market, e.biggest, back);
        break;
      case settle_method::forced: break;
    }
    // No such source: as if it did not know.
    resolution_done none;
    none.market = e.market;
    none.source = source;
    none.error = "no source";
    on_resolution(none);
  }

  void on_resolution(const resolution_done& r) {
    auto it = markets_.find(r.market.hex);
    if (it == markets_.end())
      return;
    auto& e = it->second;
    e.in_flight = false;
    auto source = r.source;
    if (source == settle_method::clob && e.end_s == 0 && r.slot_end_s > 0)
      e.end_s = r.slot_end_s;
    if (!r.ok && !r.error.empty())
      spdlog::debug("settlement: {} {} look-up failed: {}", r.market.hex, to_string(source), r.error);
    auto now = opts_.clock();
    if (e.end_s == 0 || settle_due(now / 1000, e.end_s, opts_.rules) == settle_step::wait)
      return; // learned the end, or asked early: nothing due yet (late fills may still come)
    if (r.resolved && (source == settle_method::gamma || source == settle_method::clob)) {
      auto tok = parse_token_id(r.winner);
      if (tok)
        return finalize(e, resolution{source, *tok});
      spdlog::error("settlement: {} named an invalid winner '{}'", to_string(source), r.winner);
    }
    if (source == settle_method::gamma)
      return ask(e, settle_method::clob);
    auto step = settle_due(now / 1000, e.end_s, opts_.rules);
    if (source == settle_method::clob && step == settle_step::force)
      return ask(e, settle_method::last_bid);
    if (source == settle_method::last_bid) {
      std::optional<price> bid;
      if (r.has_bid)
        bid = r.bid;
      auto res = last_bid_resolution(e.biggest, bid, opts_.rules);
      if (!r.has_bid)
        res.method = settle_method::forced;
      return finalize(e, res);
    }
    // Due but unresolved: defer, ask again later (forced after defer_max_s).
    e.next_try_ms = now + opts_.retry_ms;
    if (!e.deferred) {
      e.deferred = true;
      ++status_.deferred;
      spdlog::info("settlement: market {} ended at {} and is not resolved yet; deferred (forced {} s after the end)",
                   e.market.hex, e.end_s, opts_.rules.grace_s + opts_.rules.defer_max_s);
      publish();
    }
  }

  // ---- settling: reconcile fills, compute, persist, announce ----

  void finalize(pending& e, resolution res) {
    e.in_flight = true;
    auto cid = e.market;
    // Fills the user channel may have missed are booked before the PnL is fixed.
    request(peers_.fills, reconcile_timeout, reconcile_atom::value)
      .then(
        [=, this](std::uint32_t) {
          request(peers_.fills, store_timeout, get_atom::value, positions_atom::value)
            .then([=, this](positions_view& v) { book(cid, res, v); },
                  [=, this](caf::error& err) { retry_later(cid, "positions: " + error_text(err)); });
        },
        [=, this](caf::error& err) { retry_later(cid, "fill reconciliation: " + error_text(err)); });
  }

  void book(const condition_id& cid, const resolution& res, const positions_view& v) {
    // The venue's positions and the paper book settle apart, in one commit.
    std::vector<position> books[2];
    for (auto& p : v.positions)
      if (p.market == cid)
        books[p.paper].push_back(p);
    std::vector<settlement_record> recs;
    write_batch b;
    for (auto& ps : books)
      if (!ps.empty()) {
        recs.push_back(settle(cid, ps, res, opts_.clock()));
        b.writes.push_back({record_db::settlements, settlement_key(recs.back()), encode(recs.back()), false});
      }
    if (recs.empty()) { // the positions went away meanwhile (a FAILED trade): nothing to settle
      markets_.erase(cid.hex);
      return;
    }
    request(peers_.store, store_timeout, std::move(b))
      .then(
        [=, this](commit_ack&) {
          markets_.erase(cid.hex);
          settled_.insert(cid.hex);
          for (auto& rec : recs)
            announce(rec);
          publish();
          retire(cid);
        },
        [=, this](caf::error& err) {
          spdlog::critical("settlement: {} not persisted: {}", cid.hex, error_text(err));
          if (peers_.notifier)
            send(peers_.notifier, alert{severity::critical, "store", "settlement not persisted: " + error_text(err),
                                        opts_.clock()});
          retry_later(cid, "store");
        });
  }

  /// Adds a settlement to the totals, whole and per strategy (an old record is
  /// all the TD maker's).
  void count(const settlement_record& rec) {
    ++status_.settled;
    status_.forced += rec.method == settle_method::forced;
    (rec.paper ? status_.paper_pnl : status_.realised_pnl).micros += rec.pnl.micros;
    every_strategy();
    for (auto& e : split_of(rec)) {
      auto& t = status_.by_strategy[index_of(e.strategy)];
      (rec.paper ? t.paper_pnl : t.realised_pnl).micros += e.pnl.micros;
      ++t.settled;
    }
  }

  /// The status names every strategy, one that never settled anything included.
  void every_strategy() {
    if (status_.by_strategy.size() == strategy_count)
      return;
    status_.by_strategy.clear();
    for (auto k : all_strategies)
      status_.by_strategy.push_back(strategy_pnl_total{k, {}, {}, 0});
  }

  /// A committed settlement: totals, the fill actor, the phase gates, the operator.
  void announce(const settlement_record& rec) {
    count(rec);
    send(peers_.fills, rec);
    if (peers_.phases)
      send(peers_.phases, trade_outcome{rec.market, rec.pnl, rec.settled_ms, rec.paper});
    auto text = std::string(rec.paper ? "Paper settled " : "Settled ") + rec.market.hex.substr(0, 10) + "… by "
                + std::string(to_string(rec.method)) + ": payout " + to_string(rec.payout) + ", cost "
                + to_string(rec.cost) + ", fees " + to_string(rec.fees) + ", pnl " + to_string(rec.pnl) + " ("
                + std::to_string(rec.fills) + " fills; by strategy: " + describe_split(rec) + ")";
    spdlog::info("settlement: {}", text);
    if (peers_.notifier)
      send(peers_.notifier, alert{severity::info, "settlement", text, rec.settled_ms});
    if (peers_.audit)
      send(peers_.audit, audit_line{settlement_audit_line(rec)});
  }

  /// Settled is done: the market actor may go (discovery may have retired it already).
  void retire(const condition_id& cid) {
    if (!peers_.directory)
      return;
    request(peers_.directory, store_timeout, retire_atom::value, cid)
      .then([=](bool) { spdlog::info("settlement: market {} retired", cid.hex); },
            [=](caf::error& e) { spdlog::debug("settlement: market {} not retired here: {}", cid.hex, error_text(e)); });
  }

  void retry_later(const condition_id& cid, const std::string& why) {
    spdlog::warn("settlement: {} not settled yet ({}); retrying", cid.hex, why);
    if (auto it = markets_.find(cid.hex); it != markets_.end()) {
      it->second.in_flight = false;
      it->second.next_try_ms = opts_.clock() + opts_.retry_ms;
    }
  }

  void publish() {
    every_strategy();
    if (telemetry())
      send(telemetry(), status_);
    if (peers_.orders)
      send(peers_.orders, status_);
  }

  settlement_peers peers_;
  resolution_sources sources_;
  settlement_options opts_;
  std::map<std::string, pending> markets_; // condition id -> market with a position
  std::set<std::string> settled_;          // never settled twice
  settlement_status status_;
};

} // namespace

settlement_actor spawn_settlement(caf::actor_system& sys, settlement_peers peers, resolution_sources sources,
                                  settlement_options opts) {
  return sys.spawn<settlement_impl>(std::move(peers), std::move(sources), std::move(opts));
}

} // namespace tdmaker
