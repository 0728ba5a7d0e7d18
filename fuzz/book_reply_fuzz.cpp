// `GET /book` replies (core/feed_codec: parse_book_reply), the REST re-fetch of
// a book. Invariants: a decoded book applies to a sorted book, and its hash is
// computable.
#include "core/feed_codec.hpp"
#include "core/order_book.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace tdmaker;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto b = parse_book_reply(200, fuzz::text_of(data, size));
  if (!b)
    return 0;
  token_book book;
  book.replace(b->bids, b->asks);
  auto bids = book.bids(), asks = book.asks();
  for (std::size_t i = 1; i < bids.size(); ++i)
    fuzz::check(bids[i - 1].px > bids[i].px, "bids strictly descending");
  for (std::size_t i = 1; i < asks.size(); ++i)
    fuzz::check(asks[i - 1].px < asks[i].px, "asks strictly ascending");
  (void)snapshot_hash(*b);
  return 0;
}
