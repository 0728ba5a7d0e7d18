// CONTRACT STUB (issue 17): replaced by the real score; never ships.
#include "core/danger_score.hpp"
namespace tdmaker {
danger_result danger_score(const danger_weights&, const danger_inputs&) { return {}; }
} // namespace tdmaker
