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
  CHECK(parse_phase_switch(R"({"phase":"Scaling","reason":"x","force":true})").error()
        == "unknown field 'force'");
  CHECK(parse_phase_switch("not json").error().find("malformed body") == 0);
  CHECK(!parse_phase_switch(R"({"phase":"Scaling","reason":")" + std::string(501, 'r') + "\"}"));
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

TEST_CASE("the phase override line is one JSON object with from/to/reason/source") {
  phase_record r{phase::scaling, phase::real_money_trial, 1'700'000'000'123, "say \"hi\"",
                 "control-cli"};
  CHECK(phase_override_line(r)
        == R"({"timestamp":"2023-11-14T22:13:20.123Z","from":"RealMoneyTrial","to":"Scaling",)"
           R"("reason":"say \"hi\"","source":"control-cli"})");
}
