#include <doctest/doctest.h>

#include "core/control.hpp"

using namespace tdmaker;

TEST_CASE("phase names: canonical and snake_case - case-insensitive") {
  CHECK(*parse_phase("Scaling") == phase::scaling);
  CHECK(*parse_phase("proof_of_concept") == phase::proof_of_concept);
  CHECK(*parse_phase("REALMONEYTRIAL") == phase::real_money_trial);
  CHECK(!parse_phase("Production"));
  CHECK(!parse_phase(""));
  for (auto p : all_phases)
    CHECK(*parse_phase(to_string(p)) == p);
}

TEST_CASE("a phase switch body needs a known phase and a reason - nothing else") {
  auto ok = parse_phase_switch(R"({"phase":"Scaling","reason":"gates passed"})");
  REQUIRE(ok);
  CHECK(ok->target == phase::scaling);
  CHECK(ok->reason == "gates passed");
  CHECK(parse_phase_switch(R"({"phase":"Moon","reason":"x"})").error().find("unknown phase") == 0);
  CHECK(parse_phase_switch(R"({"phase":"Scaling"})").error() == "missing field 'reason'");
  CHECK(parse_phase_switch(R"({"phase":"Scaling","reason":""})").error()
        == "field 'reason' must not be empty");
  CHECK(parse_phase_switch(R"({"phase":1,"reason":"x"})").error()
        == "field 'phase' must be a string");
  CHECK(!ok->force);
  CHECK(parse_phase_switch(R"({"phase":"Scaling","reason":"x","forced":true})").error()
        == "unknown field 'forced'");
  CHECK(parse_phase_switch("not json").error().find("malformed body") == 0);
  CHECK(!parse_phase_switch(R"({"phase":"Scaling","reason":")" + std::string(501, 'r') + "\"}"));
}

// Issue 14, defect 7: the reason is stored, logged and mirrored to a JSON file.
TEST_CASE("a phase switch reason must be UTF-8 text without control characters") {
  auto err = [](const std::string& reason) {
    auto r = parse_phase_switch(R"({"phase":"Scaling","reason":")" + reason + "\"}");
    return r ? std::string("OK") : r.error();
  };
  const std::string why = "field 'reason' must be UTF-8 text without control characters: ";
  CHECK(err("bad \xff") == why + "byte 4 is not valid UTF-8");
  CHECK(err("\xc3") == why + "byte 0 is not valid UTF-8");           // truncated sequence
  CHECK(err("\xc0\xaf") == why + "byte 0 is not valid UTF-8");       // overlong '/'
  CHECK(err("\xed\xa0\x80") == why + "byte 0 is not valid UTF-8");  // a surrogate
  CHECK(err("line\\nforged") == why + "byte 4 is a control character");
  CHECK(err("\\u001b[2J") == why + "byte 0 is a control character");
  CHECK(err("tab\\there") == why + "byte 3 is a control character");
  CHECK(err("del\x7f") == why + "byte 3 is a control character");
  CHECK(err("c1 \xc2\x9b") == why + "byte 3 is a control character");
  CHECK(err("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\x80") == "OK");
  CHECK(parse_phase_switch(R"({"phase":"Scaling","phase":"Experience","reason":"x"})").error()
        == "field 'phase' given twice");
}

TEST_CASE("bearer tokens must match exactly") {
  CHECK(bearer_matches("Bearer abc123", "abc123"));
  CHECK(!bearer_matches("Bearer abc124", "abc123"));
  CHECK(!bearer_matches("Bearer abc1234", "abc123"));
  CHECK(!bearer_matches("Bearer abc12", "abc123"));
  CHECK(!bearer_matches("abc123", "abc123"));
  CHECK(!bearer_matches("", "abc123"));
  CHECK(!bearer_matches("Bearer ", ""));
}

// Issue 16: an operator may force an upgrade past a failing gate; strictly a bool.
TEST_CASE("a phase switch body takes an optional boolean force - nothing else counts as one") {
  auto forced = parse_phase_switch(R"({"phase":"Scaling","reason":"x","force":true})");
  REQUIRE(forced);
  CHECK(forced->force);
  auto unforced = parse_phase_switch(R"({"phase":"Scaling","reason":"x","force":false})");
  REQUIRE(unforced);
  CHECK(!unforced->force);
  const std::string why = "field 'force' must be true or false";
  for (auto bad : {R"("true")", "1", "0", "null", "[]", "{}"}) {
    INFO("force: " << bad);
    auto r = parse_phase_switch(std::string(R"({"phase":"Scaling","reason":"x","force":)") + bad + "}");
    REQUIRE(!r);
    CHECK(r.error() == why);
  }
  CHECK(parse_phase_switch(R"({"phase":"Scaling","reason":"x","force":true,"force":false})").error()
        == "field 'force' given twice");
}
