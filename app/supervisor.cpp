#include "app/supervisor.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <map>

#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/util.hpp"

namespace tdmaker {

death_action decide(on_death policy, bool stopping, std::deque<std::chrono::steady_clock::time_point>& recent,
                    std::chrono::steady_clock::time_point now, const restart_budget& budget) {
  if (stopping)
    return death_action::ignore;
  if (policy == on_death::stop_node)
    return death_action::stop_node;
  while (!recent.empty() && now - recent.front() > budget.window)
    recent.pop_front();
  if (static_cast<int>(recent.size()) >= budget.max_restarts)
    return death_action::stop_node;
  recent.push_back(now);
  return death_action::restart;
}

failure_latch::failure_latch() : fd_(::eventfd(0, EFD_CLOEXEC)) {}

failure_latch::~failure_latch() {
  if (fd_ >= 0)
    ::close(fd_);
}

bool failure_latch::trip(std::string kind, std::string reason) {
  if (claimed_.exchange(true))
    return false;
  kind_ = std::move(kind);
  reason_ = std::move(reason);
  tripped_.store(true, std::memory_order_release);
  std::uint64_t one = 1;
  if (fd_ >= 0 && ::write(fd_, &one, sizeof one) != sizeof one)
    spdlog::error("supervisor: cannot wake the main thread");
  return true;
}

namespace {

class supervisor_impl : public supervisor_actor::base {
public:
  supervisor_impl(caf::actor_config& cfg, supervisor_options opts)
    : supervisor_actor::base(cfg), opts_(std::move(opts)) {}

  behavior_type make_behavior() override {
    set_down_handler([this](caf::down_msg& dm) { on_down(dm); });
    for (auto& e : opts_.table) {
      monitor(e.handle);
      // /health names a dead kind even if it has no telemetry of its own (audit).
      announce(e, true);
    }
    return {
      [this](crash_atom, std::string& kind) -> caf::result<bool> {
        if (!opts_.fault_injection)
          return op_error("fault injection is off (debug.fault_injection)");
        for (auto& e : opts_.table)
          if (e.kind == kind) {
            spdlog::warn("supervisor: fault injection: crashing the {} actor", kind);
            caf::anon_send(e.handle, crash_atom::value);
            return true;
          }
        return op_error("no singleton actor of kind '" + kind + "'");
      },
      [this](shutdown_atom) {
        stopping_ = true;
        for (auto it = opts_.table.rbegin(); it != opts_.table.rend(); ++it)
          if (!it->stops_after_flush)
            send_exit(it->handle, caf::exit_reason::user_shutdown);
        return true;
      },
    };
  }

  void on_exit() override {
    opts_.table.clear(); // no handle outlives the supervisor
    opts_.notifier = nullptr;
    opts_.telemetry = nullptr;
  }

private:
  void on_down(const caf::down_msg& dm) {
    auto it = std::find_if(opts_.table.begin(), opts_.table.end(),
                           [&](const supervised& e) { return e.handle.address() == dm.source; });
    if (it == opts_.table.end())
      return; // an incarnation already replaced
    auto& e = *it;
    announce(e, false);
    auto reason = caf::to_string(dm.reason);
    switch (decide(e.policy, stopping_, recent_[e.kind], std::chrono::steady_clock::now(), opts_.budget)) {
      case death_action::ignore:
        return;
      case death_action::restart:
        if (e.respawn)
          return restart(e, reason);
        [[fallthrough]];
      case death_action::stop_node:
        return stop_node(e, reason);
    }
  }

  void restart(supervised& e, const std::string& reason) {
    e.handle = e.respawn();
    monitor(e.handle);
    announce(e, true);
    auto n = recent_[e.kind].size();
    spdlog::critical("supervisor: the {} actor died ({}); restarted from its durable state ({} of {} restarts "
                     "within {} s)",
                     e.kind, reason, n, opts_.budget.max_restarts, opts_.budget.window.count());
    if (opts_.telemetry)
      caf::anon_send(opts_.telemetry, actor_restart{e.kind, e.kind, reason});
    caf::anon_send(opts_.notifier, alert{severity::critical, "restart",
                                         "the " + e.kind + " actor died (" + reason + ") and was restarted",
                                         wall_ms()});
  }

  void stop_node(const supervised& e, const std::string& reason) {
    stopping_ = true; // the rest go down with the node: one cause is enough
    auto why = e.policy == on_death::restart ? reason + "; restart budget spent" : reason;
    spdlog::critical("supervisor: the {} actor died ({}): stopping the node, exit code {}; the service "
                     "manager restarts it and the store recovers every order, fill and position",
                     e.kind, why, exit_actor_died);
    caf::anon_send(opts_.notifier, alert{severity::critical, "actor_down",
                                         "the " + e.kind + " actor died (" + why + "): node stopping",
                                         wall_ms()});
    if (opts_.latch)
      opts_.latch->trip(e.kind, why);
  }

  void announce(const supervised& e, bool alive) {
    if (opts_.telemetry && e.handle)
      caf::anon_send(opts_.telemetry, actor_lifecycle{e.kind, e.handle.id(), alive});
  }

  supervisor_options opts_;
  bool stopping_ = false;
  std::map<std::string, std::deque<std::chrono::steady_clock::time_point>> recent_;
};

} // namespace

supervisor_actor spawn_supervisor(caf::actor_system& sys, supervisor_options opts) {
  return sys.spawn<supervisor_impl>(std::move(opts));
}

} // namespace tdmaker
