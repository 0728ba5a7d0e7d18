#include "actors/control.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/instrumented.hpp"

namespace tdmaker {
namespace {

class control_impl : public instrumented<control_actor::base> {
public:
  control_impl(caf::actor_config& cfg, phase_manager_actor phases, telemetry_actor telemetry,
               std::chrono::milliseconds flush)
    : instrumented(cfg, "control", std::move(telemetry), flush), phases_(std::move(phases)) {
  }

  behavior_type make_behavior() override {
    return {
      [=, this](switch_phase& req) {
        spdlog::info("control: phase switch to {} requested via {}{}", to_string(req.target),
                     req.source, req.force ? " (force)" : "");
        return delegate(phases_, std::move(req));
      },
      [=, this](status_atom a) { return delegate(phases_, a); },
    };
  }

private:
  phase_manager_actor phases_;
};

} // namespace

control_actor spawn_control(caf::actor_system& sys, phase_manager_actor phases,
                            telemetry_actor telemetry, std::chrono::milliseconds flush_every) {
  return sys.spawn<control_impl>(std::move(phases), std::move(telemetry), flush_every);
}

} // namespace tdmaker
