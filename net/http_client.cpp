#include "net/http_client.hpp"

#include <random>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <spdlog/spdlog.h>

#include "core/clob_reply.hpp"
#include "core/signer_limit_headers.hpp"

namespace tdmaker {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

using strand_t = asio::strand<asio::io_context::executor_type>;

struct connection {
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;

  beast::tcp_stream& lowest() { return plain ? *plain : beast::get_lowest_layer(*secure); }
};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

template <class Response>
std::string field(const Response& res, std::string_view name) {
  return std::string(res[beast::string_view(name.data(), name.size())]);
}

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

http::verb verb_of(const std::string& m) {
  auto v = http::string_to_verb(m);
  return v == http::verb::unknown ? http::verb::get : v;
}

} // namespace

struct http_client::impl {
  io_pool& io;
  http_client_options opts;
  strand_t strand;
  std::vector<std::unique_ptr<connection>> idle;
  std::map<std::string, token_bucket> buckets;
  std::mt19937_64 rng{std::random_device{}()};
  std::optional<signer_pacer> pacer; // on the strand, like everything here

  impl(io_pool& p, http_client_options o)
      : io(p), opts(std::move(o)), strand(asio::make_strand(p.context())) {
    for (auto& l : opts.limits)
      if (l.capacity > 0) // a class with no capacity is not paced
        buckets.emplace(l.name, token_bucket(bucket_of(l), now_ms()));
    if (opts.signer)
      pacer.emplace(*opts.signer, now_ms());
  }

  void publish(http_client_stats& st) {
    auto now = now_ms();
    st.order_tokens = pacer->tokens(signer_kind::order, now);
    st.cancel_tokens = pacer->tokens(signer_kind::cancel, now);
    st.signer_delayed = pacer->delayed();
    st.signer_dropped = pacer->dropped();
    st.waiting = static_cast<std::int64_t>(pacer->waiting());
  }

  /// Waits for the signer bucket's tokens in priority order; the verdict if not `go`.
  awaitable<pace_verdict> pace_signer(const http_request& r, http_client_stats& st) {
    if (!pacer || r.signer == signer_kind::none)
      co_return pace_verdict::go;
    auto t = pacer->enqueue(r.signer, r.signer_cost, r.priority, now_ms());
    for (;;) {
      auto d = pacer->poll(t, now_ms());
      if (d.verdict == pace_verdict::wait && r.send_by_unix_ms > 0 && unix_ms() > r.send_by_unix_ms) {
        pacer->cancel(t); // its slot's cancel time passed while it waited
        d.verdict = pace_verdict::drop;
      }
      publish(st);
      if (d.verdict != pace_verdict::wait)
        co_return d.verdict;
      // Re-asked often: a waiter ahead that leaves changes this one's turn.
      co_await sleep(std::chrono::milliseconds(std::min<std::int64_t>(d.wait_ms, 20)));
    }
  }

  /// The venue's rate-limit headers on a signer request's reply, validated.
  void observe(const http_request& r, const http_response& res, http_client_stats& st) {
    if (!pacer || r.signer == signer_kind::none || res.status == 0)
      return;
    auto h = parse_signer_limit_headers(res.limit_remaining, res.limit_reset, res.limit_tier,
                                        res.status == 429 ? res.retry_after : "", res.limit_warning);
    if (h.malformed > 0 && st.bad_limit_headers.fetch_add(static_cast<std::uint64_t>(h.malformed)) % 100 == 0)
      spdlog::warn("clob: malformed Poly-RateLimit-*/Retry-After header on {} {} ignored", r.method, r.target);
    auto now = now_ms();
    if (!h.tier.empty() && h.tier != pacer->tier())
      spdlog::info("clob: rate-limit tier {}", h.tier);
    pacer->observe(r.signer, h, now);
    if (res.status == 429) {
      ++st.signer_429;
      pacer->throttled(r.signer, h.retry_after_ms.value_or(0), now);
      spdlog::warn("clob: 429 on {} {} ({} bucket): nothing of it for {} ms", r.method, r.target,
                   to_string(r.signer), h.retry_after_ms.value_or(1000));
    }
    publish(st);
  }

  awaitable<void> sleep(std::chrono::milliseconds d) {
    asio::steady_timer t(strand, d);
    co_await t.async_wait(use_awaitable);
  }

  awaitable<void> pace(const http_request& r, http_client_stats& st) {
    auto it = buckets.find(r.rate_class);
    if (it == buckets.end())
      co_return;
    for (;;) {
      auto wait = it->second.try_take(now_ms(), r.cost);
      if (wait <= 0)
        co_return;
      ++st.throttled;
      co_await sleep(std::chrono::milliseconds(wait));
    }
  }

  awaitable<std::unique_ptr<connection>> connect(const endpoint& ep, http_client_stats& st) {
    tcp::resolver resolver(strand);
    auto found = co_await resolver.async_resolve(ep.host, std::to_string(ep.port), use_awaitable);
    auto c = std::make_unique<connection>();
    if (ep.tls) {
      c->secure = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(strand, io.tls());
      // SNI, and the certificate must name the host.
      if (!SSL_set_tlsext_host_name(c->secure->native_handle(), ep.host.c_str()))
        throw beast::system_error(beast::error_code(static_cast<int>(::ERR_get_error()),
                                                    asio::error::get_ssl_category()));
      c->secure->set_verify_callback(asio::ssl::host_name_verification(ep.host));
    } else {
      c->plain = std::make_unique<beast::tcp_stream>(strand);
    }
    c->lowest().expires_after(opts.timeout);
    co_await c->lowest().async_connect(found, use_awaitable);
    if (c->secure)
      co_await c->secure->async_handshake(asio::ssl::stream_base::client, use_awaitable);
    ++st.connections;
    co_return c;
  }

  template <class Stream>
  awaitable<http::response<http::string_body>> exchange(Stream& s, connection& c,
                                                        http::request<http::string_body>& req) {
    co_await http::async_write(s, req, use_awaitable);
    http::response<http::string_body> res;
    co_await http::async_read(s, c.buffer, res, use_awaitable);
    co_return res;
  }

  awaitable<http_response> once(const endpoint& ep, const http_request& r, http_client_stats& st) {
    http_response out;
    std::unique_ptr<connection> c;
    try {
      if (!idle.empty()) {
        c = std::move(idle.back());
        idle.pop_back();
      } else {
        c = co_await connect(ep, st);
      }
      http::request<http::string_body> req{verb_of(r.method), r.target, 11};
      req.set(http::field::host, ep.host);
      req.set(http::field::user_agent, opts.user_agent);
      req.set(http::field::accept, "application/json");
      if (!r.body.empty())
        req.set(http::field::content_type, "application/json");
      for (auto& [k, v] : r.headers)
        req.set(k, v);
      req.body() = r.body;
      req.keep_alive(true);
      req.prepare_payload();
      c->lowest().expires_after(opts.timeout);
      // No co_await inside ?: — GCC 12 miscompiles it (double destruction).
      http::response<http::string_body> res;
      if (c->secure)
        res = co_await exchange(*c->secure, *c, req);
      else
        res = co_await exchange(*c->plain, *c, req);
      out.status = static_cast<int>(res.result_int());
      out.retry_after = std::string(res[http::field::retry_after]);
      out.limit_remaining = field(res, remaining_header);
      out.limit_reset = field(res, reset_header);
      out.limit_tier = field(res, tier_header);
      out.limit_warning = field(res, warning_header);
      out.body = std::move(res.body());
      if (res.keep_alive() && idle.size() < opts.max_idle) {
        c->lowest().expires_never();
        idle.push_back(std::move(c));
      }
    } catch (const boost::system::system_error& e) {
      out.status = 0;
      out.body = e.code().message(); // what() carries Beast's source location
    } catch (const std::exception& e) {
      out.status = 0;
      out.body = e.what();
    }
    co_return out;
  }

  awaitable<http_response> run(std::shared_ptr<http_client> self, http_request r) {
    auto& st = self->stats_;
    ++st.requests;
    http_response res;
    for (std::uint32_t attempt = 0;; ++attempt) {
      co_await pace(r, st);
      if (auto v = co_await pace_signer(r, st); v != pace_verdict::go) {
        res = {};
        res.not_sent = true;
        res.attempts = attempt;
        res.body = v == pace_verdict::drop ? "not sent: waited too long for a rate-limit token"
                                           : "not sent: costs more tokens than the bucket's burst";
        ++st.failures;
        co_return res;
      }
      ++st.attempts;
      res = co_await once(self->ep_, r, st);
      res.attempts = attempt + 1;
      observe(r, res, st);
      auto cls = classify_reply(res.status, res.body, res.retry_after);
      if (cls.kind == reply_kind::ok)
        co_return res;
      const bool unprocessed = cls.kind == reply_kind::too_early || cls.kind == reply_kind::rate_limited;
      const bool may_retry = r.retry == retry_rule::idempotent ? retryable(cls.kind)
                             : r.retry == retry_rule::unprocessed_only ? unprocessed
                                                                        : false;
      if (!may_retry || attempt + 1 >= opts.max_attempts) {
        ++st.failures;
        co_return res;
      }
      std::uniform_real_distribution<double> u(0.0, 1.0);
      auto delay = backoff_delay(opts.backoff, attempt, u(rng));
      delay = std::max(delay, std::chrono::milliseconds(cls.retry_after_ms));
      if (cls.kind == reply_kind::too_early) // engine restart: back off 1-2 s, doubling (ref §6)
        delay = std::max(delay, backoff_delay({std::chrono::milliseconds(2000), std::chrono::milliseconds(8000)},
                                              attempt, u(rng)));
      if (r.send_by_unix_ms > 0 && unix_ms() + delay.count() > r.send_by_unix_ms) {
        // A retry past the entry's send-by time (its slot's cancel time) would place
        // a bid the order actor has already given up: a 429 at end-4.5 s with
        // Retry-After 1 rests it until the cancel sweep finds it, past the end.
        // Only unprocessed replies are retried for entries: it was not placed.
        ++st.failures;
        co_return res;
      }
      ++st.retries;
      co_await sleep(delay);
    }
  }
};

std::shared_ptr<http_client> http_client::make(io_pool& io, endpoint ep, http_client_options opts) {
  return std::shared_ptr<http_client>(new http_client(io, std::move(ep), std::move(opts)));
}

http_client::http_client(io_pool& io, endpoint ep, http_client_options opts)
    : ep_(std::move(ep)), impl_(std::make_unique<impl>(io, std::move(opts))) {}

http_client::~http_client() = default;

boost::asio::any_io_executor http_client::executor() const { return impl_->strand; }

void http_client::send(http_request req, callback done) {
  auto self = shared_from_this();
  asio::co_spawn(impl_->strand, impl_->run(self, std::move(req)),
                 [done = std::move(done)](std::exception_ptr e, http_response r) {
                   if (e) {
                     r = {};
                     try {
                       std::rethrow_exception(e);
                     } catch (const std::exception& ex) {
                       r.body = ex.what();
                     }
                   }
                   done(std::move(r));
                 });
}

http_fetch fetch_of(std::shared_ptr<http_client> client) {
  if (!client)
    return {};
  return [client = std::move(client)](http_request req, std::function<void(http_response)> done) {
    client->send(std::move(req), std::move(done));
  };
}

} // namespace tdmaker
