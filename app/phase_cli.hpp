#pragma once
// `tdmaker phase status` (GET /phase of the running node, as text) and
// `tdmaker phase history` (the LMDB phase history, read-only like `tdmaker export`).
#include <string>

#include "core/config.hpp"
#include "core/ledger_export.hpp"
#include "core/phase_command.hpp"

namespace tdmaker {

/// The node's HTTP base URL from its config's http.listen ("http://127.0.0.1:9464");
/// a wildcard listen address is reached on loopback.
std::string node_base_url(const node_config& cfg);

/// Prints the node's phase status; 0, or 1 when the node cannot be reached or
/// does not answer 200.
int run_phase_status(const phase_status_query& q, const std::string& base_url);

/// Prints every phase history entry in [q.from_ms, q.to_ms) as CSV or JSON
/// lines; an unreadable entry is reported on stderr with its key and the rest
/// still printed (exit 3); 1 when the store cannot be read at all.
int run_phase_history(const export_query& q, const node_config& cfg);

} // namespace tdmaker
