// `tdmaker recording`'s arguments and output lines (core/recording_query).
#include <doctest/doctest.h>

#include "core/recording_query.hpp"

using namespace tdmaker;

TEST_CASE("recording query: arguments, defaults and refusals") {
  auto q = parse_recording_args({"--dir", "rec", "--from", "1700000000", "--format", "jsonl"});
  REQUIRE_MESSAGE(q, (q ? "" : q.error()));
  CHECK(q->dir == "rec");
  CHECK(q->dump);
  CHECK(q->range.from_ms == 1'700'000'000'000);
  auto list = parse_recording_args({"--config", "my.json"});
  REQUIRE(list);
  CHECK(list->dir.empty());
  CHECK_FALSE(list->dump);
  CHECK(list->range.config == "my.json");
  CHECK(parse_recording_args({"--format", "csv"}).error() == "--format must be jsonl");
  CHECK(parse_recording_args({"--dir"}).error() == "--dir needs a value");
  CHECK(parse_recording_args({"--dir", ""}).error() == "--dir must not be empty");
  CHECK(parse_recording_args({"--colour", "x"}).error() == "unknown option --colour");
  CHECK_FALSE(parse_recording_args({"--from", "2000000000", "--to", "1000000000"}));
}

TEST_CASE("recording query: a frame is one JSON line, its text escaped") {
  recorded_frame f{record_channel::book_rest, 1'700'000'000'123, -4, "200 /book?token_id=1\n{\"a\":\"\x01\"}"};
  CHECK(frame_jsonl(f)
        == R"({"channel":"book_rest","recv_ms":1700000000123,"recv_ns":-4,"text":"200 /book?token_id=1\n{\"a\":\"\u0001\"}"})"
           "\n");
}

TEST_CASE("recording query: the listing line names a torn tail") {
  segment_scan s;
  s.blocks = {block_info{0, 100, 3, 1'700'000'000'000, 1'700'000'000'500}};
  s.good_bytes = 100;
  s.torn = true;
  s.error = "block at byte 100: block cut short: 20 of 90 bytes";
  CHECK(segment_listing_line("seg-1.tdrec", 120, s)
        == "seg-1.tdrec bytes=120 blocks=1 frames=3 first=2023-11-14T22:13:20.000Z last=2023-11-14T22:13:20.500Z "
           "TORN TAIL: 20 bytes unreadable (block at byte 100: block cut short: 20 of 90 bytes)\n");
}

TEST_CASE("recording query: a dumped line reads back as the frame it was, and bad lines are refused") {
  recorded_frame f{record_channel::gamma, 1'796'000'000'123, 42, "200 /events?slug=a\n[{\"x\":\"\\n\"}]"};
  auto line = frame_jsonl(f);
  line.pop_back(); // the newline
  auto back = parse_frame_jsonl(line);
  REQUIRE(back);
  CHECK(*back == f);
  for (auto bad : {R"({"channel":"gamma","recv_ms":1,"recv_ns":1})", R"({"channel":"fax","recv_ms":1,"recv_ns":1,"text":""})",
                   R"({"channel":"gamma","recv_ms":-1,"recv_ns":1,"text":""})", "[1]", "not json"})
    CHECK_FALSE(parse_frame_jsonl(bad));
}
