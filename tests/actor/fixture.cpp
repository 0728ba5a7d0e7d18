#include "fixture.hpp"

#include <unistd.h>

#include <atomic>

#include "messages/register.hpp"

namespace tdmaker::test {

std::string temp_dir(const std::string& tag) {
  static std::atomic<int> n{0};
  auto d = std::filesystem::temp_directory_path()
           / ("tdmaker-" + tag + "-" + std::to_string(getpid()) + "-" + std::to_string(n++));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d.string();
}

actor_fixture::actor_fixture() : dir(temp_dir("actor")) {
  register_message_types(cfg);
  cfg.set("scheduler.max-threads", std::size_t{2});
  cfg.set("logger.verbosity", caf::atom("quiet"));
  sys = std::make_unique<caf::actor_system>(cfg);
  auto e = lmdb_env::open(dir, 64);
  if (!e)
    throw std::runtime_error(e.error());
  env = std::move(e).value();
}

actor_fixture::~actor_fixture() {
  sys.reset();
  env.reset();
  std::filesystem::remove_all(dir);
}

} // namespace tdmaker::test
