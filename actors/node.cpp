#include "actors/node.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/control.hpp"
#include "actors/directory.hpp"
#include "actors/http_server.hpp"
#include "actors/lmdb_env.hpp"
#include "actors/phase_manager.hpp"
#include "actors/store.hpp"
#include "actors/telemetry.hpp"
#include "actors/util.hpp"
#include "generated/build_info.hpp"
#include "messages/register.hpp"

namespace tdmaker {

struct node::impl {
  caf::actor_system_config sys_cfg;
  std::unique_ptr<caf::actor_system> sys;
  telemetry_actor telemetry;
  store_actor store;
  notifier_actor notifier;
  phase_manager_actor phases;
  control_actor control;
  directory_actor directory;
  std::unique_ptr<http_server> http;
  std::uint16_t port = 0;
  bool stopped = false;
};

node::node(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

node::~node() { shutdown(); }

std::uint16_t node::http_port() const { return impl_->port; }

result<std::unique_ptr<node>> node::start(const node_config& cfg, std::string control_token) {
  auto env = lmdb_env::open(cfg.data_dir, cfg.store_map_size_mb);
  if (!env)
    return fail(env.error());
  for (auto& m : (*env)->migrations_run())
    spdlog::info("store: migration {} applied", m);
  spdlog::info("store: LMDB at {} schema {}", cfg.data_dir, (*env)->schema_version());

  auto p = std::make_unique<impl>();
  register_message_types(p->sys_cfg);
  p->sys_cfg.set("scheduler.max-threads", static_cast<std::size_t>(cfg.worker_threads));
  p->sys_cfg.set("logger.verbosity", caf::atom("quiet"));
  p->sys = std::make_unique<caf::actor_system>(p->sys_cfg);
  auto& sys = *p->sys;
  std::chrono::milliseconds flush{cfg.telemetry_flush_ms};

  telemetry_options topts;
  topts.flush_every = flush;
  topts.mode = cfg.mode;
  topts.market_connection = "none (no venue configured)";
  topts.required_kinds = {"store", "phase_manager", "directory", "control", "notifier"};
  p->telemetry = spawn_telemetry(sys, topts);
  p->store = spawn_store(sys, std::move(env).value(), p->telemetry,
                         {static_cast<std::size_t>(cfg.store_max_batch), flush});
  p->notifier = spawn_notifier(sys, p->telemetry, flush);
  p->phases = spawn_phase_manager(sys, p->store, p->telemetry, p->notifier,
                                  {cfg.initial_phase, cfg.log_dir, flush});
  p->control = spawn_control(sys, p->phases, p->telemetry, flush);
  directory_options dopts;
  dopts.max_live = cfg.markets_max_live;
  dopts.max_restarts = cfg.markets_max_restarts;
  dopts.restart_window = std::chrono::seconds(cfg.markets_restart_window_s);
  dopts.market = {cfg.debug_fault_injection, flush};
  dopts.flush_every = flush;
  p->directory = spawn_directory(sys, p->store, p->telemetry, p->notifier, dopts);

  spdlog::info("node: tdmaker {} ({}) started: {} worker threads, mode {}, data {}",
               build::version, build::commit, cfg.worker_threads, to_string(cfg.mode),
               cfg.data_dir);
  spdlog::warn("node: no market connection: the node's exchange client is not built yet "
               "(tdmaker-venue can run beside it, but nothing connects); trading is idle");

  if (control_token.empty())
    spdlog::warn("http: control endpoint disabled: TDMAKER_CONTROL_TOKEN is not set");
  p->http = std::make_unique<http_server>(sys, http_targets{p->telemetry, p->control},
                                          std::move(control_token));
  auto port = p->http->start(cfg.http_listen);
  std::unique_ptr<node> n(new node(std::move(p)));
  if (!port) {
    n->shutdown();
    return fail(port.error());
  }
  n->impl_->port = *port;
  spdlog::info("http: listening on {}:{} (/metrics /health /status /control/phase)",
               cfg.http_listen.host, *port);
  return n;
}

void node::shutdown() {
  auto& p = *impl_;
  if (p.stopped)
    return;
  p.stopped = true;
  spdlog::info("node: shutting down");
  if (p.http)
    p.http->stop(); // no new work from outside
  {
    caf::scoped_actor self{*p.sys};
    for (auto h : {caf::actor_cast<caf::actor>(p.directory), caf::actor_cast<caf::actor>(p.control),
                   caf::actor_cast<caf::actor>(p.phases), caf::actor_cast<caf::actor>(p.notifier)})
      self->send_exit(h, caf::exit_reason::user_shutdown);
    // Everything acknowledged is already durable; this barrier commits whatever
    // was queued by actors that were still running a moment ago.
    self->request(p.store, std::chrono::seconds(3), flush_atom::value)
      .receive([](commit_ack& a) { spdlog::info("store: flushed (commit {})", a.commit_seq); },
               [](caf::error& e) { spdlog::error("store: flush failed: {}", error_text(e)); });
    self->send_exit(p.store, caf::exit_reason::user_shutdown);
    self->send_exit(p.telemetry, caf::exit_reason::user_shutdown);
  }
  p.directory = nullptr;
  p.control = nullptr;
  p.phases = nullptr;
  p.notifier = nullptr;
  p.store = nullptr;
  p.telemetry = nullptr;
  p.http.reset();
  p.sys.reset(); // waits for every actor to finish
  spdlog::info("node: stopped");
  spdlog::default_logger()->flush();
}

} // namespace tdmaker
