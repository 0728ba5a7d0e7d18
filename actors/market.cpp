#include "actors/market.hpp"

#include <array>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>

#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/instrumented.hpp"
#include "actors/util.hpp"
#include "core/audit_lines.hpp"
#include "core/order_book.hpp"
#include "core/order_lifecycle.hpp"
#include "core/paper_fills.hpp"
#include "core/fee_schedule.hpp"
#include "core/reference_capture.hpp"
#include "core/capture_99c.hpp"
#include "core/td_maker.hpp"

namespace tdmaker {
namespace {

class market_impl : public instrumented<market_actor::base> {
public:
  market_impl(caf::actor_config& cfg, condition_id id, std::uint32_t incarnation,
              store_actor store, telemetry_actor telemetry, market_options opts)
    : instrumented(cfg, "market", std::move(telemetry), opts.flush_every),
      store_(std::move(store)),
      opts_(opts),
      incarnation_(incarnation) {
    record_.id = std::move(id);
    if (opts_.td_maker)
      slots_[index_of(strategy_kind::td_maker)].impl =
        std::make_unique<td_maker>(opts_.td_maker->entry, opts_.td_maker->model, opts_.td_maker->ladder);
    if (opts_.capture) {
      auto c = std::make_unique<capture_99c>(*opts_.capture);
      capture_ = c.get();
      slots_[index_of(strategy_kind::capture_99c)].impl = std::move(c);
    }
    phase_known_ = !opts_.phases;
  }

  behavior_type make_behavior() override {
    request(store_, store_timeout, store_get{record_db::markets, record_.id.hex})
      .await(
        [=, this](store_value& v) {
          if (!v.found)
            return; // first sight: the directory sends the record next
          auto rec = decode_market_record(v.payload);
          if (!rec) {
            spdlog::critical("market {}: persisted record unreadable: {}", record_.id.hex,
                             rec.error());
            return;
          }
          record_ = std::move(rec).value();
          if (capture_)
            capture_->restore(record_.capture);
          if (incarnation_ > 0)
            spdlog::warn("market {}: restarted (incarnation {}) from persisted state, status {}",
                         record_.id.hex, incarnation_, to_string(record_.status));
        },
        [=, this](caf::error& e) {
          spdlog::critical("market {}: cannot load state: {}", record_.id.hex, error_text(e));
          quit(e);
        });
    load_orders();
    if (opts_.bidding)
      delayed_send(this, opts_.idle_evaluate, tick_atom::value);
    return {
      [=, this](market_record& rec) -> caf::result<bool> { return update(std::move(rec)); },
      [=, this](book_snapshot& b) {
        on_snapshot(b);
        resume_exits();
        check_exit();
        check_paper();
        evaluate(0);
      },
      [=, this](book_delta& d) {
        on_delta(d);
        resume_exits();
        check_exit();
        check_paper();
        evaluate(d.recv_ns);
      },
      [=, this](phase_record& p) { on_phase(p); },
      [=, this](last_trade& t) { last_trade_ = t; },
      [=, this](tick_size_change& t) { on_tick(t); },
      [=, this](reference_tick& t) {
        on_reference(t);
        evaluate(0); // the capture's confidence and danger move with the reference too
      },
      [=, this](tick_atom) {
        check_exit();
        check_paper(); // time at bid needs time, not updates
        if (wall_ms() - last_eval_ms_ >= opts_.idle_evaluate.count())
          evaluate(0);
        delayed_send(this, opts_.idle_evaluate, tick_atom::value);
      },
      [=, this](get_atom, decision_atom) -> std::vector<std::int64_t> {
        auto n = std::min<std::uint64_t>(decision_count_, decision_ring_.size());
        return {decision_ring_.begin(), decision_ring_.begin() + static_cast<std::ptrdiff_t>(n)};
      },
      [=, this](market_resolved& r) {
        resolved_winner_ = r.winner;
        spdlog::info("market {}: resolved, winner token {}", record_.id.hex, r.winner.digits);
        if (opts_.samples && (r.winner == record_.up_token || r.winner == record_.down_token))
          send(opts_.samples, evaluation_outcome{record_.id, r.winner == record_.up_token ? outcome::up : outcome::down});
      },
      [=, this](get_atom, latency_atom) -> std::vector<std::int64_t> {
        auto n = std::min<std::uint64_t>(latency_count_, latency_ring_.size());
        return {latency_ring_.begin(), latency_ring_.begin() + static_cast<std::ptrdiff_t>(n)};
      },
      [=, this](get_atom, book_atom) -> std::vector<book_view> {
        return {view_of(books_[0]), view_of(books_[1])};
      },
      [=, this](order_update& u) { on_order(u); },
      [=, this](get_atom) -> market_state { return snapshot(); },
      [=, this](retire_atom) -> caf::result<bool> { return retire(); },
      [=, this](crash_atom) {
        if (!opts_.fault_injection) {
          spdlog::warn("market {}: fault injection requested but debug.fault_injection is off",
                       record_.id.hex);
          return;
        }
        spdlog::warn("market {}: injected fault", record_.id.hex);
        throw std::runtime_error("injected fault");
      },
    };
  }

  void on_exit() override {
    opts_.feed = nullptr; // the feed holds this market: no reference cycle after exit
    opts_.orders = nullptr;
    opts_.fills = nullptr;
    opts_.stop_loss = nullptr;
    opts_.audit = nullptr;
    opts_.bidding = nullptr;
    instrumented::on_exit();
  }

private:
  caf::result<bool> update(market_record rec) {
    if (rec.id != record_.id)
      return op_error("market " + record_.id.hex + ": record for " + rec.id.hex + " refused");
    if (rec.status == market_status::retired)
      return op_error("market " + record_.id.hex + ": use retire, not a retired record");
    auto rp = make_response_promise<bool>();
    write_batch b;
    b.writes.push_back({record_db::markets, rec.id.hex, encode(rec), false});
    request(store_, store_timeout, std::move(b))
      .await(
        [=, this](commit_ack&) mutable {
          record_ = rec;
          rp.deliver(true);
        },
        [=, this](caf::error& e) mutable { rp.deliver(e); });
    return rp;
  }

  caf::result<bool> retire() {
    if (open_orders() > 0)
      return op_error("market " + record_.id.hex + ": " + std::to_string(open_orders())
                      + " orders still open; not retired");
    auto rec = record_;
    rec.status = market_status::retired;
    auto rp = make_response_promise<bool>();
    write_batch b;
    b.writes.push_back({record_db::markets, rec.id.hex, encode(rec), false});
    request(store_, store_timeout, std::move(b))
      .await(
        [=, this](commit_ack&) mutable {
          record_ = rec;
          spdlog::info("market {}: retired", record_.id.hex);
          // Resolved and done: whatever budget its orders and position held is free.
          if (opts_.bidding)
            send(opts_.bidding, budget_release{record_.id, usdc{std::numeric_limits<std::int64_t>::max()},
                                               strategy_kind::td_maker, true});
          publish_sample(true);
          rp.deliver(true);
          quit();
        },
        [=, this](caf::error& e) mutable { rp.deliver(e); });
    return rp;
  }

  /// Both tokens' books: index 0 = Up, 1 = Down.
  struct token_state {
    token_book book;
    tick_size tick;
    shares min_size;
    bool neg_risk = false;
    bool synced = false; // a snapshot was applied since the last gap
    std::int64_t ts_ms = 0;
  };

  token_state* state_of(const token_id& t) {
    if (t == record_.up_token)
      return &books_[0];
    if (t == record_.down_token)
      return &books_[1];
    return nullptr;
  }

  void on_snapshot(const book_snapshot& b) {
    auto* st = state_of(b.token);
    if (!st)
      return unknown_token(b.token);
    st->book.replace(b.bids, b.asks);
    // Fields a snapshot may omit keep what the market already knows (Gamma's values).
    st->tick = b.has_tick ? b.tick : (st->synced ? st->tick : record_.tick);
    st->min_size = b.min_size.micros > 0 ? b.min_size : record_.min_size;
    st->neg_risk = b.neg_risk;
    st->synced = true;
    st->ts_ms = b.ts_ms;
  }

  void on_delta(const book_delta& d) {
    // Absolute sizes: applying a replayed or duplicated delta changes nothing.
    const std::string* last_hash[2] = {nullptr, nullptr};
    for (auto& c : d.changes) {
      auto* st = state_of(c.token);
      if (!st) {
        unknown_token(c.token);
        continue;
      }
      st->book.set(c.side, c.px, c.size);
      st->ts_ms = std::max(st->ts_ms, d.ts_ms);
      last_hash[st == &books_[0] ? 0 : 1] = &c.hash;
    }
    for (int i = 0; i < 2; ++i) {
      if (!last_hash[i])
        continue;
      auto& st = books_[i];
      const auto& token = i == 0 ? record_.up_token : record_.down_token;
      if (!st.synced) {
        request_refetch(token, "delta before any snapshot");
        continue;
      }
      if (!opts_.book_hash_check || last_hash[i]->empty())
        continue;
      auto h = book_hash({record_.id.hex, token.digits, d.ts_ms, st.min_size, st.tick, st.neg_risk, ""},
                         st.book, hash_scratch_);
      if (h != *last_hash[i]) {
        st.synced = false;
        request_refetch(token, "book hash mismatch");
      }
    }
    if (d.recv_ns > 0)
      note_latency(d.recv_ns);
  }

  void on_tick(const tick_size_change& t) {
    auto* st = state_of(t.token);
    if (!st)
      return unknown_token(t.token);
    st->tick = t.new_tick;
    if (t.token == record_.up_token)
      record_.tick = t.new_tick; // persisted with the next record write
  }

  // ---- trading: seed 003's tick for this market ----

  /// The market's orders, as the order actor's ledger has them (after a restart
  /// too): which ladder rungs are taken, so none is placed twice.
  void load_orders() {
    if (!opts_.orders)
      return;
    request(opts_.orders, store_timeout, get_atom::value, record_.id)
      .then(
        [=, this](std::vector<order_record>& orders) {
          for (auto& r : orders)
          {
            track_leg(r.order_id, r.strategy, r.side_outcome, r.token, r.side, r.px, r.matched, r.paper);
            if (r.side == order_side::sell) {
              auto& x = slot_of(r.strategy).exits[r.paper];
              x.open = x.open || is_open(r.state);
              winning_exit_sent_ = winning_exit_sent_ || r.rung == winning_rung;
              continue;
            }
            apply_order(r.strategy, r.side_outcome, r.rung, r.order_id, r.state, r.matched);
            if (r.strategy == strategy_kind::capture_99c)
              paper_book_ = r.paper;
            track_paper(r.order_id, r.paper, r.state, r.token, r.px, r.size, r.matched);
          }
          orders_loaded_ = true;
          if (!orders.empty())
            spdlog::info("market {}: {} orders recovered from the ledger ({} open)", record_.id.hex,
                         orders.size(), open_orders());
        },
        [=, this](caf::error& e) {
          spdlog::error("market {}: orders not loaded ({}); no bidding until they are", record_.id.hex,
                        error_text(e));
          delayed_send(this, std::chrono::seconds(1), tick_atom::value);
          retry_load_ = true;
        });
  }

  // ---- the strategies (issue 17): fed on every update, their intents merged ----

  void on_phase(const phase_record& p) {
    phase_known_ = true;
    if (opts_.phases)
      rung_shares_ = std::max<std::int64_t>(1, opts_.phases->limits_of(p.current).shares_per_rung.micros / micros_per_unit);
  }

  /// Why no buy may go out now (null: buys may be proposed). Exits and the
  /// capture's danger watch run regardless.
  const char* buy_gate(std::int64_t now) {
    if (now < record_.slot_start_s * 1000 || now >= record_.slot_end_s * 1000 - opts_.stop_before_end_ms)
      return "outside the trading window";
    if (record_.status == market_status::awaiting_settlement || record_.status == market_status::settled)
      return "awaiting settlement";
    if (!record_.fee.known) { // e.g. a record persisted before fees were per market: no guess
      if (!fee_warned_)
        spdlog::error("market {}: no fee schedule known; no entry orders", record_.id.hex);
      fee_warned_ = true;
      return "no fee schedule";
    }
    if (!phase_known_)
      return "trading phase not known yet";
    if (now < quiet_until_ms_)
      return "quiet after a refusal";
    return nullptr;
  }

  void evaluate(std::int64_t recv_ns) {
    if (!opts_.bidding || !opts_.orders)
      return;
    if (retry_load_) {
      retry_load_ = false;
      load_orders();
      return;
    }
    if (!orders_loaded_ || !books_[0].synced || !books_[1].synced)
      return;
    const auto now = wall_ms();
    bool may_buy = buy_gate(now) == nullptr;
    if (may_buy && eval_in_flight_) {
      may_buy = false;
      eval_dirty_ = true; // one admission at a time; the latest book is used next
      if (recv_ns)
        dirty_recv_ns_ = recv_ns;
    }
    if (may_buy)
      last_eval_ms_ = now;
    const auto snap = strategy_snap(now);
    proposals_.clear();
    for (auto k : all_strategies) {
      auto& sl = slot_of(k);
      if (!sl.impl || (k == strategy_kind::td_maker && !may_buy))
        continue; // the TD maker only buys; its exits are the stop-loss's checks
      intents_.clear();
      sl.impl->evaluate(snap, orders_of(k), intents_);
      collect(k, snap, may_buy);
    }
    if (capture_)
      after_capture(snap);
    if (opts_.samples)
      sample_holdings(snap);
    if (!proposals_.empty())
      admit(recv_ns);
  }

  /// `tdmaker train`: one outcome's features as the live filters compute them.
  void sample(sample_kind kind, const entry_inputs& in) {
    evaluation_sample s{record_.id, in.side, kind, in.now_ms, {}};
    s.x.reserve(entry_feature_count);
    for (auto f : all_entry_features)
      s.x.push_back(entry_feature_value(f, opts_.td_maker->entry, in));
    send(opts_.samples, std::move(s));
  }

  /// Exit rows: each TD maker holding's outcome, wherever it is in its slot.
  void sample_holdings(const strategy_snapshot& snap) {
    if (!opts_.td_maker)
      return;
    for (bool paper : {false, true})
      if (auto pos = position_on(paper, strategy_kind::td_maker); pos.open)
        sample(sample_kind::exit, entry_inputs_of(snap, pos.side));
  }

  /// One strategy's intents into the market's: buys to admit, exits, orders to sign ahead.
  void collect(strategy_kind k, const strategy_snapshot& snap, bool may_buy) {
    if (may_buy)
      for (auto& p : intents_.place)
        proposals_.push_back(to_intent(k, p.side, p.rung, order_side::buy, p.px, p.size, p.post_only, false));
    for (auto& x : intents_.exits)
      strategy_exit(k, x, snap);
    if (!intents_.presign.empty() && opts_.orders) {
      presign_request r{record_.id, {}};
      for (auto& p : intents_.presign)
        r.orders.push_back(to_intent(k, p.side, p.rung, order_side::buy, p.px, p.size, p.post_only, paper_book_));
      spdlog::info("market {}: {} {} orders to sign ahead", record_.id.hex, r.orders.size(), to_string(k));
      send(opts_.orders, std::move(r));
    }
    if (k == strategy_kind::td_maker)
      for (auto side : {outcome::up, outcome::down}) {
        audit_td(snap.now_ms, side, td()->last(side).verdict);
        if (opts_.samples)
          sample(sample_kind::entry, td()->last(side).in);
      }
    else
      audit_capture(snap);
  }

  place_intent to_intent(strategy_kind k, outcome side, std::uint32_t rung, order_side os, price px, shares size,
                         bool post_only, bool paper) const {
    place_intent i;
    i.market = record_.id;
    i.token = side == outcome::up ? record_.up_token : record_.down_token;
    i.side_outcome = side;
    i.rung = rung;
    i.side = os;
    i.px = px;
    i.size = size;
    i.slot_end_s = record_.slot_end_s;
    i.post_only = post_only;
    i.neg_risk = books_[0].neg_risk;
    i.paper = paper;
    i.strategy = k;
    return i;
  }

  void admit(std::int64_t recv_ns) {
    eval_in_flight_ = true;
    auto view = snapshot().view;
    view.recv_ns = recv_ns;
    request(opts_.bidding, store_timeout, admission_request{std::move(view), proposals_})
      .then([=, this](bid_decision& d) { on_decision(d, recv_ns); },
            [=, this](caf::error& e) {
              eval_in_flight_ = false;
              spdlog::warn("market {}: bidding did not answer: {}", record_.id.hex, error_text(e));
            });
  }

  void on_decision(bid_decision& d, std::int64_t recv_ns) {
    eval_in_flight_ = false;
    if (!d.place.empty()) {
      if (recv_ns > 0) // book update -> order intent, for the benchmark
        decision_ring_[decision_count_++ % decision_ring_.size()] = steady_ns() - recv_ns;
      for (auto& p : d.place) {
        mark(p.strategy, p.side_outcome, p.rung, true);
        paper_book_ = p.paper;
        if (p.strategy == strategy_kind::capture_99c && capture_)
          captured(p);
      }
      send(opts_.orders, place_batch{record_.id, std::move(d.place)});
    } else if (d.reason == "no budget" || d.reason == "trade limit") {
      for (auto side : {outcome::up, outcome::down}) // the TD maker's proposals were refused
        if (td() && td()->last(side).proposals > 0)
          audit_td(wall_ms(), side, d.reason);
    }
    if (eval_dirty_) {
      eval_dirty_ = false;
      evaluate(std::exchange(dirty_recv_ns_, 0));
    }
  }

  td_maker* td() {
    return static_cast<td_maker*>(slot_of(strategy_kind::td_maker).impl.get());
  }

  strategy_snapshot strategy_snap(std::int64_t now) const {
    strategy_snapshot s;
    s.now_ms = now;
    s.slot_start_s = record_.slot_start_s;
    s.slot_end_s = record_.slot_end_s;
    auto t = [](const token_state& st) {
      auto b = st.book.best_bid();
      auto a = st.book.best_ask();
      return book_top{b.px, b.size, a.px, a.size};
    };
    s.up = t(books_[0]);
    s.down = t(books_[1]);
    s.ref_start = record_.ref_start;
    s.ref_now = ref_now_;
    s.fast = ref_fast_;
    s.slow = ref_slow_;
    s.rule = record_.rule;
    auto tick_of = [&](const token_state& st) { return st.synced ? st.tick : record_.tick; };
    s.tick = std::max(tick_of(books_[0]), tick_of(books_[1]));
    auto min_of = [&](const token_state& st) { return st.synced && st.min_size.micros > 0 ? st.min_size : record_.min_size; };
    s.min_size = std::max(min_of(books_[0]), min_of(books_[1]));
    s.awaiting_settlement = record_.status == market_status::awaiting_settlement || awaiting_resolution_;
    s.last_trade_vote_up = trade_vote_up();
    s.rung_shares = rung_shares_;
    return s;
  }

  /// +1 when the last trade favoured Up (bought Up or sold Down), -1 the reverse.
  int trade_vote_up() const {
    if (last_trade_.token.digits.empty())
      return 0;
    int v = last_trade_.side == order_side::buy ? 1 : -1;
    if (last_trade_.token == record_.down_token)
      v = -v;
    else if (last_trade_.token != record_.up_token)
      return 0;
    return v;
  }

  strategy_orders orders_of(strategy_kind k) const {
    const auto& sl = slots_[index_of(k)];
    strategy_orders o;
    for (int i = 0; i < 2; ++i) {
      o.placed[i] = sl.placed[i];
      o.filled[i] = sl.filled_n[i];
      auto p = position_on(i == 1, k);
      o.held[i] = {p.open, p.side, p.qty, p.entry};
      o.exit_open[i] = sl.exits[i].open || sl.exits[i].in_flight;
    }
    return o;
  }

  // ---- the 99c capture's state: the peak at fill, the danger score ----

  void captured(const place_intent& p) {
    capture_->on_ordered(p.side_outcome, capture_->confidence(p.side_outcome).confidence_ppm);
    spdlog::info("market {}: 99c capture: buying {} {} up to {} (confidence {} ppm, {} book)", record_.id.hex,
                 to_string(p.size), p.side_outcome == outcome::up ? "Up" : "Down", to_string(p.px),
                 capture_->confidence(p.side_outcome).confidence_ppm, p.paper ? "paper" : "live");
    persist_capture();
  }

  /// The first fill of the capture: the peak confidence, recomputed now.
  void capture_filled(const order_update& u) {
    if (!capture_ || capture_->state().peak_confidence_ppm >= 0)
      return;
    capture_->on_filled(strategy_snap(wall_ms()), u.side_outcome);
    auto peak = capture_->state().peak_confidence_ppm;
    spdlog::info("market {}: 99c capture filled: {} {} @ {}, peak confidence {} ppm", record_.id.hex,
                 to_string(u.matched), u.side_outcome == outcome::up ? "Up" : "Down", to_string(u.px), peak);
    if (opts_.audit)
      send(opts_.audit, audit_line{capture_fill_audit_line(wall_ms(), record_.id.hex, u.side_outcome, u.paper, u.px,
                                                           u.matched, peak)});
    persist_capture();
  }

  /// market_record.capture is durable before the market relies on it after a restart.
  void persist_capture() {
    if (!capture_ || !capture_->take_dirty())
      return;
    auto rec = record_;
    rec.capture = capture_->state();
    record_.capture = rec.capture;
    write_batch b;
    b.writes.push_back({record_db::markets, rec.id.hex, encode(rec), false});
    request(store_, store_timeout, std::move(b))
      .then([](commit_ack&) {},
            [=, this](caf::error& e) {
              spdlog::error("market {}: capture state not persisted: {}", record_.id.hex, error_text(e));
            });
  }

  void after_capture(const strategy_snapshot& snap) {
    persist_capture();
    for (bool paper : {false, true}) {
      if (!capture_->danger_known(paper))
        continue;
      auto score = capture_->danger(paper).score;
      auto& last = danger_bucket_[paper];
      if (score / 10 != last) { // the audit keeps each change of ten points, not every tick
        last = score / 10;
        audit_danger(snap.now_ms, paper, score >= capture_->danger_exit_at() ? "over threshold" : "watch");
      }
    }
    publish_sample(false);
  }

  void audit_danger(std::int64_t now, bool paper, std::string_view action) {
    if (!opts_.audit)
      return;
    const auto& st = capture_->state();
    send(opts_.audit, audit_line{danger_audit_line(now, record_.id.hex, st.side, paper, st.peak_confidence_ppm,
                                                   capture_->watched_confidence(paper),
                                                   capture_->danger(paper), capture_->danger_exit_at(), action)});
  }

  /// Each change of the capture's decision, at most once a second (a book at the
  /// threshold flips it on every tick), and every order it proposes.
  void audit_capture(const strategy_snapshot& snap) {
    auto why = intents_.reason;
    if (intents_.place.empty() && (why == capture_reason_ || snap.now_ms - capture_audit_ms_ < 1000))
      return;
    capture_reason_ = why;
    capture_audit_ms_ = snap.now_ms;
    if (!opts_.audit || why.empty())
      return;
    auto side = capture_->confidence(outcome::up).confidence_ppm >= capture_->confidence(outcome::down).confidence_ppm
                  ? outcome::up : outcome::down;
    const auto& t = snap.top(side);
    send(opts_.audit, audit_line{capture_entry_audit_line(snap.now_ms, record_.id.hex, record_.asset, side, t.ask,
                                                          capture_->order_size(snap), capture_->confidence(side), why)});
  }

  /// /status and /metrics: the capture's confidence and danger, on change, at most
  /// once per flush interval (and at once when the market retires).
  void publish_sample(bool retired) {
    if (!capture_ || !telemetry())
      return;
    const auto now = wall_ms();
    if (!retired && now - sample_ms_ < opts_.flush_every.count())
      return;
    strategy_sample s;
    s.market = record_.id;
    s.asset = record_.asset;
    s.slot_end_s = record_.slot_end_s;
    const auto& st = capture_->state();
    bool paper = !capture_->danger_known(false) && capture_->danger_known(true);
    s.holding = capture_->danger_known(paper);
    s.side = st.ordered ? st.side
                        : (capture_->confidence(outcome::up).confidence_ppm >= capture_->confidence(outcome::down).confidence_ppm
                             ? outcome::up : outcome::down);
    s.paper = paper;
    s.confidence_ppm = capture_->confidence(s.side).confidence_ppm;
    s.peak_confidence_ppm = st.peak_confidence_ppm;
    if (s.holding) {
      const auto& d = capture_->danger(paper);
      s.danger_score = d.score;
      s.drop_points = d.drop_points;
      s.velocity_points = d.velocity_points;
      s.time_points = d.time_points;
      s.opposite_points = d.opposite_points;
    }
    s.retired = retired;
    s.ts_ms = now;
    if (!retired && s.holding == last_sample_.holding && s.confidence_ppm == last_sample_.confidence_ppm
        && s.danger_score == last_sample_.danger_score && s.peak_confidence_ppm == last_sample_.peak_confidence_ppm)
      return;
    s.reasons = describe_reasons(capture_->confidence(s.side).reasons);
    sample_ms_ = now;
    last_sample_ = s;
    send(telemetry(), std::move(s));
  }

  // ---- the TD maker's entry audit (seed 003): each change of a side's decision ----

  void audit_td(std::int64_t now, outcome side, std::string_view verdict) {
    auto* t = td();
    if (!t)
      return;
    const auto& last = t->last(side);
    auto& prev = td_audit_[side == outcome::up ? 0 : 1];
    if (last.proposals == 0 && prev.verdict == verdict && prev.reason == last.r.reason)
      return;
    prev.verdict.assign(verdict);
    prev.reason = last.r.reason;
    if (opts_.audit)
      send(opts_.audit, audit_line{entry_audit_line(now, record_.id.hex, record_.asset, last.in, last.r, verdict,
                                                    last.proposals)});
  }

  void on_order(const order_update& u) {
    track_leg(u.order_id, u.strategy, u.side_outcome, u.token, u.side, u.px, u.matched, u.paper);
    if (u.side == order_side::sell)
      return on_exit_order(u);
    apply_order(u.strategy, u.side_outcome, u.rung, u.order_id, u.state, u.matched);
    track_paper(u.order_id, u.paper, u.state, u.token, u.px, u.size, u.matched);
    if (u.strategy == strategy_kind::capture_99c && u.matched.micros > 0)
      capture_filled(u);
    if (u.state == order_state::rejected) {
      // Let the cause (a halt, a stale feed, a crossing price) change before
      // the rung is tried again.
      quiet_until_ms_ = wall_ms() + 1000;
      spdlog::debug("market {}: {} {} rung {} order refused: {}", record_.id.hex, to_string(u.strategy),
                    u.side_outcome == outcome::up ? "Up" : "Down", u.rung, u.reason);
    }
  }

  /// One order's state into its strategy's rung bookkeeping. Any matched size
  /// makes its rung filled (a partly filled rung is not placed again), and the
  /// strategy's first fill commits it to that outcome: its orders on the other
  /// side are cancelled and their rungs closed (seed 003: cancel other side).
  void apply_order(strategy_kind k, outcome side, std::uint32_t rung, const std::string& order_id, order_state st,
                   shares matched) {
    if (rung >= 32)
      return;
    auto& sl = slot_of(k);
    const int i = side == outcome::up ? 0 : 1;
    open_[order_id] = {side, st, k};
    if (matched.micros > 0 || st == order_state::filled) {
      if (!(sl.filled_bits[i] & (1u << rung))) {
        sl.filled_bits[i] |= 1u << rung;
        ++sl.filled_n[i];
      }
      mark(k, side, rung, true);
      commit_to(k, side);
    } else if (st == order_state::cancelled || st == order_state::rejected) {
      // Unfilled and gone: the rung may be placed again (at the new price,
      // which is how a post-only rejection is re-priced).
      if (!(sl.filled_bits[i] & (1u << rung)))
        mark(k, side, rung, false);
    } else if (!order_id.empty()) {
      mark(k, side, rung, true);
    }
    if (is_terminal(st))
      open_.erase(order_id);
  }

  void commit_to(strategy_kind k, outcome side) {
    auto& sl = slot_of(k);
    if (sl.committed)
      return;
    sl.committed = side;
    if (k == strategy_kind::td_maker)
      shadow_taker(side);
    auto other = side == outcome::up ? outcome::down : outcome::up;
    sl.placed[other == outcome::up ? 0 : 1] = ~0u; // no rung of the other outcome from now on
    std::vector<std::string> ids;
    for (auto& [id, o] : open_)
      if (o.strategy == k && o.side == other && !is_terminal(o.state) && o.state != order_state::cancel_pending)
        ids.push_back(id);
    if (!ids.empty() && opts_.orders) {
      spdlog::info("market {}: first {} fill on {}; cancelling {} orders of the other side", record_.id.hex,
                   to_string(k), side == outcome::up ? "Up" : "Down", ids.size());
      send(opts_.orders, cancel_batch{record_.id, std::move(ids)});
    }
  }

  std::size_t open_orders() const { return open_.size(); }

  // ---- the position and its stop-loss (seed 003: checked before any gate) ----

  void track_leg(const std::string& id, strategy_kind k, outcome side_outcome, const token_id& token, order_side side,
                 price px, shares matched, bool paper) {
    if (matched.micros <= 0)
      return;
    legs_[id] = leg{side_outcome, token, side, px, matched, paper, k};
  }

  /// What the market holds, from its orders' matched sizes (the fill actor's
  /// positions are the accounting; this is the decision input). The live book
  /// comes first: real money is what the stop-loss must protect. Books and
  /// strategies never net against each other.
  position_view position() const {
    for (bool paper : {false, true})
      for (auto k : all_strategies)
        if (auto p = position_on(paper, k); p.open)
          return p;
    return {};
  }

  position_view position_on(bool paper, strategy_kind k) const {
    std::int64_t qty[2] = {0, 0}, cost[2] = {0, 0};
    for (auto& [id, l] : legs_) {
      if (l.paper != paper || l.strategy != k)
        continue;
      int i = l.side_outcome == outcome::up ? 0 : 1;
      if (l.side == order_side::buy) {
        qty[i] += l.matched.micros;
        cost[i] += fill_cash(l.matched, l.px).micros;
      } else {
        qty[i] -= l.matched.micros;
        cost[i] -= fill_cash(l.matched, l.px).micros;
      }
    }
    position_view p;
    int i = qty[0] > 0 ? 0 : qty[1] > 0 ? 1 : -1;
    if (i < 0)
      return p;
    p.open = true;
    p.paper = paper;
    p.strategy = k;
    p.side = i == 0 ? outcome::up : outcome::down;
    p.token = i == 0 ? record_.up_token : record_.down_token;
    p.qty = shares{qty[i]};
    p.cost = usdc{cost[i]};
    p.entry = price{static_cast<std::int64_t>(static_cast<__int128>(std::max<std::int64_t>(cost[i], 0)) * micros_per_unit / qty[i])};
    return p;
  }

  /// Seed 003's maker-vs-taker comparison: what taking the ask would have cost
  /// at the moment the maker ladder first filled.
  void shadow_taker(outcome side) {
    if (!opts_.audit)
      return;
    auto t = top(books_[side == outcome::up ? 0 : 1]);
    send(opts_.audit,
         audit_line{shadow_taker_audit_line(wall_ms(), record_.id.hex, side, t.best_ask, t.ask_size, t.best_bid)});
  }

  /// Each book's TD maker position has its own stop-loss: a paper position held
  /// beside a live one (bought after a switch to Experience) is protected too,
  /// and a live exit that rests or fails never starves the paper one (nor the
  /// reverse). A capture position goes to the stop-loss only when its danger
  /// score asks (strategy_exit).
  void check_exit() {
    if (!opts_.stop_loss || !opts_.orders || legs_.empty())
      return;
    if (!books_[0].synced || !books_[1].synced)
      return;
    for (bool paper : {false, true})
      check_exit_on(paper, strategy_kind::td_maker, -1);
  }

  /// A holding that awaited settlement because its book had no bid gets its
  /// exit back when a bid returns; the market buys again once none awaits.
  void resume_exits() {
    if (!awaiting_resolution_)
      return;
    bool any = false;
    for (auto k : all_strategies)
      for (bool paper : {false, true}) {
        auto& x = slot_of(k).exits[paper];
        if (!x.awaiting)
          continue;
        auto pos = position_on(paper, k);
        if (pos.open && top(books_[pos.side == outcome::up ? 0 : 1]).best_bid.micros == 0) {
          any = true;
          continue;
        }
        x.awaiting = false;
        spdlog::info("market {}: {} {} holding: a bid is back, its exit is watched again", record_.id.hex,
                     to_string(k), paper ? "paper" : "live");
      }
    awaiting_resolution_ = any;
  }

  void check_exit_on(bool paper, strategy_kind k, std::int32_t danger) {
    auto& x = slot_of(k).exits[paper];
    if (x.in_flight || x.open || x.awaiting || wall_ms() < x.next_ms)
      return;
    auto pos = position_on(paper, k);
    if (!pos.open)
      return;
    x.in_flight = true;
    auto view = snapshot().view;
    pos.danger_score = danger;
    pos.danger_threshold = capture_ ? capture_->danger_exit_at() : 0;
    view.position = pos; // the stop-loss keeps its state per book and strategy
    request(opts_.stop_loss, store_timeout, std::move(view))
      .then([=, this](stop_decision& d) { on_stop(d, pos); },
            [=, this](caf::error& e) {
              slot_of(k).exits[paper].in_flight = false;
              spdlog::warn("market {}: stop-loss did not answer: {}", record_.id.hex, error_text(e));
            });
  }

  /// A strategy's exit: through the stop-loss actor (re-check, best bid,
  /// retries, escalation), or a resting limit sell (the capture's winning exit).
  void strategy_exit(strategy_kind k, const exit_proposal& x, const strategy_snapshot& snap) {
    if (!opts_.orders || slot_of(k).exits[x.paper].awaiting)
      return;
    if (x.stop_loss) {
      if (opts_.stop_loss)
        check_exit_on(x.paper, k, capture_ && k == strategy_kind::capture_99c ? capture_->danger(x.paper).score : -1);
      return;
    }
    auto& ex = slot_of(k).exits[x.paper];
    auto pos = position_on(x.paper, k);
    if (x.paper || ex.open || ex.in_flight || !pos.open || winning_exit_sent_)
      return; // a paper book has no resting sells: its winner settles
    winning_exit_sent_ = true;
    ex.open = true;
    auto i = to_intent(k, pos.side, winning_rung, order_side::sell, x.px, pos.qty, true, false);
    spdlog::info("market {}: {} {}: offering {} {} @ {} before resolution", record_.id.hex, to_string(k), x.reason,
                 to_string(pos.qty), pos.side == outcome::up ? "Up" : "Down", to_string(x.px));
    (void)snap;
    send(opts_.orders, place_batch{record_.id, {std::move(i)}});
  }

  void on_stop(const stop_decision& d, const position_view& checked) {
    auto& x = slot_of(checked.strategy).exits[checked.paper];
    x.in_flight = false;
    if (d.verdict == stop_verdict::await_settlement) {
      // An empty book: nothing to sell into, settlement decides this holding. Only
      // this one: another strategy's (or book's) holding keeps its own exit, and
      // only until a bid comes back (resume_exits): a maker re-quoting empties a
      // side for a moment, and that must not cost the holding its exit for good.
      x.awaiting = true;
      awaiting_resolution_ = true; // and the market buys no more meanwhile
      return;
    }
    if (d.verdict != stop_verdict::exit || x.open)
      return;
    // Sell what the book holds now, never more: a fill may have moved it while
    // the stop-loss decided, and a paper sell above the paper holding would
    // leave the paper book short.
    auto pos = position_on(checked.paper, checked.strategy);
    if (!pos.open || pos.token != checked.token)
      return;
    // Re-check the bid: it may have recovered while the stop-loss decided (and
    // for a capture, the danger may have fallen back under its threshold).
    auto bid = top(books_[pos.side == outcome::up ? 0 : 1]).best_bid;
    if (bid.micros == 0 || bid > d.exit_px)
      return;
    if (checked.strategy == strategy_kind::capture_99c && capture_
        && capture_->danger(checked.paper).score < capture_->danger_exit_at())
      return;
    auto i = to_intent(checked.strategy, pos.side, exit_rung, order_side::sell, bid, pos.qty, false, pos.paper);
    x.open = true;
    spdlog::warn("market {}: {} exit: selling {} {} @ {} on the {} book ({})", record_.id.hex,
                 to_string(checked.strategy), to_string(pos.qty), pos.side == outcome::up ? "Up" : "Down",
                 to_string(bid), pos.paper ? "paper" : "live", d.reason);
    if (checked.strategy == strategy_kind::capture_99c && capture_) {
      capture_->on_danger_exit();
      audit_danger(wall_ms(), pos.paper, "exit");
      persist_capture();
    }
    send(opts_.orders, place_batch{record_.id, {std::move(i)}});
  }

  void on_exit_order(const order_update& u) {
    if (u.paper && is_open(u.state) && u.matched < u.size && opts_.fills && !paper_exit_sent_.count(u.order_id))
      paper_exit_fill(u);
    if (!is_terminal(u.state))
      return;
    auto& x = slot_of(u.strategy).exits[u.paper];
    x.open = false;
    if (u.rung == winning_rung)
      return; // a winning exit is an offer, not a stop-loss attempt: nothing to escalate
    stop_result r{record_.id, u.matched.micros > 0, u.reason, 0, u.matched, u.px, u.paper, u.strategy};
    if (r.ok) {
      x.failures = 0;
    } else {
      ++x.failures;
      x.next_ms = wall_ms() + std::min<std::int64_t>(8'000, 1'000LL << std::min<std::uint32_t>(x.failures, 3));
    }
    if (opts_.stop_loss)
      send(opts_.stop_loss, std::move(r));
  }

  /// A paper exit takes the bid it was priced at, at once (a taker), for no more
  /// than the paper book holds: the paper book never goes short.
  void paper_exit_fill(const order_update& u) {
    auto held = position_on(true, u.strategy);
    auto size = std::min(u.size.micros - u.matched.micros, held.open && held.token == u.token ? held.qty.micros : 0);
    if (size <= 0) {
      spdlog::error("market {}: paper exit {} of {} finds no paper holding; no paper fill", record_.id.hex,
                    u.order_id, to_string(u.size));
      return;
    }
    paper_exit_sent_.insert(u.order_id);
    fill_report f;
    f.trade_id = "paper-exit";
    f.order_id = u.order_id;
    f.market = record_.id;
    f.token = u.token;
    f.side = order_side::sell;
    f.px = u.px;
    f.size = shares{size};
    f.fee = taker_fee(f.size, f.px, record_.fee);
    f.taker = true;
    f.status = trade_status::confirmed;
    f.ts_ms = wall_ms();
    f.source = fill_source::paper;
    send(opts_.fills, std::vector<fill_report>{std::move(f)});
  }

  // ---- paper fills (seed 003): a resting paper bid against the real book ----

  void track_paper(const std::string& id, bool paper, order_state st, const token_id& token, price px, shares size,
                   shares matched) {
    if (!paper)
      return;
    if (!is_open(st) || matched >= size) {
      paper_.erase(id);
      return;
    }
    auto& p = paper_[id];
    if (p.remaining != shares{size.micros - matched.micros})
      p.sent = false; // a new state of the order: it may fill again
    p.token = token;
    p.bid.px = px;
    p.remaining = shares{size.micros - matched.micros};
  }

  void check_paper() {
    if (paper_.empty() || !opts_.fills)
      return;
    const auto now = wall_ms();
    if (now >= record_.slot_end_s * 1000)
      return; // the market has closed: nothing trades any more
    for (auto& [id, p] : paper_) {
      if (p.sent)
        continue;
      const auto& book = (p.token == record_.up_token ? books_[0] : books_[1]).book;
      auto why = check_paper_fill(p.bid, book.best_bid().px, book.best_ask().px, record_.tick, now, opts_.paper);
      if (why == paper_fill::none)
        continue;
      p.sent = true;
      fill_report f;
      // One paper trade per order state: a repeat before the order moves is a duplicate.
      f.trade_id = "paper-" + std::to_string(p.remaining.micros);
      f.order_id = id;
      f.market = record_.id;
      f.token = p.token;
      f.px = p.bid.px;
      f.size = p.remaining;
      f.status = trade_status::confirmed;
      f.ts_ms = now;
      f.source = fill_source::paper;
      spdlog::info("market {}: paper fill of {} ({}): {} @ {}", record_.id.hex, id, to_string(why),
                   to_string(f.size), to_string(f.px));
      send(opts_.fills, std::vector<fill_report>{std::move(f)});
    }
  }

  void mark(strategy_kind k, outcome side, std::uint32_t rung, bool placed) {
    auto& sl = slot_of(k);
    if (sl.committed && side != *sl.committed)
      return; // the other side stays closed
    auto& m = sl.placed[side == outcome::up ? 0 : 1];
    if (placed)
      m |= 1u << rung;
    else
      m &= ~(1u << rung);
  }

  void on_reference(const reference_tick& t) {
    ref_now_ = t.value;
    ref_fast_ = t.fast;
    ref_slow_ = t.slow;
    if (record_.ref_start.e8 > 0 || record_.slot_start_s == 0)
      return;
    ref_capture_.start_ms = record_.slot_start_s * 1000;
    if (!observe_reference(ref_capture_, t))
      return;
    auto rec = record_;
    rec.ref_start = ref_capture_.captured;
    record_.ref_start = rec.ref_start; // used at once; durable with the write below
    spdlog::info("market {}: reference at slot start {} = {} (tick at {} ms)", record_.id.hex,
                 record_.slot_start_s, to_string(rec.ref_start), ref_capture_.captured_ts_ms);
    write_batch b;
    b.writes.push_back({record_db::markets, rec.id.hex, encode(rec), false});
    request(store_, store_timeout, std::move(b))
      .then([](commit_ack&) {},
            [=, this](caf::error& e) {
              spdlog::error("market {}: start reference not persisted: {}", record_.id.hex, error_text(e));
            });
  }

  void request_refetch(const token_id& token, const char* why) {
    if (opts_.feed)
      send(opts_.feed, refetch_book{record_.id, token, why});
  }

  void unknown_token(const token_id& t) {
    if (!warned_unknown_) {
      warned_unknown_ = true;
      spdlog::warn("market {}: event for token {} that is not one of its outcomes; ignored",
                   record_.id.hex, t.digits);
    }
  }

  void note_latency(std::int64_t recv_ns) {
    latency_ring_[latency_count_++ % latency_ring_.size()] = steady_ns() - recv_ns;
  }

  book_view view_of(const token_state& st) const {
    book_view v;
    v.token = &st == &books_[0] ? record_.up_token : record_.down_token;
    v.bids.assign(st.book.bids().begin(), st.book.bids().end());
    v.asks.assign(st.book.asks().begin(), st.book.asks().end());
    v.ts_ms = st.ts_ms;
    v.synced = st.synced;
    return v;
  }

  static top_of_book top(const token_state& st) {
    auto b = st.book.best_bid();
    auto a = st.book.best_ask();
    return {b.px, b.size, a.px, a.size};
  }

  market_state snapshot() const {
    market_state s;
    s.record = record_;
    s.view.market = record_.id;
    s.view.asset = record_.asset;
    s.view.now_ms = wall_ms();
    s.view.slot_start_s = record_.slot_start_s;
    s.view.slot_end_s = record_.slot_end_s;
    s.view.tick = record_.tick;
    s.view.min_size = record_.min_size;
    s.view.awaiting_settlement = record_.status == market_status::awaiting_settlement || awaiting_resolution_;
    s.view.position = position();
    s.view.up = top(books_[0]);
    s.view.down = top(books_[1]);
    s.view.ref_now = ref_now_;
    s.view.ref_start = record_.ref_start;
    s.view.up_token = record_.up_token;
    s.view.down_token = record_.down_token;
    s.view.neg_risk = books_[0].neg_risk;
    // Rungs are priced on the coarser of the two tokens' ticks (after a tick
    // size change too), so a price is valid for either outcome: 0.01 lies on 0.001.
    auto tick_of = [&](const token_state& st) { return st.synced ? st.tick : record_.tick; };
    s.view.tick = std::max(tick_of(books_[0]), tick_of(books_[1]));
    auto min_of = [&](const token_state& st) { return st.synced && st.min_size.micros > 0 ? st.min_size : record_.min_size; };
    s.view.min_size = std::max(min_of(books_[0]), min_of(books_[1]));
    // Any strategy's order makes it the market's first buy no more (the trade limiter).
    for (const auto& sl : slots_) {
      s.view.placed_up |= sl.placed[0];
      s.view.placed_down |= sl.placed[1];
    }
    const auto& td = slots_[index_of(strategy_kind::td_maker)];
    s.view.filled_up = td.filled_n[0];
    s.view.filled_down = td.filled_n[1];
    s.incarnation = incarnation_;
    return s;
  }

  store_actor store_;
  market_options opts_;
  std::uint32_t incarnation_;
  market_record record_;
  bool fee_warned_ = false;
  token_state books_[2];
  std::string hash_scratch_;
  last_trade last_trade_;
  ref_price ref_now_;
  token_id resolved_winner_;
  // The last feed-frame -> market latencies (ns), for the benchmark: fixed size,
  // so recording one never allocates.
  std::array<std::int64_t, 1024> latency_ring_{};
  std::uint64_t latency_count_ = 0;
  bool warned_unknown_ = false;
  // Trading state (seed 003 MarketState's ladder and orders).
  start_reference ref_capture_;
  struct open_order {
    outcome side = outcome::up;
    order_state state = order_state::placing;
    strategy_kind strategy = strategy_kind::td_maker;
  };
  std::map<std::string, open_order> open_; // open orders only
  struct paper_resting {
    token_id token;
    paper_bid bid;
    shares remaining;
    bool sent = false; // a fill was reported; wait for the order's next state
  };
  std::map<std::string, paper_resting> paper_; // open paper orders
  static constexpr std::uint32_t exit_rung = 31; // stop-loss sells: outside every ladder
  struct leg {
    outcome side_outcome = outcome::up;
    token_id token;
    order_side side = order_side::buy;
    price px;
    shares matched;
    bool paper = false;
    strategy_kind strategy = strategy_kind::td_maker;
  };
  std::map<std::string, leg> legs_; // orders with a matched size: the position
  /// One book's stop-loss: at most one check and one exit at a time per book.
  struct exit_state {
    bool in_flight = false;      // a stop-loss check is under way
    bool open = false;           // a stop-loss sell is on its way or resting
    std::uint32_t failures = 0;
    std::int64_t next_ms = 0;    // backoff after a failed exit
    bool awaiting = false;       // the stop-loss found no bid: settlement decides this holding
  };
  static constexpr std::uint32_t winning_rung = 30; // the capture's winning exit: outside every ladder
  /// One strategy's orders in this market: its rungs, its commitment, its exits.
  struct strategy_slot {
    std::unique_ptr<strategy> impl; // null: not run here
    std::uint32_t placed[2] = {0, 0};      // rung bits: Up, Down
    std::uint32_t filled_bits[2] = {0, 0};
    std::uint32_t filled_n[2] = {0, 0};
    std::optional<outcome> committed;      // the side a first fill committed it to
    exit_state exits[2];                   // [0] live, [1] paper
  };
  std::array<strategy_slot, strategy_count> slots_;
  strategy_slot& slot_of(strategy_kind k) { return slots_[index_of(k)]; }
  capture_99c* capture_ = nullptr; // the capture slot's strategy, when it runs
  bool phase_known_ = false;
  std::int64_t rung_shares_ = 0;   // the phase's shares per rung (0: the ladder's own)
  bool paper_book_ = false;        // the book the last admitted buy went to (presigned orders follow it)
  bool winning_exit_sent_ = false;
  reference_motion ref_fast_;
  reference_motion ref_slow_;
  strategy_intents intents_;             // reused: one evaluation allocates nothing once warm
  std::vector<place_intent> proposals_;
  std::string_view capture_reason_;
  std::int64_t capture_audit_ms_ = 0;
  int danger_bucket_[2] = {-1, -1};
  std::int64_t sample_ms_ = 0;
  strategy_sample last_sample_;
  struct td_audit_state {
    std::string verdict;
    std::string_view reason;
  };
  td_audit_state td_audit_[2];
  bool awaiting_resolution_ = false; // the book emptied while holding: settlement decides
  std::set<std::string> paper_exit_sent_;
  bool orders_loaded_ = false;
  bool retry_load_ = false;
  bool eval_in_flight_ = false;
  bool eval_dirty_ = false;
  std::int64_t dirty_recv_ns_ = 0;
  std::int64_t last_eval_ms_ = 0;
  std::int64_t quiet_until_ms_ = 0;
  std::array<std::int64_t, 1024> decision_ring_{}; // book update -> order intent (ns)
  std::uint64_t decision_count_ = 0;
};

} // namespace

market_actor spawn_market(caf::local_actor* parent, condition_id id, std::uint32_t incarnation,
                          store_actor store, telemetry_actor telemetry, market_options opts) {
  return parent->spawn<market_impl>(std::move(id), incarnation, std::move(store),
                                    std::move(telemetry), opts);
}

} // namespace tdmaker
