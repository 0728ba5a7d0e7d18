#include "core/control.hpp"

#include <utility>

#include "core/json_read.hpp"
#include "core/json_write.hpp"
#include "core/l2_auth.hpp"
#include "core/redact.hpp"

namespace tdmaker {

result<phase_switch_request> parse_phase_switch(std::string_view body) {
  rapidjson::Document doc;
  if (auto ok = json::parse_object(doc, body); !ok)
    return fail("malformed body: " + ok.error());
  bool seen[3] = {false, false, false}; // a repeated key would be read as whichever came first
  bool force = false;
  for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
    std::string_view k(it->name.GetString(), it->name.GetStringLength());
    if (k != "phase" && k != "reason" && k != "force")
      return fail("unknown field '" + log_escape(k.substr(0, 40)) + "'");
    if (std::exchange(seen[k == "reason" ? 1 : k == "force" ? 2 : 0], true))
      return fail("field '" + std::string(k) + "' given twice");
    if (k == "force") {
      // Strict: "true", 1 or null must not be read as a decision to override a gate.
      if (!it->value.IsBool())
        return fail("field 'force' must be true or false");
      force = it->value.GetBool();
    }
  }
  auto name = json::get_string(doc, "phase");
  if (!name)
    return fail(name.error());
  auto reason = json::get_string(doc, "reason");
  if (!reason)
    return fail(reason.error());
  if (reason->empty())
    return fail("field 'reason' must not be empty");
  if (reason->size() > max_reason_length)
    return fail("field 'reason' is longer than " + std::to_string(max_reason_length)
                + " bytes");
  // The reason is stored, logged and mirrored to phase-overrides.jsonl: text only,
  // so it can neither break the JSON line nor start a forged log line.
  if (auto why = printable_text_problem(*reason); !why.empty())
    return fail("field 'reason' must be UTF-8 text without control characters: " + why);
  auto p = parse_phase(*name);
  if (!p)
    return fail(p.error());
  return phase_switch_request{*p, std::move(reason).value(), force};
}

bool bearer_matches(std::string_view header, std::string_view expected) {
  constexpr std::string_view prefix = "Bearer ";
  if (expected.empty() || header.size() < prefix.size() || header.substr(0, prefix.size()) != prefix)
    return false;
  return secrets_equal(header.substr(prefix.size()), expected);
}

std::string json_error(std::string_view message) { return json::object_writer().str("error", message).take(); }

} // namespace tdmaker
