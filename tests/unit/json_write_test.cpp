#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "core/json_write.hpp"

using namespace tdmaker;

namespace {

/// Parses as strict RFC 8259 JSON with valid UTF-8 (RapidJSON checks the
/// encoding only when asked to).
rapidjson::Document strict_parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse<rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
  INFO("json: " << text);
  REQUIRE_MESSAGE(!d.HasParseError(), rapidjson::GetParseError_En(d.GetParseError()));
  return d;
}

std::string field(const rapidjson::Document& d, const char* key) {
  REQUIRE(d.HasMember(key));
  REQUIRE(d[key].IsString());
  return {d[key].GetString(), d[key].GetStringLength()};
}

const std::string fffd = "\xEF\xBF\xBD";

} // namespace

TEST_CASE("json writer: quotes, backslashes and control characters are escaped per RFC 8259") {
  auto line = json::object_writer().str("k", std::string_view("a\"b\\c\nd\re\tf\x1b\x01\x7f/", 15)).take();
  CHECK(line == "{\"k\":\"a\\\"b\\\\c\\nd\\re\\tf\\u001B\\u0001\x7f/\"}");
  CHECK(line.find('\n') == std::string::npos);
  CHECK(field(strict_parse(line), "k") == "a\"b\\c\nd\re\tf\x1b\x01\x7f/");
}

TEST_CASE("json writer: an embedded NUL is escaped, not a terminator") {
  std::string v("a\0b", 3);
  auto line = json::object_writer().str("k", v).take();
  CHECK(line == R"({"k":"a\u0000b"})");
  CHECK(field(strict_parse(line), "k") == v);
}

TEST_CASE("json writer: keys are escaped like values") {
  auto line = json::object_writer().num("we\"ird\nkey", 1).take();
  CHECK(line == R"({"we\"ird\nkey":1})");
  auto d = strict_parse(line);
  CHECK(d.HasMember("we\"ird\nkey"));
}

TEST_CASE("json writer: valid UTF-8 passes through unchanged") {
  const std::string v = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF";
  CHECK(json::is_valid_utf8(v));
  auto line = json::object_writer().str("k", v).take();
  CHECK(line == "{\"k\":\"" + v + "\"}");
  CHECK(field(strict_parse(line), "k") == v);
}

TEST_CASE("json writer: each maximal ill-formed UTF-8 subsequence becomes one U+FFFD") {
  struct sample {
    std::string in, out;
  };
  const sample samples[] = {
    {"a\xFF" "b", "a" + fffd + "b"},                      // never a UTF-8 byte
    {"a\x80" "b", "a" + fffd + "b"},                      // lone continuation
    {"a\xC3(b", "a" + fffd + "(b"},                       // lead without its continuation
    {"a\xC0\xAF" "b", "a" + fffd + fffd + "b"},           // overlong '/'
    {"a\xE2\x82", "a" + fffd},                            // truncated at the end
    {"a\xE2\x82(", "a" + fffd + "("},                     // truncated 3-byte: one U+FFFD for both bytes
    {"\xED\xA0\x80", fffd + fffd + fffd},                 // UTF-16 surrogate
    {"\xF0\x9F\x98x", fffd + "x"},                        // truncated 4-byte
    {"\xF4\x90\x80\x80", fffd + fffd + fffd + fffd},      // above U+10FFFF
    {"\xF5\x80", fffd + fffd},                            // F5 never starts a sequence
  };
  for (auto& s : samples) {
    INFO("input bytes: " << s.in.size());
    CHECK(!json::is_valid_utf8(s.in));
    CHECK(json::sanitize_utf8(s.in) == s.out);
    CHECK(json::is_valid_utf8(json::sanitize_utf8(s.in)));
    auto line = json::object_writer().str("k", s.in).take();
    CHECK(field(strict_parse(line), "k") == s.out);
  }
}

TEST_CASE("json writer: integers keep their sign and full range") {
  auto line = json::object_writer()
                .num("min", std::numeric_limits<std::int64_t>::min())
                .num("max", std::numeric_limits<std::uint64_t>::max())
                .num("small", std::uint32_t{7})
                .num("neg", -3)
                .take();
  CHECK(line == R"({"min":-9223372036854775808,"max":18446744073709551615,"small":7,"neg":-3})");
  strict_parse(line);
}

TEST_CASE("json writer: a non-finite real is null, never a bare NaN") {
  auto line = json::object_writer()
                .real("p", 0.25)
                .real("nan", std::nan(""))
                .real("inf", std::numeric_limits<double>::infinity())
                .take();
  CHECK(line == R"({"p":0.25,"nan":null,"inf":null})");
  strict_parse(line);
}

TEST_CASE("json writer: nested objects, arrays, null, flags and embedded values") {
  json::object_writer w;
  w.open("o").str("a", "x").flag("t", true).close();
  w.open_array("list");
  for (int i = 0; i < 2; ++i)
    w.open().num("i", i).close();
  w.close_array();
  w.null("none").raw("rec", R"({"k":"v"})");
  auto line = w.take();
  CHECK(line == R"({"o":{"a":"x","t":true},"list":[{"i":0},{"i":1}],"none":null,"rec":{"k":"v"}})");
  auto d = strict_parse(line);
  CHECK(d["list"].Size() == 2);
  CHECK(d["rec"]["k"] == "v");
}
