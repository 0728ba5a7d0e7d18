// Market-channel frames (core/feed_codec: parse_market_frame), as the feed
// parses every frame of the market WebSocket. Invariants: the frame's counts
// equal what reached the sink, and every snapshot and change applies to a book
// that stays sorted with no empty level.
#include "core/feed_codec.hpp"
#include "core/order_book.hpp"
#include "fuzz/feed_doc.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace tdmaker;

namespace {

void check_sorted(const token_book& b) {
  auto bids = b.bids(), asks = b.asks();
  for (std::size_t i = 0; i < bids.size(); ++i) {
    fuzz::check(bids[i].size.micros > 0, "no empty bid level");
    fuzz::check(i == 0 || bids[i - 1].px > bids[i].px, "bids strictly descending");
  }
  for (std::size_t i = 0; i < asks.size(); ++i) {
    fuzz::check(asks[i].size.micros > 0, "no empty ask level");
    fuzz::check(i == 0 || asks[i - 1].px < asks[i].px, "asks strictly ascending");
  }
}

struct checking_sink : market_event_sink {
  std::uint32_t events = 0, bad = 0;
  token_book book;
  void on_book(book_snapshot&& b) override {
    ++events;
    book.replace(b.bids, b.asks);
    check_sorted(book);
    (void)snapshot_hash(b);
  }
  void on_delta(book_delta&& d) override {
    ++events;
    for (auto& c : d.changes)
      book.set(c.side, c.px, c.size);
    check_sorted(book);
  }
  void on_last_trade(last_trade&&) override { ++events; }
  void on_tick_size(tick_size_change&&) override { ++events; }
  void on_resolved(market_resolved&&) override { ++events; }
  void on_bad_event(std::string_view why) override {
    ++bad;
    fuzz::check(!why.empty(), "a bad event says why");
  }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz::market_document doc; // reused across inputs, as the feed reuses it across frames
  checking_sink sink;
  auto st = parse_market_frame(fuzz::text_of(data, size), doc, sink);
  if (st) {
    fuzz::check(st->events == sink.events, "frame_stats.events = events delivered");
    fuzz::check(st->bad == sink.bad, "frame_stats.bad = bad events reported");
  } else {
    fuzz::check(sink.events == 0 && sink.bad == 0, "a frame that fails delivers nothing");
  }
  return 0;
}
