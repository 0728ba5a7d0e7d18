#include "core/phase_command.hpp"

#include "core/json_parse.hpp"
#include "core/redact.hpp"

namespace tdmaker {
namespace {

using value = rapidjson::Value;

/// A member's text, escaped for the terminal; "-" when absent, not a string or empty.
std::string text(const value& obj, const char* key) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || !it->value.IsString() || it->value.GetStringLength() == 0)
    return "-";
  return log_escape({it->value.GetString(), it->value.GetStringLength()});
}

std::int64_t integer(const value& obj, const char* key) {
  auto it = obj.FindMember(key);
  return it != obj.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : 0;
}

bool boolean(const value& obj, const char* key) {
  auto it = obj.FindMember(key);
  return it != obj.MemberEnd() && it->value.IsBool() && it->value.GetBool();
}

const value* object(const value& obj, const char* key) {
  auto it = obj.FindMember(key);
  return it != obj.MemberEnd() && it->value.IsObject() ? &it->value : nullptr;
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width)
    s.append(width - s.size(), ' ');
  return s + ' ';
}

/// One row per criterion: name, value, threshold, and `ok`/`bad` by its pass flag.
void criteria_table(std::string& out, const value* arr, const char* ok, const char* bad) {
  if (!arr || !arr->IsArray() || arr->Empty()) {
    out += "  (none)\n";
    return;
  }
  out += "  " + pad("criterion", 20) + pad("value", 14) + "threshold\n";
  for (auto& c : arr->GetArray()) {
    if (!c.IsObject())
      continue;
    out += "  " + pad(text(c, "criterion"), 20) + pad(text(c, "value"), 14) + pad(text(c, "threshold"), 14)
           + (boolean(c, "pass") ? ok : bad) + "\n";
  }
}

const value* member_array(const value* obj, const char* key) {
  if (!obj)
    return nullptr;
  auto it = obj->FindMember(key);
  return it != obj->MemberEnd() && it->value.IsArray() ? &it->value : nullptr;
}

void gate_lines(std::string& out, const value& root) {
  auto* g = object(root, "gate");
  std::string transition = g ? text(*g, "transition") : "-";
  if (transition == "-") {
    out += "gate       none: no phase above this one\n";
    return;
  }
  out += "gate       " + transition + ": " + (boolean(*g, "pass") ? "MET" : "not met")
         + (boolean(root, "upgrade_proposed") ? ", upgrade proposed (confirm with tdmaker ctl phase)" : "")
         + (boolean(root, "auto_upgrade") ? ", auto_upgrade on" : ", auto_upgrade off") + "\n";
  criteria_table(out, member_array(g, "criteria"), "ok", "FAIL");
}

void downgrade_lines(std::string& out, const value& root) {
  auto* d = object(root, "downgrade");
  out += "downgrade  ";
  out += d && boolean(*d, "fire") ? "FIRED: " + text(*d, "trigger") : std::string("watching, no trigger fired");
  out += "\n";
  criteria_table(out, member_array(d, "watch"), "ok", "FIRED");
}

std::string figures_text(const value& f) {
  return std::to_string(integer(f, "trades")) + " trades, " + std::to_string(integer(f, "wins")) + " wins, "
         + std::to_string(integer(f, "losses")) + " losses, win rate " + text(f, "win_rate") + ", pnl "
         + text(f, "pnl");
}

void session_lines(std::string& out, const value& root) {
  auto* s = object(root, "session");
  if (!s)
    return;
  out += "session    #" + std::to_string(integer(*s, "index")) + " " + iso8601_utc_ms(integer(*s, "start_ms")) + " .. "
         + iso8601_utc_ms(integer(*s, "end_ms")) + ": " + figures_text(*s) + ", loss streak "
         + std::to_string(integer(*s, "loss_streak")) + "\n";
}

void window_lines(std::string& out, const value& root) {
  auto* w = object(root, "windows");
  if (!w)
    return;
  for (auto& [k, f] : w->GetObject()) {
    if (!f.IsObject())
      continue;
    out += "window     last " + log_escape({k.GetString(), k.GetStringLength()}) + " sessions: " + figures_text(f)
           + ", R:R " + text(f, "rr") + ", max drawdown " + text(f, "max_drawdown") + ", "
           + std::to_string(integer(f, "sessions")) + " sessions traded\n";
  }
}

} // namespace

result<phase_status_query> parse_phase_status_args(const std::vector<std::string>& args) {
  phase_status_query q;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& flag = args[i];
    if (flag == "--json") {
      q.json = true;
      continue;
    }
    if (flag != "--url" && flag != "--config")
      return fail("unknown option " + flag);
    if (i + 1 >= args.size() || args[i + 1].empty())
      return fail(flag + " needs a value");
    (flag == "--url" ? q.url : q.config) = args[++i];
  }
  if (!q.url.empty() && !q.config.empty())
    return fail("give --url or --config, not both");
  return q;
}

result<export_query> parse_phase_history_args(const std::vector<std::string>& args) {
  export_query q;
  q.kind = "phase-history";
  if (auto ok = parse_export_options(args, 0, q); !ok)
    return fail(ok.error());
  return q;
}

result<std::string> phase_status_text(std::string_view json) {
  rapidjson::Document doc;
  if (auto ok = json::parse(doc, json); !ok)
    return fail("the node's reply: " + ok.error());
  if (!doc.IsObject() || text(doc, "phase") == "-")
    return fail("the node's reply is not a phase status object");
  std::string out = "phase      " + text(doc, "phase") + " since " + iso8601_utc_ms(integer(doc, "since_ms")) + " (from "
                    + text(doc, "previous") + ", " + text(doc, "source") + ": " + text(doc, "reason") + ")\n";
  gate_lines(out, doc);
  downgrade_lines(out, doc);
  session_lines(out, doc);
  window_lines(out, doc);
  return out;
}

} // namespace tdmaker
