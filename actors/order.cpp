#include "actors/order.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/instrumented.hpp"
#include "net/order_venue.hpp"
#include "actors/util.hpp"
#include "net/weak_handle.hpp"
#include "core/audit_lines.hpp"
#include "core/bytes.hpp"
#include "core/fills.hpp"
#include "core/json_write.hpp"
#include "core/keccak.hpp"
#include "core/ladder.hpp"
#include "core/phase_policy.hpp"

namespace tdmaker {
namespace {

/// Budget still held by an order that ends unfilled: what was reserved minus
/// what its matched part now holds as a position.
usdc unfilled_reservation(const order_record& r) {
  auto held = order_cost(r.px, r.matched);
  return usdc{std::max<std::int64_t>(0, r.reserved.micros - held.micros)};
}

/// The open buys a phase change may cancel: exits are sells and never touched,
/// and a buy whose cancel is already under way is not asked twice. In node mode
/// paper every phase trades on the paper book, so no buy is on the wrong book.
std::vector<resting_buy> resting_buys(const std::map<std::string, order_record>& orders, bool paper_mode, phase to) {
  std::vector<resting_buy> out;
  for (const auto& [id, r] : orders)
    if (r.side == order_side::buy && is_open(r.state) && r.state != order_state::cancel_pending)
      out.push_back({id, r.market.hex, r.size, unfilled_reservation(r), r.created_ms,
                     paper_mode ? is_paper_only(to) : r.paper});
  return out;
}

class order_impl : public instrumented<order_actor::base> {
public:
  order_impl(caf::actor_config& cfg, std::shared_ptr<order_venue> venue, order_peers peers,
             order_options opts)
    : instrumented(cfg, "order", peers.telemetry, opts.flush_every),
      venue_(std::move(venue)),
      peers_(std::move(peers)),
      opts_(std::move(opts)) {
    if (!opts_.clock)
      opts_.clock = [] { return wall_ms(); };
    placeholder_seq_ = static_cast<std::uint64_t>(opts_.clock()) * 1000;
  }

  behavior_type make_behavior() override {
    // The store says when it fails and when it is trusted again; until it
    // answers, it is taken as healthy (the ledger load fails loudly if not).
    if (peers_.store)
      send(peers_.store, watch_atom::value, caf::actor_cast<store_watcher_actor>(this));
    load_ledger();
    delayed_send(this, opts_.sweep_every, expire_atom::value);
    if (opts_.balance_every.count() > 0)
      delayed_send(this, std::chrono::milliseconds(500), balance_update{usdc{-1}});
    return {
      [=, this](place_batch& b) { on_place(std::move(b)); },
      [=, this](fill_actor& f) { fills_ = std::move(f); },
      [=, this](cancel_batch& b) {
        auto now = opts_.clock();
        std::vector<std::string> ids;
        for (auto& id : b.order_ids)
          if (auto it = orders_.find(id); it != orders_.end() && is_open(it->second.state))
            ids.push_back(id);
        cancel(std::move(ids), "requested by market", now);
      },
      [=, this](expire_atom) {
        sweep();
        drop_presigned(opts_.clock());
        delayed_send(this, opts_.sweep_every, expire_atom::value);
      },
      [=, this](reconcile_atom) { reconcile(); },
      [=, this](placements_done& d) { on_placements(d); },
      [=, this](cancels_done& d) { on_cancels(d); },
      [=, this](lookup_done& d) { on_lookup(d); },
      [=, this](open_orders_done& d) { on_open_orders(d); },
      [=, this](balance_update& b) { on_balance(b); },
      [=, this](feed_health& h) {
        feed_ = h;
        feed_seen_ns_ = steady_ns();
      },
      [=, this](safe_mode& m) { safe_mode_ = m.on; },
      [=, this](phase_record& p) { on_phase(p); },
      [=, this](credentials_ready& c) {
        if (c.ok && !reconciled_)
          reconcile();
      },
      [=, this](fill_booked& b) { on_fill(b); },
      [=, this](presign_request& r) { presign(r); },
      [=, this](settlement_status& s) {
        // The loss limit counts from this start: the first total is the baseline.
        if (!pnl_baseline_)
          pnl_baseline_ = s.realised_pnl;
        realised_since_start_ = usdc{s.realised_pnl.micros - pnl_baseline_->micros};
      },
      [=, this](store_status& s) { on_store(s); },
      [=, this](heartbeat_status& h) { on_heartbeat(h); },
      [=, this](get_atom) {
        std::vector<order_record> out;
        for (auto& [id, r] : orders_)
          if (is_open(r.state))
            out.push_back(r);
        return out;
      },
      [=, this](get_atom, condition_id& market) {
        // A (re)started market asks for its orders; its handle is kept for updates.
        if (auto m = caf::actor_cast<market_actor>(current_sender()))
          markets_[market.hex] = m;
        std::vector<order_record> out;
        for (auto& [id, r] : orders_)
          if (r.market == market)
            out.push_back(r);
        // The first time a market shows up in this run, what its orders hold
        // (resting bids, filled positions) is reserved again: bidding's budget
        // lives in memory. A retired market never asks, so it holds nothing.
        if (claimed_.insert(market.hex).second)
          for (auto& r : out)
            claim(r);
        return out;
      },
    };
  }

private:
  // ---- ledger and reconciliation ----

  void load_ledger() {
    request(peers_.store, store_timeout, store_scan{record_db::orders, ""})
      .await(
        [=, this](store_rows& rows) {
          std::size_t open = 0;
          for (auto& row : rows.rows) {
            auto r = decode_order_record(row.payload);
            if (!r) {
              spdlog::error("order: unreadable order {} in the store: {}", row.key, r.error());
              continue;
            }
            open += is_open(r->state);
            if (is_open(r->state) || !forgettable(*r, opts_.clock()))
              orders_[r->order_id] = std::move(r).value();
          }
          loaded_ = true;
          spdlog::info("order: ledger loaded: {} orders, {} open", rows.rows.size(), open);
          if (opts_.paper || (venue_ && venue_->ready()))
            reconcile();
        },
        [=, this](caf::error& e) {
          spdlog::critical("order: cannot read the ledger: {}", error_text(e));
          quit(e);
        });
  }

  void reconcile() {
    if (!loaded_ || reconciling_)
      return;
    if (opts_.paper) {
      // Paper orders never reached the venue: the ledger is the whole truth.
      reconciled_ = true;
      spdlog::info("order: paper mode: {} open paper orders resumed", orders_.size());
      return;
    }
    if (!venue_) {
      reconciled_ = true;
      spdlog::warn("order: no venue key: nothing to reconcile; only paper orders possible");
      return;
    }
    if (!venue_->ready())
      return; // credentials_ready calls again
    reconciling_ = true;
    weak_handle<order_actor> self(caf::actor_cast<order_actor>(this));
    venue_->open_orders([self](open_orders_done d) { self.send(std::move(d)); });
  }

  void on_open_orders(open_orders_done& d) {
    reconciling_ = false;
    // A lapse asked for a reconciliation while this listing was under way: the
    // venue may have cancelled after it was taken, so list again after this one.
    if (reconcile_again_) {
      reconcile_again_ = false;
      send(caf::actor_cast<order_actor>(this), reconcile_atom::value);
    }
    if (!d.ok) {
      spdlog::error("order: reconciliation: open orders not listed: {}; retrying in 2 s", d.error);
      delayed_send(this, std::chrono::seconds(2), reconcile_atom::value);
      return;
    }
    std::vector<order_record> ledger;
    for (auto& [id, r] : orders_)
      if (is_open(r.state))
        ledger.push_back(r);
    std::vector<std::string> venue_ids;
    std::map<std::string, const venue_open_order*> by_id;
    for (auto& o : d.orders) {
      venue_ids.push_back(o.order_id);
      by_id[o.order_id] = &o;
    }
    // Only open ledger orders take part: a venue order the ledger never knew,
    // or knows as finished, is an orphan and is cancelled.
    auto plan = plan_reconciliation(ledger, venue_ids);
    auto now = opts_.clock();
    std::vector<order_record> changed;
    for (auto& id : plan.adopt) {
      auto& r = orders_[id];
      auto* v = by_id[id];
      r.matched = v->matched;
      advance(r, state_from_venue(v->status, v->matched, r.size), now, "adopted at start");
      changed.push_back(r);
      ++status_.adopted;
    }
    for (auto& id : plan.look_up) {
      // Not among the venue's open orders: filled, cancelled, or never placed.
      auto& r = orders_[id];
      if (r.state == order_state::placing && advance(r, order_state::unknown, now, "not open on the venue at start"))
        changed.push_back(r);
    }
    std::vector<std::string> orphans;
    for (auto& id : plan.cancel_orphans)
      orphans.push_back(id);
    auto adopted = plan.adopt.size();
    auto looked = plan.look_up.size();
    persist(std::move(changed), [=, this, orphans = std::move(orphans), look = plan.look_up]() {
      for (auto& id : look)
        lookup(id);
      for (auto& [id, r] : orders_)
        if (is_open(r.state))
          notify(r);
      if (!orphans.empty()) {
        spdlog::warn("order: reconciliation: cancelling {} orphan orders on the venue", orphans.size());
        status_.orphans_cancelled += orphans.size();
        send_cancels(orphans);
      }
      reconciled_ = true;
      spdlog::info("order: reconciled with the venue: {} adopted, {} orphans cancelled, {} looked up",
                   adopted, orphans.size(), looked);
      publish_status();
    });
  }

  /// Budget an order of an earlier run still holds: all of its reservation
  /// while it may rest, the cost of its matched part once it is done.
  void claim(const order_record& r) {
    auto matched = order_cost(r.px, r.matched);
    auto amount = is_open(r.state) ? std::max(r.reserved, matched) : matched;
    if (amount.micros > 0 && peers_.bidding)
      send(peers_.bidding, budget_claim{r.market, amount, r.strategy});
  }

  // ---- placement ----

  std::string refusal(const place_intent& i, std::int64_t now) {
    if (!reconciled_)
      return "not yet reconciled with the venue";
    if (!phase_known_)
      return "trading phase not known yet";
    if (i.side == order_side::sell) {
      // A stop-loss exit runs before every gate (seed 003's tick order): a halt
      // or a tripped breaker must not trap a losing position. It sells on the
      // book its position is on, whatever the phase says now.
      if (!i.paper && opts_.paper)
        return "node.mode paper: a live position is not sold here; it settles";
      if (!i.paper && (!venue_ || !venue_->ready()))
        return "no venue credentials";
      return {};
    }
    if (halted_)
      return "trading halted: " + halt_reason_;
    auto v = assess();
    if (!v.allow_new)
      return std::string(v.reason);
    if (i.slot_end_s * 1000 - now <= opts_.cancel_before_end_ms)
      return "slot ends within orders.cancel_before_end_ms";
    if (!paper_now() && (!venue_ || !venue_->ready()))
      return "no venue credentials";
    return {};
  }

  /// Node mode paper, or a paper-only phase (Experience): record, never send.
  bool paper_now() const { return opts_.paper || phase_paper_; }

  /// The batch's buys the current phase's limits refuse (by index): a market
  /// sizes its bids by the phase it last heard of, and a batch it sent just
  /// before a downgrade reached it can arrive here after the downgrade did.
  std::set<std::size_t> above_phase_limits(const place_batch& b, std::int64_t now) const {
    if (!opts_.phases || !phase_known_)
      return {};
    std::vector<resting_buy> entries;
    std::vector<std::size_t> index;
    for (std::size_t k = 0; k < b.orders.size(); ++k) {
      const auto& i = b.orders[k];
      if (i.side != order_side::buy)
        continue;
      entries.push_back({"", i.market.hex, i.size, i.reserved, now, is_paper_only(phase_)});
      index.push_back(k);
    }
    if (entries.empty())
      return {};
    std::set<std::size_t> out;
    for (auto e : entries_above_limits(resting_buys(orders_, opts_.paper, phase_), entries, phase_,
                                       opts_.phases->limits_of(phase_)))
      out.insert(index[e]);
    return out;
  }

  void on_place(place_batch b) {
    if (auto m = caf::actor_cast<market_actor>(current_sender()))
      markets_[b.market.hex] = m;
    auto now = opts_.clock();
    std::vector<order_record> accepted;
    std::vector<signed_placement> signed_orders;
    auto over = above_phase_limits(b, now);
    for (std::size_t k = 0; k < b.orders.size(); ++k) {
      auto& i = b.orders[k];
      if (i.side == order_side::buy && store_failing()) {
        // Up front: a bid on a failing store would go out while its later
        // states and fills cannot be stored. Exits still go (refusal()).
        ++status_.refused_store;
        refuse(i, "store failing: " + store_.reason, now);
        continue;
      }
      if (i.side == order_side::buy && heartbeat_blocks()) {
        // Fail closed: a bid placed while the chain is in doubt may be cancelled
        // by the venue behind our back. Exits still go (refusal()).
        ++status_.refused_heartbeat;
        refuse(i, "heartbeat not healthy: " + heartbeat_.reason, now);
        continue;
      }
      if (auto why = refusal(i, now); !why.empty()) {
        refuse(i, why, now);
        continue;
      }
      if (over.count(k)) {
        ++status_.refused_limits;
        refuse(i, "above the limits of phase " + std::string(to_string(phase_)), now);
        continue;
      }
      auto r = record_of(i, order_state::placing, now);
      if (r.client_id.empty())
        r.client_id = placeholder_id(++placeholder_seq_);
      if (i.side == order_side::sell ? i.paper : paper_now()) {
        r.paper = true;
        r.order_id = to_hex(keccak256("paper:" + r.client_id + ":" + std::to_string(now)));
        r.state = order_state::live;
        r.reason = "paper: recorded, not sent";
      } else {
        auto s = take_presigned(i);
        if (!s)
          s = venue_->sign(i, now);
        if (!s) {
          refuse(i, "signing failed: " + s.error(), now);
          continue;
        }
        r.order_id = s->order_id;
        auto placement = std::move(s).value();
        if (i.side == order_side::buy) // a buy still waiting for rate-limit tokens then is not sent
          placement.send_by_ms = i.slot_end_s * 1000 - opts_.cancel_before_end_ms;
        signed_orders.push_back(std::move(placement));
      }
      accepted.push_back(r);
    }
    if (accepted.empty())
      return;
    note_strategies(accepted);
    for (auto& r : accepted)
      orders_[r.order_id] = r;
    // The placeholders are durable before the venue hears of them: a crash
    // after the POST leaves a record to reconcile, never an unknown order.
    auto shared = std::make_shared<std::vector<signed_placement>>(std::move(signed_orders));
    persist(accepted, [=, this]() mutable {
      for (auto& r : accepted) {
        audit(r, r.paper ? "paper_placed" : "placing");
        if (r.paper) {
          ++status_.placed;
          notify(r);
          emit(event_kind::order_placed, r);
        }
      }
      send_placements(std::move(*shared));
    }, [=, this](const std::string& err) { on_placeholders_failed(accepted, *shared, err); });
  }

  // ---- orders signed ahead (the 99c capture): the triggering update only sends bytes ----

  /// Signs each order now and keeps it for the place_intent that matches it.
  /// Paper orders are never signed; at most a few per market are kept.
  void presign(const presign_request& r) {
    if (paper_now() || !venue_ || !venue_->ready())
      return;
    auto& kept = presigned_[r.market.hex];
    const auto now = opts_.clock();
    for (const auto& i : r.orders) {
      if (kept.size() >= max_presigned_per_market || i.side != order_side::buy)
        break;
      auto s = venue_->sign(i, now);
      if (!s) {
        spdlog::warn("order: signing ahead for market {} failed: {}", r.market.hex, s.error());
        continue;
      }
      kept.push_back({i, std::move(s).value()});
    }
    spdlog::info("order: {} order(s) of market {} signed ahead", kept.size(), r.market.hex);
  }

  /// The kept order for exactly this intent (used once), or an error to sign now.
  result<signed_placement> take_presigned(const place_intent& i) {
    auto it = presigned_.find(i.market.hex);
    if (it == presigned_.end())
      return failure{"none kept"};
    auto& kept = it->second;
    for (auto k = kept.begin(); k != kept.end(); ++k) {
      const auto& p = k->intent;
      if (p.token == i.token && p.side == i.side && p.px == i.px && p.size == i.size && p.neg_risk == i.neg_risk
          && p.post_only == i.post_only && p.expiration_s == i.expiration_s) {
        auto s = std::move(k->placement);
        kept.erase(k);
        ++presigned_used_;
        return s;
      }
    }
    return failure{"no kept order matches"};
  }

  /// A kept order past its slot's cancel time will never be sent: forget it.
  void drop_presigned(std::int64_t now) {
    std::erase_if(presigned_, [&](auto& kv) {
      return kv.second.empty() || kv.second.front().intent.slot_end_s * 1000 - opts_.cancel_before_end_ms <= now;
    });
  }

  void on_exit() override {
    fills_ = nullptr; // the fill actor holds this one too: neither may keep the other alive
    instrumented::on_exit();
  }

  /// Tells the fill actor whose orders these are before any of them can trade
  /// (the request goes out, or the paper order reaches its market, later).
  void note_strategies(const std::vector<order_record>& orders) {
    if (!fills_)
      return;
    for (auto k : all_strategies) {
      order_strategy_note n{{}, k};
      for (auto& r : orders)
        if (r.strategy == k)
          n.order_ids.push_back(r.order_id);
      if (!n.order_ids.empty())
        send(fills_, std::move(n));
    }
  }

  /// POST /orders in chunks of orders.batch_max.
  void send_placements(std::vector<signed_placement> signed_orders) {
    if (signed_orders.empty())
      return;
    weak_handle<order_actor> self(caf::actor_cast<order_actor>(this));
    for (std::size_t i = 0; i < signed_orders.size(); i += opts_.batch_max) {
      auto end = std::min(signed_orders.size(), i + opts_.batch_max);
      std::vector<signed_placement> chunk(std::make_move_iterator(signed_orders.begin() + static_cast<std::ptrdiff_t>(i)),
                                          std::make_move_iterator(signed_orders.begin() + static_cast<std::ptrdiff_t>(end)));
      venue_->place(std::move(chunk), [self](placements_done d) { self.send(std::move(d)); });
    }
  }

  /// The placeholders did not commit. A bid is never sent: it goes back as
  /// rejected and its budget is released. A live exit is sent all the same: it
  /// only reduces a losing position, and if the node dies before its record is
  /// stored, reconciliation at the next start finds it (an open order unknown to
  /// the ledger is cancelled, its trades are booked from /data/trades).
  void on_placeholders_failed(const std::vector<order_record>& accepted, std::vector<signed_placement>& signed_orders,
                              const std::string& err) {
    std::set<std::string> exits;
    for (auto& r : accepted)
      if (r.side == order_side::sell && !r.paper)
        exits.insert(r.order_id);
    std::vector<signed_placement> go;
    for (auto& s : signed_orders)
      if (exits.count(s.order_id))
        go.push_back(std::move(s));
    for (auto r : accepted) {
      if (exits.count(r.order_id)) {
        unsaved_[r.order_id] = true;
        continue;
      }
      orders_.erase(r.order_id);
      advance(r, order_state::rejected, opts_.clock(), "store failure: " + err);
      release(r);
      notify(r);
    }
    if (!go.empty())
      spdlog::error("order: {} exit orders sent though their placeholders are not stored: {}", go.size(), err);
    send_placements(std::move(go));
  }

  static order_record record_of(const place_intent& i, order_state state, std::int64_t now) {
    order_record r;
    r.client_id = i.client_id;
    r.market = i.market;
    r.token = i.token;
    r.side_outcome = i.side_outcome;
    r.rung = i.rung;
    r.side = i.side;
    r.px = i.px;
    r.size = i.size;
    r.reserved = i.reserved;
    r.state = state;
    r.created_ms = r.updated_ms = now;
    r.slot_end_s = i.slot_end_s;
    // An exit names its position's book, so a refused one is told to the right
    // book's stop-loss; a buy's book is the phase's (set when it is placed).
    r.paper = i.side == order_side::sell && i.paper;
    r.strategy = i.strategy;
    return r;
  }

  void refuse(const place_intent& i, const std::string& why, std::int64_t now) {
    auto r = record_of(i, order_state::rejected, now);
    r.reason = why;
    ++status_.rejected;
    if (why != last_refusal_) {
      last_refusal_ = why;
      spdlog::warn("order: new orders refused: {}", why);
    }
    release(r);
    notify(r);
  }

  void on_placements(const placements_done& d) {
    auto now = opts_.clock();
    std::vector<order_record> changed;
    std::vector<std::string> to_look;
    for (auto& res : d.results) {
      auto it = orders_.find(res.order_id);
      if (it == orders_.end())
        continue;
      auto& r = it->second;
      auto verdict = res.verdict;
      bool moved = false;
      if (verdict == place_verdict::placed) {
        auto next = res.ghost_checked ? state_from_venue(res.status, r.matched, r.size) : state_after_ack(res.status);
        moved = advance(r, next, now, res.ghost_checked ? "found by ghost-order check" : "");
        if (!res.ghost_checked && next == order_state::delayed)
          note_delayed(r, res.status);
        status_.ghosts_found += res.ghost_checked;
        // A ghost check's status says that it traded, not how much: the venue's
        // order record settles the matched size.
        if (res.ghost_checked && r.matched < r.size && (next == order_state::filled || next == order_state::partially_filled))
          to_look.push_back(r.order_id);
        ++status_.placed;
        emit(event_kind::order_placed, r);
        consecutive_errors_ = 0;
      } else if (verdict == place_verdict::rejected) {
        moved = advance(r, order_state::rejected, now, res.error.empty() ? "rejected" : res.error);
        ++status_.rejected;
        emit(event_kind::order_rejected, r);
        ++consecutive_errors_;
      } else {
        moved = advance(r, order_state::unknown, now, "no clear reply: " + res.error);
        ++consecutive_errors_;
      }
      if (moved)
        changed.push_back(r);
    }
    std::vector<std::string> ids;
    for (auto& res : d.results)
      ids.push_back(res.order_id);
    after_change(std::move(changed), [=, this] {
      for (auto& id : to_look)
        lookup(id);
      run_deferred_cancels(ids);
    });
  }

  /// A `delayed`/`unmatched` reply carries no fill: none is booked from it. The
  /// order stays open (so no second stop-loss exit goes) and the sweep follows it
  /// on the venue until it ends; its fills come by user events or reconciliation.
  void note_delayed(const order_record& r, const std::string& status) {
    ++(status == "unmatched" ? status_.unmatched_placements : status_.delayed_placements);
    spdlog::info("order: {} {} {} {} @ {} answered {} (taker delay): no fill booked; followed on the venue",
                 r.order_id, r.side == order_side::buy ? "BUY" : "SELL", to_string(r.size),
                 r.side_outcome == outcome::up ? "Up" : "Down", to_string(r.px), status);
  }

  /// Sends the cancels asked for while these orders were being placed.
  void run_deferred_cancels(const std::vector<std::string>& ids) {
    for (auto& id : ids) {
      auto it = deferred_cancels_.find(id);
      if (it == deferred_cancels_.end())
        continue;
      auto why = std::move(it->second);
      deferred_cancels_.erase(it);
      cancel({id}, why, opts_.clock());
    }
  }

  // ---- cancels ----

  void cancel(std::vector<std::string> ids, std::string_view why, std::int64_t now) {
    std::vector<order_record> changed;
    std::vector<std::string> send_ids;
    for (auto& id : ids) {
      auto it = orders_.find(id);
      if (it == orders_.end() || !is_open(it->second.state) || cancel_in_flight_.count(id))
        continue;
      auto& r = it->second;
      if (r.paper) {
        advance(r, order_state::cancelled, now, std::string(why));
        changed.push_back(r);
        continue;
      }
      if (r.state == order_state::placing) {
        // Its POST is still in flight: a DELETE now can pass it and find nothing,
        // and the order is then booked "cancelled" though it never existed, or
        // rests on the venue untracked. It is cancelled once its reply (or a
        // look-up) says where it is (seen in the lifecycle e2e under 500 faults).
        deferred_cancels_.emplace(id, std::string(why));
        continue;
      }
      advance(r, order_state::cancel_pending, now, std::string(why));
      changed.push_back(r);
      send_ids.push_back(id);
      cancel_in_flight_.insert(id);
    }
    if (changed.empty())
      return;
    // Terminal paper cancels finish here; venue cancels after the reply. A
    // cancel whose cancel_pending state did not commit is sent all the same: it
    // only takes risk off, and at the next start the order is looked up.
    after_change(changed, [=, this]() { send_cancels(send_ids); },
                 [=, this](const std::string&) {
                   if (!send_ids.empty())
                     spdlog::error("order: {} cancels sent though their cancel_pending state is not stored",
                                   send_ids.size());
                   send_cancels(send_ids);
                 });
  }

  /// DELETE /orders, at most 1000 ids per request.
  void send_cancels(const std::vector<std::string>& ids) {
    if (ids.empty() || !venue_)
      return;
    weak_handle<order_actor> self(caf::actor_cast<order_actor>(this));
    for (std::size_t i = 0; i < ids.size(); i += 1000) {
      auto end = std::min(ids.size(), i + 1000);
      std::vector<std::string> chunk(ids.begin() + static_cast<std::ptrdiff_t>(i), ids.begin() + static_cast<std::ptrdiff_t>(end));
      venue_->cancel(std::move(chunk), [self](cancels_done c) { self.send(std::move(c)); });
    }
  }

  void on_cancels(const cancels_done& d) {
    for (auto& id : d.requested)
      cancel_in_flight_.erase(id);
    if (!d.ok) {
      ++consecutive_errors_;
      auto now = opts_.clock();
      std::uint32_t attempt = 0;
      for (auto& id : d.requested) {
        auto& retry = cancel_retries_[id];
        attempt = retry.attempts++;
        retry.next_ms = now + backoff_delay(opts_.timeouts.cancel_retry, attempt, jitter_(rng_)).count();
      }
      ++status_.cancel_retries;
      spdlog::warn("order: cancel of {} orders failed: {}; sent again by the sweep (retry {})", d.requested.size(),
                   d.error, attempt + 1);
      return; // they stay cancel_pending; the sweep resends, expiry looks them up
    }
    consecutive_errors_ = 0;
    for (auto& id : d.requested)
      cancel_retries_.erase(id);
    // "canceled" says the rest will not trade, not how much traded before; "already
    // matched" or "not found" say even less. The venue's order record settles the
    // final state and matched size, which the budget and the position depend on.
    for (auto* ids : {&d.canceled, &d.not_canceled})
      for (auto& id : *ids)
        if (orders_.count(id))
          lookup(id);
  }

  // ---- look-ups: ghost checks, expired cancels, reconciliation ----

  void lookup(const std::string& id) {
    if (!venue_ || lookup_in_flight_.count(id))
      return;
    lookup_in_flight_.insert(id);
    weak_handle<order_actor> self(caf::actor_cast<order_actor>(this));
    venue_->lookup(id, [self](lookup_done d) { self.send(std::move(d)); });
  }

  void on_lookup(const lookup_done& d) {
    lookup_in_flight_.erase(d.order_id);
    auto it = orders_.find(d.order_id);
    if (it == orders_.end())
      return;
    auto& r = it->second;
    auto now = opts_.clock();
    ++r.checks;
    bool moved = false;
    bool matched_moved = false;
    if (d.found) {
      // The matched size can change while the state does not (a fill learned
      // after a ghost check already said MATCHED): it is a change all the same.
      matched_moved = r.matched != d.matched;
      r.matched = d.matched;
      auto next = state_from_venue(d.status, d.matched, r.size);
      bool was_unknown = r.state == order_state::unknown || r.state == order_state::placing;
      bool was_cancelling = r.state == order_state::cancel_pending;
      if (was_cancelling && is_open(next) && cancel_in_flight_.count(d.order_id)) {
        // A DELETE is still out: its answer settles it (a failure is sent again).
        r.updated_ms = now;
        persist({r}, [] {});
        return;
      }
      if (was_cancelling && is_open(next)) {
        // The cancel did not take: send it again.
        r.updated_ms = now;
        moved = advance(r, order_state::live, now, "cancel unconfirmed; resent");
        after_change({r}, [=, this, id = d.order_id]() { cancel({id}, "cancel resent", opts_.clock()); });
        return;
      }
      if (r.state == order_state::delayed && next == order_state::delayed) {
        r.updated_ms = now; // still held: the look-up count sets when to look again
        persist({r}, [] {});
        return;
      }
      if (r.state == order_state::delayed)
        spdlog::info("order: delayed order {} ended its hold: venue {} matched {} of {}", r.order_id, d.status,
                     to_string(d.matched), to_string(r.size));
      moved = advance(r, next, now, was_unknown ? "found by ghost-order check" : "");
      status_.ghosts_found += was_unknown && is_open(next);
    } else if (d.not_found) {
      if (r.state == order_state::cancel_pending) {
        moved = advance(r, order_state::cancelled, now, "gone from the venue");
      } else if (r.checks >= opts_.lookups_before_rejected) {
        moved = advance(r, order_state::rejected, now,
                        "not on the venue after " + std::to_string(r.checks) + " look-ups: never placed");
        ++status_.rejected;
        emit(event_kind::order_rejected, r);
      } else {
        r.updated_ms = now; // 404 may be eventual consistency: look again later
        persist({r}, [] {});
        return;
      }
    } else {
      r.updated_ms = now; // look-up failed: try again at the next recheck
      persist({r}, [] {});
      return;
    }
    if (moved) {
      after_change({r}, [=, this, id = d.order_id] { run_deferred_cancels({id}); });
    } else if (matched_moved) {
      // Same state, new size: recorded and told, but no second terminal
      // bookkeeping (counts, budget release) for an order that already had it.
      r.updated_ms = now;
      persist({r}, [=, this, rec = r] {
        audit(rec, "matched");
        notify(rec);
      });
    }
  }

  // ---- fills (committed by the fill actor): attribute each to an order ----

  void on_fill(const fill_booked& b) {
    const auto& f = b.fill;
    std::vector<order_record> candidates;
    candidates.reserve(orders_.size());
    for (auto& [id, r] : orders_)
      candidates.push_back(r);
    fill_report leg{f.trade_id, f.order_id, f.market, f.token, f.side, f.px, f.size, f.fee, f.taker, f.status,
                    f.ts_ms, f.source}; // the source says the book: a venue fill never credits a paper order
    auto m = match_fill(leg, candidates);
    if (m.kind == match_kind::none) {
      // Still the account's fill (booked, in the position); just no order of
      // this ledger to credit, e.g. one placed by hand with the same key. Its
      // cost was never reserved: claim it, so the budget sees the exposure.
      spdlog::warn("order: fill {} names no order of the ledger; its cost is claimed from the budget", f.key);
      if (b.change == fill_change::booked && f.side == order_side::buy && peers_.bidding)
        send(peers_.bidding, budget_claim{f.market, fill_cash(f.size, f.px), f.strategy});
      return;
    }
    auto& r = orders_.at(m.order->order_id);
    if (m.kind != match_kind::exact)
      spdlog::info("order: fill {} matched order {} by {}", f.key, r.order_id, to_string(m.kind));
    if (!r.paper) {
      // The venue's order record is the authority on matched size and state.
      lookup(r.order_id);
      return;
    }
    auto now = opts_.clock();
    auto delta = b.change == fill_change::reversed ? -f.size.micros : f.size.micros;
    r.matched.micros = std::clamp<std::int64_t>(r.matched.micros + delta, 0, r.size.micros);
    auto next = r.matched == r.size ? order_state::filled
                : r.state == order_state::cancel_pending || is_terminal(r.state) ? r.state
                : r.matched.micros > 0 ? order_state::partially_filled
                                       : order_state::live;
    r.updated_ms = now;
    advance(r, next, now, b.change == fill_change::reversed ? "paper fill reversed" : "paper fill");
    after_change({r});
  }

  // ---- the sweep: timeouts, expiry, slot ends, risk ----

  void sweep() {
    auto now = opts_.clock();
    auto v = assess();
    if (v.halt && !halted_) {
      halted_ = true;
      halt_reason_ = std::string(v.reason);
      spdlog::critical("order: TRADING HALTED: {}; all orders cancelled; a phase switch resumes", v.reason);
      raise(alert{severity::critical, "risk", "TRADING HALTED: " + halt_reason_ + "; orders cancelled", now});
    }
    if (v.cancel_all && v.reason != last_cancel_all_) {
      spdlog::error("order: cancelling all orders: {}", v.reason);
      if (!halted_)
        raise(alert{severity::warning, "risk", "cancelling all orders: " + std::string(v.reason), now});
    }
    last_cancel_all_ = v.cancel_all ? std::string(v.reason) : std::string();
    std::vector<std::string> to_cancel;
    std::vector<std::string> to_look;
    std::vector<order_record> changed;
    for (auto& [id, r] : orders_) {
      if (!is_open(r.state))
        continue;
      bool ending = r.slot_end_s * 1000 - now <= opts_.cancel_before_end_ms;
      if (placement_timed_out(r, now, opts_.timeouts)) {
        advance(r, order_state::unknown, now, "no reply within the placement timeout");
        changed.push_back(r);
        to_look.push_back(id);
      } else if (recheck_due(r, now, opts_.timeouts)) {
        to_look.push_back(id);
      } else if (cancel_expired(r, now, opts_.timeouts)) {
        to_look.push_back(id);
      } else if (follow_due(r, now, opts_.timeouts.follow, jitter_(rng_))) {
        to_look.push_back(id);
      }
      if ((ending || v.cancel_all || halted_) && r.state != order_state::cancel_pending)
        to_cancel.push_back(id);
    }
    // Finished orders stay while their market may still ask for them.
    std::erase_if(orders_, [&](auto& kv) { return forgettable(kv.second, now); });
    std::erase_if(deferred_cancels_, [&](auto& kv) { return !orders_.count(kv.first); });
    auto resend = cancels_to_resend(now);
    for (auto& id : to_look)
      lookup(id);
    if (!changed.empty())
      after_change(std::move(changed));
    if (!to_cancel.empty())
      cancel(std::move(to_cancel), halted_ ? "trading halted" : v.cancel_all ? v.reason : "slot ends", now);
    send_cancels(resend);
    publish_status();
  }

  /// Failed cancels whose backoff has passed, marked in flight again; retries of
  /// orders no longer cancel_pending (a look-up settled them) are dropped.
  std::vector<std::string> cancels_to_resend(std::int64_t now) {
    std::vector<std::string> ids;
    std::erase_if(cancel_retries_, [&](auto& kv) {
      auto it = orders_.find(kv.first);
      return it == orders_.end() || it->second.state != order_state::cancel_pending;
    });
    for (auto& [id, retry] : cancel_retries_)
      if (retry.next_ms <= now && !cancel_in_flight_.count(id))
        ids.push_back(id);
    for (auto& id : ids)
      cancel_in_flight_.insert(id);
    if (!ids.empty())
      spdlog::info("order: sending {} failed cancel(s) again", ids.size());
    return ids;
  }

  static bool forgettable(const order_record& r, std::int64_t now) {
    return is_terminal(r.state) && (r.slot_end_s + 600) * 1000 < now;
  }

  risk_verdict assess() const {
    risk_inputs in;
    in.feed_connected = feed_.connected;
    in.market_feed_age_ms = feed_.last_message_age_ms < 0 || feed_seen_ns_ == 0
                              ? -1
                              : feed_.last_message_age_ms + (steady_ns() - feed_seen_ns_) / 1'000'000;
    in.safe_mode = safe_mode_;
    in.consecutive_order_errors = consecutive_errors_;
    in.realised_pnl = realised_since_start_;
    if (opts_.paper && feed_seen_ns_ == 0)
      in.market_feed_age_ms = -1;
    return assess_risk(opts_.risk, in);
  }

  void on_phase(const phase_record& p) {
    bool first = !phase_known_;
    bool changed = !first && p.current != phase_;
    phase_known_ = true;
    phase_ = p.current;
    phase_paper_ = is_paper_only(p.current);
    if (halted_ && !first) {
      halted_ = false;
      spdlog::warn("order: trading resumed by phase switch to {}", to_string(p.current));
      halt_reason_.clear();
    }
    if (changed && opts_.phases)
      cancel_above_limits(p.current);
  }

  /// Seed 002: a phase change cancels the resting buys its limits no longer allow.
  void cancel_above_limits(phase to) {
    auto ids = orders_above_limits(resting_buys(orders_, opts_.paper, to), to, opts_.phases->limits_of(to));
    if (ids.empty())
      return;
    std::string why = "above the limits of phase " + std::string(to_string(to));
    spdlog::warn("order: phase {}: cancelling {} resting buy(s) above its limits", to_string(to), ids.size());
    cancel(std::move(ids), why, opts_.clock());
  }

  void on_balance(const balance_update& b) {
    if (b.balance.micros >= 0) {
      if (peers_.bidding)
        send(peers_.bidding, b);
    } else if (venue_ && venue_->ready()) {
      weak_handle<order_actor> self(caf::actor_cast<order_actor>(this));
      venue_->balance([self](result<usdc> r) {
        if (r)
          self.send(balance_update{*r});
        else
          spdlog::warn("order: balance not read: {}", r.error());
      });
    }
    if (b.balance.micros < 0)
      delayed_send(this, opts_.balance_every, balance_update{usdc{-1}});
  }

  // ---- persistence, notification, budget ----

  /// Commits `recs`, then `then`. A record that did not commit is remembered
  /// (unsaved_) and stored again when the store recovers.
  void persist(std::vector<order_record> recs, std::function<void()> then,
               std::function<void(const std::string&)> failed = {}) {
    if (recs.empty())
      return then();
    write_batch b;
    b.writes.reserve(recs.size());
    for (auto& r : recs)
      b.writes.push_back({record_db::orders, r.order_id, encode(r), false});
    request(peers_.store, store_timeout, std::move(b))
      .then([=, this](commit_ack&) {
              for (auto& r : recs)
                unsaved_.erase(r.order_id);
              then();
            },
            [=, this](caf::error& e) {
              auto text = error_text(e);
              spdlog::critical("order: order state not persisted ({} records): {}", recs.size(), text);
              // A failing store has raised its one alert (on_store); one per write would flood.
              if (!store_failing())
                raise(alert{severity::critical, "store", "order state not persisted: " + text, opts_.clock()});
              for (auto& r : recs)
                unsaved_.try_emplace(r.order_id, false);
              if (failed)
                failed(text);
            });
  }

  /// Persists changed records, then tells their markets and bidding, then `next`.
  /// Changes that did not commit are told and accounted for when they are stored
  /// on the store's recovery (store_recovered), never twice.
  void after_change(std::vector<order_record> changed, std::function<void()> next = {},
                    std::function<void(const std::string&)> failed = {}) {
    auto owed = [=, this](const std::string& err) {
      for (auto& r : changed)
        unsaved_[r.order_id] = true;
      if (failed)
        failed(err);
    };
    persist(changed, [=, this]() {
      for (auto& r : changed) {
        audit(r, to_string(r.state));
        notify(r);
        if (is_terminal(r.state)) {
          if (r.state == order_state::cancelled)
            ++status_.cancelled;
          if (r.state == order_state::filled) {
            ++status_.filled;
            emit(event_kind::order_filled, r);
          }
          if (r.state != order_state::filled)
            release(r);
        }
      }
      if (next)
        next();
    }, owed);
  }

  // ---- the CLOB heartbeat: admission, and a lapse means the venue cancelled everything ----

  bool heartbeat_blocks() const {
    return opts_.heartbeat_required && !paper_now() && heartbeat_.state != heartbeat_state::healthy;
  }

  void on_heartbeat(heartbeat_status& h) {
    auto was = heartbeat_.state;
    const bool lapsed = h.lapses > heartbeat_.lapses;
    heartbeat_ = std::move(h);
    auto now = opts_.clock();
    if (heartbeat_.state != was && heartbeat_.state == heartbeat_state::healthy)
      spdlog::info("order: heartbeat healthy: new orders admitted");
    else if (heartbeat_.state != was)
      spdlog::warn("order: heartbeat {} ({}): new orders refused; cancels and exits go on",
                   to_string(heartbeat_.state), heartbeat_.reason);
    if (lapsed) {
      spdlog::warn("order: heartbeat lapsed ({}): the venue cancels every order of the key; reconciling now",
                   heartbeat_.reason);
      raise(alert{severity::warning, "heartbeat",
                  "heartbeat lapsed: " + heartbeat_.reason + "; reconciling with the venue", now});
      reconcile_now();
      // The venue may cancel a moment after we notice: look once more when the chain is back.
      reconcile_on_recovery_ = true;
    } else if (heartbeat_.state == heartbeat_state::healthy && reconcile_on_recovery_) {
      reconcile_on_recovery_ = false;
      reconcile_now();
    }
    if (heartbeat_.state != was || lapsed)
      publish_status();
  }

  void reconcile_now() {
    if (reconciling_)
      reconcile_again_ = true;
    else
      reconcile();
  }

  // ---- the store's health: admission, alerts, the retry of unsaved states ----

  bool store_failing() const { return store_.state == store_state::failing; }

  void on_store(const store_status& s) {
    auto was = store_;
    store_ = s;
    auto now = opts_.clock();
    if (s.state == store_state::failing && was.state != store_state::failing) {
      spdlog::critical("order: store failing ({}): new orders refused; cancels and exits go on", s.reason);
      raise(alert{severity::critical, "store",
                  "STORE FAILING: " + s.reason + "; new orders refused, cancels and exits go on", now});
    } else if (s.state != store_state::failing && was.state == store_state::failing) {
      spdlog::warn("order: store recovered: new orders admitted; {} unsaved order states stored again",
                   unsaved_.size());
      raise(alert{severity::warning, "store", "store recovered: new orders admitted again", now});
      store_recovered();
    }
    if (s.headroom_low && !was.headroom_low)
      raise(alert{severity::warning, "store",
                  "store map " + std::to_string(s.map_used_bytes / (1024 * 1024)) + " of "
                    + std::to_string(s.map_size_bytes / (1024 * 1024))
                    + " MB used (under 10 % free): raise store.map_size_mb and restart",
                  now});
    publish_status();
  }

  /// Stores what a failing store lost: states whose telling and bookkeeping
  /// are still owed go through after_change, the rest are only written.
  void store_recovered() {
    std::vector<order_record> owed, plain;
    for (auto& [id, tell] : unsaved_)
      if (auto it = orders_.find(id); it != orders_.end())
        (tell ? owed : plain).push_back(it->second);
    unsaved_.clear();
    if (!owed.empty())
      after_change(std::move(owed));
    if (!plain.empty())
      persist(std::move(plain), [] {});
  }

  void raise(alert a) {
    if (peers_.notifier)
      send(peers_.notifier, std::move(a));
  }

  void release(const order_record& r) {
    auto amount = unfilled_reservation(r);
    if (amount.micros > 0 && peers_.bidding)
      send(peers_.bidding, budget_release{r.market, amount, r.strategy, false});
  }

  void notify(const order_record& r) {
    order_update u{r.client_id, r.order_id, r.market, r.side_outcome, r.rung, r.state, r.matched, r.reason,
                   r.updated_ms, r.token, r.px, r.size, r.paper, r.side, r.strategy};
    // A market not heard from since the start asks for its orders when it
    // starts (get, condition_id); until then there is no one to tell.
    if (auto it = markets_.find(r.market.hex); it != markets_.end())
      send(it->second, std::move(u));
  }

  /// The order's typed event for outside consumers (GET /events): fire-and-forget.
  void emit(event_kind kind, const order_record& r) {
    if (!opts_.events)
      return;
    json::object_writer w;
    w.str("order_id", r.order_id).str("market", r.market.hex).str("token", r.token.digits)
      .str("side", to_string(r.side)).str("price", to_string(r.px)).str("size", to_string(r.size))
      .str("matched", to_string(r.matched)).str("strategy", to_string(r.strategy)).flag("paper", r.paper);
    if (kind == event_kind::order_rejected)
      w.str("reason", r.reason);
    send(opts_.events, event_input{kind, opts_.clock(), w.take()});
  }

  void audit(const order_record& r, std::string_view event) {
    if (peers_.audit)
      send(peers_.audit, audit_line{order_audit_line(r, opts_.clock(), event)});
  }

  void publish_status() {
    if (!telemetry())
      return;
    trading_status s = status_;
    auto v = assess();
    s.halted = halted_;
    s.reconciled = reconciled_;
    s.allow_new = reconciled_ && !halted_ && v.allow_new && !store_failing() && !heartbeat_blocks();
    s.reason = store_failing() ? "store failing: " + store_.reason
               : heartbeat_blocks() ? "heartbeat not healthy: " + heartbeat_.reason
               : halted_ ? "halted: " + halt_reason_
               : !reconciled_ ? "not yet reconciled with the venue"
               : !v.allow_new ? std::string(v.reason)
               : paper_now() ? "paper: orders recorded, not sent"
                             : "";
    s.open_orders = 0;
    s.open_exposure = {};
    for (auto& [id, r] : orders_)
      s.followed += r.state == order_state::delayed;
    for (auto& [id, r] : orders_)
      if (is_open(r.state) && r.paper) {
        ++s.paper_open_orders;
      } else if (is_open(r.state)) {
        ++s.open_orders;
        s.open_exposure.micros += order_cost(r.px, shares{r.size.micros - r.matched.micros}).micros;
      }
    send(telemetry(), std::move(s));
  }

  std::shared_ptr<order_venue> venue_;
  order_peers peers_;
  fill_actor fills_; // spawned after this actor: handed over by the node (order_strategy_note)
  order_options opts_;
  std::map<std::string, order_record> orders_; // open orders (terminal ones leave once handled)
  struct kept_order {
    place_intent intent;
    signed_placement placement;
  };
  static constexpr std::size_t max_presigned_per_market = 4;
  std::map<std::string, std::vector<kept_order>> presigned_; // by market: signed ahead, unused
  std::uint64_t presigned_used_ = 0;
  std::set<std::string> claimed_; // markets whose earlier orders are reserved again
  std::map<std::string, market_actor> markets_;
  std::set<std::string> lookup_in_flight_;
  std::set<std::string> cancel_in_flight_;
  std::map<std::string, std::string> deferred_cancels_; // id -> why: asked while its POST was in flight
  struct cancel_retry {
    std::uint32_t attempts = 0;
    std::int64_t next_ms = 0;
  };
  std::map<std::string, cancel_retry> cancel_retries_; // cancel_pending orders whose DELETE failed
  std::uint64_t placeholder_seq_ = 0;
  std::mt19937_64 rng_{0x7a6b};                     // jitter of the delayed-order look-ups
  std::uniform_real_distribution<double> jitter_{0.0, 1.0};
  bool loaded_ = false;
  bool reconciling_ = false;
  bool reconciled_ = false;
  feed_health feed_;
  std::int64_t feed_seen_ns_ = 0;
  bool safe_mode_ = false;
  std::uint32_t consecutive_errors_ = 0;
  bool halted_ = false;
  std::string halt_reason_;
  std::string last_cancel_all_;
  std::string last_refusal_;
  bool phase_known_ = false;
  phase phase_ = phase::experience;
  bool phase_paper_ = true;
  trading_status status_;
  store_status store_;
  heartbeat_status heartbeat_{heartbeat_state::starting, "no heartbeat answered yet"}; // from the I/O heartbeat loop
  bool reconcile_again_ = false;       // a lapse came while a listing was under way
  bool reconcile_on_recovery_ = false; // a lapse was seen: reconcile again once healthy
  std::map<std::string, bool> unsaved_; // order id -> its telling/bookkeeping is still owed
  std::optional<usdc> pnl_baseline_;
  usdc realised_since_start_;
};

} // namespace

order_actor spawn_order(caf::actor_system& sys, std::shared_ptr<order_venue> venue, order_peers peers,
                        order_options opts) {
  return sys.spawn<order_impl>(std::move(venue), std::move(peers), std::move(opts));
}

} // namespace tdmaker
