#include "core/candle_query.hpp"

#include <algorithm>

#include "core/bytes.hpp" // hex_digit
#include "core/decimal.hpp"
#include "core/json_write.hpp"
#include "core/ledger_export.hpp" // time_ms, iso8601_utc_ms, csv_field

namespace tdmaker {
namespace {

/// Sets one field of `q` from a flag or query key; false when the key is not one.
result<bool> set_field(candle_query& q, std::string_view key, std::string_view v, bool http) {
  if (key == "stream") {
    auto k = parse_candle_stream(v);
    if (!k)
      return fail(k.error());
    q.stream = std::string(v);
    q.kind = *k;
  } else if (key == "from" || key == "to") {
    auto t = time_ms(v);
    if (!t)
      return fail(std::string(key) + ": " + t.error());
    (key == "from" ? q.from_ms : q.to_ms) = *t;
  } else if (key == "format") {
    if (v == "csv")
      q.format = candle_format::csv;
    else if (v == "jsonl")
      q.format = candle_format::jsonl;
    else if (v == "json" && http)
      q.format = candle_format::json;
    else
      return fail(http ? "format must be json, csv or jsonl" : "--format must be csv or jsonl");
  } else if (!http && key == "config") {
    q.config = std::string(v);
  } else if (!http && key == "data-dir") {
    q.data_dir = std::string(v);
  } else {
    return false;
  }
  return true;
}

result<bool> check_complete(const candle_query& q, bool seen_from, bool seen_to, const char* dash) {
  if (q.stream.empty())
    return fail(std::string(dash) + "stream is required (btc/usd, <token_id>/mid, <token_id>/last)");
  if (!seen_from || !seen_to)
    return fail(std::string(dash) + "from and " + dash + "to are required");
  if (q.from_ms >= q.to_ms)
    return fail(std::string(dash) + "from must be before " + dash + "to");
  if (!q.config.empty() && !q.data_dir.empty())
    return fail("--config and --data-dir: give one");
  return true;
}

result<std::string> percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i] == '+' ? ' ' : s[i]);
      continue;
    }
    int hi = i + 2 < s.size() ? hex_digit(s[i + 1]) : -1, lo = hi >= 0 ? hex_digit(s[i + 2]) : -1;
    if (lo < 0)
      return fail("a bad %-escape in the query");
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

std::string value_text(candle_kind k, std::int64_t v) { return format_fixed(v, k == candle_kind::ref ? 8 : 6); }

void write_fields(json::object_writer& w, const candle_query& q, const candle& c) {
  w.num("start_ms", c.start_ms).str("start", iso8601_utc_ms(c.start_ms));
  w.str("open", value_text(q.kind, c.open)).str("high", value_text(q.kind, c.high));
  w.str("low", value_text(q.kind, c.low)).str("close", value_text(q.kind, c.close));
  w.str("volume", format_fixed(c.volume, 6)).num("ticks", c.ticks).flag("filled", (c.flags & candle_filled) != 0);
}

} // namespace

result<candle_query> parse_candle_args(const std::vector<std::string>& args) {
  candle_query q;
  bool from = false, to = false;
  for (std::size_t i = 0; i < args.size(); i += 2) {
    const auto& flag = args[i];
    if (!flag.starts_with("--"))
      return fail("unexpected argument '" + flag.substr(0, 64) + "'");
    if (i + 1 >= args.size())
      return fail(flag + " needs a value");
    auto key = std::string_view(flag).substr(2);
    auto ok = set_field(q, key, args[i + 1], false);
    if (!ok)
      return fail(flag + ": " + ok.error());
    if (!*ok)
      return fail("unknown option " + flag.substr(0, 64));
    from = from || key == "from";
    to = to || key == "to";
  }
  if (auto ok = check_complete(q, from, to, "--"); !ok)
    return fail(ok.error());
  return q;
}

result<candle_query> parse_candle_http_query(std::string_view query) {
  candle_query q;
  q.format = candle_format::json;
  std::vector<std::string> seen;
  for (std::size_t pos = 0; pos < query.size();) {
    auto amp = query.find('&', pos);
    auto kv = query.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
    pos = amp == std::string_view::npos ? query.size() : amp + 1;
    if (kv.empty())
      continue;
    auto eq = kv.find('=');
    auto key = percent_decode(kv.substr(0, eq));
    auto value = percent_decode(eq == std::string_view::npos ? std::string_view() : kv.substr(eq + 1));
    if (!key || !value)
      return fail(!key ? key.error() : value.error());
    for (const auto& s : seen)
      if (s == *key)
        return fail("'" + s + "' given twice");
    auto ok = set_field(q, *key, *value, true);
    if (!ok)
      return fail(*key + ": " + ok.error());
    if (!*ok)
      return fail("unknown parameter '" + key->substr(0, 64) + "' (stream, from, to, format)");
    seen.push_back(*key);
  }
  auto has = [&](const char* k) { return std::find(seen.begin(), seen.end(), k) != seen.end(); };
  if (auto ok = check_complete(q, has("from"), has("to"), ""); !ok)
    return fail(ok.error());
  return q;
}

std::string candle_from_key(const candle_query& q) { return candle_key(q.stream, q.from_ms); }
std::string candle_to_key(const candle_query& q) { return candle_key(q.stream, q.to_ms); }

std::string render_candles(const candle_query& q, const std::vector<stored_candle>& rows, bool truncated,
                           std::uint32_t limit) {
  std::string out;
  if (q.format == candle_format::csv) {
    out = "start,start_ms,open,high,low,close,volume,ticks,filled\n";
    for (const auto& r : rows) {
      const auto& c = r.c;
      out += iso8601_utc_ms(c.start_ms) + "," + std::to_string(c.start_ms) + "," + value_text(q.kind, c.open) + ","
             + value_text(q.kind, c.high) + "," + value_text(q.kind, c.low) + "," + value_text(q.kind, c.close) + ","
             + format_fixed(c.volume, 6) + "," + std::to_string(c.ticks) + ","
             + ((c.flags & candle_filled) ? "true" : "false") + "\n";
    }
    return out;
  }
  if (q.format == candle_format::jsonl) {
    for (const auto& r : rows) {
      json::object_writer w;
      w.str("stream", q.stream);
      write_fields(w, q, r.c);
      out += w.take() + "\n";
    }
    return out;
  }
  json::object_writer w;
  w.str("stream", q.stream).str("kind", to_string(q.kind)).num("from_ms", q.from_ms).num("to_ms", q.to_ms);
  w.num("limit", limit).flag("truncated", truncated).num("count", rows.size()).open_array("candles");
  for (const auto& r : rows) {
    w.open();
    write_fields(w, q, r.c);
    w.close();
  }
  w.close_array();
  return w.take();
}

} // namespace tdmaker
