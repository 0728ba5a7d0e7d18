#pragma once
// The one place where actors are measured. CAF 0.17 has no telemetry, so every
// actor class derives from instrumented<Base>, which wraps the scheduler's
// `consume` hook: each message handled is counted and timed, the mailbox depth is
// sampled, and the totals are shipped to the telemetry actor at most once per
// flush interval. Handlers stay free of metrics code.
//
// Samples travel as messages (no shared counters): the price is that /metrics lags
// an actor's activity by at most one flush interval.
#include <chrono>
#include <stdexcept>
#include <string>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/invoke_message_result.hpp>
#include <caf/local_actor.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/scheduled_actor.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "actors/interfaces.hpp"
#include "core/prometheus.hpp"

namespace tdmaker {

/// debug.fault_injection, as the node puts it in the actor system's config: one
/// switch every actor reads, without an option of its own.
inline constexpr const char* fault_injection_key = "tdmaker.fault-injection";

/// A bare `crash` kills the actor with an error, as a bug would, when fault
/// injection is on; otherwise the message goes on to the behaviour (the market
/// actor answers it itself, with its own switch).
inline void crash_if_asked(caf::local_actor& self, caf::mailbox_element& x, const std::string& kind) {
  if (!x.content().match_elements<crash_atom>() || !caf::get_or(self.system().config(), fault_injection_key, false))
    return;
  spdlog::warn("{}: injected fault", kind);
  throw std::runtime_error("injected fault");
}

/// An exception's text becomes the actor's exit reason, which the supervisor (or
/// the directory) logs; CAF's own handler keeps only "runtime_error".
inline void name_exceptions(caf::scheduled_actor& self) {
  self.set_exception_handler([](caf::scheduled_actor*, std::exception_ptr& e) -> caf::error {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      return caf::make_error(caf::sec::runtime_error, std::string(x.what()));
    } catch (...) {
      return caf::make_error(caf::sec::runtime_error, std::string("unknown exception"));
    }
  });
}

template <class Base>
class instrumented : public Base {
public:
  using clock = std::chrono::steady_clock;

  instrumented(caf::actor_config& cfg, std::string kind, telemetry_actor telemetry,
               std::chrono::milliseconds flush_every)
    : Base(cfg),
      kind_(std::move(kind)),
      telemetry_(std::move(telemetry)),
      flush_every_(flush_every),
      latency_(prom::latency_bounds_ns(), 9) {
    name_exceptions(*this);
    if (telemetry_)
      caf::anon_send(telemetry_, actor_lifecycle{kind_, this->id(), true});
  }

  const std::string& kind() const { return kind_; }

  caf::invoke_message_result consume(caf::mailbox_element& x) override {
    if (x.content().template match_elements<tel_flush_atom>()) {
      flush_scheduled_ = false;
      flush();
      return caf::invoke_message_result::consumed;
    }
    crash_if_asked(*this, x, kind_);
    auto t0 = clock::now();
    auto res = Base::consume(x);
    auto t1 = clock::now();
    latency_.observe(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
    ++handled_;
    if (t1 - last_flush_ >= flush_every_) {
      flush();
    } else if (!flush_scheduled_) {
      flush_scheduled_ = true;
      caf::delayed_anon_send(caf::actor_cast<caf::actor>(this), flush_every_,
                             tel_flush_atom::value);
    }
    return res;
  }

  void on_exit() override {
    flush();
    publish_lifecycle(actor_lifecycle{kind_, this->id(), false});
    telemetry_ = nullptr;
    Base::on_exit();
  }

protected:
  /// Ships one sample; the telemetry actor overrides this to apply it in place.
  virtual void publish_sample(actor_sample&& s) {
    if (telemetry_)
      caf::anon_send(telemetry_, std::move(s));
  }

  virtual void publish_lifecycle(actor_lifecycle&& l) {
    if (telemetry_)
      caf::anon_send(telemetry_, std::move(l));
  }

  /// Extra per-flush hook (the store ships its commit statistics here).
  virtual void on_flush() {}

  const telemetry_actor& telemetry() const { return telemetry_; }

private:
  void flush() {
    last_flush_ = clock::now();
    on_flush();
    if (handled_ == 0)
      return;
    actor_sample s;
    s.kind = kind_;
    s.actor_id = this->id();
    s.handled = handled_;
    s.latency_buckets = latency_.counts();
    s.latency_sum_ns = latency_.sum();
    s.mailbox_depth = static_cast<std::int64_t>(this->mailbox().size());
    handled_ = 0;
    latency_.clear();
    publish_sample(std::move(s));
  }

  std::string kind_;
  telemetry_actor telemetry_;
  std::chrono::milliseconds flush_every_;
  prom::histogram latency_;
  std::uint64_t handled_ = 0;
  clock::time_point last_flush_{};
  bool flush_scheduled_ = false;
};

} // namespace tdmaker
