#include <doctest/doctest.h>

#include "core/money.hpp"

using namespace tdmaker;

TEST_CASE("prices are micro-units in [0 - 1]") {
  CHECK(parse_price("0.53")->micros == 530'000);
  CHECK(parse_price("0")->micros == 0);
  CHECK(parse_price("1")->micros == 1'000'000);
  CHECK(!parse_price("1.01"));
  CHECK(!parse_price("-0.01"));
  CHECK(to_string(price{5'000}) == "0.005");
}

TEST_CASE("tick sizes are limited to the venue's rounding table") {
  CHECK(parse_tick_size("0.01")->micros == 10'000);
  CHECK(parse_tick_size("0.001")->micros == 1'000);
  CHECK(parse_tick_size("0.0025")->micros == 2'500);
  CHECK(!parse_tick_size("0.02"));
  CHECK(!parse_tick_size("0"));
}

TEST_CASE("order prices must sit on the tick grid within [tick - 1 - tick]") {
  tick_size cent{10'000};
  CHECK(is_valid_order_price(price{530'000}, cent));
  CHECK(!is_valid_order_price(price{535'000}, cent));
  CHECK(!is_valid_order_price(price{0}, cent));
  CHECK(!is_valid_order_price(price{1'000'000}, cent));
  CHECK(is_valid_order_price(price{990'000}, cent));
  CHECK(is_valid_order_price(price{999'000}, tick_size{1'000}));
}

TEST_CASE("amounts - shares and reference prices parse exactly") {
  CHECK(parse_usdc("-12.345678")->micros == -12'345'678);
  CHECK(!parse_usdc("0.0000001"));
  CHECK(parse_shares("10")->micros == 10'000'000);
  CHECK(!parse_shares("-1"));
  CHECK(parse_ref_price("67234.5")->e8 == 6'723'450'000'000);
  CHECK(!parse_ref_price("0"));
}

TEST_CASE("token ids are canonical uint256 decimal strings") {
  auto t = parse_token_id(
    "71321045679252212594626385532706912750332728571942532289631379312455583992563");
  REQUIRE(t);
  CHECK(parse_token_id(
    "115792089237316195423570985008687907853269984665640564039457584007913129639935"));
  CHECK(!parse_token_id(
    "115792089237316195423570985008687907853269984665640564039457584007913129639936"));
  CHECK(!parse_token_id("0123"));
  CHECK(!parse_token_id(""));
  CHECK(!parse_token_id("12a"));
}

TEST_CASE("condition ids are normalised to lower-case hex") {
  auto c = parse_condition_id("0x2EEA" + std::string(60, 'a'));
  REQUIRE(c);
  CHECK(c->hex == "0x2eea" + std::string(60, 'a'));
  CHECK(!parse_condition_id("0x1234"));
  CHECK(!parse_condition_id("0x" + std::string(63, 'a') + "g"));
}
