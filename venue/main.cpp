// tdmaker-venue: a local Polymarket-compatible venue. See `tdmaker-venue --help`.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <boost/asio.hpp>

#include "venue/admin_api.hpp"
#include "venue/clob_api.hpp"
#include "venue/gamma_api.hpp"
#include "venue/venue_config.hpp"
#include "venue/world.hpp"

namespace asio = boost::asio;
using namespace tdmaker::venue;

namespace {

constexpr const char* usage = R"(tdmaker-venue - local Polymarket-compatible venue (Gamma + CLOB REST)

Usage:
  tdmaker-venue [--config FILE] [--seed N] [--slot-seconds N] [--clob-port P]
                [--gamma-port P] [--admin-port P] [--resolution-delay S] [--ports-file F]
  tdmaker-venue --help

Ports of 0 pick a free port; --ports-file writes the bound ports as JSON.
Binds to loopback (config "host"). Environment: TDMAKER_VENUE_ADMIN_TOKEN enables
the /admin/account/{address} ground-truth endpoint on the admin port.
)";

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

  asio::io_context ioc{1};
  world w(cfg);
  w.tick(now_ms());
  venue_counters counters;
  clob_api clob(w.ex(), now_ms);
  gamma_api gamma(w.ex(), now_ms, cfg.slot_seconds);
  const char* admin_env = std::getenv("TDMAKER_VENUE_ADMIN_TOKEN");
  admin_api admin(w, admin_env ? admin_env : "", [&] { return counters; });

  http_listener clob_http(ioc, [&](const http_request& r, const split_target& t) {
    ++counters.clob_requests;
    return clob.handle(r, t);
  });
  http_listener gamma_http(ioc, [&](const http_request& r, const split_target& t) {
    ++counters.gamma_requests;
    return gamma.handle(r, t);
  });
  http_listener admin_http(ioc, [&](const http_request& r, const split_target& t) { return admin.handle(r, t); });
  std::uint16_t ports[3];
  try {
    ports[0] = clob_http.listen(cfg.host, static_cast<std::uint16_t>(cfg.clob_port));
    ports[1] = gamma_http.listen(cfg.host, static_cast<std::uint16_t>(cfg.gamma_port));
    ports[2] = admin_http.listen(cfg.host, static_cast<std::uint16_t>(cfg.admin_port));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tdmaker-venue: cannot listen on %s: %s\n", cfg.host.c_str(), e.what());
    return 1;
  }
  if (!cfg.ports_file.empty()) {
    auto tmp = cfg.ports_file + ".tmp";
    std::ofstream(tmp) << "{\"clob\":" << ports[0] << ",\"gamma\":" << ports[1] << ",\"admin\":" << ports[2]
                       << "}\n";
    std::rename(tmp.c_str(), cfg.ports_file.c_str());
  }
  std::printf("tdmaker-venue: seed %llu, %lld s slots, assets", static_cast<unsigned long long>(cfg.seed),
              static_cast<long long>(cfg.slot_seconds));
  for (auto& a : cfg.assets)
    std::printf(" %s", a.c_str());
  std::printf("\n  CLOB   http://%s:%u\n  Gamma  http://%s:%u\n  admin  http://%s:%u (/metrics%s)\n",
              cfg.host.c_str(), ports[0], cfg.host.c_str(), ports[1], cfg.host.c_str(), ports[2],
              admin_env ? ", /admin/account/{address}" : "; account API disabled: TDMAKER_VENUE_ADMIN_TOKEN unset");
  std::fflush(stdout);

  asio::steady_timer timer(ioc);
  std::function<void()> schedule = [&] {
    timer.expires_after(std::chrono::milliseconds(250));
    timer.async_wait([&](boost::system::error_code ec) {
      if (ec)
        return;
      w.tick(now_ms());
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
    timer.cancel();
    ioc.stop();
  });
  ioc.run();
  return 0;
}
