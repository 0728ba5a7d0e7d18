// RTDS frames (core/feed_codec: parse_rtds_frame): Chainlink reference prices
// from the RTDS WebSocket. Invariant: every tick names its symbol.
#include "core/feed_codec.hpp"
#include "fuzz/feed_doc.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace tdmaker;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz::rtds_document doc; // reused across inputs, as the feed reuses it across frames
  auto ticks = parse_rtds_frame(fuzz::text_of(data, size), doc);
  if (ticks)
    for (auto& t : *ticks)
      fuzz::check(!t.symbol.empty(), "a reference tick names its symbol");
  return 0;
}
