// Gamma discovery replies (core/gamma_codec: parse_gamma_event, and the ISO 8601
// dates in them). Invariant: a discovered market has two tokens and a slot that
// ends after it starts, and its record re-encodes and decodes to the same bytes.
#include "core/gamma_codec.hpp"
#include "core/records.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace tdmaker;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = fuzz::text_of(data, size);
  (void)parse_iso8601_utc(text);
  auto ev = parse_gamma_event(text, "btc");
  if (!ev || !*ev)
    return 0;
  const auto& m = (*ev)->record;
  fuzz::check(!m.up_token.digits.empty() && !m.down_token.digits.empty(), "a market has both tokens");
  fuzz::check(m.slot_end_s > m.slot_start_s, "a slot ends after it starts");
  auto once = encode(m);
  auto back = decode_market_record(once);
  fuzz::check(back.ok(), "a discovered market's record decodes", once);
  fuzz::check(encode(*back) == once, "a discovered market's record round-trips", once);
  return 0;
}
