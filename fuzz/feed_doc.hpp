#pragma once
// The document the feed reuses for every frame. parse_market_frame and
// parse_rtds_frame take a rapidjson::Document on main before issue 14's fix and a
// json::reusable_document after it (the fix of the feed's leak); the feed targets
// use whichever the codec takes, so they build on either side of that change.
#include <string_view>
#include <type_traits>

#include <rapidjson/document.h>

#include "core/feed_codec.hpp"
#include "core/json_parse.hpp"

namespace tdmaker::fuzz {

struct null_sink : market_event_sink {
  void on_book(book_snapshot&&) override {}
  void on_delta(book_delta&&) override {}
  void on_last_trade(last_trade&&) override {}
  void on_tick_size(tick_size_change&&) override {}
  void on_resolved(market_resolved&&) override {}
  void on_bad_event(std::string_view) override {}
};

template <class Doc>
concept market_doc = requires(std::string_view text, Doc& doc, null_sink& sink) {
  parse_market_frame(text, doc, sink);
};
template <class Doc>
concept rtds_doc = requires(std::string_view text, Doc& doc) { parse_rtds_frame(text, doc); };

using market_document =
  std::conditional_t<market_doc<json::reusable_document>, json::reusable_document, rapidjson::Document>;
using rtds_document =
  std::conditional_t<rtds_doc<json::reusable_document>, json::reusable_document, rapidjson::Document>;

} // namespace tdmaker::fuzz
