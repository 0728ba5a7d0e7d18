// CONTRACT STUB (issue 17): replaced by the real window; never ships.
#include "core/reference_window.hpp"
namespace tdmaker {
reference_window::reference_window(std::int64_t span_ms) : span_ms_(span_ms) {}
bool reference_window::add(std::int64_t, ref_price) { return false; }
reference_motion reference_window::motion(std::int64_t) { return {}; }
void reference_window::expire(std::int64_t) {}
} // namespace tdmaker
