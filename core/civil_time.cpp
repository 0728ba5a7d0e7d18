#include "core/civil_time.hpp"
#include <initializer_list>

namespace tdmaker {

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

civil_date civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

/// Day number of the n-th (1-based) Sunday of a month.
std::int64_t nth_sunday(std::int64_t year, unsigned month, int n) {
  const auto first = days_from_civil(year, month, 1);
  const auto weekday = ((first % 7) + 7 + 4) % 7; // 1970-01-01 was a Thursday (4); 0 = Sunday
  return first + (7 - weekday) % 7 + 7 * (n - 1);
}

} // namespace

std::int64_t eastern_offset_s(std::int64_t unix_s) {
  const auto year = civil_from_days(floor_div(unix_s, 86400)).year;
  // 02:00 EST = 07:00 UTC; 02:00 EDT = 06:00 UTC.
  const auto dst_start = nth_sunday(year, 3, 2) * 86400 + 7 * 3600;
  const auto dst_end = nth_sunday(year, 11, 1) * 86400 + 6 * 3600;
  return unix_s >= dst_start && unix_s < dst_end ? -4 * 3600 : -5 * 3600;
}

std::int64_t unix_of_eastern(std::int64_t year, unsigned month, unsigned day, unsigned hour) {
  const auto wall = days_from_civil(year, month, day) * 86400 + static_cast<std::int64_t>(hour) * 3600;
  // Try the daylight offset first: it yields the earlier instant of an ambiguous hour.
  for (std::int64_t off : {-4 * 3600, -5 * 3600}) {
    const auto t = wall - off;
    if (eastern_offset_s(t) == off)
      return t;
  }
  return wall + 4 * 3600; // a skipped hour (spring forward): as the later offset would read it
}

} // namespace tdmaker
