#include "core/phase_history.hpp"

#include <algorithm>
#include <array>
#include <cinttypes>
#include <cstdio>
#include <limits>

#include <rapidjson/document.h>

#include "core/decimal.hpp"
#include "core/json_read.hpp"
#include "core/json_write.hpp"
#include "core/ledger_export.hpp" // csv_field, iso8601_utc_ms

namespace tdmaker {
namespace {

constexpr std::array<std::pair<transition_kind, std::string_view>, 7> kind_names{{
  {transition_kind::upgrade, "upgrade"},
  {transition_kind::downgrade, "downgrade"},
  {transition_kind::switch_, "switch"},
  {transition_kind::override_, "override"},
  {transition_kind::refusal, "refusal"},
  {transition_kind::proposal, "proposal"},
  {transition_kind::initial, "initial"},
}};

constexpr std::array<std::string_view, 9> criterion_names{
  "min_sessions",       "min_trades",       "min_win_rate", "min_rr",      "positive_pnl",
  "max_drawdown",       "consecutive_losses", "rolling_win_rate", "session_loss"};

constexpr std::size_t max_criteria = 32;
constexpr auto undefined = performance_figures::undefined;

void write_figures(json::object_writer& w, const performance_figures& f) {
  w.open("figures")
    .num("trades", f.trades)
    .num("wins", f.wins)
    .num("losses", f.losses)
    .num("sessions", f.sessions)
    .num("win_rate_ppm", f.win_rate_ppm)
    .str("avg_win", to_string(f.avg_win))
    .str("avg_loss", to_string(f.avg_loss))
    .num("rr_ppm", f.rr_ppm)
    .str("pnl", to_string(f.pnl))
    .str("largest_loss", to_string(f.largest_loss))
    .num("loss_streak", f.loss_streak)
    .num("max_loss_streak", f.max_loss_streak)
    .str("max_drawdown", to_string(f.max_drawdown))
    .close();
}

/// Reads the fields a decoder needs with one error; adds range checks to field_reader.
struct strict_reader {
  json::field_reader in;
  explicit strict_reader(const rapidjson::Value& v) : in(v) {}

  std::uint32_t count(const char* key) {
    auto v = in.num(key);
    if (v < 0 || v > std::numeric_limits<std::uint32_t>::max())
      in.note(std::string(key) + ": out of range");
    return static_cast<std::uint32_t>(v);
  }
  std::int64_t ppm(const char* key, std::int64_t max) {
    auto v = in.num(key);
    if (v < undefined || v > max)
      in.note(std::string(key) + ": out of range");
    return v;
  }
  usdc amount(const char* key, bool magnitude) {
    usdc out;
    in.check(parse_usdc(in.str(key)), out, key);
    if (magnitude && out.micros < 0)
      in.note(std::string(key) + ": must not be negative");
    return out;
  }
  /// "" (an undefined figure) or an exact decimal of at most 6 places.
  std::string figure_text(const char* key) {
    auto s = in.str(key);
    if (!s.empty() && !parse_usdc(s))
      in.note(std::string(key) + ": not a decimal figure");
    return s;
  }
  bool flag(const rapidjson::Value& obj, const char* key) {
    auto v = json::get_bool(obj, key);
    if (!v)
      in.note(v.error());
    return v ? *v : false;
  }
};

result<performance_figures> read_figures(const rapidjson::Value& obj) {
  if (!obj.IsObject())
    return fail("figures: not an object");
  strict_reader r(obj);
  performance_figures f;
  f.trades = r.count("trades");
  f.wins = r.count("wins");
  f.losses = r.count("losses");
  f.sessions = r.count("sessions");
  f.win_rate_ppm = r.ppm("win_rate_ppm", 1'000'000);
  f.avg_win = r.amount("avg_win", true);
  f.avg_loss = r.amount("avg_loss", true);
  f.rr_ppm = r.ppm("rr_ppm", std::numeric_limits<std::int64_t>::max());
  f.pnl = r.amount("pnl", false);
  f.largest_loss = r.amount("largest_loss", true);
  f.loss_streak = r.count("loss_streak");
  f.max_loss_streak = r.count("max_loss_streak");
  f.max_drawdown = r.amount("max_drawdown", true);
  if (r.in.ok() && f.wins + static_cast<std::uint64_t>(f.losses) > f.trades)
    r.in.note("wins + losses exceed trades");
  if (!r.in.ok())
    return fail("figures: " + r.in.error());
  return f;
}

result<criterion> read_criterion(const rapidjson::Value& obj) {
  if (!obj.IsObject())
    return fail("criterion: not an object");
  strict_reader r(obj);
  criterion c;
  c.name = r.in.str("criterion");
  c.value = r.figure_text("value");
  c.threshold = r.figure_text("threshold");
  c.pass = r.flag(obj, "pass");
  c.value_micros = r.in.num("value_micros");
  c.threshold_micros = r.in.num("threshold_micros");
  if (r.in.ok() && std::find(criterion_names.begin(), criterion_names.end(), c.name) == criterion_names.end())
    r.in.note("unknown criterion '" + c.name.substr(0, 40) + "'");
  if (!r.in.ok())
    return fail("criterion: " + r.in.error());
  return c;
}

/// A canonical phase name, as the encoder writes it.
result<phase> read_phase(json::field_reader& in, const char* key) {
  auto s = in.str(key);
  auto p = parse_phase(s);
  if (!p)
    return fail(std::string(key) + ": " + p.error());
  if (to_string(*p) != s)
    return fail(std::string(key) + ": not the canonical name '" + std::string(to_string(*p)) + "'");
  return p;
}

/// "min_trades=3<20;min_win_rate=<0.600000": the criteria that did not pass.
std::string failing_text(const std::vector<criterion>& cs) {
  std::string out;
  for (const auto& c : cs) {
    if (c.pass)
      continue;
    if (!out.empty())
      out += ';';
    out += c.name + "=" + c.value + "<" + c.threshold;
  }
  return out;
}

} // namespace

std::string_view to_string(transition_kind k) {
  for (const auto& [kind, name] : kind_names)
    if (kind == k)
      return name;
  return "unknown";
}

result<transition_kind> parse_transition_kind(std::string_view s) {
  for (const auto& [kind, name] : kind_names)
    if (name == s)
      return kind;
  return fail("unknown transition kind '" + std::string(s.substr(0, 40))
              + "' (expected upgrade, downgrade, switch, override, refusal, proposal or initial)");
}

std::string history_key(const phase_transition& t) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "history/%015lld/%06u", static_cast<long long>(t.ts_ms),
                static_cast<unsigned>(t.seq));
  return buf;
}

std::string encode(const phase_transition& t) {
  json::object_writer w;
  w.num("ts_ms", t.ts_ms)
    .num("seq", t.seq)
    .str("kind", to_string(t.kind))
    .str("from", to_string(t.from))
    .str("to", to_string(t.to))
    .str("source", t.source)
    .str("reason", t.reason)
    .str("trigger", t.trigger)
    .open_array("criteria");
  for (const auto& c : t.criteria)
    w.open()
      .str("criterion", c.name)
      .str("value", c.value)
      .str("threshold", c.threshold)
      .flag("pass", c.pass)
      .num("value_micros", c.value_micros)
      .num("threshold_micros", c.threshold_micros)
      .close();
  w.close_array();
  write_figures(w, t.figures);
  return w.take();
}

result<phase_transition> decode_phase_transition(std::string_view text) {
  rapidjson::Document doc;
  if (auto ok = json::parse_object(doc, text); !ok)
    return fail("phase transition: " + ok.error());
  json::field_reader in(doc);
  phase_transition t;
  t.ts_ms = in.num("ts_ms");
  auto seq = in.num("seq");
  if (seq < 0 || seq > std::numeric_limits<std::uint32_t>::max())
    in.note("seq: out of range");
  t.seq = static_cast<std::uint32_t>(seq);
  in.check(parse_transition_kind(in.str("kind")), t.kind, "kind");
  in.check(read_phase(in, "from"), t.from, "phase");
  in.check(read_phase(in, "to"), t.to, "phase");
  t.source = in.str("source");
  t.reason = in.str("reason");
  t.trigger = in.str("trigger");
  auto cs = doc.FindMember("criteria");
  if (cs == doc.MemberEnd() || !cs->value.IsArray())
    in.note("missing 'criteria' array");
  else if (cs->value.Size() > max_criteria)
    in.note("more than " + std::to_string(max_criteria) + " criteria");
  else
    for (const auto& c : cs->value.GetArray()) {
      auto parsed = read_criterion(c);
      if (!parsed) {
        in.note(parsed.error());
        break;
      }
      t.criteria.push_back(std::move(parsed).value());
    }
  auto fig = doc.FindMember("figures");
  if (fig == doc.MemberEnd())
    in.note("missing field 'figures'");
  else
    in.check(read_figures(fig->value), t.figures, "figures");
  if (!in.ok())
    return fail("phase transition: " + in.error());
  return t;
}

std::string phase_history_csv(const std::vector<phase_transition>& rows) {
  std::string out = "ts_ms,time,kind,from,to,source,reason,trigger,trades,wins,losses,win_rate,pnl,failing\n";
  for (const auto& t : rows) {
    const auto& f = t.figures;
    out += std::to_string(t.ts_ms) + "," + iso8601_utc_ms(t.ts_ms) + "," + std::string(to_string(t.kind)) + ","
           + std::string(to_string(t.from)) + "," + std::string(to_string(t.to)) + "," + csv_field(t.source) + ","
           + csv_field(t.reason) + "," + csv_field(t.trigger) + "," + std::to_string(f.trades) + ","
           + std::to_string(f.wins) + "," + std::to_string(f.losses) + ","
           + (f.win_rate_ppm == undefined ? std::string() : format_micros6(f.win_rate_ppm)) + ","
           + to_string(f.pnl) + "," + csv_field(failing_text(t.criteria)) + "\n";
  }
  return out;
}

std::string phase_history_jsonl(const std::vector<phase_transition>& rows) {
  std::string out;
  for (const auto& t : rows)
    out += encode(t) + "\n";
  return out;
}

} // namespace tdmaker
