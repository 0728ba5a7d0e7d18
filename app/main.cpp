// tdmaker: the node's command line. See `tdmaker --help`.
#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include "app/candles_cli.hpp"
#include "app/ctl_client.hpp"
#include "app/ledger_reader.hpp"
#include "db/lmdb_env.hpp"
#include "app/logging.hpp"
#include "app/node.hpp"
#include "app/phase_cli.hpp"
#include "app/recording_cli.hpp"
#include "app/replay_cli.hpp"
#include "app/train_cli.hpp"
#include "app/store_probe.hpp"
#include "app/venue_check.hpp"
#include "actors/util.hpp" // read_text_file
#include "core/ledger_export.hpp"
#include "core/config.hpp"
#include "core/control.hpp"
#include "core/json_write.hpp"
#include "core/phase_status.hpp"
#include "core/auth_headers.hpp"
#include "core/order_sign.hpp"
#include "core/secp256k1_signer.hpp"
#include "generated/build_info.hpp"

namespace {

using namespace tdmaker;

constexpr const char* usage = R"(tdmaker - maker node for Polymarket's 15-minute crypto Up/Down markets

Usage:
  tdmaker [--config FILE]            run the node (default: the embedded local config,
                                     paper mode)
  tdmaker --check-config FILE        validate a config file and exit (0 = valid)
  tdmaker ctl phase NAME --reason TEXT [--force] [--url URL | --config FILE]
                                     switch the trading phase of a running node
                                     (NAME: Experience, ProofOfConcept, RealMoneyTrial,
                                     Scaling; token from TDMAKER_CONTROL_TOKEN). An
                                     upgrade whose gate fails is refused (exit 1, the
                                     failing criteria printed); --force overrides it
  tdmaker order-sign < params.json   print the signed POST /order body for order
                                     parameters named as the official client names
                                     them (key from TDMAKER_PRIVATE_KEY)
  tdmaker auth-headers l1 [--timestamp T] [--nonce N]
  tdmaker auth-headers l2 --method M --path P [--body B] [--timestamp T]
                                     print CLOB request headers as JSON (key from
                                     TDMAKER_PRIVATE_KEY; L2 creds from TDMAKER_API_KEY,
                                     TDMAKER_API_SECRET, TDMAKER_API_PASSPHRASE). The
                                     output carries the API key and passphrase: it is
                                     for the operator's terminal only.
  tdmaker venue-check [--config FILE]
                                     derive the API key, find the current slot, place a
                                     signed post-only bid, look it up and cancel it, with
                                     the node's own clients (key from TDMAKER_PRIVATE_KEY)
  tdmaker export orders|trades|settlements [--from T] [--to T] [--format jsonl|csv]
                 [--config FILE]     print the ledger's orders, fills or settlements
                                     (LMDB), oldest first; T is Unix seconds or
                                     ISO-8601 UTC (--from inclusive, --to exclusive).
                                     Read-only: works while the node runs, and is a
                                     consistent snapshot of its last commit. A record
                                     that does not decode is named on stderr (key and
                                     reason), the rest printed; exit 3 then
  tdmaker phase status [--url URL | --config FILE] [--json]
                                     the running node's phase (GET /phase): since when,
                                     the gate toward the next phase criterion by
                                     criterion, the downgrade watch, the session
  tdmaker phase history [--from T] [--to T] [--format csv|jsonl] [--config FILE]
                                     every phase transition, proposal and refusal
                                     (LMDB), oldest first; T and read-only as for
                                     export; an unreadable entry is named on stderr,
                                     the rest printed, exit code 3
  tdmaker recording [--dir DIR | --config FILE] [--from T] [--to T] [--format jsonl]
                                     list a recording's segments (blocks, frames,
                                     first/last receive time), or print its frames
                                     received in [from, to) as JSON lines; DIR
                                     defaults to <node.data_dir>/recording. A torn
                                     tail is reported on stderr, not fatal; exit 3 when
                                     a block before a segment's end is corrupt
  tdmaker candles --stream S --from T --to T [--format csv|jsonl] [--config FILE | --data-dir DIR]
                                     one-minute candles of a stream (btc/usd,
                                     <token_id>/mid, <token_id>/last) from LMDB,
                                     oldest first; T as for export (--from inclusive,
                                     --to exclusive, on a candle's start); read-only
  tdmaker replay --recording DIR [--from T] [--to T] [--config FILE] [--speed max|N]
                 [--out DIR] [--tail-s S] [--set key=v1,v2,...]
                                     run the node's actors on a recording (docs/replay.md):
                                     virtual clock, paper, deterministic; prints PnL by
                                     strategy and market, fills, max drawdown, and writes
                                     report.json and the exports (CSV) under --out (new or
                                     empty). --set sweeps one config key: one run and one
                                     table row per value
  tdmaker train entry|exit --recording DIR|FILE.jsonl --from T --to T --out FILE
                 [--test-from T] [--test-to T] [--config FILE] [--features a,b,...]
                 [--l2 X] [--threshold P] [--taker-threshold P] [--samples FILE]
                                     fit seed 003's logistic entry or exit model on a
                                     replay of [--from, --to), judge it on a later range
                                     (default: from --to on; a market in both is judged,
                                     not fitted) and write the file entry.model_file /
                                     stop_loss.model_file load (docs/training.md)
  tdmaker store-probe --data DIR [--count N] [--window W]
                                     write N records through the store actor, printing
                                     each acknowledgement (benchmark / durability probe)
  tdmaker --help | --version

Environment (secrets never go in config files):
  TDMAKER_CONTROL_TOKEN   bearer token of POST /control/phase; unset = endpoint disabled
  TDMAKER_TELEGRAM_TOKEN  bot token of the notifier's webhook (notifier.webhook_url)

Exit codes: 0 ok, 1 runtime failure, 2 bad usage or invalid config,
  3 a stored record is unreadable (named in the log; do not restart blindly),
  70 a singleton actor died (the node stopped cleanly; restart it).
)";

result<node_config> load_config(const std::string& path) {
  if (path.empty()) {
    auto c = parse_config(build::default_config);
    if (!c)
      return fail("embedded default config: " + c.error());
    return c;
  }
  auto text = read_text_file(path);
  if (!text)
    return fail(text.error());
  auto c = parse_config(*text);
  if (!c)
    return fail(path + ": " + c.error());
  return c;
}

// A secret read from the environment is copied and its bytes in the environment
// block are overwritten. unsetenv alone only drops the pointer from `environ`:
// /proc/PID/environ shows the process's original block, which would keep the
// token readable to anyone who may read that file (issue 14).
std::string take_secret_env(const char* name) {
  char* v = std::getenv(name);
  if (!v)
    return {};
  std::string out(v);
  OPENSSL_cleanse(v, std::strlen(v));
  unsetenv(name);
  return out;
}

// Reads the key, then wipes it from the environment block: from here on it lives
// only in private_key objects, which zero themselves when destroyed.
result<private_key> key_from_env(const char* tool) {
  char* env = std::getenv("TDMAKER_PRIVATE_KEY");
  if (!env || !*env)
    return fail(std::string(tool) + ": TDMAKER_PRIVATE_KEY is not set");
  auto key = private_key::parse(env);
  OPENSSL_cleanse(env, std::strlen(env));
  unsetenv("TDMAKER_PRIVATE_KEY");
  if (!key)
    return fail(std::string(tool) + ": TDMAKER_PRIVATE_KEY: " + key.error());
  return key;
}

int run_node(const std::string& config_path) {
  // Everything the node creates (log file, audit trail, phase mirror, LMDB, their
  // directories) holds trades or operator actions: no access for others.
  ::umask(027);
  auto cfg = load_config(config_path);
  if (!cfg) {
    std::fprintf(stderr, "config error: %s\n", cfg.error().c_str());
    return 2;
  }
  // Block the stop signals before any thread exists (the log flusher is the
  // first), so every thread inherits the mask and only node::wait sees them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  if (auto ok = setup_logging(cfg->log_level, cfg->log_file); !ok) {
    std::fprintf(stderr, "config error: %s\n", ok.error().c_str());
    return 2;
  }
  spdlog::info("node: config {}", config_path.empty() ? "embedded default (local, paper)"
                                                      : config_path);
  std::optional<private_key> key;
  if (const char* set = std::getenv("TDMAKER_PRIVATE_KEY"); set && *set) {
    auto k = key_from_env("node");
    if (!k) {
      spdlog::critical("{}", k.error());
      return 2;
    }
    key = std::move(k).value();
  }
  auto run_cfg = std::move(cfg).value();
  // The bot token joins the config in memory only, and leaves the environment.
  run_cfg.notifier_bot_token = take_secret_env("TDMAKER_TELEGRAM_TOKEN");
  auto control_token = take_secret_env("TDMAKER_CONTROL_TOKEN");
  if (!run_cfg.notifier_webhook_url.empty() && run_cfg.notifier_bot_token.empty()) {
    spdlog::critical("node: notifier.webhook_url is set but TDMAKER_TELEGRAM_TOKEN is not");
    return 2;
  }
  auto n = node::start(run_cfg, std::move(control_token), std::move(key));
  if (!n) {
    bool corrupt = n.error().starts_with(corrupt_store_error);
    spdlog::critical("node: cannot start: {}; exit code {}", n.error(), corrupt ? exit_store_corrupt : 1);
    spdlog::default_logger()->flush();
    return corrupt ? exit_store_corrupt : 1;
  }
  auto cause = (*n)->wait(stop);
  if (cause.exit_code == 0)
    spdlog::info("node: received {}", cause.why);
  else
    spdlog::critical("node: stopping: {}; exit code {}", cause.why, cause.exit_code);
  (*n)->shutdown();
  return cause.exit_code;
}

int run_ctl(const std::vector<std::string>& args) {
  // args: phase NAME --reason TEXT [--force] [--url URL] [--config FILE]
  if (args.size() < 2 || args[0] != "phase") {
    std::fprintf(stderr, "usage: tdmaker ctl phase NAME --reason TEXT [--force] [--url URL]\n");
    return 2;
  }
  std::string name = args[1], reason, url, config;
  bool force = false;
  for (std::size_t i = 2; i < args.size(); ++i) {
    if (args[i] == "--force") {
      force = true;
      continue;
    }
    if (i + 1 >= args.size()) {
      std::fprintf(stderr, "ctl: option %s needs a value\n", args[i].c_str());
      return 2;
    }
    if (args[i] == "--reason")
      reason = args[++i];
    else if (args[i] == "--url")
      url = args[++i];
    else if (args[i] == "--config")
      config = args[++i];
    else {
      std::fprintf(stderr, "ctl: unknown option %s\n", args[i].c_str());
      return 2;
    }
  }
  if (reason.empty()) {
    std::fprintf(stderr, "ctl: --reason TEXT is required\n");
    return 2;
  }
  auto token = take_secret_env("TDMAKER_CONTROL_TOKEN");
  if (token.empty()) {
    std::fprintf(stderr, "ctl: TDMAKER_CONTROL_TOKEN is not set\n");
    return 2;
  }
  if (url.empty()) {
    auto cfg = load_config(config);
    if (!cfg) {
      std::fprintf(stderr, "config error: %s\n", cfg.error().c_str());
      return 2;
    }
    auto host = cfg->http_listen.host;
    if (host == "0.0.0.0")
      host = "127.0.0.1";
    if (host.find(':') != std::string::npos)
      host = "[" + host + "]";
    url = "http://" + host + ":" + std::to_string(cfg->http_listen.port);
  }
  auto body = json::object_writer().str("phase", name).str("reason", reason).flag("force", force).take();
  auto r = http_call("POST", url + "/control/phase", body, token);
  if (!r) {
    std::fprintf(stderr, "ctl: %s\n", r.error().c_str());
    return 1;
  }
  if (r->status == 409) {
    // The gate refused: say what is missing, criterion by criterion.
    auto text = describe_gate_refusal(r->body);
    std::fprintf(stderr, "ctl: %s\n", text ? text->c_str() : r->body.c_str());
    std::fprintf(stderr, "ctl: use --force to override the gate (recorded as an override)\n");
    return 1;
  }
  std::printf("%s\n", r->body.c_str());
  if (r->status != 200) {
    std::fprintf(stderr, "ctl: node answered HTTP %d\n", r->status);
    return 1;
  }
  return 0;
}

int run_probe(const std::vector<std::string>& args) {
  std::string dir;
  long long count = 1000, window = 64;
  for (std::size_t i = 0; i + 1 < args.size(); i += 2) {
    if (args[i] == "--data")
      dir = args[i + 1];
    else if (args[i] == "--count")
      count = std::atoll(args[i + 1].c_str());
    else if (args[i] == "--window")
      window = std::atoll(args[i + 1].c_str());
    else {
      std::fprintf(stderr, "store-probe: unknown option %s\n", args[i].c_str());
      return 2;
    }
  }
  if (dir.empty() || count <= 0 || window <= 0 || args.size() % 2 != 0) {
    std::fprintf(stderr, "usage: tdmaker store-probe --data DIR [--count N] [--window W]\n");
    return 2;
  }
  return run_store_probe(dir, count, window);
}


// Prints the exact POST /order body for order parameters on stdin; the key comes
// from TDMAKER_PRIVATE_KEY and is never echoed.
/// Exit code of an export that printed every readable record but found unreadable ones.
constexpr int export_unreadable_exit = 3;

// Read-only, so it works while the node runs on the same data dir (issue 13).
int run_export(const export_query& q, const node_config& cfg) {
  auto env = lmdb_env::open_read_only(cfg.data_dir);
  if (!env) {
    std::fprintf(stderr, "export: %s\n", env.error().c_str());
    return 1;
  }
  std::vector<std::string> bad;
  auto text = [&]() -> result<std::string> {
    auto snap = (*env)->snapshot();
    if (!snap)
      return fail("store: " + snap.error());
    return export_text(*snap, q, bad);
  }();
  if (!text) {
    std::fprintf(stderr, "export: %s\n", text.error().c_str());
    return 1;
  }
  // The read transaction is closed before printing: a slow pipe reader does not pin
  // the writer's old pages.
  if (std::fwrite(text->data(), 1, text->size(), stdout) != text->size() || std::fflush(stdout) != 0) {
    std::fprintf(stderr, "export: cannot write the output\n");
    return 1;
  }
  // Every readable record is out; each unreadable one is named, and the exit code
  // tells a script that the export is not whole.
  for (auto& why : bad)
    std::fprintf(stderr, "export: %s\n", why.c_str());
  if (!bad.empty()) {
    std::fprintf(stderr, "export: %zu unreadable records left out\n", bad.size());
    return export_unreadable_exit;
  }
  return 0;
}

// phase status [--url URL | --config FILE] [--json] | phase history [export's options]
int run_phase(const std::vector<std::string>& args) {
  std::vector<std::string> rest(args.empty() ? args.end() : args.begin() + 1, args.end());
  if (!args.empty() && args[0] == "status") {
    auto q = parse_phase_status_args(rest);
    if (!q) {
      std::fprintf(stderr, "phase status: %s\n", q.error().c_str());
      return 2;
    }
    if (!q->url.empty())
      return run_phase_status(*q, q->url);
    auto cfg = load_config(q->config);
    if (!cfg) {
      std::fprintf(stderr, "config error: %s\n", cfg.error().c_str());
      return 2;
    }
    return run_phase_status(*q, node_base_url(*cfg));
  }
  if (!args.empty() && args[0] == "history") {
    auto q = parse_phase_history_args(rest);
    if (!q) {
      std::fprintf(stderr, "phase history: %s\n", q.error().c_str());
      return 2;
    }
    auto cfg = load_config(q->config);
    if (!cfg) {
      std::fprintf(stderr, "config error: %s\n", cfg.error().c_str());
      return 2;
    }
    return run_phase_history(*q, *cfg);
  }
  std::fprintf(stderr, "usage: tdmaker phase status [--url URL | --config FILE] [--json]\n"
                       "       tdmaker phase history [--from T] [--to T] [--format csv|jsonl] [--config FILE]\n");
  return 2;
}

int run_order_sign() {
  auto key = key_from_env("order-sign");
  if (!key) {
    std::fprintf(stderr, "%s\n", key.error().c_str());
    return 2;
  }
  std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  auto body = sign_order_json(input, *key);
  if (!body) {
    std::fprintf(stderr, "order-sign: %s\n", body.error().c_str());
    return 2;
  }
  std::printf("%s\n", body->c_str());
  return 0;
}

// auth-headers l1 [--timestamp T] [--nonce N]
// auth-headers l2 --method M --path P [--body B] [--timestamp T]   (creds from TDMAKER_API_*)
int run_auth_headers(const std::vector<std::string>& args) {
  constexpr const char* usage_line =
    "usage: tdmaker auth-headers l1 [--timestamp T] [--nonce N]\n"
    "       tdmaker auth-headers l2 --method M --path P [--body B] [--timestamp T]\n";
  if (args.empty() || (args[0] != "l1" && args[0] != "l2") || args.size() % 2 != 1) {
    std::fputs(usage_line, stderr);
    return 2;
  }
  std::int64_t ts = static_cast<std::int64_t>(std::time(nullptr));
  std::uint64_t nonce = 0;
  std::string method, path, body;
  auto digits = [](const std::string& v) {
    return !v.empty() && v.size() <= 18 && v.find_first_not_of("0123456789") == std::string::npos;
  };
  for (std::size_t i = 1; i + 1 < args.size(); i += 2) {
    const auto& k = args[i];
    const auto& v = args[i + 1];
    if (k == "--timestamp" && digits(v))
      ts = std::stoll(v);
    else if (k == "--nonce" && digits(v))
      nonce = std::stoull(v);
    else if (k == "--method" && (v == "GET" || v == "POST" || v == "DELETE" || v == "PUT"))
      method = v;
    else if (k == "--path" && !v.empty() && v[0] == '/')
      path = v.substr(0, v.find('?')); // L2 signs the path without its query
    else if (k == "--body")
      body = v;
    else {
      std::fprintf(stderr, "auth-headers: bad option or value: %s\n%s", k.c_str(), usage_line);
      return 2;
    }
  }
  auto key = key_from_env("auth-headers");
  if (!key) {
    std::fprintf(stderr, "%s\n", key.error().c_str());
    return 2;
  }
  if (args[0] == "l1") {
    std::printf("%s\n", headers_json(l1_headers(*key, ts, nonce)).c_str());
    return 0;
  }
  if (method.empty() || path.empty()) {
    std::fputs(usage_line, stderr);
    return 2;
  }
  api_credentials creds;
  for (auto [name, out] : {std::pair{"TDMAKER_API_KEY", &creds.key}, std::pair{"TDMAKER_API_SECRET", &creds.secret},
                           std::pair{"TDMAKER_API_PASSPHRASE", &creds.passphrase}}) {
    *out = take_secret_env(name);
    if (out->empty()) {
      std::fprintf(stderr, "auth-headers: %s is not set\n", name);
      return 2;
    }
  }
  auto h = l2_headers(*key, creds, ts, method, path, body);
  if (!h) {
    std::fprintf(stderr, "auth-headers: TDMAKER_API_SECRET: %s\n", h.error().c_str());
    return 2;
  }
  std::printf("%s\n", headers_json(*h).c_str());
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty())
    return run_node("");
  const auto& a = args[0];
  if (a == "--help" || a == "-h") {
    std::fputs(usage, stdout);
    return 0;
  }
  if (a == "--version") {
    std::printf("tdmaker %s (%s, %s)\n", build::version, build::commit, build::build_type);
    return 0;
  }
  if (a == "--config" && args.size() == 2)
    return run_node(args[1]);
  if (a == "--check-config" && args.size() == 2) {
    auto cfg = load_config(args[1]);
    if (!cfg) {
      std::fprintf(stderr, "config error: %s\n", cfg.error().c_str());
      return 2;
    }
    std::printf("config ok: %s\n", args[1].c_str());
    return 0;
  }
  if (a == "ctl")
    return run_ctl({args.begin() + 1, args.end()});
  if (a == "export") {
    auto q = parse_export_args({args.begin() + 1, args.end()});
    if (!q) {
      std::fprintf(stderr, "export: %s\n", q.error().c_str());
      return 2;
    }
    auto cfg = load_config(q->config);
    if (!cfg) {
      std::fprintf(stderr, "config error: %s\n", cfg.error().c_str());
      return 2;
    }
    return run_export(*q, *cfg);
  }
  if (a == "recording") {
    auto q = parse_recording_args({args.begin() + 1, args.end()});
    if (!q) {
      std::fprintf(stderr, "recording: %s\n", q.error().c_str());
      return 2;
    }
    if (q.value().dir.empty()) {
      auto cfg = load_config(q->range.config);
      if (!cfg) {
        std::fprintf(stderr, "config error: %s\n", cfg.error().c_str());
        return 2;
      }
      q.value().dir = (std::filesystem::path(cfg->data_dir) / "recording").string();
    }
    return run_recording(*q);
  }
  if (a == "candles")
    return run_candles({args.begin() + 1, args.end()}, load_config);
  if (a == "replay")
    return run_replay({args.begin() + 1, args.end()});
  if (a == "train")
    return run_train({args.begin() + 1, args.end()});
  if (a == "store-probe")
    return run_probe({args.begin() + 1, args.end()});
  if (a == "phase")
    return run_phase({args.begin() + 1, args.end()});
  if (a == "order-sign" && args.size() == 1)
    return run_order_sign();
  if (a == "auth-headers")
    return run_auth_headers({args.begin() + 1, args.end()});
  if (a == "venue-check" && (args.size() == 1 || (args.size() == 3 && args[1] == "--config"))) {
    auto cfg = load_config(args.size() == 3 ? args[2] : "");
    if (!cfg) {
      std::fprintf(stderr, "config error: %s\n", cfg.error().c_str());
      return 2;
    }
    auto key = key_from_env("venue-check");
    if (!key) {
      std::fprintf(stderr, "%s\n", key.error().c_str());
      return 2;
    }
    return run_venue_check(*cfg, *key);
  }
  std::fprintf(stderr, "tdmaker: unrecognised arguments (see tdmaker --help)\n");
  return 2;
}
