#include "core/ledger_export.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>

#include "core/gamma_codec.hpp" // parse_iso8601_utc
#include "core/order_wire.hpp"  // to_string(order_side)

namespace tdmaker {

namespace {

bool in_range(std::int64_t ts_ms, const export_query& q) { return ts_ms >= q.from_ms && ts_ms < q.to_ms; }

} // namespace

result<std::int64_t> time_ms(std::string_view text) {
  std::int64_t s = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), s);
  // The bound (year 9999) keeps s * 1000 far from overflow.
  if (ec == std::errc() && p == text.data() + text.size() && s >= 0 && s <= 253'402'300'799)
    return s * 1000;
  auto iso = parse_iso8601_utc(text);
  if (!iso)
    return fail("expected Unix seconds or an ISO-8601 UTC time, got '" + std::string(text.substr(0, 64)) + "'");
  return *iso * 1000;
}

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos)
    return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"')
      out += '"';
    out += c;
  }
  return out + "\"";
}

std::string iso8601_utc_ms(std::int64_t ts_ms) {
  // Floor division, so a time before the epoch shows its own second, not the next.
  std::int64_t secs = ts_ms / 1000 - (ts_ms % 1000 < 0 ? 1 : 0);
  auto ms = static_cast<int>(ts_ms - secs * 1000);
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
  char full[48];
  std::snprintf(full, sizeof full, "%s.%03dZ", date, ms);
  return full;
}

result<export_query> parse_export_args(const std::vector<std::string>& args) {
  if (args.empty() || (args[0] != "orders" && args[0] != "trades" && args[0] != "settlements"))
    return fail("export what? orders, trades or settlements");
  export_query q;
  q.kind = args[0];
  if (auto ok = parse_export_options(args, 1, q); !ok)
    return fail(ok.error());
  return q;
}

result<bool> parse_export_options(const std::vector<std::string>& args, std::size_t first, export_query& q) {
  for (std::size_t i = first; i < args.size(); i += 2) {
    const auto& flag = args[i];
    if (i + 1 >= args.size())
      return fail(flag + " needs a value");
    const auto& v = args[i + 1];
    if (flag == "--from" || flag == "--to") {
      auto t = time_ms(v);
      if (!t)
        return fail(flag + ": " + t.error());
      (flag == "--from" ? q.from_ms : q.to_ms) = *t;
    } else if (flag == "--format") {
      if (v != "csv" && v != "jsonl")
        return fail("--format must be csv or jsonl");
      q.csv = v == "csv";
    } else if (flag == "--config") {
      q.config = v;
    } else {
      return fail("unknown option " + flag);
    }
  }
  if (q.from_ms >= q.to_ms)
    return fail("--from must be before --to");
  return true;
}

std::string export_trades(std::vector<fill_record> fills, const export_query& q) {
  std::stable_sort(fills.begin(), fills.end(), [](auto& a, auto& b) { return a.ts_ms < b.ts_ms; });
  std::string out;
  if (q.csv)
    out = "ts_ms,trade_id,order_id,market,token,side,price,size,cash,fee,role,status,reversed,source,strategy\n";
  for (auto& f : fills) {
    if (!in_range(f.ts_ms, q))
      continue;
    if (!q.csv) {
      out += encode(f) + "\n";
      continue;
    }
    out += std::to_string(f.ts_ms) + "," + f.trade_id + "," + f.order_id + "," + f.market.hex + "," + f.token.digits
           + "," + (f.side == order_side::buy ? "BUY" : "SELL") + "," + to_string(f.px) + "," + to_string(f.size)
           + "," + to_string(fill_cash(f.size, f.px)) + "," + to_string(f.fee) + "," + (f.taker ? "TAKER" : "MAKER")
           + "," + std::string(to_string(f.status)) + "," + (f.reversed ? "true" : "false") + ","
           + std::string(to_string(f.source)) + "," + std::string(to_string(f.strategy)) + "\n";
  }
  return out;
}

std::string export_orders(std::vector<order_record> orders, const export_query& q) {
  std::stable_sort(orders.begin(), orders.end(), [](auto& a, auto& b) { return a.created_ms < b.created_ms; });
  std::string out;
  if (q.csv)
    out = "created_ms,updated_ms,order_id,client_id,market,token,rung,side,price,size,matched,reserved,state,paper,"
          "slot_end_s,reason,strategy\n";
  for (auto& o : orders) {
    if (!in_range(o.created_ms, q))
      continue;
    if (!q.csv) {
      out += encode(o) + "\n";
      continue;
    }
    out += std::to_string(o.created_ms) + "," + std::to_string(o.updated_ms) + "," + o.order_id + ","
           + csv_field(o.client_id) + "," + o.market.hex + "," + o.token.digits + "," + std::to_string(o.rung) + ","
           + std::string(to_string(o.side)) + "," + to_string(o.px) + "," + to_string(o.size) + ","
           + to_string(o.matched) + "," + to_string(o.reserved) + "," + std::string(to_string(o.state)) + ","
           + (o.paper ? "true" : "false") + "," + std::to_string(o.slot_end_s) + "," + csv_field(o.reason) + ","
           + std::string(to_string(o.strategy)) + "\n";
  }
  return out;
}

std::string export_settlements(std::vector<settlement_record> rows, const export_query& q) {
  std::stable_sort(rows.begin(), rows.end(), [](auto& a, auto& b) { return a.settled_ms < b.settled_ms; });
  std::string out;
  if (q.csv)
    out = "settled_ms,market,winner,method,held,payout,cost,proceeds,fees,pnl,fills,strategy\n";
  for (auto& s : rows) {
    if (!in_range(s.settled_ms, q))
      continue;
    // A record older than strategies is exported as the TD maker's, in both forms.
    auto split = split_of(s);
    if (!q.csv) {
      s.by_strategy = split;
      out += encode(s) + "\n";
      continue;
    }
    // One row per strategy's share, so a spreadsheet sums a strategy's PnL by
    // filtering one column; the shares of a market sum to its record.
    for (auto& e : split)
      out += std::to_string(s.settled_ms) + "," + s.market.hex + "," + s.winner + ","
             + std::string(to_string(s.method)) + "," + to_string(e.held) + "," + to_string(e.payout) + ","
             + to_string(e.cost) + "," + to_string(e.proceeds) + "," + to_string(e.fees) + "," + to_string(e.pnl)
             + "," + std::to_string(e.fills) + "," + std::string(to_string(e.strategy)) + "\n";
  }
  return out;
}

} // namespace tdmaker
