#include "actors/discovery.hpp"

#include <map>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "net/http_client.hpp"
#include "actors/instrumented.hpp"
#include "actors/util.hpp"
#include "net/weak_handle.hpp"
#include "core/gamma_codec.hpp"

namespace tdmaker {
namespace {

constexpr auto ask_timeout = std::chrono::seconds(10);

class discovery_impl : public instrumented<discovery_actor::base> {
public:
  discovery_impl(caf::actor_config& cfg, std::shared_ptr<http_client> gamma, directory_actor directory,
                 feed_actor feed, telemetry_actor telemetry, discovery_options opts)
    : instrumented(cfg, "discovery", std::move(telemetry), opts.flush_every),
      gamma_(std::move(gamma)),
      directory_(std::move(directory)),
      feed_(std::move(feed)),
      opts_(std::move(opts)) {}

  behavior_type make_behavior() override {
    send(this, discover_atom::value);
    return {
      [=, this](discover_atom) {
        pass();
        delayed_send(this, opts_.interval, discover_atom::value);
      },
      [=, this](gamma_reply& r) { on_reply(r); },
      [=, this](reference_tick&) {
        // The market actor captures its own slot-start reference from the ticks
        // the feed routes to it (core/reference_capture): it owns that state.
      },
    };
  }

private:
  void pass() {
    const auto now_s = wall_ms() / 1000;
    const auto current = slot_start_of(now_s, opts_.slot_seconds);
    for (auto& asset : opts_.assets)
      for (int k = 0; k <= opts_.lookahead_slots; ++k) {
        auto slug = slot_slug(asset, opts_.slot_seconds, current + k * opts_.slot_seconds);
        if (known_.count(slug) || pending_.count(slug))
          continue;
        pending_.insert(slug);
        weak_handle<discovery_actor> self(caf::actor_cast<discovery_actor>(this));
        http_request req;
        req.target = "/events?slug=" + slug;
        req.rate_class = "gamma";
        gamma_->send(std::move(req), [self, asset, slug](http_response res) {
          self.send(gamma_reply{asset, slug, res.status, std::move(res.body)});
        });
      }
    std::erase_if(known_, [&](auto& kv) { return kv.second + 3600 < now_s; });
    // Stop streaming slots that ended a while ago, and retire them after the
    // settlement grace. A market that still has open orders refuses; it is
    // asked again on the next pass.
    for (auto& [id, rec] : streaming_) {
      if (!rec.unsubscribed && rec.record.slot_end_s + opts_.unsubscribe_after_end.count() < now_s) {
        send(feed_, unsubscribe_market{rec.record.id});
        rec.unsubscribed = true;
      }
      if (!rec.retiring && rec.record.slot_end_s + opts_.retire_after_end.count() < now_s) {
        rec.retiring = true;
        auto cid = rec.record.id;
        request(directory_, ask_timeout, retire_atom::value, cid)
          .then(
            [=, this](bool) {
              spdlog::info("discovery: market {} retired", cid.hex);
              streaming_.erase(cid.hex);
            },
            [=, this](caf::error& e) {
              spdlog::warn("discovery: market {} not retired yet: {}", cid.hex, error_text(e));
              if (auto it = streaming_.find(cid.hex); it != streaming_.end())
                it->second.retiring = false;
            });
      }
    }
  }

  void on_reply(const gamma_reply& r) {
    pending_.erase(r.slug);
    if (r.status != 200) {
      spdlog::warn("discovery: gamma {} answered {}: {}", r.slug, r.status, r.body.substr(0, 200));
      return; // next pass asks again
    }
    auto m = parse_gamma_event(r.body, r.asset);
    if (!m) {
      spdlog::warn("discovery: {} skipped: {}", r.slug, m.error());
      return;
    }
    if (!m->has_value())
      return; // not listed yet
    auto g = std::move(m).value().value();
    known_[r.slug] = g.record.slot_end_s;
    if (g.closed) {
      spdlog::info("discovery: {} already closed; not streamed", r.slug);
      return;
    }
    auto rec = g.record;
    request(directory_, ask_timeout, rec)
      .then(
        [=, this](market_actor& handle) {
          subscribe_market sub{rec.id, rec.up_token, rec.down_token, rec.asset + "/usd"};
          send(feed_, std::move(sub), std::move(handle));
          streaming_[rec.id.hex] = {rec, false, false};
          spdlog::info("discovery: {} -> market {} (slot {}-{})", rec.slug, rec.id.hex, rec.slot_start_s,
                       rec.slot_end_s);
        },
        [=, this](caf::error& e) {
          known_.erase(rec.slug); // try again next pass
          spdlog::warn("discovery: directory refused {}: {}", rec.slug, error_text(e));
        });
  }

  std::shared_ptr<http_client> gamma_;
  directory_actor directory_;
  feed_actor feed_;
  discovery_options opts_;
  std::map<std::string, std::int64_t> known_; // slug -> slot end (s)
  std::set<std::string> pending_;
  struct streamed {
    market_record record;
    bool unsubscribed = false;
    bool retiring = false;
  };
  std::map<std::string, streamed> streaming_;
};

} // namespace

discovery_actor spawn_discovery(caf::actor_system& sys, std::shared_ptr<http_client> gamma,
                                directory_actor directory, feed_actor feed,
                                telemetry_actor telemetry, discovery_options opts) {
  return sys.spawn<discovery_impl>(std::move(gamma), std::move(directory), std::move(feed),
                                   std::move(telemetry), std::move(opts));
}

} // namespace tdmaker
