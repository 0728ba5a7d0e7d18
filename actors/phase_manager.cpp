#include "actors/phase_manager.hpp"

#include <filesystem>
#include <fstream>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/instrumented.hpp"
#include "actors/util.hpp"
#include "core/control.hpp"
#include "core/redact.hpp"

namespace tdmaker {
namespace {

constexpr std::string_view phase_key = "current";

class phase_manager_impl : public instrumented<phase_manager_actor::base> {
public:
  phase_manager_impl(caf::actor_config& cfg, store_actor store, telemetry_actor telemetry,
                     notifier_actor notifier, phase_manager_options opts)
    : instrumented(cfg, "phase_manager", telemetry, opts.flush_every),
      store_(std::move(store)),
      notifier_(std::move(notifier)),
      opts_(std::move(opts)) {
  }

  behavior_type make_behavior() override {
    // `await` holds every other message until the phase is known: nobody can
    // switch or read a phase that has not been loaded yet.
    request(store_, store_timeout, store_get{record_db::phase, std::string(phase_key)})
      .await(
        [=, this](store_value& v) {
          if (v.found) {
            auto rec = decode_phase_record(v.payload);
            if (rec) {
              current_ = *rec;
              spdlog::info("phase: restored {} (since {} ms, source {})",
                           to_string(current_.current), current_.since_ms, current_.source);
              publish();
              return;
            }
            // A corrupt phase must not silently become Experience-or-worse:
            // stop and let the operator look.
            spdlog::critical("phase: stored phase record is unreadable: {}", rec.error());
            quit(op_error("phase record unreadable"));
            return;
          }
          phase_record init{opts_.initial, opts_.initial, wall_ms(), "initial phase from config",
                            "config"};
          persist(init, [=, this](bool ok) {
            if (ok) {
              current_ = init;
              spdlog::info("phase: initialised to {} from config", to_string(init.current));
              publish();
            } else {
              quit(op_error("cannot persist initial phase"));
            }
          });
        },
        [=, this](caf::error& e) {
          spdlog::critical("phase: cannot load phase from store: {}", error_text(e));
          quit(e);
        });
    return {
      [=, this](switch_phase& req) -> caf::result<phase_switch_reply> { return do_switch(std::move(req)); },
      [=, this](get_atom, phase_atom) -> phase_record { return current_; },
      [=, this](status_atom) -> std::string { return "{}"; },
      [=, this](tick_atom) {},
      [=, this](trade_outcome&) {
        // Gates and automatic downgrades (seed 002) arrive with the phase-rules
        // issue; until then outcomes are not evaluated, and we say so once.
        if (!warned_outcomes_) {
          warned_outcomes_ = true;
          spdlog::warn("phase: trade outcomes are not evaluated yet (automatic gates pending)");
        }
      },
    };
  }

private:
  caf::result<phase_switch_reply> do_switch(switch_phase req) {
    if (req.target == current_.current) {
      spdlog::info("phase: switch to {} requested by {} ignored: already active",
                   to_string(req.target), req.source);
      return phase_switch_reply{true, false, current_, {}, {}};
    }
    phase_record next{req.target, current_.current, wall_ms(), std::move(req.reason),
                      std::move(req.source)};
    auto rp = make_response_promise<phase_switch_reply>();
    persist(next, [=, this](bool ok) mutable {
      if (!ok) {
        rp.deliver(op_error("phase switch not persisted; phase unchanged"));
        return;
      }
      current_ = next;
      append_jsonl(next);
      spdlog::warn("phase: switched {} -> {} by {} (reason: {})", to_string(next.previous),
                   to_string(next.current), next.source, log_escape(next.reason));
      caf::anon_send(notifier_, alert{severity::warning, "phase",
                                      "phase " + std::string(to_string(next.previous)) + " -> "
                                        + std::string(to_string(next.current)) + ": "
                                        + next.reason,
                                      next.since_ms});
      publish();
      rp.deliver(phase_switch_reply{true, false, next, {}, {}});
    });
    return rp;
  }

  template <class F>
  void persist(const phase_record& rec, F done) {
    write_batch b;
    b.writes.push_back({record_db::phase, std::string(phase_key), encode(rec), false});
    // The audit trail keeps every transition, keyed by time so it scans in order.
    char key[40];
    std::snprintf(key, sizeof key, "phase/%015lld", static_cast<long long>(rec.since_ms));
    b.writes.push_back({record_db::audit, key, encode(rec), false});
    // Await: no other switch may interleave between "decide" and "durable".
    request(store_, store_timeout, std::move(b))
      .await([=, this](commit_ack&) mutable { done(true); },
             [=, this](caf::error& e) mutable {
               spdlog::error("phase: store rejected phase record: {}", error_text(e));
               done(false);
             });
  }

  void append_jsonl(const phase_record& rec) {
    std::error_code ec;
    auto dir = std::filesystem::path(opts_.log_dir) / "phase";
    std::filesystem::create_directories(dir, ec);
    std::ofstream out(dir / "phase-overrides.jsonl", std::ios::app);
    out << phase_override_line(rec) << '\n';
    out.flush();
    if (!out) {
      // The switch is durable in LMDB; only its JSONL mirror failed. Say so loudly.
      spdlog::error("phase: cannot append to {}", (dir / "phase-overrides.jsonl").string());
      caf::anon_send(notifier_, alert{severity::critical, "phase",
                                      "phase-overrides.jsonl append failed", wall_ms()});
    }
  }

  void publish() {
    if (telemetry())
      caf::anon_send(telemetry(), current_);
    // Bidding and orders act on the phase (paper or live, limits, a halt's end).
    if (opts_.bidding)
      caf::anon_send(opts_.bidding, current_);
    if (opts_.orders)
      caf::anon_send(opts_.orders, current_);
  }

  store_actor store_;
  notifier_actor notifier_;
  phase_manager_options opts_;
  phase_record current_;
  bool warned_outcomes_ = false;
};

} // namespace

phase_manager_actor spawn_phase_manager(caf::actor_system& sys, store_actor store,
                                        telemetry_actor telemetry, notifier_actor notifier,
                                        phase_manager_options opts) {
  return sys.spawn<phase_manager_impl, caf::detached>(std::move(store), std::move(telemetry),
                                                      std::move(notifier), std::move(opts));
}

} // namespace tdmaker
