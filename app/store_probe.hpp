#pragma once
#include <cstdint>
#include <string>

namespace tdmaker {

/// `tdmaker store-probe`: streams `count` audit records through the real store
/// actor with `window` requests in flight and prints "ack <n>" (flushed) as each
/// acknowledgement arrives, then throughput and group-commit figures. It is both
/// the store benchmark and the writer that the SIGKILL durability test kills.
int run_store_probe(const std::string& data_dir, std::int64_t count, std::int64_t window);

} // namespace tdmaker
