// tdmaker-venue-bench: sustained POST /order + DELETE /order throughput against a
// running venue on loopback (real signing, real L2 auth, keep-alive connections),
// and the matching engine's own latency measured in-process.
//
//   tdmaker-venue-bench --clob 127.0.0.1:18080 --token TOKEN_ID [--seconds 10] [--connections 4]
//   tdmaker-venue-bench --matching-only [--orders 20000]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <rapidjson/document.h>

#include "core/eip712.hpp"
#include "core/eth_address.hpp"
#include "core/l2_auth.hpp"
#include "core/order_sign.hpp"
#include "core/order_wire.hpp"
#include "core/secp256k1_signer.hpp"
#include "core/uint256.hpp"
#include "venue/exchange.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace tdmaker;
using clk = std::chrono::steady_clock;

namespace {

// Hardhat test keys: public, for local benchmarks only.
const char* bench_keys[] = {
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
  "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
  "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
  "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356"};

const exchange_domain& domain() {
  static const exchange_domain d = [] {
    exchange_domain x;
    x.verifying_contract = *parse_address("0xE111180000d2663C0091e4f400237545B87B996B");
    return x;
  }();
  return d;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
    .count();
}

order_request make_order(const private_key& k, const std::string& owner, const std::string& token, order_side side,
                         std::int64_t px, std::int64_t size, std::uint64_t salt, bool post_only) {
  static const bytes32 sep = domain_separator(domain());
  auto spec = limit_spec(token, side, price{px}, shares{size}, salt, static_cast<std::uint64_t>(now_ms()), owner);
  spec.post_only = post_only;
  return *sign_order(spec, k, sep);
}

struct percentiles {
  double p50, p99, max;
};
percentiles pct(std::vector<double> v) {
  if (v.empty())
    return {0, 0, 0};
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v[std::min(v.size() - 1, v.size() * 99 / 100)], v.back()};
}

// ---------------------------------------------------------------- matching

int matching_only(int n) {
  venue::exchange_config cfg;
  cfg.starting_usdc = 1'000'000'000'000'000;
  cfg.domain = domain();
  venue::exchange ex(cfg);
  auto m = venue::make_slot(1, "btc", now_ms() / 1000 - 10, 900, 1800);
  ex.list_market(m);
  auto maker = *private_key::parse(bench_keys[0]);
  auto taker = *private_key::parse(bench_keys[1]);
  auto mk = *ex.create_key(maker.address(), 0);
  auto tk = *ex.create_key(taker.address(), 0);
  // Signing is the client's cost, not the engine's: sign everything first.
  std::vector<order_request> makers, takers;
  for (int i = 0; i < n; ++i) {
    makers.push_back(make_order(maker, mk.key, m.up_token, order_side::buy, 10'000 * (1 + i % 40), 5'000'000,
                                1'000'000 + static_cast<std::uint64_t>(i), true));
    takers.push_back(make_order(taker, tk.key, m.down_token, order_side::buy, 990'000, 5'000'000,
                                5'000'000 + static_cast<std::uint64_t>(i), false));
  }
  std::vector<double> rest_us, match_us;
  for (int i = 0; i < n; ++i) {
    auto t0 = clk::now();
    auto r = ex.place(makers[static_cast<std::size_t>(i)], mk.key, now_ms());
    auto t1 = clk::now();
    if (!std::holds_alternative<venue::placement>(r)) {
      std::fprintf(stderr, "maker rejected: %s\n", std::get<venue::rejection>(r).error.c_str());
      return 1;
    }
    rest_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  for (int i = 0; i < n; ++i) {
    auto t0 = clk::now();
    auto r = ex.place(takers[static_cast<std::size_t>(i)], tk.key, now_ms());
    auto t1 = clk::now();
    if (!std::holds_alternative<venue::placement>(r) || std::get<venue::placement>(r).status != "matched") {
      std::fprintf(stderr, "taker %d did not match\n", i);
      return 1;
    }
    match_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  auto a = pct(rest_us), b = pct(match_us);
  std::printf("matching engine, %d orders (validation incl. signature recovery, in-process):\n", n);
  std::printf("  rest  (post-only, book depth up to %d): p50 %.1f us  p99 %.1f us  max %.1f us\n", n, a.p50, a.p99, a.max);
  std::printf("  match (crossing taker, 1 maker each):  p50 %.1f us  p99 %.1f us  max %.1f us\n", b.p50, b.p99, b.max);
  return 0;
}

// ---------------------------------------------------------------- loopback HTTP

struct client {
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  std::string host;
  client(const std::string& h, const std::string& port) : host(h) {
    tcp::resolver res(ioc);
    stream.connect(res.resolve(h, port));
  }
  http::response<http::string_body> call(http::verb verb, const std::string& target, const std::string& body,
                                         const std::vector<std::pair<std::string, std::string>>& headers) {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, host);
    req.set(http::field::content_type, "application/json");
    for (auto& [k, v] : headers)
      req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    req.keep_alive(true);
    http::write(stream, req);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(stream, buf, res);
    return res;
  }
};

std::vector<std::pair<std::string, std::string>> l2(const venue::api_creds& c, const std::string& addr,
                                                    const char* method, const std::string& path,
                                                    const std::string& body) {
  auto ts = std::to_string(now_ms() / 1000);
  return {{"POLY_ADDRESS", addr}, {"POLY_SIGNATURE", *l2_signature(c.secret, ts, method, path, body)},
          {"POLY_TIMESTAMP", ts}, {"POLY_API_KEY", c.key}, {"POLY_PASSPHRASE", c.passphrase}};
}

std::string member(const std::string& json, const char* key) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember(key) || !d[key].IsString())
    return "";
  return d[key].GetString();
}

int loopback(const std::string& hostport, const std::string& tok, int seconds, int connections) {
  auto colon = hostport.rfind(':');
  auto host = hostport.substr(0, colon), port = hostport.substr(colon + 1);
  std::atomic<long> orders{0}, errors{0};
  std::vector<std::vector<double>> place_lat(static_cast<std::size_t>(connections)),
    cancel_lat(static_cast<std::size_t>(connections));
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  auto started = clk::now();
  for (int t = 0; t < connections && t < 8; ++t) {
    threads.emplace_back([&, t] {
      try {
        auto key = *private_key::parse(bench_keys[t]);
        auto addr = to_checksum(key.address());
        client c(host, port);
        // L1: create (or derive) this thread's API key.
        auto ts = std::to_string(now_ms() / 1000);
        auto sig = key.sign(clob_auth_digest(clob_auth{key.address(), ts, 0}));
        std::vector<std::pair<std::string, std::string>> l1{
          {"POLY_ADDRESS", addr}, {"POLY_SIGNATURE", to_hex(sig)}, {"POLY_TIMESTAMP", ts}, {"POLY_NONCE", "0"}};
        auto kr = c.call(http::verb::post, "/auth/api-key", "", l1);
        if (kr.result_int() != 200)
          kr = c.call(http::verb::get, "/auth/derive-api-key", "", l1);
        venue::api_creds creds{member(kr.body(), "apiKey"), member(kr.body(), "secret"),
                               member(kr.body(), "passphrase")};
        std::uint64_t salt = 1'000'000ull * static_cast<std::uint64_t>(t + 1);
        while (!stop) {
          ++salt;
          auto px = 10'000 * (1 + static_cast<std::int64_t>(salt % 30));
          auto r = make_order(key, creds.key, tok, order_side::buy, px, 5'000'000, salt, true);
          auto body = encode_order_request(r);
          auto t0 = clk::now();
          auto pr = c.call(http::verb::post, "/order", body, l2(creds, addr, "POST", "/order", body));
          auto t1 = clk::now();
          auto id = member(pr.body(), "orderID");
          if (pr.result_int() != 200 || id.empty()) {
            ++errors;
            continue;
          }
          auto cbody = "{\"orderID\":\"" + id + "\"}";
          auto cr = c.call(http::verb::delete_, "/order", cbody, l2(creds, addr, "DELETE", "/order", cbody));
          auto t2 = clk::now();
          if (cr.result_int() != 200)
            ++errors;
          place_lat[static_cast<std::size_t>(t)].push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
          cancel_lat[static_cast<std::size_t>(t)].push_back(std::chrono::duration<double, std::micro>(t2 - t1).count());
          ++orders;
        }
      } catch (const std::exception& e) {
        std::fprintf(stderr, "bench thread %d: %s\n", t, e.what());
        ++errors;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  for (auto& th : threads)
    th.join();
  auto secs = std::chrono::duration<double>(clk::now() - started).count();
  std::vector<double> all_p, all_c;
  for (auto& v : place_lat)
    all_p.insert(all_p.end(), v.begin(), v.end());
  for (auto& v : cancel_lat)
    all_c.insert(all_c.end(), v.begin(), v.end());
  auto p = pct(all_p), c = pct(all_c);
  std::printf("loopback %s, %d connections, %.1f s: %ld place+cancel pairs, %.0f pairs/s (%.0f requests/s), %ld errors\n",
              hostport.c_str(), connections, secs, orders.load(), static_cast<double>(orders) / secs,
              2.0 * static_cast<double>(orders) / secs, errors.load());
  std::printf("  POST /order   p50 %.0f us  p99 %.0f us  max %.0f us\n", p.p50, p.p99, p.max);
  std::printf("  DELETE /order p50 %.0f us  p99 %.0f us  max %.0f us\n", c.p50, c.p99, c.max);
  return errors == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
  std::vector<std::string> a(argv + 1, argv + argc);
  std::string clob, token;
  int seconds = 10, conns = 4, n = 20000;
  bool matching = false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto next = [&] { return i + 1 < a.size() ? a[++i] : std::string(); };
    if (a[i] == "--clob")
      clob = next();
    else if (a[i] == "--token")
      token = next();
    else if (a[i] == "--seconds")
      seconds = std::max(1, std::atoi(next().c_str()));
    else if (a[i] == "--connections")
      conns = std::clamp(std::atoi(next().c_str()), 1, 8);
    else if (a[i] == "--orders")
      n = std::max(1, std::atoi(next().c_str()));
    else if (a[i] == "--matching-only")
      matching = true;
    else {
      std::fprintf(stderr, "usage: tdmaker-venue-bench --clob HOST:PORT --token ID [--seconds N] [--connections N]\n"
                           "       tdmaker-venue-bench --matching-only [--orders N]\n");
      return 2;
    }
  }
  if (matching)
    return matching_only(n);
  if (clob.empty() || token.empty()) {
    std::fprintf(stderr, "tdmaker-venue-bench: --clob HOST:PORT and --token ID are required (or --matching-only)\n");
    return 2;
  }
  return loopback(clob, token, seconds, conns);
}
