#include "actors/notifier.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "net/http_client.hpp"
#include "actors/instrumented.hpp"
#include "actors/util.hpp"
#include "net/weak_handle.hpp"
#include "core/alert_queue.hpp"
#include "core/redact.hpp"
#include "core/rate_limiter.hpp"

namespace tdmaker {
namespace {

constexpr const char* level_names[] = {"INFO", "WARNING", "CRITICAL"};

class notifier_impl : public instrumented<notifier_actor::base> {
public:
  notifier_impl(caf::actor_config& cfg, telemetry_actor telemetry, notifier_options opts)
    : instrumented(cfg, "notifier", std::move(telemetry), opts.flush_every),
      opts_(std::move(opts)),
      queue_(opts_.queue_max),
      pace_(bucket_of(rate_limit{"telegram", std::max<std::int64_t>(1, opts_.per_minute), 60'000}), wall_ms()) {}

  behavior_type make_behavior() override {
    return {
      [=, this](alert& a) {
        auto lvl = a.level == severity::critical  ? spdlog::level::critical
                   : a.level == severity::warning ? spdlog::level::warn
                                                  : spdlog::level::info;
        // Alert texts carry outside bytes (a phase reason, market names): one line each.
        spdlog::log(lvl, "alert topic={} {}", log_escape(a.topic), log_escape(a.text));
        int level = static_cast<int>(a.level);
        if (!opts_.webhook || level < opts_.min_level)
          return;
        auto text = std::string("[") + level_names[level] + "] " + a.topic + ": " + a.text;
        if (queue_.push({level, std::move(text)}) > 0) {
          spdlog::warn("notifier: queue full ({}): dropped a lower-priority message ({} so far)", opts_.queue_max,
                       queue_.dropped());
          report();
        }
        pump();
      },
      [=, this](notice_sent& n) { on_sent(n); },
      [=, this](tick_atom) {
        wake_pending_ = false;
        pump();
      },
    };
  }

private:
  void pump() {
    if (in_flight_ || queue_.size() == 0)
      return;
    auto now = wall_ms();
    if (now < retry_at_ms_)
      return schedule(retry_at_ms_ - now);
    if (auto wait = pace_.try_take(now); wait > 0)
      return schedule(wait);
    auto next = queue_.pop();
    in_flight_ = true;
    http_request req;
    req.method = "POST";
    req.target = "/bot" + opts_.bot_token + "/sendMessage";
    req.body = telegram_message(opts_.chat_id, next->text);
    req.headers.push_back({"Content-Type", "application/json"});
    req.rate_class = "telegram";
    req.retry = retry_rule::idempotent; // a repeated notice beats a lost one
    weak_handle<notifier_actor> self(caf::actor_cast<notifier_actor>(this));
    auto msg = std::make_shared<queued_alert>(std::move(*next));
    opts_.webhook->send(std::move(req), [self, msg](http_response r) {
      // The reply body may echo the request; only the status and a short reason travel.
      self.send(notice_sent{msg->level, msg->text, r.status, r.status == 0 ? r.body.substr(0, 120) : std::string()});
    });
  }

  void on_sent(const notice_sent& n) {
    in_flight_ = false;
    switch (verdict_of(n.status)) {
    case send_verdict::sent:
      failures_ = 0;
      ++sent_;
      break;
    case send_verdict::drop:
      // Permanent (a bad chat id or token): the webhook itself is healthy, so the
      // next message goes at once; this one is gone, which the log and
      // tdmaker_notifier_messages_total{result="refused"} say.
      failures_ = 0;
      ++rejected_;
      spdlog::error("notifier: webhook refused a message with HTTP {} (permanent): dropped it ({} so far);"
                    " check notifier.chat_id and TDMAKER_TELEGRAM_TOKEN",
                    n.status, rejected_);
      break;
    case send_verdict::retry:
      ++failures_;
      retry_at_ms_ = wall_ms() + backoff_ms();
      spdlog::warn("notifier: webhook answered {} {}; retrying in {} ms ({} queued)", n.status,
                   n.status == 0 ? log_escape(n.error) : std::string(), backoff_ms(), queue_.size() + 1);
      queue_.push_front({n.level, n.text});
      break;
    }
    report();
    pump();
  }

  void report() {
    if (telemetry())
      caf::anon_send(telemetry(), notifier_sample{sent_, rejected_, queue_.dropped()});
  }

  void schedule(std::int64_t ms) {
    if (wake_pending_)
      return;
    wake_pending_ = true;
    delayed_send(this, std::chrono::milliseconds(ms), tick_atom::value);
  }

  std::int64_t backoff_ms() const { return std::min<std::int64_t>(60'000, 1'000LL << std::min(failures_, 6u)); }

  notifier_options opts_;
  alert_queue queue_;
  token_bucket pace_;
  bool in_flight_ = false;
  bool wake_pending_ = false;
  std::uint32_t failures_ = 0;
  std::int64_t retry_at_ms_ = 0;
  std::uint64_t sent_ = 0;
  std::uint64_t rejected_ = 0; // permanent refusals, each one message dropped
};

} // namespace

notifier_actor spawn_notifier(caf::actor_system& sys, telemetry_actor telemetry, notifier_options opts) {
  return sys.spawn<notifier_impl>(std::move(telemetry), std::move(opts));
}

} // namespace tdmaker
