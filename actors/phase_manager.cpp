#include "actors/phase_manager.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/instrumented.hpp"
#include "actors/spawn_blocking.hpp"
#include "core/json_write.hpp"
#include "actors/phase_history_writer.hpp"
#include "actors/util.hpp"
#include "core/phase_history.hpp"
#include "core/phase_status.hpp"
#include "core/redact.hpp"
#include "core/settlement.hpp"

namespace tdmaker {
namespace {

constexpr std::string_view phase_key = "current";
constexpr std::string_view history_prefix = "history/";

std::string name_of(phase p) { return std::string(to_string(p)); }

/// The tracker's key of a trade: its settlement record's LMDB key, so a trade
/// seen at start (from LMDB) and again as a trade_outcome counts once.
std::string trade_key(const condition_id& market, bool paper) {
  settlement_record r;
  r.market = market;
  r.paper = paper;
  return settlement_key(r);
}

class phase_manager_impl : public instrumented<phase_manager_actor::base> {
public:
  using reply_promise = caf::typed_response_promise<phase_switch_reply>;

  phase_manager_impl(caf::actor_config& cfg, store_actor store, telemetry_actor telemetry,
                     notifier_actor notifier, phase_manager_options opts)
    : instrumented(cfg, "phase_manager", telemetry, opts.flush_every),
      store_(std::move(store)),
      notifier_(std::move(notifier)),
      opts_(std::move(opts)),
      tracker_(opts_.policy.session) {
  }

  behavior_type make_behavior() override {
    // `await` holds every other message until history, phase and tracker are
    // loaded: nobody can switch or read a phase that has not been loaded yet.
    load_history();
    return {
      [=, this](switch_phase& req) -> caf::result<phase_switch_reply> { return do_switch(std::move(req)); },
      [=, this](get_atom, phase_atom) -> phase_record { return current_; },
      [=, this](status_atom) -> std::string { return phase_status_json(status(now())); },
      [=, this](tick_atom) { on_tick(); },
      [=, this](trade_outcome& o) { on_outcome(o); },
    };
  }

private:
  std::int64_t now() const { return opts_.clock ? opts_.clock() : wall_ms(); }

  // --- start: history (next seq, an outstanding proposal), phase, settlements ---

  void load_history() {
    request(store_, store_timeout, store_scan{record_db::phase, std::string(history_prefix)})
      .await(
        [=, this](store_rows& rows) {
          for (auto& row : rows.rows) {
            auto t = decode_phase_transition(row.payload);
            if (!t) {
              // History is a record of the past: one bad entry must not stop trading.
              spdlog::error("phase: unreadable history entry {}: {}", row.key, t.error());
              continue;
            }
            next_seq_ = std::max(next_seq_, t->seq + 1);
            if (t->kind == transition_kind::proposal)
              last_proposal_ = *t;
          }
          load_phase();
        },
        [=, this](caf::error& e) {
          spdlog::critical("phase: cannot read the phase history: {}", error_text(e));
          quit(e);
        });
  }

  void load_phase() {
    request(store_, store_timeout, store_get{record_db::phase, std::string(phase_key)})
      .await(
        [=, this](store_value& v) {
          if (!v.found)
            return init_phase();
          auto rec = decode_phase_record(v.payload);
          if (!rec) {
            // A corrupt phase must not silently become Experience-or-worse:
            // stop and let the operator look.
            spdlog::critical("phase: stored phase record is unreadable: {}", rec.error());
            quit(op_error("phase record unreadable"));
            return;
          }
          current_ = *rec;
          spdlog::info("phase: restored {} (since {} ms, source {})", to_string(current_.current),
                       current_.since_ms, current_.source);
          // A proposal made in this phase is still waiting for the operator.
          if (last_proposal_ && last_proposal_->from == current_.current
              && last_proposal_->ts_ms >= current_.since_ms)
            proposed_since_ = current_.since_ms;
          load_settlements();
        },
        [=, this](caf::error& e) {
          spdlog::critical("phase: cannot load phase from store: {}", error_text(e));
          quit(e);
        });
  }

  void init_phase() {
    auto t_now = now();
    phase_record init{opts_.initial, opts_.initial, t_now, "initial phase from config", "config"};
    auto t = entry(transition_kind::initial, opts_.initial, opts_.initial, init.source, init.reason, t_now);
    commit(t, &init, [=, this](bool ok) {
      if (!ok)
        return quit(op_error("cannot persist initial phase"));
      current_ = init;
      spdlog::info("phase: initialised to {} from config", to_string(init.current));
      load_settlements();
    });
  }

  void load_settlements() {
    request(store_, store_timeout, store_scan{record_db::settlements, ""})
      .await(
        [=, this](store_rows& rows) {
          std::size_t bad = 0;
          for (auto& row : rows.rows) {
            auto s = decode_settlement_record(row.payload);
            if (!s) {
              ++bad;
              spdlog::error("phase: unreadable settlement {} left out of the performance figures: {}", row.key,
                            s.error());
              continue;
            }
            tracker_.add(closed_trade{settlement_key(*s), s->pnl, s->settled_ms, s->paper});
          }
          if (bad != 0)
            caf::anon_send(notifier_, alert{severity::critical, "phase",
                                            std::to_string(bad)
                                              + " unreadable settlement record(s) left out of the phase figures",
                                            now()});
          spdlog::info("phase: performance tracker rebuilt from {} settlement(s)", tracker_.size());
          ready();
        },
        [=, this](caf::error& e) {
          spdlog::critical("phase: cannot read settlements: {}", error_text(e));
          quit(e);
        });
  }

  void ready() {
    session_ = opts_.policy.session.index(now());
    publish();
    delayed_send(this, opts_.sample_every, tick_atom::value);
  }

  // --- the operator's switch ---

  caf::result<phase_switch_reply> do_switch(switch_phase req) {
    auto from = current_.current;
    if (req.target == from) {
      spdlog::info("phase: switch to {} requested by {} ignored: already active", to_string(req.target),
                   req.source);
      return phase_switch_reply{true, false, current_, {}, {}};
    }
    auto t_now = now();
    auto gate = evaluate_switch(from, req.target, current_.since_ms, t_now, tracker_, opts_.policy);
    bool upgrade = req.target > from;
    auto rp = make_response_promise<phase_switch_reply>();
    if (upgrade && !gate.pass && !req.force) {
      refuse(req, std::move(gate), t_now, rp);
      return rp;
    }
    auto kind = !upgrade      ? transition_kind::switch_
                : gate.pass   ? transition_kind::upgrade
                              : transition_kind::override_;
    auto t = entry(kind, from, req.target, req.source, req.reason, t_now);
    t.criteria = gate.criteria;
    t.figures = gate.figures;
    phase_record next{req.target, from, t_now, req.reason, req.source};
    bool forced = kind == transition_kind::override_;
    apply(t, next, [=, this](bool ok) mutable {
      if (ok)
        rp.deliver(phase_switch_reply{true, forced, current_, gate, {}});
      else
        rp.deliver(op_error("phase switch not persisted; phase unchanged"));
    });
    return rp;
  }

  void refuse(const switch_phase& req, gate_report gate, std::int64_t t_now, reply_promise rp) {
    auto t = entry(transition_kind::refusal, current_.current, req.target, req.source, req.reason, t_now);
    t.criteria = gate.criteria;
    t.figures = gate.figures;
    auto text = gate_refusal_text(gate);
    commit(t, nullptr, [=, this](bool ok) mutable {
      if (!ok) {
        rp.deliver(op_error("phase switch refused, but its history entry was not persisted"));
        return;
      }
      spdlog::warn("phase: switch {} -> {} by {} refused: {}", to_string(t.from), to_string(t.to), t.source,
                   text);
      publish_sample();
      rp.deliver(phase_switch_reply{false, false, current_, gate, text});
    });
  }

  // --- settled trades: downgrades at once, then the gate ---

  void on_outcome(const trade_outcome& o) {
    if (!tracker_.add(closed_trade{trade_key(o.market, o.paper), o.pnl, o.ts_ms, o.paper}))
      return; // seen before (from LMDB at start, or a repeated message)
    spdlog::info("phase: {} trade {} settled, pnl {}", o.paper ? "paper" : "live", o.market.hex.substr(0, 10),
                 to_string(o.pnl));
    auto t_now = now();
    if (!is_paper_only(current_.current)) {
      auto dg = evaluate_downgrade(current_.current, current_.since_ms, t_now, tracker_, opts_.policy);
      if (dg.fire)
        return downgrade(std::move(dg), t_now);
    }
    consider_upgrade(t_now);
    publish_sample();
  }

  void downgrade(downgrade_report dg, std::int64_t t_now) {
    auto from = current_.current;
    auto to = prev_phase(from).value_or(phase::experience);
    auto reason = downgrade_sentence(dg);
    auto t = entry(transition_kind::downgrade, from, to, "auto", reason, t_now);
    t.trigger = dg.trigger;
    t.criteria = dg.watch;
    t.figures = dg.session;
    apply(t, phase_record{to, from, t_now, reason, "auto"}, [=, this](bool ok) {
      if (!ok)
        spdlog::critical("phase: downgrade {} -> {} not persisted; phase unchanged", to_string(from),
                         to_string(to));
    });
  }

  void consider_upgrade(std::int64_t t_now) {
    auto from = current_.current;
    auto up = next_phase(from);
    if (!up || proposed_since_ == current_.since_ms)
      return;
    auto gate = evaluate_gate(from, current_.since_ms, t_now, tracker_, opts_.policy);
    if (!gate.pass)
      return;
    auto name = transition_name(from, *up);
    if (opts_.policy.auto_upgrade) {
      auto reason = "gate " + name + " passed (phase.auto_upgrade)";
      auto t = entry(transition_kind::upgrade, from, *up, "auto", reason, t_now);
      t.criteria = gate.criteria;
      t.figures = gate.figures;
      apply(t, phase_record{*up, from, t_now, reason, "auto"}, [](bool) {});
      return;
    }
    auto t = entry(transition_kind::proposal, from, *up, "auto", "gate " + name + " passed; waiting for the operator",
                   t_now);
    t.criteria = gate.criteria;
    t.figures = gate.figures;
    auto since = current_.since_ms;
    commit(t, nullptr, [=, this](bool ok) {
      if (!ok)
        return; // proposed again on the next outcome
      proposed_since_ = since;
      auto text = "upgrade proposed: " + name_of(from) + " -> " + name_of(*up) + "; confirm with tdmaker ctl phase "
                  + name_of(*up) + " --reason TEXT";
      spdlog::warn("phase: {}", text);
      caf::anon_send(notifier_, alert{severity::warning, "phase", text, t_now});
      publish_sample();
    });
  }

  // --- writing: LMDB first, then the JSONL mirror, then everyone else ---

  phase_transition entry(transition_kind kind, phase from, phase to, std::string source, std::string reason,
                         std::int64_t t_now) {
    phase_transition t;
    t.ts_ms = t_now;
    t.seq = next_seq_++;
    t.kind = kind;
    t.from = from;
    t.to = to;
    t.source = std::move(source);
    t.reason = std::move(reason);
    return t;
  }

  /// A phase change: record + history in one batch; then JSONL, log, alert, publish.
  template <class F>
  void apply(const phase_transition& t, const phase_record& next, F done) {
    commit(t, &next, [=, this](bool ok) mutable {
      if (ok) {
        current_ = next;
        announce(t);
        if (opts_.events) // the committed transition; its figures stay in GET /phase and the history
          send(opts_.events, event_input{event_kind::phase_changed, t.ts_ms,
                                         json::object_writer()
                                           .str("from", to_string(t.from))
                                           .str("to", to_string(t.to))
                                           .str("transition", to_string(t.kind))
                                           .str("source", t.source)
                                           .str("reason", t.reason)
                                           .str("trigger", t.trigger)
                                           .take()});
        publish();
      }
      done(ok);
    });
  }

  /// One write batch: the history entry, and the phase record when it changes.
  /// Await: no other switch or outcome may interleave between "decide" and "durable".
  template <class F>
  void commit(const phase_transition& t, const phase_record* rec, F done) {
    write_batch b;
    if (rec) {
      b.writes.push_back({record_db::phase, std::string(phase_key), encode(*rec), false});
      // The audit trail keeps every phase record, keyed by time so it scans in order.
      char key[40];
      std::snprintf(key, sizeof key, "phase/%015lld", static_cast<long long>(rec->since_ms));
      b.writes.push_back({record_db::audit, key, encode(*rec), false});
    }
    b.writes.push_back({record_db::phase, history_key(t), encode(t), false});
    request(store_, store_timeout, std::move(b))
      .await(
        [=, this](commit_ack&) mutable {
          ++transitions_;
          mirror(t);
          done(true);
        },
        [=, this](caf::error& e) mutable {
          spdlog::error("phase: store rejected the {} {} -> {}: {}", to_string(t.kind), to_string(t.from),
                        to_string(t.to), error_text(e));
          done(false);
        });
  }

  void mirror(const phase_transition& t) {
    auto failed = append_phase_history(opts_.log_dir, t);
    if (failed.empty())
      return;
    // The entry is durable in LMDB; only its JSONL mirror failed. Say so loudly.
    spdlog::error("phase: cannot append to {}", failed);
    caf::anon_send(notifier_, alert{severity::critical, "phase", "phase history append failed: " + failed, now()});
  }

  void announce(const phase_transition& t) {
    auto text = "phase " + std::string(to_string(t.kind)) + " " + name_of(t.from) + " -> " + name_of(t.to) + ": "
                + t.reason;
    if (t.kind == transition_kind::override_)
      text += " (override: " + gate_refusal_text(gate_report{t.from, t.to, false, t.criteria, t.figures}) + ")";
    spdlog::warn("phase: {} {} -> {} by {} (reason: {})", to_string(t.kind), to_string(t.from), to_string(t.to),
                 t.source, log_escape(t.reason));
    // A downgrade means losses: the operator must look now.
    auto level = t.kind == transition_kind::downgrade ? severity::critical : severity::warning;
    caf::anon_send(notifier_, alert{level, "phase", text, t.ts_ms});
  }

  // --- what others see ---

  phase_status status(std::int64_t t_now) const {
    return make_phase_status(current_, proposed_since_ == current_.since_ms, tracker_, opts_.policy, t_now);
  }

  void publish_sample() {
    if (!telemetry())
      return;
    auto t_now = now();
    auto s = status(t_now);
    auto json = phase_status_json(s);
    caf::anon_send(telemetry(), phase_sample{s.record, s.gate, s.downgrade, s.session, s.upgrade_proposed,
                                             s.auto_upgrade, transitions_, t_now, std::move(json)});
  }

  void publish() {
    if (telemetry())
      caf::anon_send(telemetry(), current_);
    // Bidding and orders act on the phase (paper or live, limits, a halt's end).
    if (opts_.bidding)
      caf::anon_send(opts_.bidding, current_);
    if (opts_.orders)
      caf::anon_send(opts_.orders, current_);
    if (opts_.directory)
      caf::anon_send(opts_.directory, current_);
    publish_sample();
  }

  void on_tick() {
    auto idx = opts_.policy.session.index(now());
    if (idx != session_) {
      spdlog::info("phase: session {} began", idx);
      session_ = idx;
    }
    publish_sample();
    delayed_send(this, opts_.sample_every, tick_atom::value);
  }

  store_actor store_;
  notifier_actor notifier_;
  phase_manager_options opts_;
  performance_tracker tracker_;
  phase_record current_;
  std::uint32_t next_seq_ = 0;
  std::optional<phase_transition> last_proposal_;  // the newest in the history at start
  std::int64_t proposed_since_ = -1;               // since_ms of the phase whose upgrade is proposed
  std::int64_t session_ = 0;
  std::uint64_t transitions_ = 0;
};

} // namespace

phase_manager_actor spawn_phase_manager(caf::actor_system& sys, store_actor store,
                                        telemetry_actor telemetry, notifier_actor notifier,
                                        phase_manager_options opts) {
  return spawn_blocking<phase_manager_impl>(sys, sys, std::move(store), std::move(telemetry), std::move(notifier),
                                            std::move(opts));
}

} // namespace tdmaker
