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

template <class Doc>
concept rtds_doc = requires(std::string_view text, Doc& doc) { parse_rtds_frame(text, doc); };

using feed_document =
  std::conditional_t<rtds_doc<json::reusable_document>, json::reusable_document, rapidjson::Document>;

} // namespace tdmaker::fuzz
