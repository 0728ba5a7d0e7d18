#pragma once
// A real actor system over a fresh LMDB directory. Flows are driven with
// scoped_actor request/receive: each step waits for the actual reply, no sleeps.
#include <filesystem>
#include <memory>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/interfaces.hpp"
#include "db/lmdb_env.hpp"

namespace tdmaker::test {

std::string temp_dir(const std::string& tag);

struct actor_fixture {
  actor_fixture();
  ~actor_fixture();

  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::string dir;
  std::shared_ptr<lmdb_env> env;
};

} // namespace tdmaker::test
