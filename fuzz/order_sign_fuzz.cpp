// `tdmaker order-sign` parameters on stdin (core/order_sign: sign_order_json),
// signed with a fixed test key (Hardhat's account 0, never a real one).
// Invariant: what it prints is a `POST /order` body the venue's decoder accepts,
// re-encoded to the same bytes.
#include <optional>
#include <string>

#include "core/order_sign.hpp"
#include "core/order_wire.hpp"
#include "core/secp256k1_signer.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace tdmaker;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto key = *private_key::parse("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
  auto body = sign_order_json(std::string(fuzz::text_of(data, size)), key);
  if (!body)
    return 0;
  auto r = parse_order_request(*body);
  fuzz::check(r.ok(), "a signed order's body decodes", *body);
  fuzz::check(encode_order_request(*r) == *body, "a signed order's body round-trips", *body);
  return 0;
}
