#pragma once
// Parsers for /proc/self text (the reading itself happens in actors/).
#include <cstdint>
#include <string_view>

namespace tdmaker {

/// Resident pages from /proc/self/statm (second field); -1 when malformed.
std::int64_t parse_statm_resident_pages(std::string_view statm);

/// "Threads:" from /proc/self/status; -1 when absent.
std::int64_t parse_status_threads(std::string_view status);

} // namespace tdmaker
