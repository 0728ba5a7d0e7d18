#pragma once
// Durable facts as they are stored in LMDB (JSON payloads inside a checksummed
// envelope). JSON keeps records inspectable with mdb_dump and migratable by key.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/money.hpp"
#include "core/phase.hpp"
#include "core/result.hpp"

namespace tdmaker {

/// The current trading phase and how it got there.
struct phase_record {
  phase current = phase::experience;
  phase previous = phase::experience;
  std::int64_t since_ms = 0;
  std::string reason;
  std::string source; // "config", "control-http", "control-cli", "auto"
};

enum class market_status : std::uint8_t {
  discovered = 0,
  active = 1,
  awaiting_settlement = 2,
  settled = 3,
  retired = 4,
};

std::string_view to_string(market_status s);

/// Seed 003's market identity and lifecycle; books, orders and positions are
/// separate records owned by the same market actor.
struct market_record {
  condition_id id;
  std::string slug;
  std::string asset; // "btc", "eth", ...
  std::int64_t slot_start_s = 0;
  std::int64_t slot_end_s = 0;
  token_id up_token;
  token_id down_token;
  tick_size tick;
  shares min_size{5 * micros_per_unit};
  market_status status = market_status::discovered;
};

std::string encode(const phase_record& r);
result<phase_record> decode_phase_record(std::string_view json);

std::string encode(const market_record& r);
result<market_record> decode_market_record(std::string_view json);

template <class Inspector>
auto inspect(Inspector& f, phase_record& x) {
  return f(x.current, x.previous, x.since_ms, x.reason, x.source);
}

template <class Inspector>
auto inspect(Inspector& f, market_record& x) {
  return f(x.id, x.slug, x.asset, x.slot_start_s, x.slot_end_s, x.up_token, x.down_token, x.tick,
           x.min_size, x.status);
}

} // namespace tdmaker
