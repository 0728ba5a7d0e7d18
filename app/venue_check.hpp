#pragma once
#include "core/config.hpp"
#include "core/secp256k1_signer.hpp"

namespace tdmaker {

/// `tdmaker venue-check`: proves the exchange link end to end with the node's own
/// clients: L1 credentials, Gamma discovery of the current slot, the book, a
/// signed post-only bid far from the market, its lookup, its cancel. Prints one
/// line per step; 0 when every step passed.
int run_venue_check(const node_config& cfg, const private_key& key);

} // namespace tdmaker
