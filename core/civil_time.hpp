#pragma once
// Calendar arithmetic on Unix seconds, and US Eastern time: Polymarket names its
// hourly and daily Up/Down slots by the Eastern wall clock (protocol ref §1), so a
// slug is computed from a UTC instant without a time-zone database.
#include <cstdint>

namespace tdmaker {

struct civil_date {
  std::int64_t year = 1970;
  unsigned month = 1; // 1..12
  unsigned day = 1;   // 1..31
};

/// Days since 1970-01-01 of a proleptic Gregorian date.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);
civil_date civil_from_days(std::int64_t days);

/// Offset of US Eastern time from UTC at `unix_s`, in seconds: -4 h from the second
/// Sunday of March 02:00 local to the first Sunday of November 02:00 local, else -5 h.
std::int64_t eastern_offset_s(std::int64_t unix_s);

/// The Unix time of an Eastern wall-clock moment (hour 0..23). A wall time that
/// occurs twice (November) takes the first; one that is skipped (March) the later offset.
std::int64_t unix_of_eastern(std::int64_t year, unsigned month, unsigned day, unsigned hour);

} // namespace tdmaker
