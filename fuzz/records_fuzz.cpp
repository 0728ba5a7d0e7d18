// Stored records read back from LMDB at start (core/record_codec: open_record;
// core/records, fills, settlement: decode_*_record). Bytes on disk are outside
// bytes too: a flipped bit or another version's record must be refused, not
// crash. Invariant: a record that decodes re-encodes to bytes that decode and
// encode the same (decode . encode is the identity on what decode accepts).
#include <string>

#include "core/fills.hpp"
#include "core/record_codec.hpp"
#include "core/records.hpp"
#include "core/settlement.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace tdmaker;

namespace {

template <class Decode>
void round_trip(std::string_view text, Decode decode, const char* kind) {
  auto r = decode(text);
  if (!r)
    return;
  auto once = encode(*r);
  auto back = decode(once);
  fuzz::check(back.ok(), kind, once);
  fuzz::check(encode(*back) == once, kind, once);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = fuzz::text_of(data, size);
  // The envelope: what opens reseals to the same bytes.
  if (auto payload = open_record(text))
    fuzz::check(seal_record(*payload) == text, "an opened record reseals to its bytes");
  round_trip(text, decode_phase_record, "phase record round-trips");
  round_trip(text, decode_market_record, "market record round-trips");
  round_trip(text, decode_order_record, "order record round-trips");
  round_trip(text, decode_fill_record, "fill record round-trips");
  round_trip(text, decode_settlement_record, "settlement record round-trips");
  return 0;
}
