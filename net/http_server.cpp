#include "net/http_server.hpp"

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <caf/event_based_actor.hpp>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/spdlog.h>

#include "actors/util.hpp"
#include "core/control.hpp"
#include "core/redact.hpp"

namespace tdmaker {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto actor_timeout = std::chrono::seconds(10);
constexpr std::size_t max_body = 64 * 1024;
constexpr auto read_timeout = std::chrono::seconds(30);

using response = http::response<http::string_body>;

std::string health_json(const health_report& h) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("status");
  w.String(h.healthy ? "ok" : "unhealthy");
  w.Key("reasons");
  w.StartArray();
  for (auto& r : h.reasons)
    w.String(r.c_str(), static_cast<rapidjson::SizeType>(r.size()));
  w.EndArray();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

std::string phase_json(const phase_record& p) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("phase");
  auto cur = to_string(p.current);
  w.String(cur.data(), static_cast<rapidjson::SizeType>(cur.size()));
  w.Key("previous");
  auto prev = to_string(p.previous);
  w.String(prev.data(), static_cast<rapidjson::SizeType>(prev.size()));
  w.Key("since_ms");
  w.Int64(p.since_ms);
  w.Key("reason");
  w.String(p.reason.c_str(), static_cast<rapidjson::SizeType>(p.reason.size()));
  w.Key("source");
  w.String(p.source.c_str(), static_cast<rapidjson::SizeType>(p.source.size()));
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

} // namespace

struct http_server::impl {
  caf::actor_system& sys;
  http_targets targets;
  std::string token;
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  std::thread thread;

  impl(caf::actor_system& s, http_targets t, std::string tok)
    : sys(s), targets(std::move(t)), token(std::move(tok)) {
  }

  class session : public std::enable_shared_from_this<session> {
  public:
    session(impl& owner, tcp::socket sock) : owner_(owner), stream_(std::move(sock)) {}

    void start() { read(); }

  private:
    void read() {
      parser_.emplace();
      parser_->body_limit(max_body);
      stream_.expires_after(read_timeout);
      http::async_read(stream_, buffer_, *parser_,
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         self->on_read(ec);
                       });
    }

    void on_read(beast::error_code ec) {
      if (ec == http::error::end_of_stream || ec == beast::error::timeout
          || ec == asio::error::operation_aborted)
        return close();
      if (ec) {
        if (ec == http::error::body_limit)
          return reply(http::status::payload_too_large, "application/json",
                       json_error("request body larger than 65536 bytes"), false);
        return close();
      }
      route(parser_->release());
    }

    void route(http::request<http::string_body> req) {
      keep_alive_ = req.keep_alive();
      std::string target(req.target());
      auto q = target.find('?');
      std::string path = target.substr(0, q);
      auto method = req.method();
      if (path == "/metrics" || path == "/health" || path == "/status") {
        if (method != http::verb::get && method != http::verb::head)
          return reply(http::status::method_not_allowed, "application/json",
                       json_error("use GET"), keep_alive_);
        if (path == "/metrics")
          return ask_text(metrics_atom::value, "text/plain; version=0.0.4; charset=utf-8");
        if (path == "/status")
          return ask_text(status_atom::value, "application/json");
        return ask_health();
      }
      if (path == "/book") {
        if (method != http::verb::get)
          return reply(http::status::method_not_allowed, "application/json", json_error("use GET"),
                       keep_alive_);
        return ask_book(q == std::string::npos ? std::string() : target.substr(q + 1));
      }
      if (path == "/debug/crash" && owner_.targets.fault_injection) {
        if (method != http::verb::post)
          return reply(http::status::method_not_allowed, "application/json", json_error("use POST"),
                       keep_alive_);
        return debug_crash(req, q == std::string::npos ? std::string() : target.substr(q + 1));
      }
      if (path == "/control/phase") {
        if (method != http::verb::post)
          return reply(http::status::method_not_allowed, "application/json",
                       json_error("use POST"), keep_alive_);
        return control_phase(req);
      }
      reply(http::status::not_found, "application/json", json_error("no such endpoint: " + path),
            keep_alive_);
    }

    // A short-lived actor that asks one question for this connection. It takes one
    // dummy argument: CAF 0.17 dereferences a null argument tuple when a function
    // actor takes none (a UBSan report from inside caf/detail/init_fun_factory.hpp).
    template <class F>
    void spawn_asker(F f) {
      owner_.sys.spawn([f](caf::event_based_actor* a, int) { f(a); }, 0);
    }

    template <class Atom>
    void ask_text(Atom atom, std::string content_type) {
      auto self = shared_from_this();
      auto tel = owner_.targets.telemetry;
      spawn_asker([=](caf::event_based_actor* a) {
        a->request(tel, actor_timeout, atom)
          .then(
            [=](std::string& body) {
              asio::post(self->owner_.ioc, [=] {
                self->reply(http::status::ok, content_type, body, self->keep_alive_);
              });
            },
            [=](caf::error& e) {
              auto msg = "telemetry unavailable: " + error_text(e);
              asio::post(self->owner_.ioc, [=] {
                self->reply(http::status::service_unavailable, "application/json",
                            json_error(msg), self->keep_alive_);
              });
            });
      });
    }

    // GET /book?market=<condition id>&token_id=<token>: the market actor's book in
    // the CLOB's /book shape (best last), for comparing with the venue.
    void ask_book(const std::string& query) {
      std::string market, token;
      for (std::size_t pos = 0; pos <= query.size();) {
        auto amp = query.find('&', pos);
        auto kv = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
        auto eq = kv.find('=');
        if (eq != std::string::npos) {
          if (kv.substr(0, eq) == "market")
            market = kv.substr(eq + 1);
          else if (kv.substr(0, eq) == "token_id")
            token = kv.substr(eq + 1);
        }
        if (amp == std::string::npos)
          break;
        pos = amp + 1;
      }
      auto cid = parse_condition_id(market);
      auto tok = parse_token_id(token);
      if (!cid || !tok)
        return reply(http::status::bad_request, "application/json",
                     json_error(!cid ? "market: " + cid.error() : "token_id: " + tok.error()), keep_alive_);
      auto self = shared_from_this();
      auto dir = owner_.targets.directory;
      auto fail_with = [self](http::status code, std::string msg) {
        asio::post(self->owner_.ioc, [=] {
          self->reply(code, "application/json", json_error(msg), self->keep_alive_);
        });
      };
      spawn_asker([=, id = *cid, want = *tok](caf::event_based_actor* a) {
        a->request(dir, actor_timeout, get_atom::value, id)
          .then(
            [=](market_actor& m) {
              a->request(m, actor_timeout, get_atom::value, book_atom::value)
                .then(
                  [=](std::vector<book_view>& books) {
                    for (auto& b : books)
                      if (b.token == want) {
                        auto body = book_json(id, b);
                        asio::post(self->owner_.ioc, [=] {
                          self->reply(http::status::ok, "application/json", body, self->keep_alive_);
                        });
                        return;
                      }
                    fail_with(http::status::not_found, "token is not an outcome of this market");
                  },
                  [=](caf::error& e) { fail_with(http::status::service_unavailable, error_text(e)); });
            },
            [=](caf::error& e) { fail_with(http::status::not_found, error_text(e)); });
      });
    }

    static std::string book_json(const condition_id& id, const book_view& b) {
      std::string s = R"({"market":")" + id.hex + R"(","asset_id":")" + b.token.digits + R"(","timestamp":")"
                      + std::to_string(b.ts_ms) + R"(","synced":)" + (b.synced ? "true" : "false");
      auto side = [&](const char* name, const std::vector<book_level>& best_first) {
        s += std::string(",\"") + name + "\":[";
        for (auto it = best_first.rbegin(); it != best_first.rend(); ++it) {
          if (it != best_first.rbegin())
            s += ',';
          s += R"({"price":")" + to_string(it->px) + R"(","size":")" + to_string(it->size) + "\"}";
        }
        s += ']';
      };
      side("bids", b.bids);
      side("asks", b.asks);
      return s + "}";
    }

    void ask_health() {
      auto self = shared_from_this();
      auto tel = owner_.targets.telemetry;
      spawn_asker([=](caf::event_based_actor* a) {
        a->request(tel, actor_timeout, health_atom::value)
          .then(
            [=](health_report& h) {
              auto code = h.healthy ? http::status::ok : http::status::service_unavailable;
              auto body = health_json(h);
              asio::post(self->owner_.ioc, [=] {
                self->reply(code, "application/json", body, self->keep_alive_);
              });
            },
            [=](caf::error& e) {
              health_report h{false, {"telemetry unavailable: " + error_text(e)}};
              auto body = health_json(h);
              asio::post(self->owner_.ioc, [=] {
                self->reply(http::status::service_unavailable, "application/json", body,
                            self->keep_alive_);
              });
            });
      });
    }

    /// The control token's check; false after replying with the refusal.
    bool authorized(const http::request<http::string_body>& req) {
      if (owner_.token.empty()) {
        reply(http::status::service_unavailable, "application/json",
              json_error("control endpoint disabled: TDMAKER_CONTROL_TOKEN is not set"), keep_alive_);
        return false;
      }
      auto auth = req.find(http::field::authorization);
      std::string_view header;
      if (auth != req.end())
        header = std::string_view(auth->value().data(), auth->value().size());
      if (!bearer_matches(header, owner_.token)) {
        spdlog::warn("http: control request rejected: missing or wrong bearer token");
        reply(http::status::unauthorized, "application/json", json_error("missing or invalid bearer token"),
              keep_alive_);
        return false;
      }
      return true;
    }

    // POST /debug/crash?kind=<kind>: fault injection, the supervisor kills that
    // singleton actor (tests of what a death does to the node).
    void debug_crash(const http::request<http::string_body>& req, const std::string& query) {
      if (!authorized(req))
        return;
      std::string kind = query.rfind("kind=", 0) == 0 ? query.substr(5) : std::string();
      if (kind.empty() || kind.size() > 32 || kind.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string::npos)
        return reply(http::status::bad_request, "application/json",
                     json_error("kind: expected ?kind=<singleton kind>, e.g. ?kind=order"), keep_alive_);
      auto self = shared_from_this();
      auto sup = owner_.targets.supervisor;
      spawn_asker([=](caf::event_based_actor* a) {
        a->request(sup, actor_timeout, crash_atom::value, kind)
          .then(
            [=](bool) {
              auto body = "{\"crashing\":\"" + kind + "\"}";
              asio::post(self->owner_.ioc, [=] {
                self->reply(http::status::accepted, "application/json", body, self->keep_alive_);
              });
            },
            [=](caf::error& e) {
              auto body = json_error(error_text(e));
              asio::post(self->owner_.ioc, [=] {
                self->reply(http::status::bad_request, "application/json", body, self->keep_alive_);
              });
            });
      });
    }

    void control_phase(const http::request<http::string_body>& req) {
      if (!authorized(req))
        return;
      auto parsed = parse_phase_switch(req.body());
      if (!parsed) {
        spdlog::warn("http: control request rejected: {}", log_escape(parsed.error())); // echoes request bytes
        return reply(http::status::bad_request, "application/json", json_error(parsed.error()),
                     keep_alive_);
      }
      auto self = shared_from_this();
      auto ctl = owner_.targets.control;
      switch_phase msg{parsed->target, parsed->reason, "control-http"};
      spawn_asker([=](caf::event_based_actor* a) {
        a->request(ctl, actor_timeout, msg)
          .then(
            [=](phase_record& rec) {
              auto body = phase_json(rec);
              asio::post(self->owner_.ioc, [=] {
                self->reply(http::status::ok, "application/json", body, self->keep_alive_);
              });
            },
            [=](caf::error& e) {
              auto body = json_error(error_text(e));
              asio::post(self->owner_.ioc, [=] {
                self->reply(http::status::internal_server_error, "application/json", body,
                            self->keep_alive_);
              });
            });
      });
    }

    void reply(http::status status, const std::string& content_type, std::string body,
               bool keep_alive) {
      auto res = std::make_shared<response>(status, 11);
      res->set(http::field::server, "tdmaker");
      res->set(http::field::content_type, content_type);
      res->keep_alive(keep_alive);
      res->body() = std::move(body);
      res->prepare_payload();
      stream_.expires_after(read_timeout);
      http::async_write(stream_, *res,
                        [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                          if (ec || !res->keep_alive())
                            return self->close();
                          self->read();
                        });
    }

    void close() {
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }

    impl& owner_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    bool keep_alive_ = false;
  };

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket sock) {
      if (ec == asio::error::operation_aborted)
        return;
      if (!ec)
        std::make_shared<session>(*this, std::move(sock))->start();
      accept();
    });
  }
};

http_server::http_server(caf::actor_system& sys, http_targets targets, std::string token)
  : impl_(std::make_unique<impl>(sys, std::move(targets), std::move(token))) {
}

http_server::~http_server() { stop(); }

result<std::uint16_t> http_server::start(const listen_address& where) {
  beast::error_code ec;
  std::string host = where.host == "localhost" ? "127.0.0.1" : where.host;
  auto addr = asio::ip::make_address(host, ec);
  auto name = where.host + ":" + std::to_string(where.port);
  if (ec)
    return fail("http: invalid listen address " + name + ": " + ec.message());
  tcp::endpoint ep(addr, where.port);
  impl_->acceptor.open(ep.protocol(), ec);
  if (!ec)
    impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    impl_->acceptor.bind(ep, ec);
  if (!ec)
    impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return fail("http: cannot listen on " + name + ": " + ec.message());
  auto port = impl_->acceptor.local_endpoint().port();
  impl_->accept();
  impl_->thread = std::thread([this] { impl_->ioc.run(); });
  return port;
}

void http_server::stop() {
  if (!impl_ || !impl_->thread.joinable())
    return;
  asio::post(impl_->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
  });
  impl_->ioc.stop();
  impl_->thread.join();
}

} // namespace tdmaker
