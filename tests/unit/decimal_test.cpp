#include <doctest/doctest.h>

#include "core/decimal.hpp"

using namespace tdmaker;

TEST_CASE("parse_fixed converts exact decimals to scaled integers") {
  CHECK(*parse_fixed("0.53", 6, 0, 1'000'000) == 530'000);
  CHECK(*parse_fixed("1", 6, 0, 1'000'000) == 1'000'000);
  CHECK(*parse_fixed("3149725.72", 6, 0, INT64_MAX) == 3'149'725'720'000);
  CHECK(*parse_fixed("-12.5", 2, -10000, 10000) == -1250);
  CHECK(*parse_fixed("0.100000000", 6, 0, 1'000'000) == 100'000); // zeros past scale ok
  CHECK(*parse_fixed("-9223372036854775808", 0, INT64_MIN, INT64_MAX) == INT64_MIN);
}

TEST_CASE("parse_fixed rejects malformed - imprecise and out-of-range input") {
  for (const char* bad : {"", "-", ".", "1.", ".5", "+1", "1e3", " 1", "1 ", "0x10", "1.2.3",
                          "NaN", "--1", "1,5"})
    CHECK_MESSAGE(!parse_fixed(bad, 6, -1'000'000, 1'000'000), bad);
  auto r = parse_fixed("0.1234567", 6, 0, 1'000'000);
  REQUIRE(!r);
  CHECK(r.error().find("too many decimal places") != std::string::npos);
  CHECK(!parse_fixed("1.000001", 6, 0, 1'000'000));
  CHECK(!parse_fixed("9223372036854775808", 0, INT64_MIN, INT64_MAX));
  CHECK(!parse_fixed("99999999999999", 6, INT64_MIN, INT64_MAX)); // overflows after scaling
}

TEST_CASE("append_fixed appends the same text as format_fixed") {
  std::string s = "x=";
  append_fixed(s, 0, 6);
  s += ',';
  append_fixed(s, 1, 6);
  s += ',';
  append_fixed(s, -999'999'999, 6);
  s += ',';
  append_fixed(s, INT64_MAX, 18);
  CHECK(s == "x=0,0.000001,-999.999999,9.223372036854775807");
  for (std::int64_t v : {std::int64_t{0}, std::int64_t{10}, std::int64_t{1'000'000}, std::int64_t{-5}, INT64_MIN}) {
    std::string a;
    append_fixed(a, v, 6);
    CHECK(a == format_fixed(v, 6));
  }
}

TEST_CASE("format_fixed is the exact inverse for canonical values") {
  CHECK(format_fixed(5'300'000, 6) == "5.3");
  CHECK(format_fixed(10'000'000, 6) == "10");
  CHECK(format_fixed(-1250, 2) == "-12.5");
  CHECK(format_fixed(1, 9) == "0.000000001");
  CHECK(format_fixed(INT64_MIN, 0) == "-9223372036854775808");
  for (std::int64_t v : {0LL, 1LL, 999'999LL, 123'456'789LL, -42LL})
    CHECK(*parse_fixed(format_fixed(v, 6), 6, INT64_MIN, INT64_MAX) == v);
}
