// The venue's WebSocket request parsers (venue/ws_feeds: on_text of the market,
// user and RTDS channels), as its listener calls them for each text frame. The
// first byte picks the channel; the rest, split at '\n', is the frames one
// connection sends, the first one being its subscription. Invariant: the
// channel answers or closes, it never throws.
#include <memory>
#include <string>
#include <vector>

#include "fuzz/fuzz_check.hpp"
#include "fuzz/venue_fixture.hpp"
#include "tests/ws_recording_session.hpp"
#include "venue/ws_feeds.hpp"

using namespace tdmaker;
using namespace tdmaker::venue;

namespace {

void feed(ws_channel& ch, std::string_view frames) {
  auto s = std::make_shared<recording_session>();
  s->id = 1;
  ch.on_open(s);
  while (!s->closed) {
    auto nl = frames.find('\n');
    ch.on_text(s, frames.substr(0, nl));
    if (nl == std::string_view::npos)
      break;
    frames.remove_prefix(nl + 1);
  }
  ch.on_close(s);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  auto frames = fuzz::text_of(data + 1, size - 1);
  fuzz::venue_fixture v;
  auto now = [] { return fuzz::venue_now_ms; };
  switch (data[0] % 3) {
    case 0: {
      market_feed ch(v.ex, now, keepalive{});
      feed(ch, frames);
      break;
    }
    case 1: {
      user_feed ch(v.ex, now, keepalive{});
      feed(ch, frames);
      break;
    }
    default: {
      rtds_feed ch(now, {"btc", "eth"});
      feed(ch, frames);
      break;
    }
  }
  return 0;
}
