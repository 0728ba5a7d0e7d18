// The notifier's bounded queue: most important first, and when full the oldest
// message of the lowest priority goes; the Telegram body is escaped JSON.
#include <doctest/doctest.h>

#include "core/alert_queue.hpp"

using namespace tdmaker;

TEST_CASE("alert queue: critical first, oldest first within a priority") {
  alert_queue q(10);
  q.push({0, "fill 1"});
  q.push({2, "halt"});
  q.push({1, "stop-loss"});
  q.push({0, "fill 2"});
  CHECK(q.pop()->text == "halt");
  CHECK(q.pop()->text == "stop-loss");
  CHECK(q.pop()->text == "fill 1");
  CHECK(q.pop()->text == "fill 2");
  CHECK_FALSE(q.pop());
}

TEST_CASE("alert queue: when full the oldest low-priority message is dropped first") {
  alert_queue q(3);
  CHECK(q.push({0, "fill 1"}) == 0);
  CHECK(q.push({2, "critical 1"}) == 0);
  CHECK(q.push({0, "fill 2"}) == 0);
  CHECK(q.push({1, "warning"}) == 1); // fill 1 goes
  CHECK(q.push({2, "critical 2"}) == 1); // fill 2 goes
  CHECK(q.push({0, "fill 3"}) == 1);  // nothing below it: the newcomer itself is dropped
  CHECK(q.size() == 3);
  CHECK(q.dropped() == 3);
  CHECK(q.pop()->text == "critical 1");
  CHECK(q.pop()->text == "critical 2");
  CHECK(q.pop()->text == "warning");
  // Criticals only: the oldest critical yields to a new one.
  alert_queue c(2);
  c.push({2, "a"});
  c.push({2, "b"});
  c.push({2, "c"});
  CHECK(c.pop()->text == "b");
  CHECK(c.pop()->text == "c");
}

TEST_CASE("alert queue: a failed send goes back to the front of its priority") {
  alert_queue q(3);
  q.push({0, "fill 2"});
  q.push_front({0, "fill 1"});
  CHECK(q.pop()->text == "fill 1");
  alert_queue full(1);
  full.push({2, "halt"});
  full.push_front({0, "fill"}); // no room: it yields
  CHECK(full.size() == 1);
  CHECK(full.dropped() == 1);
}

TEST_CASE("telegram: sendMessage body is escaped JSON") {
  CHECK(telegram_message("-100123", "Fill: bought 5 @ 0.83 \"Up\"\nnext") ==
        R"({"chat_id":"-100123","text":"Fill: bought 5 @ 0.83 \"Up\"\nnext"})");
}
