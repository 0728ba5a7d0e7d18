#pragma once
#include <string>

#include "core/result.hpp"

namespace tdmaker {

/// Console (stderr) plus an optional file sink; one line per event with UTC time,
/// level and thread. Messages are "subject: event key=value" so they grep well.
result<bool> setup_logging(const std::string& level, const std::string& file);

} // namespace tdmaker
