#pragma once
// The store's own check before a write reaches LMDB: a record that its reader
// (the decoder of its database, and the key it is kept under) would refuse is
// never committed. A paper settlement with `held: -7` once made the whole
// `tdmaker export settlements` fail; refused here, the writer sees a failed
// commit instead, and nothing unreadable is ever on disk.
#include <string>
#include <string_view>

namespace tdmaker {

/// Empty when `payload` may be stored under `key` in the database named `db`
/// (lmdb_env's names: "markets", "orders", "fills", "positions", "settlements",
/// "phase", "meta", "audit", "candles"); otherwise why not, naming the database and key.
/// candles holds core/candle records under candle_key(stream, start);
/// meta and audit are free-form; positions holds no record kind (positions are
/// folded from fills), so nothing may be written there; phase holds "current"
/// (phase_record), "history/..." (phase_transition) and "trades/..."
/// (trade_count_record), each under its own key.
std::string validate_record(std::string_view db, std::string_view key, std::string_view payload);

} // namespace tdmaker
