// Bad config files: one clear line naming the problem, non-zero exit, nothing started.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>

#include "process.hpp"

using namespace tdmaker;

namespace {

std::pair<int, std::string> check_config(const std::string& content) {
  auto dir = test::temp_dir("cfg");
  auto path = dir + "/c.json";
  std::ofstream(path) << content;
  return test::run({"--check-config", path});
}

void expect_one_line_error(const std::pair<int, std::string>& r, const std::string& needle) {
  CHECK(r.first == 2);
  CHECK_MESSAGE(r.second.find(needle) != std::string::npos, r.second);
  CHECK(r.second.rfind("config error: ", 0) == 0);
  CHECK(std::count(r.second.begin(), r.second.end(), '\n') == 1);
}

} // namespace

TEST_CASE("bad config files are rejected with a clear one-line error") {
  expect_one_line_error(check_config(R"({"node":{"colour":"red"}})"), "$.node.colour: unknown key");
  expect_one_line_error(check_config(R"({"node":{"worker_threads":"four"}})"),
                        "$.node.worker_threads: expected an integer in [1, 64], got a string");
  expect_one_line_error(check_config(R"({"store":{"max_batch":0}})"),
                        "$.store.max_batch: expected an integer in [1, 100000], got 0");
  expect_one_line_error(check_config(R"({"node": {"mode": "paper",})"), "invalid JSON at offset");
  expect_one_line_error(test::run({"--check-config", "/nonexistent/tdmaker.json"}),
                        "cannot open '/nonexistent/tdmaker.json': No such file or directory");
  // The node itself refuses to start on the same input.
  auto dir = test::temp_dir("cfgrun");
  std::ofstream(dir + "/c.json") << R"({"node":{"data_dir":")" << dir << R"(/d"},"x":1})";
  auto r = test::run({"--config", dir + "/c.json"});
  expect_one_line_error(r, "$.x: unknown key");
}

TEST_CASE("the shipped config checks clean - --help and --version work") {
  auto ok = test::run({"--check-config", std::string(TDMAKER_SOURCE_DIR) + "/config/local.json"});
  CHECK(ok.first == 0);
  auto help = test::run({"--help"});
  CHECK(help.first == 0);
  CHECK(help.second.find("tdmaker ctl phase NAME --reason TEXT") != std::string::npos);
  auto ver = test::run({"--version"});
  CHECK(ver.first == 0);
  CHECK(ver.second.rfind("tdmaker 0.1.0", 0) == 0);
  auto bad = test::run({"--bogus"});
  CHECK(bad.first == 2);
}

// Issue 14: the binary itself, on inputs that crashed it or were read wrongly.
TEST_CASE("config: deep nesting, trailing data, a repeated key and a URL password are one-line errors") {
  auto deep = check_config(std::string(150'000, '['));
  expect_one_line_error(deep, "JSON nested deeper than 32 levels at offset 32"); // was SIGSEGV (139)
  expect_one_line_error(check_config(R"({"node":{"mode":"paper","mode":"live"}})"),
                        "$.node.mode: duplicate key (each key may appear once)");
  expect_one_line_error(check_config(R"({"node":{"mode":"paper"}}{"node":{"mode":"live"}})"),
                        "The document root must not be followed by other values.");
  auto url = check_config(R"({"venue":{"clob_url":"http://operator:hunter2@127.0.0.1:18080"}})");
  expect_one_line_error(url, "$.venue.clob_url: 'http://***@127.0.0.1:18080': credentials in a URL are not accepted");
  CHECK(url.second.find("hunter2") == std::string::npos);
  auto key = check_config(R"({"_comment":"0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"})");
  expect_one_line_error(key, "$._comment: a 66-character value looks like a secret");
  CHECK(key.second.find("4c0883a6") == std::string::npos);
}
