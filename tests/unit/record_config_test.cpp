// The recorder's config keys (issue 18): off by default, every key validated.
#include <doctest/doctest.h>

#include "core/config.hpp"
#include "config_error.hpp"

using namespace tdmaker;

using test::config_error;

TEST_CASE("record config: off by default, with the documented defaults") {
  auto cfg = parse_config("{}");
  REQUIRE(cfg);
  CHECK_FALSE(cfg->record_enabled);
  CHECK(cfg->record_flush_ms == 1000);
  CHECK(cfg->record_block_bytes == 1 << 20);
  CHECK(cfg->record_segment_bytes == 256LL << 20);
  CHECK(cfg->record_segment_seconds == 3600);
  CHECK(cfg->record_retention_hours == 168);
  CHECK(cfg->record_retention_bytes == 10LL << 30);
  CHECK(cfg->record_buffer_size == 10000);
  CHECK(cfg->record_buffer_ttl_ms == 60000);
}

TEST_CASE("record config: every key is read") {
  auto cfg = parse_config(R"({"record":{"enabled":true,"flush_ms":200,"block_bytes":65536,
    "segment_bytes":1048576,"segment_seconds":60,"retention_hours":0,"retention_bytes":0,
    "buffer_size":5,"buffer_ttl_ms":1000}})");
  REQUIRE_MESSAGE(cfg, (cfg ? "" : cfg.error()));
  CHECK(cfg->record_enabled);
  CHECK(cfg->record_flush_ms == 200);
  CHECK(cfg->record_block_bytes == 65536);
  CHECK(cfg->record_segment_bytes == 1048576);
  CHECK(cfg->record_segment_seconds == 60);
  CHECK(cfg->record_retention_hours == 0);
  CHECK(cfg->record_retention_bytes == 0);
  CHECK(cfg->record_buffer_size == 5);
  CHECK(cfg->record_buffer_ttl_ms == 1000);
}

TEST_CASE("record config: bad values are refused with their path") {
  CHECK(config_error(R"({"record":{"enabled":"yes"}})") == "$.record.enabled: expected a boolean, got a string");
  CHECK(config_error(R"({"record":{"flush_ms":0}})").rfind("$.record.flush_ms: expected an integer in [10, 60000]", 0)
        == 0);
  CHECK(config_error(R"({"record":{"buffer_size":0}})").rfind("$.record.buffer_size:", 0) == 0);
  CHECK(config_error(R"({"record":{"block_bytes":100}})").rfind("$.record.block_bytes:", 0) == 0);
  CHECK(config_error(R"({"record":{"retention_hours":-1}})").rfind("$.record.retention_hours:", 0) == 0);
  CHECK(config_error(R"({"record":{"colour":1}})") == "$.record.colour: unknown key");
  CHECK(config_error(R"({"record":{"flush_ms":5000,"buffer_ttl_ms":5000}})")
        == "$.record.buffer_ttl_ms: must be above $.record.flush_ms");
  CHECK(config_error(R"({"record":{"block_bytes":1048576,"segment_bytes":65536}})")
        == "$.record.segment_bytes: must be >= $.record.block_bytes");
}
