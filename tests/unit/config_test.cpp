#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "core/config.hpp"

using namespace tdmaker;

namespace {
std::string error_of(const std::string& json) {
  auto r = parse_config(json);
  return r ? std::string("OK") : r.error();
}
} // namespace

TEST_CASE("the shipped local config is valid and is paper mode") {
  std::ifstream in(std::string(TDMAKER_SOURCE_DIR) + "/config/local.json");
  std::stringstream ss;
  ss << in.rdbuf();
  auto cfg = parse_config(ss.str());
  REQUIRE_MESSAGE(cfg, (cfg ? "" : cfg.error()));
  CHECK(cfg->mode == trading_mode::paper);
  CHECK(cfg->http_listen.host == "127.0.0.1");
  CHECK(cfg->http_listen.port == 9464);
  CHECK(cfg->initial_phase == phase::experience);
}

TEST_CASE("an empty object yields the documented defaults") {
  auto cfg = parse_config("{}");
  REQUIRE(cfg);
  CHECK(cfg->worker_threads == 2);
  CHECK(cfg->store_max_batch == 512);
  CHECK(cfg->http_listen.port == 9464);
}

TEST_CASE("config errors name the JSON path and the reason") {
  CHECK(error_of(R"({"node":{"worker_thread":2}})") == "$.node.worker_thread: unknown key");
  CHECK(error_of(R"({"nodes":{}})") == "$.nodes: unknown key");
  CHECK(error_of(R"({"node":{"worker_threads":"2"}})")
        == "$.node.worker_threads: expected an integer in [1, 64], got a string");
  CHECK(error_of(R"({"node":{"worker_threads":0}})")
        == "$.node.worker_threads: expected an integer in [1, 64], got 0");
  CHECK(error_of(R"({"node":{"worker_threads":2.5}})")
        == "$.node.worker_threads: expected an integer in [1, 64], got a number");
  CHECK(error_of(R"({"node":{"mode":"yolo"}})")
        == "$.node.mode: expected one of paper, live, got 'yolo'");
  CHECK(error_of(R"({"node":3})") == "$.node: expected an object, got an integer");
  CHECK(error_of(R"({"phase":{"initial":"Moon"}})").find("$.phase.initial: unknown phase 'Moon'")
        == 0);
  CHECK(error_of(R"({"log":{"level":"loud"}})").find("$.log.level: expected one of") == 0);
  CHECK(error_of("[1]") == "$: expected an object, got an array");
  CHECK(error_of(R"({"node": {)").find("invalid JSON at offset") == 0);
}

TEST_CASE("secrets in a config file are refused without echoing them") {
  auto e = error_of(R"({"node":{"private_key":"0xdeadbeef"}})");
  CHECK(e.find("$.node.private_key: secrets are not accepted") == 0);
  CHECK(e.find("deadbeef") == std::string::npos);
}

TEST_CASE("listen addresses: loopback by default - others only when allowed") {
  CHECK(error_of(R"({"http":{"listen":"0.0.0.0:9464"}})").find("not a loopback address")
        != std::string::npos);
  CHECK(parse_config(R"({"http":{"listen":"0.0.0.0:9464","allow_non_loopback":true}})"));
  CHECK(parse_config(R"({"http":{"listen":"[::1]:9000"}})"));
  CHECK(!parse_listen_address("127.0.0.1:70000"));
  CHECK(!parse_listen_address("127.0.0.1"));
  CHECK(!parse_listen_address("example.com:80"));
  CHECK(parse_listen_address("localhost:1")->port == 1);
}
