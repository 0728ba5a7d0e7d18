// Issue 14, defects 7 and 8: secret-shaped text, URL redaction, log escaping and the
// notifier's verdict on a webhook's answer.
#include <doctest/doctest.h>

#include "core/alert_queue.hpp"
#include "core/endpoint.hpp"
#include "core/redact.hpp"

using namespace tdmaker;

TEST_CASE("secret-shaped values: keys, hex secrets, bot tokens, base64 secrets - not paths or names") {
  CHECK(looks_like_secret_value("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"));
  CHECK(looks_like_secret_value("key=4c0883a69102937d6231471b5dbb6204 rest"));
  CHECK(looks_like_secret_value("123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq"));
  CHECK(looks_like_secret_value("https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq/"));
  CHECK(looks_like_secret_value("c2VjcmV0LXNlY3JldC1zZWNyZXQtU0VDUkVULTEyMzQ1Njc4"));
  CHECK(!looks_like_secret_value("https://clob.polymarket.com"));
  CHECK(!looks_like_secret_value("/var/lib/tdmaker/data/models/entry_model_2026_12_01_btc_eth_sol.json"));
  CHECK(!looks_like_secret_value("-1001234567890"));
  CHECK(!looks_like_secret_value("0xdeadbeef"));
  CHECK(!looks_like_secret_value("abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz")); // one class only
  CHECK(redacted("abc") == "a 3-character value");
}

TEST_CASE("redact_url hides userinfo and nothing else") {
  CHECK(redact_url("http://user:pass@127.0.0.1:8080/x?y=1") == "http://***@127.0.0.1:8080/x?y=1");
  CHECK(redact_url("wss://token@ws.example.com") == "wss://***@ws.example.com");
  CHECK(redact_url("https://clob.polymarket.com/a@b") == "https://clob.polymarket.com/a@b"); // '@' in the path
  CHECK(redact_url("https://clob.polymarket.com") == "https://clob.polymarket.com");
  CHECK(!parse_endpoint("http://u:p@host:1"));
  CHECK(parse_endpoint("http://host:1/a@b"));
}

TEST_CASE("log_escape: one line, no terminal control, an escape cannot be forged") {
  CHECK(log_escape("plain text 123") == "plain text 123");
  CHECK(log_escape("a\nb\rc\td") == "a\\nb\\rc\\td");
  CHECK(log_escape("\x1b[2J") == "\\x1b[2J");
  CHECK(log_escape("bad \xff") == "bad \\xff");
  CHECK(log_escape("c1 \xc2\x9b") == "c1 \\u009b");
  CHECK(log_escape("del\x7f") == "del\\x7f");
  CHECK(log_escape("back\\nslash") == "back\\\\nslash"); // typed backslash-n stays distinguishable
  CHECK(log_escape("caf\xc3\xa9") == "caf\xc3\xa9");
  CHECK(printable_text_problem("caf\xc3\xa9").empty());
}

TEST_CASE("notifier verdict: a 4xx but 429 is permanent - 429, 5xx and no reply are retried") {
  CHECK(verdict_of(200) == send_verdict::sent);
  for (int s : {400, 401, 403, 404, 413})
    CHECK_MESSAGE(verdict_of(s) == send_verdict::drop, s);
  for (int s : {0, 429, 500, 502, 503})
    CHECK_MESSAGE(verdict_of(s) == send_verdict::retry, s);
}
