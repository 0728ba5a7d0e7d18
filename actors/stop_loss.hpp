#pragma once
#include <chrono>
#include <memory>
#include <optional>

#include "actors/interfaces.hpp"
#include "core/stop_loss.hpp"

namespace tdmaker {

struct stop_loss_options {
  stop_rules rules;
  std::optional<exit_model> model; // replaces the rules when present
  std::chrono::milliseconds flush_every{250};
};

struct stop_loss_peers {
  telemetry_actor telemetry;
  notifier_actor notifier;
  audit_actor audit;
};

/// Answers a market's check of its open position and escalates failed exits:
/// after `rules.alert_after_failures` failed attempts in a row, a critical alert.
stop_loss_actor spawn_stop_loss(caf::actor_system& sys, stop_loss_peers peers, stop_loss_options opts);

} // namespace tdmaker
