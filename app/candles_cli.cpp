#include "app/candles_cli.hpp"

#include <cstdio>

#include "core/candle_query.hpp"
#include "core/config.hpp"
#include "core/redact.hpp"
#include "db/lmdb_env.hpp"

namespace tdmaker {

namespace {

constexpr std::size_t page_rows = 10'000;

/// Prints the query's candles page by page from one read transaction (one
/// consistent state); unreadable ones are named on stderr and counted.
result<std::size_t> print_range(const lmdb_snapshot& snap, const candle_query& q) {
  std::size_t bad = 0;
  bool first_page = true;
  auto from = candle_from_key(q);
  const auto to = candle_to_key(q);
  for (;;) {
    auto page = snap.range(record_db::candles, from, to, page_rows);
    if (!page)
      return fail(page.error());
    std::vector<stored_candle> rows;
    for (const auto& r : page->rows) {
      auto c = decode_candle(r.payload);
      if (c) {
        rows.push_back(std::move(c).value());
        continue;
      }
      ++bad;
      std::fprintf(stderr, "candles: %s: %s\n", describe_candle_key(r.key).c_str(), log_escape(c.error()).c_str());
    }
    auto text = render_candles(q, rows, false, 0);
    if (!first_page && q.format == candle_format::csv)
      text.erase(0, text.find('\n') + 1); // the header once
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size())
      return fail("cannot write the output");
    first_page = false;
    if (page->rows.size() < page_rows)
      return bad;
    from = page->rows.back().key + std::string(1, '\0'); // the next key after the last one
  }
}

} // namespace

int run_candles(const std::vector<std::string>& args, result<node_config> (*load_config)(const std::string&)) {
  auto q = parse_candle_args(args);
  if (!q) {
    std::fprintf(stderr, "candles: %s\nusage: tdmaker candles --stream btc/usd --from T --to T [--format csv|jsonl] "
                         "[--config FILE | --data-dir DIR]\n", q.error().c_str());
    return 2;
  }
  std::string dir = q->data_dir;
  if (dir.empty()) {
    auto cfg = load_config(q->config);
    if (!cfg) {
      std::fprintf(stderr, "config error: %s\n", cfg.error().c_str());
      return 2;
    }
    dir = cfg->data_dir;
  }
  auto env = lmdb_env::open_read_only(dir);
  if (!env) {
    std::fprintf(stderr, "candles: %s\n", env.error().c_str());
    return 1;
  }
  auto snap = (*env)->snapshot();
  if (!snap) {
    std::fprintf(stderr, "candles: %s\n", snap.error().c_str());
    return 1;
  }
  auto bad = print_range(*snap, *q);
  if (!bad) {
    std::fprintf(stderr, "candles: %s\n", bad.error().c_str());
    return 1;
  }
  if (*bad > 0) {
    std::fprintf(stderr, "candles: %zu unreadable candles left out\n", *bad);
    return 3;
  }
  return 0;
}

} // namespace tdmaker
