#include "actors/fill.hpp"

#include <algorithm>
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
#include "core/fee_schedule.hpp"
#include "core/records.hpp"

namespace tdmaker {
namespace {

std::string describe(const fill_record& f) {
  return std::string(f.side == order_side::buy ? "bought " : "sold ") + to_string(f.size) + " @ "
         + to_string(f.px) + " (market " + f.market.hex.substr(0, 10) + "…, order " + f.order_id.substr(0, 10)
         + "…, trade " + f.trade_id + ", " + std::string(to_string(f.source)) + ")";
}

class fill_impl : public instrumented<fill_actor::base> {
public:
  fill_impl(caf::actor_config& cfg, fill_peers peers, fill_options opts)
    : instrumented(cfg, "fill", peers.telemetry, opts.flush_every), peers_(std::move(peers)), opts_(std::move(opts)) {
    if (!opts_.clock)
      opts_.clock = [] { return wall_ms(); };
  }

  behavior_type make_behavior() override {
    load();
    if (opts_.fetch_trades)
      delayed_send(this, std::chrono::seconds(2), tick_atom::value);
    return {
      [=, this](std::vector<fill_report>& reports) { price_then_book(std::move(reports), {}); },
      [=, this](order_strategy_note& n) {
        auto now = opts_.clock();
        for (auto& id : n.order_ids)
          strategies_[id] = {n.strategy, {}, now + opts_.forget_note_ms};
        // Here, not only on the reconciliation tick: a node with no venue key has none.
        if (now - last_forget_ms_ >= 60'000)
          forget_expired_strategies();
      },
      [=, this](trades_done& page) { on_page(std::move(page)); },
      [=, this](settlement_record& s) { on_settled(s); },
      [=, this](tick_atom) {
        forget_settled();
        forget_expired_strategies();
        start_reconcile();
        delayed_send(this, opts_.reconcile_every, tick_atom::value);
      },
      [=, this](reconcile_atom) -> caf::result<std::uint32_t> {
        auto rp = make_response_promise<std::uint32_t>();
        waiting_.push_back(rp);
        start_reconcile();
        if (!reconciling_) // nothing to ask: answer at once
          finish_reconcile();
        return rp;
      },
      [=, this](get_atom, positions_atom) {
        positions_view v;
        v.loaded = true;
        for (auto& [tok, p] : positions_)
          v.positions.push_back(p);
        return v;
      },
    };
  }

private:
  void load() {
    request(peers_.store, store_timeout, store_scan{record_db::settlements, ""})
      .await(
        [=, this](store_rows& rows) {
          for (auto& row : rows.rows)
            if (auto s = decode_settlement_record(row.payload))
              settled_[s->market.hex] = 0; // settled in an earlier run: long forgotten
            else
              spdlog::error("fill: unreadable settlement {}: {}", row.key, s.error());
          load_fills();
        },
        [=, this](caf::error& e) {
          spdlog::critical("fill: cannot read settlements: {}", error_text(e));
          quit(e);
        });
  }

  void load_fills() {
    request(peers_.store, store_timeout, store_scan{record_db::fills, ""})
      .await(
        [=, this](store_rows& rows) {
          std::size_t kept = 0;
          for (auto& row : rows.rows) {
            auto f = decode_fill_record(row.payload);
            if (!f) {
              spdlog::error("fill: unreadable fill {} in the store: {}", row.key, f.error());
              continue;
            }
            if (settled_.count(f->market.hex))
              continue;
            ++kept;
            if (f->status != trade_status::failed)
              fold(*f, false);
            fills_[f->key] = std::move(f).value();
          }
          spdlog::info("fill: {} fills in the store, {} of unsettled markets ({} open positions)",
                       rows.rows.size(), kept, positions_.size());
          load_orders();
        },
        [=, this](caf::error& e) {
          spdlog::critical("fill: cannot read fills: {}", error_text(e));
          quit(e);
        });
  }

  /// Which strategy each order of an unsettled market is: awaited like the
  /// fills, so no report is booked before the index holds every stored order.
  void load_orders() {
    request(peers_.store, store_timeout, store_scan{record_db::orders, ""})
      .await(
        [=, this](store_rows& rows) {
          auto now = opts_.clock();
          for (auto& row : rows.rows) {
            auto o = decode_order_record(row.payload);
            if (!o) {
              spdlog::error("fill: unreadable order {} in the store: {}", row.key, o.error());
              continue;
            }
            // An order of a settled market, or one whose slot ended long ago, trades no more.
            auto expires = std::max(now, o->slot_end_s * 1000) + opts_.forget_note_ms;
            if (!settled_.count(o->market.hex) && o->slot_end_s * 1000 + opts_.forget_note_ms > now)
              strategies_[o->order_id] = {o->strategy, o->market.hex, expires};
          }
          spdlog::info("fill: strategies of {} orders of unsettled markets known", strategies_.size());
          publish();
        },
        [=, this](caf::error& e) {
          spdlog::critical("fill: cannot read orders: {}", error_text(e));
          quit(e);
        });
  }

  /// The strategy of the order a new fill belongs to. An order no note and no
  /// stored record names (placed by hand, or by a node before strategies) is
  /// the TD maker's, counted so an operator sees it.
  strategy_kind strategy_of(const fill_report& r) {
    auto it = strategies_.find(r.order_id);
    if (it == strategies_.end()) {
      ++status_.strategy_unknown;
      spdlog::warn("fill: order {} of trade {} has no known strategy; booked as td_maker", r.order_id, r.trade_id);
      return strategy_kind::td_maker;
    }
    it->second.market = r.market.hex; // now known: it leaves with the market's settlement
    return it->second.strategy;
  }

  // ---- the one path every source takes ----

  /// A venue taker leg pays its market's fee (core/fee_schedule), whichever source
  /// reported it. A paper leg was priced by its market actor from the same record.
  static bool needs_fee(const fill_report& r) { return r.taker && r.source != fill_source::paper; }

  /// Prices the taker legs from their markets' durable records (read once per
  /// market; awaited, so later reports wait and stay in order), then books.
  void price_then_book(std::vector<fill_report> reports, std::function<void(std::uint32_t)> then) {
    for (auto& r : reports) {
      if (!needs_fee(r) || fees_.count(r.market.hex))
        continue;
      auto cid = r.market.hex;
      request(peers_.store, store_timeout, store_get{record_db::markets, cid})
        .await(
          [=, this](store_value& v) mutable {
            fees_[cid] = fee_of(cid, v);
            price_then_book(std::move(reports), std::move(then));
          },
          [=, this](caf::error& e) mutable {
            // Not priced, so not booked: a replay or the next reconciliation books them.
            spdlog::error("fill: market {} unreadable, {} reports not booked: {}", cid, reports.size(),
                          error_text(e));
            if (then)
              then(0);
          });
      return;
    }
    for (auto& r : reports)
      if (needs_fee(r))
        r.fee = taker_fee(r.size, r.px, fees_[r.market.hex]);
    on_reports(std::move(reports), std::move(then));
  }

  static fee_schedule fee_of(const std::string& cid, const store_value& v) {
    if (!v.found)
      return {};
    auto rec = decode_market_record(v.payload);
    if (!rec) {
      spdlog::error("fill: market {} record unreadable: {}", cid, rec.error());
      return {};
    }
    return rec->fee;
  }

  /// Dedups `reports`, commits what changed, then acts on it; `then` runs after.
  void on_reports(std::vector<fill_report> reports, std::function<void(std::uint32_t)> then) {
    auto now = opts_.clock();
    std::vector<std::pair<fill_record, fill_change>> changed;
    for (auto& r : reports) {
      if (settled_.count(r.market.hex)) {
        ++status_.duplicates; // replay of a settled market (seed 003: ignore)
        continue;
      }
      auto key = fill_key(r.market, r.order_id, r.trade_id);
      auto it = fills_.find(key);
      std::optional<fill_record> known;
      if (it != fills_.end())
        known = it->second;
      auto strategy = known ? known->strategy : strategy_of(r);
      if (!known && refuse_oversell(r, strategy))
        continue;
      fill_record next;
      auto change = apply_report(known, r, now, next);
      if (!known)
        next.strategy = strategy;
      if (change == fill_change::duplicate) {
        ++status_.duplicates;
        continue;
      }
      // In memory at once, so a repeat arriving before the commit is a duplicate.
      fills_[key] = next;
      changed.emplace_back(std::move(next), change);
    }
    if (changed.empty()) {
      if (then)
        then(0);
      return;
    }
    write_batch b;
    for (auto& [f, c] : changed)
      b.writes.push_back({record_db::fills, f.key, encode(f), false});
    request(peers_.store, store_timeout, std::move(b))
      .then(
        [=, this](commit_ack&) {
          std::uint32_t booked = 0;
          for (auto& [f, c] : changed)
            booked += act(f, c);
          publish();
          if (then)
            then(booked);
        },
        [=, this](caf::error& e) {
          // Not durable, so not acted on: forget them, a replay or the next
          // reconciliation books them again.
          for (auto& [f, c] : changed)
            fills_.erase(f.key);
          auto text = error_text(e);
          spdlog::critical("fill: {} fills not persisted: {}", changed.size(), text);
          raise(severity::critical, "store", "fills not persisted: " + text);
          if (then)
            then(0);
        });
  }

  /// A paper sell above the paper holding is a defect upstream (the market sells
  /// only what its paper book holds): booking it would leave the paper book short.
  bool refuse_oversell(const fill_report& r, strategy_kind strategy) {
    fill_record as_booked;
    as_booked.token = r.token;
    as_booked.source = r.source;
    as_booked.strategy = strategy; // each strategy's paper book is its own
    auto it = positions_.find(position_key(as_booked));
    if (!paper_oversell(it == positions_.end() ? nullptr : &it->second, r))
      return false;
    ++status_.paper_oversells;
    spdlog::error("fill: paper sell of {} {} (order {}) refused: the paper book holds {}", to_string(r.size),
                  r.token.digits, r.order_id, it == positions_.end() ? "none" : to_string(it->second.held()));
    return true;
  }

  /// A committed change: position, order, audit, notification. Returns 1 if booked.
  std::uint32_t act(const fill_record& f, fill_change c) {
    audit(f, c);
    switch (c) {
      case fill_change::booked:
        fold(f, false);
        ++status_.booked;
        status_.from_reconcile += f.source == fill_source::reconcile;
        status_.paper += f.source == fill_source::paper;
        spdlog::info("fill: {}", describe(f));
        raise(severity::info, "fill", "Fill: " + describe(f));
        if (f.taker && f.source != fill_source::paper && !fees_[f.market.hex].known) {
          ++status_.fee_unknown; // a venue trade of a market the node never had a schedule for
          spdlog::error("fill: taker fill {} booked with fee 0: market {} has no fee schedule known",
                        f.trade_id, f.market.hex);
        }
        send(peers_.orders, fill_booked{f, c});
        return 1;
      case fill_change::reversed:
        fold(f, true);
        ++status_.reversed;
        spdlog::warn("fill: FAILED, reversed: {}", describe(f));
        raise(severity::warning, "fill", "Trade FAILED, fill reversed: " + describe(f));
        send(peers_.orders, fill_booked{f, c});
        return 0;
      default:
        return 0;
    }
  }

  void fold(const fill_record& f, bool remove) {
    auto key = position_key(f);
    auto& p = positions_[key];
    p.market = f.market;
    p.token = f.token;
    p.paper = f.source == fill_source::paper;
    p.strategy = f.strategy;
    fold_fill(p, f, remove);
    if (p.fills == 0)
      positions_.erase(key);
  }

  // ---- REST reconciliation: /data/trades, every page ----

  void start_reconcile() {
    if (reconciling_ || !opts_.fetch_trades)
      return;
    reconciling_ = true;
    reconcile_booked_ = 0;
    ++status_.reconciles;
    fetch("");
  }

  void fetch(const std::string& cursor) {
    weak_handle<fill_actor> self(caf::actor_cast<fill_actor>(this));
    auto after = std::to_string(opts_.clock() / 1000 - opts_.lookback_s);
    opts_.fetch_trades(after, cursor, [self](trades_done d) { self.send(std::move(d)); });
  }

  void on_page(trades_done page) {
    if (!page.ok) {
      spdlog::warn("fill: reconciliation stopped: {}; next try in {} s", page.error,
                   opts_.reconcile_every.count() / 1000);
      finish_reconcile();
      return;
    }
    auto next = page.next_cursor;
    price_then_book(std::move(page.fills), [=, this](std::uint32_t booked) {
      reconcile_booked_ += booked;
      if (!next.empty() && next != "LTE=")
        fetch(next);
      else
        finish_reconcile();
    });
  }

  void finish_reconcile() {
    reconciling_ = false;
    if (reconcile_booked_ > 0)
      spdlog::warn("fill: reconciliation booked {} fills the user channel had not delivered", reconcile_booked_);
    for (auto& rp : waiting_)
      rp.deliver(reconcile_booked_);
    waiting_.clear();
  }

  // ---- settled markets ----

  void on_settled(const settlement_record& s) {
    settled_[s.market.hex] = opts_.clock();
    for (auto it = positions_.begin(); it != positions_.end();)
      it = it->second.market == s.market ? positions_.erase(it) : std::next(it);
    for (auto it = strategies_.begin(); it != strategies_.end();)
      it = it->second.market == s.market.hex ? strategies_.erase(it) : std::next(it);
    publish();
  }

  /// Seed 003 purges its dedup set after 30 min: a settled market's keys leave
  /// memory then (its fills stay in LMDB; later reports for it are ignored).
  void forget_settled() {
    auto now = opts_.clock();
    std::set<std::string> gone;
    for (auto& [cid, at] : settled_)
      if (now - at >= opts_.forget_settled_ms)
        gone.insert(cid);
    if (gone.empty())
      return;
    for (auto it = fills_.begin(); it != fills_.end();)
      it = gone.count(it->second.market.hex) ? fills_.erase(it) : std::next(it);
    for (auto& cid : gone)
      fees_.erase(cid);
  }

  /// Most orders never fill, and a market no one held is never settled: an
  /// order's strategy leaves the index once it can no longer trade (bounded memory).
  void forget_expired_strategies() {
    auto now = opts_.clock();
    last_forget_ms_ = now;
    for (auto it = strategies_.begin(); it != strategies_.end();)
      it = now >= it->second.expires_ms ? strategies_.erase(it) : std::next(it);
  }

  // ---- reporting ----

  void audit(const fill_record& f, fill_change c) {
    if (peers_.audit)
      send(peers_.audit, audit_line{fill_audit_line(f, c, opts_.clock())});
  }

  void raise(severity level, const char* topic, std::string text) {
    if (peers_.notifier)
      send(peers_.notifier, alert{level, topic, std::move(text), opts_.clock()});
  }

  void publish() {
    if (!telemetry())
      return;
    auto s = status_;
    s.open_positions = s.paper_open_positions = 0;
    s.open_cost = {};
    for (auto& [key, p] : positions_)
      if (p.paper) {
        ++s.paper_open_positions;
      } else {
        ++s.open_positions;
        s.open_cost.micros += p.cost.micros - p.proceeds.micros;
      }
    send(telemetry(), std::move(s));
  }

  fill_peers peers_;
  fill_options opts_;
  std::map<std::string, fill_record> fills_;     // dedup: key -> record, unsettled markets (+30 min)
  std::map<std::string, position> positions_;    // position_key -> position, unsettled markets
  std::map<std::string, std::int64_t> settled_;  // condition id -> settled at (ms)
  std::map<std::string, fee_schedule> fees_;     // condition id -> its market's taker fee
  struct order_strategy {
    strategy_kind strategy = strategy_kind::td_maker;
    std::string market; // condition id once known (stored order or first fill); "" for a bare note
    std::int64_t expires_ms = 0; // no fill of it can come after this
  };
  std::map<std::string, order_strategy> strategies_; // order id -> its strategy, unsettled markets
  std::int64_t last_forget_ms_ = 0;
  bool reconciling_ = false;
  std::uint32_t reconcile_booked_ = 0;
  std::vector<caf::typed_response_promise<std::uint32_t>> waiting_;
  fill_status status_;
};

} // namespace

fill_actor spawn_fill(caf::actor_system& sys, fill_peers peers, fill_options opts) {
  return sys.spawn<fill_impl>(std::move(peers), std::move(opts));
}

} // namespace tdmaker
