#pragma once
// `tdmaker candles --stream S --from T --to T [--format csv|jsonl] [--config F | --data-dir D]`:
// one stream's stored candles from LMDB, read-only (beside a running node or not).
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/result.hpp"

namespace tdmaker {

/// `args` after "candles". Exit 0; 2 bad usage or config; 1 the store cannot be read;
/// 3 an unreadable candle (named on stderr, the rest printed).
/// `load_config` reads --config (or the embedded default) when no --data-dir is given.
int run_candles(const std::vector<std::string>& args, result<node_config> (*load_config)(const std::string&));

} // namespace tdmaker
