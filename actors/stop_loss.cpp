#include "actors/stop_loss.hpp"

#include <map>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/instrumented.hpp"
#include "core/audit_lines.hpp"

namespace tdmaker {
namespace {

/// A live and a paper position of one market are two positions: each has its
/// own peak bid, crash timer, last verdict and failure count. A paper position
/// bought after a switch to Experience must not inherit the live one's peak.
std::string book_key(const condition_id& market, bool paper, strategy_kind k = strategy_kind::td_maker) {
  auto key = paper ? market.hex + "/paper" : market.hex;
  if (k != strategy_kind::td_maker) // each strategy's holding is its own position
    key.append("/").append(to_string(k));
  return key;
}

class stop_loss_impl : public instrumented<stop_loss_actor::base> {
public:
  stop_loss_impl(caf::actor_config& cfg, stop_loss_peers peers, stop_loss_options opts)
    : instrumented(cfg, "stop_loss", peers.telemetry, opts.flush_every), peers_(std::move(peers)), opts_(std::move(opts)) {}

  behavior_type make_behavior() override {
    return {
      [=, this](market_view& v) { return check(v); },
      [=, this](stop_result& r) { on_result(r); },
    };
  }

private:
  stop_decision check(const market_view& v) {
    const auto& pos = v.position;
    if (!pos.open)
      return {};
    if (pos.strategy == strategy_kind::capture_99c)
      return check_danger(v);
    const auto& book = pos.side == outcome::up ? v.up : v.down;
    entry_inputs in{pos.side, book.best_bid, book.best_ask, v.ref_start, v.ref_now, v.now_ms, v.slot_start_s, v.slot_end_s};
    const auto key = book_key(v.market, pos.paper);
    auto& st = state_[key];
    auto c = check_stop(opts_.rules, opts_.model ? &*opts_.model : nullptr, in, st);
    stop_decision d;
    d.verdict = c.verdict;
    d.reason = std::string(c.reason);
    d.exit_px = c.exit_px;
    if (d.verdict != stop_verdict::hold && last_[key] != c.reason) {
      last_[key] = c.reason;
      spdlog::info("stop-loss: market {} {} {} {} shares: {} (bid {}, peak {})", v.market.hex,
                   d.verdict == stop_verdict::exit ? "EXIT" : "awaits settlement of", to_string(pos.qty),
                   pos.paper ? "paper" : "live", c.reason, to_string(book.best_bid), to_string(st.peak_bid));
      audit(v, c);
    }
    return d;
  }

  /// A 99c capture is held to settlement unless its danger score (the market's,
  /// from core/danger_score) reaches the threshold: then it is sold at the best
  /// bid, with the same retries and escalation as any stop-loss exit.
  stop_decision check_danger(const market_view& v) {
    const auto& pos = v.position;
    const auto& book = pos.side == outcome::up ? v.up : v.down;
    stop_decision d;
    if (pos.danger_score < 0 || pos.danger_score < pos.danger_threshold)
      return d;
    if (book.best_bid.micros == 0) {
      // The market asks again once a bid is back; said once per holding, not per book update.
      stop_check c{stop_verdict::await_settlement, "danger score over its threshold but no bid: awaits a bid", {}, -1};
      d.verdict = c.verdict;
      d.reason = std::string(c.reason);
      auto& last = last_[book_key(v.market, pos.paper, pos.strategy)];
      if (last != c.reason) {
        last = c.reason;
        spdlog::warn("stop-loss: market {} 99c capture {} {} shares: danger {} >= {} but no bid to sell into",
                     v.market.hex, pos.paper ? "paper" : "live", to_string(pos.qty), pos.danger_score,
                     pos.danger_threshold);
        audit(v, c);
      }
      return d;
    }
    last_.erase(book_key(v.market, pos.paper, pos.strategy));
    d.verdict = stop_verdict::exit;
    d.exit_px = price{micros_per_unit}; // any bid: the danger, not a price, decided
    d.reason = "danger score " + std::to_string(pos.danger_score) + " >= " + std::to_string(pos.danger_threshold);
    auto text = "99c capture danger exit in market " + v.market.hex.substr(0, 10) + "…" + (pos.paper ? " (paper)" : "")
                + ": " + d.reason + "; selling " + to_string(pos.qty) + " " + (pos.side == outcome::up ? "Up" : "Down")
                + " bought at " + to_string(pos.entry) + " into the bid " + to_string(book.best_bid) + " ("
                + std::to_string(static_cast<std::int64_t>(v.slot_end_s - v.now_ms / 1000)) + " s to the end)";
    spdlog::warn("stop-loss: {}", text);
    raise(severity::warning, std::move(text));
    return d;
  }

  void on_result(const stop_result& r) {
    auto& n = failures_[book_key(r.market, r.paper, r.strategy)];
    const char* book = r.paper ? " (paper)" : "";
    if (r.ok) {
      n = 0;
      auto text = "Stop-loss exit: sold " + to_string(r.sold) + " @ " + to_string(r.px) + " in market "
                  + r.market.hex.substr(0, 10) + "…" + book;
      spdlog::warn("stop-loss: {}", text);
      raise(severity::warning, text);
      return;
    }
    ++n;
    spdlog::warn("stop-loss: exit of market {}{} failed ({} in a row): {}", r.market.hex, book, n, r.error);
    if (n == opts_.rules.alert_after_failures)
      raise(severity::critical, "Stop-loss exit of market " + r.market.hex + book + " failed " + std::to_string(n)
                                  + " times in a row (" + r.error
                                  + "); the position is kept and retried: manual intervention may be needed");
  }

  void audit(const market_view& v, const stop_check& c) {
    if (peers_.audit)
      send(peers_.audit, audit_line{stop_loss_audit_line(v.now_ms, v.market.hex, v.position.side, v.position.qty, c)});
  }

  void raise(severity level, std::string text) {
    if (peers_.notifier)
      send(peers_.notifier, alert{level, "stop_loss", std::move(text), 0});
  }

  stop_loss_peers peers_;
  stop_loss_options opts_;
  std::map<std::string, stop_state> state_;      // per book_key
  std::map<std::string, std::string_view> last_; // last non-hold verdict reason, per book_key
  std::map<std::string, std::uint32_t> failures_; // per book_key
};

} // namespace

stop_loss_actor spawn_stop_loss(caf::actor_system& sys, stop_loss_peers peers, stop_loss_options opts) {
  return sys.spawn<stop_loss_impl>(std::move(peers), std::move(opts));
}

} // namespace tdmaker
