// tdmaker-venue: a local Polymarket-compatible venue. See `tdmaker-venue --help`.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <boost/asio.hpp>

#include "core/control.hpp"
#include "venue/admin_api.hpp"
#include "venue/clob_api.hpp"
#include "venue/faults.hpp"
#include "venue/gamma_api.hpp"
#include "venue/request_parse.hpp"
#include "venue/venue_config.hpp"
#include "venue/world.hpp"
#include "venue/ws_feeds.hpp"
#include "venue/ws_listener.hpp"

namespace asio = boost::asio;
using namespace tdmaker::venue;

namespace {

constexpr const char* usage = R"(tdmaker-venue - local Polymarket-compatible venue (Gamma + CLOB REST)

Usage:
  tdmaker-venue [--config FILE] [--seed N] [--slot-seconds N] [--lead-slots N] [--clob-port P]
                [--gamma-port P] [--ws-port P] [--rtds-port P] [--admin-port P]
                [--resolution-delay S] [--ping-timeout-ms MS] [--heartbeat-timeout-ms MS]
                [--no-sim] [--sim-taker-rate P] [--twap] [--taker-delay-ms MS]
                [--faults FILE] [--ports-file F] [--fee-schedule SERIES=RATE[:EXP]]...
                [--series ASSET-DURATION[=SLOT_S][:spot|twap60],...]
                [--rate-limits off|warn|enforce] [--order-limit RATE/BURST] [--cancel-limit RATE/BURST]
  tdmaker-venue --help

--twap resolves on the 60 s TWAP at the slot end instead of the spot price.
--series lists these series instead of the assets x --slot-seconds ones, e.g.
  btc-5m=20,btc-1h=40:twap60 (durations 5m 15m 1h 4h 1d or a test length like 30s;
  =SLOT_S scales a series' slots down, keeping its slug shape; docs/series.md).
--taker-delay-ms MS holds marketable orders of every series MS ms (answer "delayed").
--rate-limits sets the per-signer order/cancel buckets' mode (default enforce,
Standard tier: orders 40/s burst 60, cancels 80/s burst 120; config "rate_limits");
--order-limit/--cancel-limit set a bucket's refill rate per second and burst.
Ports of 0 pick a free port; --ports-file writes the bound ports as JSON.
--faults FILE applies a fault plan at start (keys in venue/faults.hpp); the admin
API replaces it at run time: POST /admin/faults (bearer token), GET /admin/faults.
--fee-schedule btc-15m=0.05:2 sets a series' taker fee (repeatable; default 0.07:1).
Binds to loopback (config "host"). Environment: TDMAKER_VENUE_ADMIN_TOKEN enables
the /admin/account/{address} ground-truth endpoint on the admin port.
)";

void log_fault(const std::string& kind, const std::string& detail) {
  std::printf("tdmaker-venue: fault %s: %s\n", kind.c_str(), detail.c_str());
  std::fflush(stdout);
}

bool order_path(const std::string& p) {
  return p == "/order" || p == "/orders" || p == "/cancel-all" || p == "/cancel-market-orders";
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

} // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  venue_config cfg;
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::fputs(usage, stdout);
    return 0;
  }
  if (args.size() >= 2 && args[0] == "--config") {
    std::ifstream in(args[1]);
    if (!in) {
      std::fprintf(stderr, "tdmaker-venue: cannot read config %s\n", args[1].c_str());
      return 2;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    auto parsed = parse_venue_config(ss.str());
    if (!parsed) {
      std::fprintf(stderr, "tdmaker-venue: config %s: %s\n", args[1].c_str(), parsed.error().c_str());
      return 2;
    }
    cfg = *parsed;
    args.erase(args.begin(), args.begin() + 2);
  }
  auto flagged = apply_flags(cfg, args);
  if (!flagged) {
    std::fprintf(stderr, "tdmaker-venue: %s\n", flagged.error().c_str());
    return 2;
  }
  cfg = *flagged;

  fault_injector faults;
  if (!cfg.faults_file.empty()) {
    std::ifstream in(cfg.faults_file);
    std::stringstream ss;
    ss << in.rdbuf();
    auto plan = in ? parse_fault_plan(ss.str(), now_ms() / 1000)
                   : tdmaker::result<fault_plan>(tdmaker::fail("cannot read " + cfg.faults_file));
    if (!plan) {
      std::fprintf(stderr, "tdmaker-venue: %s\n", plan.error().c_str());
      return 2;
    }
    faults.set_plan(*plan);
  }

  asio::io_context ioc{1};
  world w(cfg);
  w.tick(now_ms());
  venue_counters counters;
  clob_api_config clob_cfg;
  clob_cfg.heartbeat_timeout_ms = cfg.heartbeat_timeout_ms;
  clob_cfg.rate_limits = cfg.rate_limits;
  clob_api clob(w.ex(), now_ms, clob_cfg);
  gamma_api gamma(w.ex(), now_ms);
  const char* admin_env = std::getenv("TDMAKER_VENUE_ADMIN_TOKEN");
  admin_api admin(w, faults, admin_env ? admin_env : "", [&] {
    auto c = counters;
    c.rate_limited_orders = clob.rate_limits().refused(limit_bucket::order);
    c.rate_limited_cancels = clob.rate_limits().refused(limit_bucket::cancel);
    return c;
  }, now_ms);

  keepalive ka{cfg.ping_timeout_ms};
  market_feed market_ws(w.ex(), now_ms, ka);
  user_feed user_ws(w.ex(), now_ms, ka);
  rtds_feed rtds(now_ms, cfg.assets);
  feed_hub hub(market_ws, user_ws);
  w.ex().set_listener(&hub);
  bool rtds_frozen = false;
  w.on_reference = [&](const std::string& asset, std::int64_t ts, tdmaker::ref_price p) {
    const bool frozen = faults.in_window(faults.plan().rtds_freeze_windows, ts / 1000);
    if (frozen != rtds_frozen)
      log_fault("rtds_freeze", frozen ? "RTDS publishes no price" : "RTDS publishes again");
    rtds_frozen = frozen;
    if (!frozen)
      return rtds.publish(asset, ts, p);
    faults.count("rtds_freeze");
  };
  user_ws.drop_trade = [&] {
    bool hit = faults.roll(faults.plan().user_trade_drop, "user_trade_drop");
    if (hit)
      log_fault("user_trade_drop", "a user-channel trade frame was not sent");
    return hit;
  };
  user_ws.duplicate_trade = [&] {
    bool hit = faults.roll(faults.plan().user_trade_duplicate, "user_trade_duplicate");
    if (hit)
      log_fault("user_trade_duplicate", "a user-channel trade frame was sent twice");
    return hit;
  };
  user_ws.delay_trade = [&]() -> std::int64_t {
    if (!faults.roll(faults.plan().user_trade_delay, "user_trade_delay"))
      return 0;
    log_fault("user_trade_delay", "a user-channel trade frame held back " + std::to_string(faults.plan().user_trade_delay_ms) + " ms");
    return faults.plan().user_trade_delay_ms;
  };
  market_ws.event_copies = [&]() -> int {
    if (faults.roll(faults.plan().market_event_drop, "market_event_drop")) {
      log_fault("market_event_drop", "a market-channel event frame was not sent");
      return 0;
    }
    if (faults.roll(faults.plan().market_event_duplicate, "market_event_duplicate")) {
      log_fault("market_event_duplicate", "a market-channel event frame was sent twice");
      return 2;
    }
    return 1;
  };
  auto ws_refused = [&](const std::string& path) {
    if (!faults.in_window(faults.plan().ws_refuse_windows, now_ms() / 1000))
      return false;
    faults.count("ws_refuse");
    log_fault("ws_refuse", "WebSocket upgrade to " + path + " refused (service down)");
    return true;
  };
  w.extra_resolution_delay = [&](const slot_market& m) -> std::int64_t {
    if (!faults.roll(faults.plan().late_resolution, "late_resolution"))
      return 0;
    log_fault("late_resolution", m.slug + " resolves " + std::to_string(faults.plan().late_resolution_s) + " s late");
    return faults.plan().late_resolution_s;
  };
  w.ex().delay_fails = [&] {
    if (!faults.roll(faults.plan().taker_delay_unmatched, "taker_delay_unmatched"))
      return false;
    log_fault("taker_delay_unmatched", "a marketable order's taker delay failed: reply unmatched");
    return true;
  };
  ws_listener clob_ws(ioc, [&](const std::string& path) -> ws_channel* {
    if (ws_refused(path))
      return nullptr;
    if (path == "/ws/market")
      return &market_ws;
    if (path == "/ws/user")
      return &user_ws;
    return nullptr;
  });
  ws_listener rtds_ws(ioc, [&](const std::string& path) -> ws_channel* {
    return ws_refused(path) ? nullptr : &rtds;
  });

  http_listener clob_http(ioc, [&](const http_request& r, const split_target& t) {
    ++counters.clob_requests;
    if (order_path(t.path)) {
      auto& p = faults.plan();
      auto now_s = now_ms() / 1000;
      if (faults.in_window(p.http_425_windows, now_s)) {
        faults.count("http_425");
        log_fault("http_425", "engine restart window: " + t.path);
        return http_reply{425, tdmaker::json_error("Too Early")};
      }
      if (faults.roll(p.http_500, "http_500")) {
        log_fault("http_500", t.path);
        return http_reply{500, tdmaker::json_error("could not insert order")};
      }
      if (faults.roll(p.http_429, "http_429")) {
        log_fault("http_429", t.path);
        http_reply rep{429, tdmaker::json_error("Too Many Requests")};
        rep.headers["Retry-After"] = "1";
        return rep;
      }
      if (faults.roll(p.http_425, "http_425")) {
        log_fault("http_425", t.path);
        return http_reply{425, tdmaker::json_error("Too Early")};
      }
      if (r.method() == http::verb::post && faults.in_window(p.post_only_windows, now_s) && !all_post_only(r.body())) {
        faults.count("post_only_mode");
        log_fault("post_only_mode", "non-post-only order refused");
        std::int64_t left = 1;
        for (auto& win : p.post_only_windows)
          if (now_s >= win.start_s && now_s < win.end_s)
            left = std::max<std::int64_t>(1, win.end_s - now_s);
        http_reply rep{503, "{\"error\":\"post-only mode: only post-only orders and cancels are allowed\",\"code\":"
                            "\"post_only_mode\",\"retry_after_seconds\":" + std::to_string(left) + "}"};
        rep.headers["Retry-After"] = std::to_string(left);
        return rep;
      }
    }
    auto reply = clob.handle(r, t);
    if ((t.path == "/order" || t.path == "/orders") && r.method() == http::verb::post && reply.status == 200
        && faults.roll(faults.plan().ghost_order, "ghost_order")) {
      log_fault("ghost_order", "order placed, reply dropped");
      reply.drop_connection = true;
    }
    return reply;
  });
  http_listener gamma_http(ioc, [&](const http_request& r, const split_target& t) {
    ++counters.gamma_requests;
    return gamma.handle(r, t);
  });
  http_listener admin_http(ioc, [&](const http_request& r, const split_target& t) { return admin.handle(r, t); });
  std::uint16_t ports[5];
  try {
    ports[0] = clob_http.listen(cfg.host, static_cast<std::uint16_t>(cfg.clob_port));
    ports[1] = gamma_http.listen(cfg.host, static_cast<std::uint16_t>(cfg.gamma_port));
    ports[2] = admin_http.listen(cfg.host, static_cast<std::uint16_t>(cfg.admin_port));
    ports[3] = clob_ws.listen(cfg.host, static_cast<std::uint16_t>(cfg.ws_port));
    ports[4] = rtds_ws.listen(cfg.host, static_cast<std::uint16_t>(cfg.rtds_port));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tdmaker-venue: cannot listen on %s: %s\n", cfg.host.c_str(), e.what());
    return 1;
  }
  if (!cfg.ports_file.empty()) {
    auto tmp = cfg.ports_file + ".tmp";
    std::ofstream(tmp) << "{\"clob\":" << ports[0] << ",\"gamma\":" << ports[1] << ",\"admin\":" << ports[2] << ",\"ws\":" << ports[3] << ",\"rtds\":" << ports[4]
                       << "}\n";
    std::rename(tmp.c_str(), cfg.ports_file.c_str());
  }
  std::printf("tdmaker-venue: seed %llu, series", static_cast<unsigned long long>(cfg.seed));
  for (auto& s : cfg.series)
    std::printf(" %s(%llds%s)", s.spec.key().c_str(), static_cast<long long>(s.spec.slot_s), s.twap ? ",twap60" : "");
  std::printf("\n  CLOB   http://%s:%u\n  Gamma  http://%s:%u\n  market ws://%s:%u/ws/market\n  user   ws://%s:%u/ws/user\n"
              "  RTDS   ws://%s:%u\n  admin  http://%s:%u (/metrics%s)\n",
              cfg.host.c_str(), ports[0], cfg.host.c_str(), ports[1], cfg.host.c_str(), ports[3],
              cfg.host.c_str(), ports[3], cfg.host.c_str(), ports[4], cfg.host.c_str(), ports[2],
              admin_env ? ", /admin/account/{address}" : "; account API disabled: TDMAKER_VENUE_ADMIN_TOKEN unset");
  std::fflush(stdout);

  asio::steady_timer timer(ioc);
  std::int64_t last_fault_s = 0;
  std::function<void()> schedule = [&] {
    timer.expires_after(std::chrono::milliseconds(250));
    timer.async_wait([&](boost::system::error_code ec) {
      if (ec)
        return;
      auto t = now_ms();
      w.tick(t);
      market_ws.sweep(t);
      user_ws.sweep(t);
      clob.expire_heartbeats(t);
      auto s = t / 1000;
      if (s != last_fault_s) {
        last_fault_s = s;
        auto all = [&] {
          auto v = market_ws.sessions();
          auto u = user_ws.sessions();
          auto r = rtds.sessions();
          v.insert(v.end(), u.begin(), u.end());
          v.insert(v.end(), r.begin(), r.end());
          return v;
        };
        auto& p = faults.plan();
        auto targeted = [&] {
          auto v = all();
          if (!p.ws_fault_path.empty())
            std::erase_if(v, [&](const ws_session_ptr& x) { return x->path != p.ws_fault_path; });
          return v;
        };
        if (faults.in_window(p.ws_refuse_windows, s))
          for (auto& x : all())
            x->drop(); // the service is down: nothing stays connected
        if (p.ws_drop_every_s > 0 && s % p.ws_drop_every_s == 0) {
          auto v = targeted();
          if (!v.empty()) {
            auto& victim = v[faults.pick(v.size())];
            faults.count("ws_drop");
            log_fault("ws_drop", "dropped " + victim->path + " connection " + std::to_string(victim->id));
            victim->drop();
          }
        }
        if (p.ws_stall_every_s > 0 && s % p.ws_stall_every_s == 0) {
          std::vector<ws_session_ptr> live;
          for (auto& x : targeted())
            if (!x->stalled)
              live.push_back(x);
          if (!live.empty()) {
            auto& victim = live[faults.pick(live.size())];
            victim->stalled = true;
            faults.count("ws_stall");
            log_fault("ws_stall", victim->path + " connection " + std::to_string(victim->id) + " stays open, silent");
          }
        }
      }
      schedule();
    });
  };
  schedule();

  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int sig) {
    std::printf("tdmaker-venue: %s, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    std::fflush(stdout);
    clob_http.stop();
    gamma_http.stop();
    admin_http.stop();
    clob_ws.stop();
    rtds_ws.stop();
    timer.cancel();
    ioc.stop();
  });
  ioc.run();
  return 0;
}
