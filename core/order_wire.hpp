#pragma once
// The CLOB V2 order as it travels in `POST /order` (protocol ref §3.3), and the
// amount rules of §3.2. The node encodes with these, the venue decodes and
// checks with them: one definition, so the two cannot disagree.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/eip712.hpp"
#include "core/money.hpp"
#include "core/result.hpp"

namespace tdmaker {

enum class order_type : std::uint8_t { gtc, gtd, fok, fak };
std::string_view to_string(order_type t);
std::string_view to_string(order_side s);

struct signed_order {
  order_v2 fields;
  std::uint64_t salt_number = 0; // the JSON carries salt as a number
  std::int64_t maker_amount = 0; // micro-units, as signed
  std::int64_t taker_amount = 0;
  std::string token_id;          // canonical decimal
  std::int64_t expiration = 0;   // Unix seconds, 0 = none; not signed
  signature65 signature{};
  // POLY_1271 only: the ERC-7739 wrapping after the 65-byte inner signature
  // (core/erc7739.hpp); empty for the other types.
  std::vector<std::uint8_t> signature_suffix;
};

struct order_request {
  signed_order order;
  std::string owner; // API key of the L2 headers
  order_type type = order_type::gtc;
  bool post_only = false;
  bool defer_exec = false;
};

/// Decodes one `POST /order` body object (or one element of `POST /orders`).
/// Fails with "Invalid order payload: <field reason>" on any malformed field.
result<order_request> parse_order_request(const std::string& json_text);

std::string encode_order_request(const order_request& r);

/// Price and size implied by a limit order's signed amounts.
struct limit_terms {
  price px;
  shares size;
};

/// BUY: maker = pUSD, taker = shares; SELL: the reverse. Fails when the amounts
/// do not describe a price on `tick` (the "breaks minimum tick size" rule) or a
/// size with more than 2 decimals.
result<limit_terms> limit_terms_of(order_side side, std::int64_t maker_amount,
                                   std::int64_t taker_amount, tick_size tick);

/// FOK/FAK orders built as market orders (§3.2): BUY maker = pUSD with at most
/// 2 decimals and taker = shares with at most 4; SELL the reverse. The limit is
/// the implied price (floored for BUY, ceiled for SELL: never worse than signed)
/// and the matchable size is floored to 2 decimals, the grid of resting orders.
result<limit_terms> market_terms_of(order_side side, std::int64_t maker_amount, std::int64_t taker_amount);

/// The signed amounts of a limit order of `size` shares at `px` (§3.2 integer form).
struct order_amounts {
  std::int64_t maker = 0;
  std::int64_t taker = 0;
};
order_amounts amounts_for(order_side side, price px, shares size);

} // namespace tdmaker
