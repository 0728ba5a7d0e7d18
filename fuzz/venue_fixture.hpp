#pragma once
// The venue the venue targets talk to: a fresh exchange per input (so an input
// replays the same whatever ran before it) with one listed BTC slot and one
// trader whose API key signs the L2 requests. The key is Hardhat's account 0,
// never a real one; the clock is fixed inside the slot.
#include <cstdint>
#include <string>

#include "core/eth_address.hpp"
#include "core/secp256k1_signer.hpp"
#include "venue/exchange.hpp"
#include "venue/market_catalog.hpp"

namespace tdmaker::fuzz {

inline constexpr std::int64_t venue_now_ms = 1'800'000'000'000;

struct venue_fixture {
  venue::exchange ex{[] {
    venue::exchange_config c;
    c.domain.verifying_contract = *parse_address("0xE111180000d2663C0091e4f400237545B87B996B");
    return c;
  }()};
  venue::slot_market market = venue::make_slot(1, "btc", venue_now_ms / 1000 - 100, 900, 1800);
  private_key key = *private_key::parse("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
  venue::api_creds creds;

  venue_fixture() {
    ex.list_market(market);
    creds = *ex.create_key(key.address(), 0);
  }
};

} // namespace tdmaker::fuzz
