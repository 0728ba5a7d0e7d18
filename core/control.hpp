#pragma once
// The control plane's pure parts: validating a phase-switch request, checking the
// bearer token, and the JSON error reply.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/phase.hpp"
#include "core/records.hpp"
#include "core/result.hpp"

namespace tdmaker {

struct phase_switch_request {
  phase target = phase::experience;
  std::string reason;
  bool force = false; // an upgrade whose gate fails goes anyway, recorded as an override
};

inline constexpr std::size_t max_reason_length = 500;

/// Body: {"phase": "<name>", "reason": "<non-empty text>", "force": <bool, optional>};
/// no other keys.
result<phase_switch_request> parse_phase_switch(std::string_view body);

/// Checks an "Authorization" header value against the expected token in constant
/// time (the comparison must not leak how much of a guessed token was right).
bool bearer_matches(std::string_view authorization_header, std::string_view expected_token);

/// {"error": "..."} with the message JSON-escaped.
std::string json_error(std::string_view message);

} // namespace tdmaker
