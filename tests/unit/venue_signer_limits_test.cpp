// Issue 15.5: the venue's per-signer order and cancel buckets, through the CLOB
// API (headers, 429 + Retry-After, over-burst batches) and its config.
#include <doctest/doctest.h>

#include "core/eth_address.hpp"
#include "core/l2_auth.hpp"
#include "core/secp256k1_signer.hpp"
#include "venue/clob_api.hpp"
#include "venue/market_catalog.hpp"
#include "venue/venue_config.hpp"

using namespace tdmaker;
using namespace tdmaker::venue;

namespace {

constexpr std::int64_t t0 = 1'800'000'000'000;
constexpr const char* key0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

std::string ids(int n) {
  std::string s = "[";
  for (int i = 0; i < n; ++i)
    s += (i ? ",\"0x" : "\"0x") + std::to_string(i) + "\"";
  return s + "]";
}

struct limits_fixture {
  std::int64_t now = t0;
  exchange ex{[] {
    exchange_config c;
    c.domain.verifying_contract = *parse_address("0xE111180000d2663C0091e4f400237545B87B996B");
    return c;
  }()};
  clob_api api{ex, [this] { return now; }, clob_api_config{}};
  private_key pk = *private_key::parse(key0);
  api_creds creds = *ex.create_key(pk.address(), 0);

  http_reply call(http::verb method, const std::string& path, std::string body) {
    http_request req{method, path, 11};
    req.body() = std::move(body);
    const auto ts = std::to_string(now / 1000);
    req.set("POLY_API_KEY", creds.key);
    req.set("POLY_ADDRESS", to_checksum(pk.address()));
    req.set("POLY_PASSPHRASE", creds.passphrase);
    req.set("POLY_TIMESTAMP", ts);
    req.set("POLY_SIGNATURE", *l2_signature(creds.secret, ts, std::string(req.method_string()), path, req.body()));
    return api.handle(req, split(path));
  }
  std::string h(const http_reply& r, const char* name) {
    auto it = r.headers.find(name);
    return it == r.headers.end() ? std::string() : it->second;
  }
};

} // namespace

TEST_CASE_FIXTURE(limits_fixture, "venue rate limits: 60 orders at once, the 61st is 429 with Retry-After, refill at 40/s") {
  for (int i = 0; i < 60; ++i) {
    auto r = call(http::verb::post, "/order", "{}"); // refused as a payload, but it cost a token
    REQUIRE(r.status == 400);
    CHECK(h(r, "Poly-RateLimit-Remaining") == std::to_string(59 - i));
    CHECK(h(r, "Poly-RateLimit-Tier") == "standard");
    CHECK(h(r, "Poly-RateLimit-Reset") == std::to_string(now / 1000));
  }
  auto over = call(http::verb::post, "/order", "{}");
  CHECK(over.status == 429);
  CHECK(h(over, "Retry-After") == "1");
  CHECK(h(over, "Poly-RateLimit-Remaining") == "0");
  CHECK(over.body.find("order rate limit exceeded") != std::string::npos);
  // The cancel bucket is untouched by orders.
  auto cancel = call(http::verb::delete_, "/order", R"({"orderID":"0x1"})");
  CHECK(cancel.status == 200);
  CHECK(h(cancel, "Poly-RateLimit-Remaining") == "119");
  now += 25; // one token at 40/s
  CHECK(call(http::verb::post, "/order", "{}").status == 400);
  CHECK(call(http::verb::post, "/order", "{}").status == 429);
  CHECK(api.rate_limits().refused(limit_bucket::order) == 2);
}

TEST_CASE_FIXTURE(limits_fixture, "venue rate limits: a cancel batch costs one token per id and over the burst is refused whole") {
  auto batch = call(http::verb::delete_, "/orders", ids(100));
  CHECK(batch.status == 200);
  CHECK(h(batch, "Poly-RateLimit-Remaining") == "20");
  auto second = call(http::verb::delete_, "/orders", ids(30));
  CHECK(second.status == 429);
  CHECK(h(second, "Retry-After") == "1"); // 10 tokens at 80/s: 125 ms, rounded up
  auto huge = call(http::verb::delete_, "/orders", ids(121));
  CHECK(huge.status == 429);
  CHECK(h(huge, "Retry-After").empty()); // it never succeeds: split it
  CHECK(huge.body.find("exceeds the burst capacity 120") != std::string::npos);
  now += 10'000;
  CHECK(call(http::verb::delete_, "/orders", ids(120)).status == 200);
  // cancel-all costs 1 up front (no orders to cancel here).
  now += 10'000;
  auto all = call(http::verb::delete_, "/cancel-all", "");
  CHECK(all.status == 200);
  CHECK(h(all, "Poly-RateLimit-Remaining") == "119");
}

TEST_CASE("venue rate limits: cancel-all is charged per order cancelled, floored at zero unless a deficit is allowed") {
  address20 a{};
  for (bool deficit : {false, true}) {
    signer_limits_config c;
    c.cancel.allow_negative = deficit;
    signer_limits l(c);
    auto v = l.admit(a, limit_bucket::cancel, 1, t0);
    l.charge(a, v, 150, t0);
    CHECK(v.remaining == (deficit ? -31 : 0));
    CHECK_FALSE(l.admit(a, limit_bucket::cancel, 1, t0).admitted);
  }
}

TEST_CASE("venue rate limits: warn mode processes everything and marks would-be refusals, off sends no headers") {
  address20 a{};
  signer_limits_config c;
  c.mode = limit_mode::warn;
  signer_limits warn(c);
  for (int i = 0; i < 60; ++i)
    REQUIRE(warn.admit(a, limit_bucket::order, 1, t0).admitted);
  auto v = warn.admit(a, limit_bucket::order, 1, t0);
  CHECK(v.admitted);
  CHECK(v.warning);
  http_reply rep{200, "{}"};
  warn.stamp(rep, v);
  CHECK(rep.headers["Poly-RateLimit-Warning"] == "true");
  c.mode = limit_mode::off;
  signer_limits off(c);
  auto none = off.admit(a, limit_bucket::order, 1'000, t0);
  CHECK(none.admitted);
  http_reply rep2{200, "{}"};
  off.stamp(rep2, none);
  CHECK(rep2.headers.empty());
}

TEST_CASE("venue config: rate_limits is validated, --rate-limits sets the mode") {
  auto c = parse_venue_config(R"({"rate_limits":{"mode":"warn","tier":"pro","order_rate":100,"order_burst":150,
                                   "cancel_rate":200,"cancel_burst":300,"cancel_deficit":true}})");
  REQUIRE(c);
  CHECK(c->rate_limits.mode == limit_mode::warn);
  CHECK(c->rate_limits.tier == "pro");
  CHECK(c->rate_limits.order.burst == 150);
  CHECK(c->rate_limits.cancel.allow_negative);
  CHECK(parse_venue_config(R"({})")->rate_limits.mode == limit_mode::enforce);
  CHECK(parse_venue_config(R"({"rate_limits":{"mode":"loud"}})").error().find("$.rate_limits.mode") != std::string::npos);
  CHECK(parse_venue_config(R"({"rate_limits":{"order_burst":0}})").error().find("$.rate_limits.order_burst") != std::string::npos);
  CHECK(parse_venue_config(R"({"rate_limits":{"tier":"Bad Tier"}})").error().find("$.rate_limits.tier") != std::string::npos);
  CHECK(parse_venue_config(R"({"rate_limits":{"burst":1}})").error().find("unknown key") != std::string::npos);
  auto f = apply_flags({}, {"--rate-limits", "off"});
  REQUIRE(f);
  CHECK(f->rate_limits.mode == limit_mode::off);
  CHECK_FALSE(apply_flags({}, {"--rate-limits", "maybe"}));
  auto lim = apply_flags({}, {"--order-limit", "10/30", "--cancel-limit", "80/120"});
  REQUIRE(lim);
  CHECK(lim->rate_limits.order.rate == 10);
  CHECK(lim->rate_limits.order.burst == 30);
  CHECK_FALSE(apply_flags({}, {"--order-limit", "10"}));
  CHECK_FALSE(apply_flags({}, {"--order-limit", "0/30"}));
}
