#include "actors/discovery.hpp"

#include <map>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/instrumented.hpp"
#include "net/weak_handle.hpp"
#include "core/clob_market_codec.hpp"
#include "core/gamma_codec.hpp"
#include "core/market_cap.hpp"

namespace tdmaker {
namespace {

constexpr auto ask_timeout = std::chrono::seconds(10);

class discovery_impl : public instrumented<discovery_actor::base> {
public:
  discovery_impl(caf::actor_config& cfg, gamma_fetch gamma, directory_actor directory, feed_actor feed,
                 telemetry_actor telemetry, discovery_options opts)
    : instrumented(cfg, "discovery", std::move(telemetry), opts.flush_every),
      gamma_(std::move(gamma)),
      directory_(std::move(directory)),
      feed_(std::move(feed)),
      opts_(std::move(opts)) {}

  behavior_type make_behavior() override {
    send(this, discover_atom::value);
    adopt();
    return {
      [=, this](discover_atom) {
        pass();
        delayed_send(this, opts_.interval, discover_atom::value);
      },
      [=, this](gamma_reply& r) { on_reply(r); },
      [=, this](clob_market_reply& r) { on_clob_reply(r); },
      [=, this](reference_tick&) {
        // The market actor captures its own slot-start reference from the ticks
        // the feed routes to it (core/reference_capture): it owns that state.
      },
    };
  }

private:
  struct streamed {
    condition_id id;
    std::int64_t slot_end_s = 0;
    bool unsubscribed = false;
    bool retiring = false;
    int retire_refusals = 0;
  };

  /// A restarted discovery (supervisor) or a restarted node (the directory
  /// recreates every market not retired) starts with markets it never saw: a
  /// slot that already ended is not in the Gamma window any more, so without
  /// this nothing would retire it and it would hold a markets.max_live seat.
  void adopt() {
    request(directory_, ask_timeout, list_atom::value)
      .then(
        [=, this](std::vector<market_summary>& live) {
          std::size_t n = 0;
          for (auto& m : live)
            if (m.slot_end_s > 0 && !streaming_.count(m.id.hex)) {
              streaming_[m.id.hex] = {m.id, m.slot_end_s};
              ++n;
            }
          if (n > 0)
            spdlog::info("discovery: took over {} live markets from the directory; each is retired {} s after "
                         "its slot ends", n, opts_.retire_after_end.count());
        },
        [=, this](caf::error& e) {
          spdlog::error("discovery: cannot list the directory's markets ({}); markets that ended before this "
                        "start are not retired by this incarnation", error_text(e));
        });
  }

  void pass() {
    const auto now_s = opts_.clock() / 1000;
    ask_gamma();
    std::erase_if(known_, [&](auto& kv) { return kv.second + 3600 < now_s; });
    wind_down(now_s);
  }

  /// One listing request per series, unless its last one is still out.
  void ask_gamma() {
    const auto limit = std::to_string(opts_.lookahead_slots + 4); // + ended slots not closed yet
    for (auto& spec : opts_.series) {
      auto key = spec.key();
      if (!pending_.insert(key).second)
        continue;
      weak_handle<discovery_actor> self(caf::actor_cast<discovery_actor>(this));
      http_request req;
      req.target = "/events?series_slug=" + spec.gamma_series + "&closed=false&order=endDate&ascending=true&limit=" + limit;
      req.rate_class = "gamma";
      gamma_(std::move(req), [self, asset = spec.asset, key](http_response res) {
        self.send(gamma_reply{asset, key, res.status, std::move(res.body)});
      });
    }
  }

  /// Stop streaming slots that ended a while ago, and retire them after the
  /// settlement grace. A market that still has open orders refuses; it is
  /// asked again on the next pass.
  void wind_down(std::int64_t now_s) {
    for (auto& [id, s] : streaming_) {
      if (!s.unsubscribed && s.slot_end_s + opts_.unsubscribe_after_end.count() < now_s) {
        send(feed_, unsubscribe_market{s.id});
        s.unsubscribed = true;
      }
      if (!s.retiring && s.slot_end_s + opts_.retire_after_end.count() < now_s) {
        s.retiring = true;
        retire(s.id);
      }
    }
  }

  /// The directory answers true for a market already gone (settlement retires
  /// a settled market first), so the entry goes on the first answer.
  void retire(const condition_id& cid) {
    request(directory_, ask_timeout, retire_atom::value, cid)
      .then(
        [=, this](bool) {
          spdlog::info("discovery: market {} retired", cid.hex);
          streaming_.erase(cid.hex);
        },
        [=, this](caf::error& e) {
          auto it = streaming_.find(cid.hex);
          if (it == streaming_.end())
            return;
          it->second.retiring = false;
          // Open orders can take a few passes to go: warn once, not every pass.
          auto level = it->second.retire_refusals++ == 0 ? spdlog::level::warn : spdlog::level::debug;
          spdlog::log(level, "discovery: market {} not retired yet (asked {} times): {}", cid.hex,
                      it->second.retire_refusals, error_text(e));
        });
  }

  void on_reply(const gamma_reply& r) {
    pending_.erase(r.slug); // the series key
    const series_spec* spec = find_series(r.slug);
    if (!spec)
      return;
    if (r.status != 200) {
      spdlog::warn("discovery: gamma series {} answered {}: {}", spec->gamma_series, r.status, r.body.substr(0, 200));
      return; // next pass asks again
    }
    auto listing = parse_gamma_listing(r.body, r.asset);
    if (!listing) {
      spdlog::warn("discovery: series {} skipped: {}", spec->key(), listing.error());
      return;
    }
    const auto now_s = opts_.clock() / 1000;
    auto& wanted = wanted_[spec->key()];
    wanted.clear();
    for (auto& m : listing.value())
      if (!m)
        warn_once(spec->key() + ": " + m.error());
      else if (in_window(*spec, m.value(), now_s))
        take(std::move(m).value(), wanted);
    keep_wanted();
  }

  const series_spec* find_series(const std::string& key) const {
    for (auto& s : opts_.series)
      if (s.key() == key)
        return &s;
    return nullptr;
  }

  /// The slot is of the series, not over, and starts within the lookahead.
  bool in_window(const series_spec& spec, const gamma_market& g, std::int64_t now_s) {
    const auto& rec = g.record;
    if (auto why = slot_matches(spec, rec.slug, rec.slot_start_s, rec.slot_end_s); !why.empty()) {
      warn_once("series " + spec.key() + " lists " + rec.slug + ", not one of its slots (" + why + "); skipped");
      return false;
    }
    return rec.slot_end_s > now_s && rec.slot_start_s <= now_s + opts_.lookahead_slots * spec.slot_s;
  }

  void take(gamma_market g, std::set<std::string>& wanted) {
    const auto slug = g.record.slug;
    wanted.insert(slug);
    if (known_.count(slug))
      return; // handed on already, or on its way
    known_[slug] = g.record.slot_end_s;
    if (g.closed) {
      spdlog::info("discovery: {} already closed; not streamed", slug);
      return;
    }
    if (opts_.clob)
      return fetch_fees(std::move(g.record));
    if (!g.fee_error.empty() && fee_warned_.insert(slug).second)
      spdlog::error("discovery: {}: {}; the directory refuses it and Gamma is asked again each pass", slug, g.fee_error);
    ensure(g.record);
  }

  /// The market cap's episode ends only when no wanted slug of any series is refused.
  void keep_wanted() {
    std::set<std::string> all;
    for (auto& [key, slugs] : wanted_)
      all.insert(slugs.begin(), slugs.end());
    if (cap_.keep_only(all) == cap_watch::change::cleared)
      cap_cleared();
  }

  /// A malformed or foreign event is listed again every pass: said once (bounded).
  void warn_once(const std::string& what) {
    if (warned_.size() < 1024 && warned_.insert(what).second)
      spdlog::warn("discovery: {}", what);
  }

  /// The CLOB's fee details of a market Gamma listed, before it is handed on.
  void fetch_fees(market_record rec) {
    weak_handle<discovery_actor> self(caf::actor_cast<discovery_actor>(this));
    http_request req;
    req.target = "/clob-markets/" + rec.id.hex;
    opts_.clob(std::move(req), [self, rec = std::move(rec)](http_response res) mutable {
      self.send(clob_market_reply{std::move(rec), res.status, std::move(res.body)});
    });
  }

  void on_clob_reply(clob_market_reply& r) {
    auto choice = choose_fee_schedule(r.record.fee, r.status, r.body);
    if (!choice.note.empty() && fee_warned_.insert(r.record.slug).second)
      spdlog::log(choice.fee.known ? spdlog::level::warn : spdlog::level::err, "discovery: {} fees: {}",
                  r.record.slug, choice.note);
    if (choice.fee.known && r.record.fee != choice.fee)
      spdlog::info("discovery: {} trades at {}", r.record.slug, describe(choice.fee));
    r.record.fee = choice.fee;
    ensure(r.record);
  }

  void ensure(const market_record& rec) {
    request(directory_, ask_timeout, rec)
      .then(
        [=, this](market_actor& handle) {
          subscribe_market sub{rec.id, rec.up_token, rec.down_token, rec.asset + "/usd"};
          send(feed_, std::move(sub), std::move(handle));
          streaming_[rec.id.hex] = {rec.id, rec.slot_end_s};
          spdlog::info("discovery: {} -> market {} (slot {}-{})", rec.slug, rec.id.hex, rec.slot_start_s,
                       rec.slot_end_s);
          if (cap_.served(rec.slug) == cap_watch::change::cleared)
            cap_cleared();
        },
        [=, this](caf::error& e) {
          known_.erase(rec.slug); // try again next pass
          refused(rec.slug, error_text(e));
        });
  }

  void refused(const std::string& slug, const std::string& why) {
    if (!is_max_live_refusal(why)) {
      // A market without a fee schedule is refused every pass: logged once above.
      spdlog::log(fee_warned_.count(slug) ? spdlog::level::debug : spdlog::level::warn,
                  "discovery: directory refused {}: {}", slug, why);
      return;
    }
    if (cap_.refused(slug) != cap_watch::change::raised) {
      spdlog::debug("discovery: directory refused {}: {}", slug, why);
      return;
    }
    auto text = "new slots are refused: " + why + "; " + slug
                + " and later slots get no market actor (no book, no bids) until markets retire";
    spdlog::error("discovery: {}", text);
    if (opts_.notifier)
      send(opts_.notifier, alert{severity::critical, "markets", text, opts_.clock()});
  }

  void cap_cleared() {
    const std::string text = "market cap cleared: every wanted slot has its market actor again";
    spdlog::info("discovery: {}", text);
    if (opts_.notifier)
      send(opts_.notifier, alert{severity::info, "markets", text, opts_.clock()});
  }

  gamma_fetch gamma_;
  directory_actor directory_;
  feed_actor feed_;
  discovery_options opts_;
  std::map<std::string, std::int64_t> known_; // slug -> slot end (s)
  std::set<std::string> fee_warned_;          // slugs whose missing fee schedule was logged
  std::set<std::string> pending_;             // series keys whose listing is out
  std::map<std::string, std::set<std::string>> wanted_; // series key -> slugs in its window, last listing
  std::set<std::string> warned_;
  std::map<std::string, streamed> streaming_; // condition id -> what winding down needs
  cap_watch cap_;
};

} // namespace

discovery_actor spawn_discovery(caf::actor_system& sys, gamma_fetch gamma, directory_actor directory,
                                feed_actor feed, telemetry_actor telemetry, discovery_options opts) {
  return sys.spawn<discovery_impl>(std::move(gamma), std::move(directory), std::move(feed),
                                   std::move(telemetry), std::move(opts));
}

} // namespace tdmaker
