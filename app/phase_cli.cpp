#include "app/phase_cli.hpp"

#include <cstdio>
#include <vector>

#include "app/ctl_client.hpp"
#include "app/node.hpp" // exit_store_corrupt
#include "core/phase_history.hpp"
#include "core/redact.hpp"
#include "db/lmdb_env.hpp"

namespace tdmaker {
namespace {

constexpr std::string_view history_prefix = "history/";

bool write_out(const std::string& text) {
  return std::fwrite(text.data(), 1, text.size(), stdout) == text.size() && std::fflush(stdout) == 0;
}

struct history_read {
  std::vector<phase_transition> rows;
  std::vector<std::string> unreadable; // "<key> unreadable: <decoder's error>"
};

/// One read transaction: a consistent snapshot even while the node commits beside it.
result<history_read> read_history(const lmdb_env& env, const export_query& q) {
  auto snap = env.snapshot();
  if (!snap)
    return fail("store: " + snap.error());
  auto rows = snap->scan(record_db::phase, history_prefix);
  if (!rows)
    return fail("store: " + rows.error());
  history_read out;
  for (auto& row : rows->rows) {
    auto t = decode_phase_transition(row.payload);
    if (!t)
      out.unreadable.push_back("phase/" + row.key + " unreadable: " + t.error());
    else if (t->ts_ms >= q.from_ms && t->ts_ms < q.to_ms)
      out.rows.push_back(std::move(t).value());
  }
  return out;
}

} // namespace

std::string node_base_url(const node_config& cfg) {
  auto host = cfg.http_listen.host;
  if (host == "0.0.0.0")
    host = "127.0.0.1";
  if (host.find(':') != std::string::npos)
    host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(cfg.http_listen.port);
}

int run_phase_status(const phase_status_query& q, const std::string& base_url) {
  auto r = http_call("GET", base_url + "/phase", "", "");
  if (!r) {
    std::fprintf(stderr, "phase status: %s\n", r.error().c_str());
    return 1;
  }
  if (r->status != 200) {
    std::fprintf(stderr, "phase status: node answered HTTP %d: %s\n", r->status, log_escape(r->body).c_str());
    return 1;
  }
  if (q.json)
    return write_out(r->body + "\n") ? 0 : 1;
  auto text = phase_status_text(r->body);
  if (!text) {
    std::fprintf(stderr, "phase status: %s\n", text.error().c_str());
    return 1;
  }
  return write_out(*text) ? 0 : 1;
}

// Read-only, so it works while the node runs on the same data dir (like run_export).
int run_phase_history(const export_query& q, const node_config& cfg) {
  auto env = lmdb_env::open_read_only(cfg.data_dir);
  if (!env) {
    std::fprintf(stderr, "phase history: %s\n", env.error().c_str());
    return 1;
  }
  auto read = read_history(**env, q);
  if (!read) {
    std::fprintf(stderr, "phase history: %s\n", read.error().c_str());
    return 1;
  }
  // The read transaction is closed before printing: a slow pipe reader does not
  // pin the writer's old pages.
  auto text = q.csv ? phase_history_csv(read->rows) : phase_history_jsonl(read->rows);
  if (!write_out(text)) {
    std::fprintf(stderr, "phase history: cannot write the output\n");
    return 1;
  }
  for (auto& bad : read->unreadable)
    std::fprintf(stderr, "phase history: record %s\n", log_escape(bad).c_str());
  return read->unreadable.empty() ? 0 : exit_store_corrupt;
}

} // namespace tdmaker
