#include "app/store_probe.hpp"

#include <cstdio>
#include <deque>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/store.hpp"
#include "actors/util.hpp"
#include "messages/register.hpp"

namespace tdmaker {

int run_store_probe(const std::string& data_dir, std::int64_t count, std::int64_t window) {
  auto env = lmdb_env::open(data_dir, 1024);
  if (!env) {
    std::fprintf(stderr, "store-probe: %s\n", env.error().c_str());
    return 1;
  }
  caf::actor_system_config cfg;
  register_message_types(cfg);
  cfg.set("logger.verbosity", caf::atom("quiet"));
  caf::actor_system sys{cfg};
  auto store = spawn_store(sys, std::move(env).value(), telemetry_actor{}, {512, std::chrono::seconds(1)});
  caf::scoped_actor self{sys};
  std::string filler(160, 'x');
  auto t0 = std::chrono::steady_clock::now();
  std::int64_t sent = 0, acked = 0, failed = 0;
  std::uint64_t groups = 0, last_seq = 0;
  // Replies are awaited per request, in request order, so "ack i" means exactly
  // that key i is durable.
  using handle = decltype(self->request(store, std::chrono::seconds(30), write_batch{}));
  std::deque<handle> pending;
  auto send_one = [&] {
    char key[32];
    std::snprintf(key, sizeof key, "probe/%010lld", static_cast<long long>(sent));
    write_batch b;
    b.writes.push_back({record_db::audit, key,
                        "{\"i\":" + std::to_string(sent) + ",\"fill\":\"" + filler + "\"}", false});
    pending.push_back(self->request(store, std::chrono::seconds(30), std::move(b)));
    ++sent;
  };
  while (sent < count && sent < window)
    send_one();
  while (!pending.empty()) {
    auto index = acked + failed;
    pending.front().receive(
      [&](commit_ack& a) {
        ++acked;
        if (a.commit_seq != last_seq) {
          ++groups;
          last_seq = a.commit_seq;
        }
        std::printf("ack %lld\n", static_cast<long long>(index));
        std::fflush(stdout);
      },
      [&](caf::error& e) {
        ++failed;
        std::fprintf(stderr, "store-probe: write %lld failed: %s\n",
                     static_cast<long long>(index), error_text(e).c_str());
      });
    pending.pop_front();
    if (sent < count)
      send_one();
  }
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr,
               "store-probe: %lld acked, %lld failed, %llu commits, %.1f writes/commit, "
               "%.0f writes/s, %.3f s\n",
               static_cast<long long>(acked), static_cast<long long>(failed),
               static_cast<unsigned long long>(groups),
               groups ? static_cast<double>(acked) / static_cast<double>(groups) : 0.0,
               secs > 0 ? static_cast<double>(acked) / secs : 0.0, secs);
  self->send_exit(store, caf::exit_reason::user_shutdown);
  return failed == 0 ? 0 : 1;
}

} // namespace tdmaker
