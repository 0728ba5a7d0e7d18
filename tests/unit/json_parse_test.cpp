// The bounded parse every reader of outside bytes goes through (issue 14): deep
// nesting is refused before RapidJSON's recursive parser sees it, and a reused
// document does not keep each parse's memory.
#include <doctest/doctest.h>

#include <string>

#include "core/json_parse.hpp"

using namespace tdmaker;

namespace {
std::string nested(std::size_t depth, char open = '[', char close = ']') {
  return std::string(depth, open) + std::string(depth, close);
}
} // namespace

TEST_CASE("json parse: nesting past the depth limit is refused, with the offset") {
  rapidjson::Document d;
  CHECK(json::parse(d, nested(64)));
  auto deep = json::parse(d, nested(65));
  REQUIRE_FALSE(deep);
  CHECK(deep.error() == "JSON nested deeper than 64 levels at offset 64");
  // The frame that killed the node: 240 KB of '['. Refused, no stack overflow.
  auto frame = json::parse(d, std::string(240 * 1024, '['));
  REQUIRE_FALSE(frame);
  CHECK(frame.error().find("nested deeper") != std::string::npos);
  CHECK(json::parse(d, nested(100000, '{', '}')).error().find("nested deeper") != std::string::npos);
}

TEST_CASE("json parse: brackets inside strings and escaped quotes do not count as nesting") {
  rapidjson::Document d;
  const std::string text = "{\"a\":\"" + std::string(1000, '[') + "\\\"[[[\"}";
  auto r = json::parse(d, text);
  REQUIRE(r);
  CHECK(d["a"].GetStringLength() == 1004);
}

TEST_CASE("json parse: size limit and ordinary errors") {
  rapidjson::Document d;
  json::limits small{.max_bytes = 10, .max_depth = 64};
  CHECK(json::parse(d, "[1,2,3,4,5,6]", small).error()
        == "JSON text of 13 bytes is over the limit of 10");
  CHECK(json::parse(d, "[1,").error().rfind("invalid JSON at offset 3", 0) == 0);
}

TEST_CASE("json parse: a reused document's memory does not grow with the number of frames") {
  json::reusable_document doc(16 * 1024);
  std::string frame = R"([{"event_type":"price_change","asset_id":"123","price":"0.45","size":"10"}])";
  REQUIRE(doc.parse(frame));
  const auto after_first = doc.pool_capacity();
  for (int i = 0; i < 100000; ++i)
    REQUIRE(doc.parse(frame));
  CHECK(doc.pool_capacity() == after_first);
  CHECK(doc.doc()[0]["price"].GetString() == std::string("0.45"));
  // A frame larger than the buffer takes extra chunks; the next parse gives them back.
  std::string big = "[";
  for (int i = 0; i < 5000; ++i)
    big += std::string(i ? "," : "") + "{\"p\":\"0.5\"}";
  big += "]";
  REQUIRE(doc.parse(big));
  CHECK(doc.pool_capacity() > after_first);
  REQUIRE(doc.parse(frame));
  CHECK(doc.pool_capacity() == after_first);
  // The plain Document reused the same way is the leak this replaces.
  rapidjson::Document plain;
  plain.Parse(frame.data(), frame.size());
  const auto plain_first = plain.GetAllocator().Capacity();
  for (int i = 0; i < 10000; ++i)
    plain.Parse(frame.data(), frame.size());
  CHECK(plain.GetAllocator().Capacity() > plain_first);
}
