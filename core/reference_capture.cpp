#include "core/reference_capture.hpp"

namespace tdmaker {

bool observe_reference(start_reference& s, const reference_tick& t) {
  if (s.done() || t.value.e8 <= 0)
    return false;
  if (t.source_ts_ms <= s.start_ms) {
    if (t.source_ts_ms >= s.candidate_ts_ms) {
      s.candidate = t.value;
      s.candidate_ts_ms = t.source_ts_ms;
    }
    if (t.source_ts_ms < s.start_ms)
      return false;
    s.captured = t.value; // stamped exactly at the start
    s.captured_ts_ms = t.source_ts_ms;
    return true;
  }
  // The first tick after the start closes the window.
  if (s.candidate.e8 > 0 && s.start_ms - s.candidate_ts_ms <= s.max_gap_ms) {
    s.captured = s.candidate;
    s.captured_ts_ms = s.candidate_ts_ms;
  } else {
    s.captured = t.value;
    s.captured_ts_ms = t.source_ts_ms;
  }
  return true;
}

} // namespace tdmaker
