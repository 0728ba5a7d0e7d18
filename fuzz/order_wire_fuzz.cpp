// `POST /order` bodies (core/order_wire: parse_order_request), the order the
// venue decodes and the node encodes with the same code. Invariant: a decoded
// order re-encodes to a body that decodes and encodes to the same bytes, and its
// signed amounts are not negative.
#include <string>

#include "core/order_wire.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace tdmaker;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto r = parse_order_request(std::string(fuzz::text_of(data, size)));
  if (!r)
    return 0;
  fuzz::check(r->order.maker_amount >= 0 && r->order.taker_amount >= 0, "signed amounts are not negative");
  auto once = encode_order_request(*r);
  auto back = parse_order_request(once);
  fuzz::check(back.ok(), "an encoded order decodes", once);
  fuzz::check(encode_order_request(*back) == once, "an order round-trips", once);
  return 0;
}
