#include "core/phase_status.hpp"

#include "core/json_read.hpp"
#include "core/json_write.hpp"

namespace tdmaker {
namespace {

/// A ppm ratio as a decimal ("0.6"), "" when undefined: the same exact
/// formatting as money, since both are millionths.
std::string ratio_text(std::int64_t ppm) {
  return ppm == performance_figures::undefined ? std::string() : to_string(usdc{ppm});
}

void write_figures(json::object_writer& w, const performance_figures& f) {
  w.num("trades", f.trades)
    .num("wins", f.wins)
    .num("losses", f.losses)
    .num("sessions", f.sessions)
    .str("win_rate", ratio_text(f.win_rate_ppm))
    .str("avg_win", to_string(f.avg_win))
    .str("avg_loss", to_string(f.avg_loss))
    .str("rr", ratio_text(f.rr_ppm))
    .str("pnl", to_string(f.pnl))
    .str("largest_loss", to_string(f.largest_loss))
    .num("loss_streak", f.loss_streak)
    .num("max_loss_streak", f.max_loss_streak)
    .str("max_drawdown", to_string(f.max_drawdown));
}

void write_criteria(json::object_writer& w, std::string_view key, const std::vector<criterion>& cs) {
  w.open_array(key);
  for (auto& c : cs)
    w.open().str("criterion", c.name).str("value", c.value).str("threshold", c.threshold).flag("pass", c.pass).close();
  w.close_array();
}

const criterion* find_criterion(const std::vector<criterion>& cs, std::string_view name) {
  for (auto& c : cs)
    if (c.name == name)
      return &c;
  return nullptr;
}

std::string shown(const std::string& value) { return value.empty() ? "n/a" : value; }

} // namespace

std::string transition_name(phase from, phase to) {
  if (from == to)
    return {};
  return std::string(to_string(from)) + "->" + std::string(to_string(to));
}

phase_status make_phase_status(const phase_record& record, bool upgrade_proposed, const performance_tracker& t,
                               const phase_policy& p, std::int64_t now_ms) {
  phase_status s;
  auto cur = record.current;
  trade_filter book{is_paper_only(cur), record.since_ms};
  s.record = record;
  s.auto_upgrade = p.auto_upgrade;
  s.upgrade_proposed = upgrade_proposed;
  s.gate = evaluate_gate(cur, record.since_ms, now_ms, t, p);
  s.downgrade = evaluate_downgrade(cur, record.since_ms, now_ms, t, p);
  const auto& clock = t.clock();
  s.session = clock.index(now_ms);
  s.session_start_ms = clock.start_ms(s.session);
  s.session_end_ms = clock.end_ms(s.session);
  s.session_figures = t.session(s.session, book);
  // The rolling windows report the book's whole record, not only this phase's.
  for (auto n : rolling_windows)
    s.windows.emplace_back(n, t.window(n, now_ms, trade_filter{book.paper, 0}));
  return s;
}

std::string performance_figures_json(const performance_figures& f) {
  json::object_writer w;
  write_figures(w, f);
  return w.take();
}

std::string phase_status_json(const phase_status& s) {
  json::object_writer w;
  w.str("phase", to_string(s.record.current))
    .str("previous", to_string(s.record.previous))
    .num("since_ms", s.record.since_ms)
    .str("source", s.record.source)
    .str("reason", s.record.reason)
    .flag("auto_upgrade", s.auto_upgrade)
    .flag("upgrade_proposed", s.upgrade_proposed);
  w.open("gate").str("transition", transition_name(s.gate.from, s.gate.to)).flag("pass", s.gate.pass);
  write_criteria(w, "criteria", s.gate.criteria);
  w.close();
  w.open("downgrade").flag("fire", s.downgrade.fire).str("trigger", s.downgrade.trigger);
  write_criteria(w, "watch", s.downgrade.watch);
  w.close();
  auto& f = s.session_figures;
  w.open("session")
    .num("index", s.session)
    .num("start_ms", s.session_start_ms)
    .num("end_ms", s.session_end_ms)
    .num("trades", f.trades)
    .num("wins", f.wins)
    .num("losses", f.losses)
    .str("win_rate", ratio_text(f.win_rate_ppm))
    .str("pnl", to_string(f.pnl))
    .num("loss_streak", f.loss_streak)
    .close();
  w.open("windows");
  for (auto& [sessions, figures] : s.windows) {
    w.open(std::to_string(sessions));
    write_figures(w, figures);
    w.close();
  }
  w.close();
  return w.take();
}

std::string criterion_failure_text(const criterion& c) {
  // The comparison the criterion failed: a minimum was not reached, a maximum
  // was passed, the PnL was not above zero.
  std::string_view op = "vs";
  if (c.name.rfind("min_", 0) == 0)
    op = "<";
  else if (c.name.rfind("max_", 0) == 0)
    op = ">";
  else if (c.name == "positive_pnl")
    op = "<=";
  return c.name + " " + shown(c.value) + " " + std::string(op) + " " + c.threshold;
}

std::string gate_refusal_text(const gate_report& g) {
  std::string out = "gate " + transition_name(g.from, g.to) + " not met";
  std::string_view sep = ": ";
  for (auto& c : g.criteria)
    if (!c.pass) {
      out.append(sep).append(criterion_failure_text(c));
      sep = "; ";
    }
  return out;
}

std::string gate_refusal_json(const gate_report& g, std::string_view error) {
  json::object_writer w;
  w.str("error", error).str("transition", transition_name(g.from, g.to));
  w.open_array("failing");
  for (auto& c : g.criteria)
    if (!c.pass)
      w.open().str("criterion", c.name).str("value", c.value).str("threshold", c.threshold).close();
  w.close_array();
  write_criteria(w, "criteria", g.criteria);
  return w.take();
}

result<std::string> describe_gate_refusal(std::string_view body) {
  rapidjson::Document doc;
  if (auto ok = json::parse_object(doc, body); !ok)
    return fail(ok.error());
  auto error = json::get_string(doc, "error");
  if (!error)
    return fail(error.error());
  if (!doc.HasMember("failing") || !doc["failing"].IsArray())
    return fail("missing field 'failing'");
  std::string out = "refused: " + *error;
  for (auto& f : doc["failing"].GetArray()) {
    if (!f.IsObject())
      return fail("field 'failing' must hold objects");
    auto name = json::get_string(f, "criterion");
    auto value = json::get_string(f, "value");
    auto threshold = json::get_string(f, "threshold");
    if (!name || !value || !threshold)
      return fail(!name ? name.error() : !value ? value.error() : threshold.error());
    out += "\n  " + criterion_failure_text(criterion{*name, *value, *threshold, false, 0, 0});
  }
  return out;
}

std::string phase_switch_json(const phase_record& r, bool override_) {
  json::object_writer w;
  w.str("phase", to_string(r.current))
    .str("previous", to_string(r.previous))
    .num("since_ms", r.since_ms)
    .str("reason", r.reason)
    .str("source", r.source);
  if (override_)
    w.flag("override", true);
  return w.take();
}

std::string downgrade_sentence(const downgrade_report& r) {
  if (!r.fire)
    return {};
  auto* c = find_criterion(r.watch, r.trigger);
  std::string v = c ? shown(c->value) : "n/a", t = c ? c->threshold : "n/a";
  if (r.trigger == "consecutive_losses")
    return v + " consecutive losses (threshold " + t + ")";
  if (r.trigger == "rolling_win_rate")
    return "rolling win rate " + v + " below " + t;
  if (r.trigger == "session_loss")
    return "session PnL " + v + " below " + t + " (max session loss)";
  return r.trigger + " " + v + " (threshold " + t + ")";
}

} // namespace tdmaker
