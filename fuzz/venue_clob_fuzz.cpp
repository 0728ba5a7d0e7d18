// The venue's CLOB request parsers, through venue::clob_api::handle as its HTTP
// listener calls it: the first byte picks a route, the rest is the body (or, for
// GET, the request target with its query). L2 routes carry valid L2 headers, so
// the body reaches the parser behind the authentication. Invariant: every
// request gets an HTTP status.
#include <array>
#include <string>

#include "core/l2_auth.hpp"
#include "fuzz/fuzz_check.hpp"
#include "fuzz/venue_fixture.hpp"
#include "venue/clob_api.hpp"

using namespace tdmaker;
using namespace tdmaker::venue;

namespace {

struct route {
  http::verb method;
  const char* path; // nullptr: the input is the GET target
  bool l2;
};
constexpr std::array<route, 9> routes{{
  {http::verb::post, "/books", false},
  {http::verb::post, "/order", true},
  {http::verb::post, "/orders", true},
  {http::verb::delete_, "/order", true},
  {http::verb::delete_, "/orders", true},
  {http::verb::delete_, "/cancel-market-orders", true},
  {http::verb::post, "/v1/heartbeats", true},
  {http::verb::post, "/heartbeats", true},
  {http::verb::get, nullptr, false},
}};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const auto& r = routes[data[0] % routes.size()];
  std::string rest(fuzz::text_of(data + 1, size - 1));
  fuzz::venue_fixture v;
  clob_api api(v.ex, [] { return fuzz::venue_now_ms; });

  http_request req;
  req.method(r.method);
  std::string target = r.path ? r.path : rest;
  auto t = split(target);
  if (r.path) {
    req.body() = rest;
    req.prepare_payload();
  }
  if (r.l2) {
    auto ts = std::to_string(fuzz::venue_now_ms / 1000);
    req.set("POLY_API_KEY", v.creds.key);
    req.set("POLY_ADDRESS", to_checksum(v.key.address()));
    req.set("POLY_PASSPHRASE", v.creds.passphrase);
    req.set("POLY_TIMESTAMP", ts);
    req.set("POLY_SIGNATURE", *l2_signature(v.creds.secret, ts, std::string(req.method_string()), t.path, req.body()));
  }
  auto reply = api.handle(req, t);
  fuzz::check(reply.status >= 100 && reply.status <= 599, "every request gets an HTTP status");
  if (r.l2)
    fuzz::check(reply.status != 401, "the fixture's L2 headers authenticate", reply.body);
  return 0;
}
