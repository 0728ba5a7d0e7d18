// Seed 004's TickBuffer (core/tick_buffer): bounded, drop-oldest on overflow,
// TTL eviction counted apart, utilisation in ppm; time passed in.
#include <doctest/doctest.h>

#include <string>

#include "core/tick_buffer.hpp"

using namespace tdmaker;

TEST_CASE("tick buffer: overflow drops the oldest and counts it") {
  tick_buffer<int> b(3, 0);
  for (int i = 1; i <= 5; ++i)
    b.push(i, 1000);
  CHECK(b.size() == 3);
  CHECK(b.counters().dropped_overflow == 2);
  CHECK(b.counters().enqueued == 5);
  CHECK(*b.pop(1000) == 3);
  CHECK(*b.pop(1000) == 4);
  CHECK(*b.pop(1000) == 5);
  CHECK_FALSE(b.pop(1000));
  CHECK(b.counters().dequeued == 3);
  CHECK(b.counters().evicted_ttl == 0);
}

TEST_CASE("tick buffer: items past their TTL are evicted on pop and on push, counted apart") {
  tick_buffer<std::string> b(10, 100);
  b.push("a", 0);
  b.push("b", 50);
  b.push("c", 120);
  // At 150 "a" is 150 ms old (past 100), "b" exactly 100 (not past).
  CHECK(*b.pop(150) == "b");
  CHECK(b.counters().evicted_ttl == 1);
  b.push("d", 300); // "c" (180 ms old) goes when pushing
  CHECK(b.counters().evicted_ttl == 2);
  CHECK(b.size() == 1);
  CHECK(*b.pop(300) == "d");
  CHECK(b.counters().dropped_overflow == 0);
  CHECK(b.counters().enqueued == 4);
  CHECK(b.counters().dequeued == 2);
}

TEST_CASE("tick buffer: a non-positive TTL never expires") {
  tick_buffer<int> b(2, 0);
  b.push(7, 0);
  CHECK(*b.pop(1'000'000'000) == 7);
  CHECK(b.counters().evicted_ttl == 0);
}

TEST_CASE("tick buffer: utilisation in ppm and the oldest push time") {
  tick_buffer<int> b(4, 0);
  CHECK(b.utilisation() == 0);
  b.push(1, 10);
  CHECK(b.utilisation() == 250'000);
  b.push(2, 20);
  b.push(3, 30);
  b.push(4, 40);
  CHECK(b.utilisation() == 1'000'000);
  CHECK(b.oldest_ms() == 10);
  b.push(5, 50); // full: still 100 %, the oldest is now the second
  CHECK(b.utilisation() == 1'000'000);
  CHECK(b.oldest_ms() == 20);
  CHECK(utilisation_ppm(1, 3) == 333'333);
  CHECK(utilisation_ppm(0, 0) == 0);
}

TEST_CASE("tick buffer: popping an empty buffer gives nothing and counts nothing") {
  tick_buffer<std::string> b(1, 10);
  CHECK(b.empty());
  CHECK_FALSE(b.pop(0));
  CHECK_FALSE(b.pop(100));
  CHECK(b.counters().dequeued == 0);
  b.push("x", 0);
  b.push("y", 1); // capacity 1: "x" dropped
  CHECK(b.counters().dropped_overflow == 1);
  CHECK(*b.pop(1) == "y");
  CHECK(b.empty());
  CHECK_FALSE(b.pop(2));
}
