#pragma once
// Atoms: the verbs that carry no data (at most 10 characters each in CAF 0.17).
#include <caf/atom.hpp>

namespace tdmaker {

using get_atom = caf::atom_constant<caf::atom("get")>;
using list_atom = caf::atom_constant<caf::atom("list")>;
using retire_atom = caf::atom_constant<caf::atom("retire")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
using commit_atom = caf::atom_constant<caf::atom("commit")>;
using crash_atom = caf::atom_constant<caf::atom("crash")>;
using phase_atom = caf::atom_constant<caf::atom("phase")>;
using budget_atom = caf::atom_constant<caf::atom("budget")>;
using metrics_atom = caf::atom_constant<caf::atom("metrics")>;
using status_atom = caf::atom_constant<caf::atom("status")>;
using health_atom = caf::atom_constant<caf::atom("health")>;
using discover_atom = caf::atom_constant<caf::atom("discover")>;
using reconcile_atom = caf::atom_constant<caf::atom("reconcile")>;
using expire_atom = caf::atom_constant<caf::atom("expire")>;
using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using book_atom = caf::atom_constant<caf::atom("book")>;
using latency_atom = caf::atom_constant<caf::atom("latency")>;
using resub_atom = caf::atom_constant<caf::atom("resub")>;
using positions_atom = caf::atom_constant<caf::atom("positions")>;
using settle_atom = caf::atom_constant<caf::atom("settle")>;
using decision_atom = caf::atom_constant<caf::atom("decision")>;
using tel_flush_atom = caf::atom_constant<caf::atom("telflush")>;
using watch_atom = caf::atom_constant<caf::atom("watch")>;
using probe_atom = caf::atom_constant<caf::atom("probe")>;

} // namespace tdmaker
