#pragma once
// The pure parts of `tdmaker phase status|history`: their arguments and the
// readable text of a node's GET /phase reply. The caller does the HTTP call and
// the LMDB read (app/phase_cli.cpp).
#include <string>
#include <string_view>
#include <vector>

#include "core/ledger_export.hpp"
#include "core/result.hpp"

namespace tdmaker {

struct phase_status_query {
  std::string url;     // --url URL: the node's base URL ("" = from the config)
  std::string config;  // --config FILE: its http.listen ("" = the embedded default)
  bool json = false;   // --json: print the reply as it came
};

/// `args` after "phase status": [--url URL | --config FILE] [--json].
result<phase_status_query> parse_phase_status_args(const std::vector<std::string>& args);

/// `args` after "phase history": [--from T] [--to T] [--format csv|jsonl]
/// [--config FILE], exactly as `tdmaker export` takes them (kind "phase-history").
result<export_query> parse_phase_history_args(const std::vector<std::string>& args);

/// GET /phase's JSON as text for a terminal: the phase and since when, the gate
/// toward the next phase criterion by criterion (value, threshold, ok/FAIL), the
/// downgrade watch, the session's figures and the rolling windows. Text from the
/// node is escaped (it cannot drive the terminal); a reply that is not the
/// contract's object is an error.
result<std::string> phase_status_text(std::string_view json);

} // namespace tdmaker
