#include "net/http_server.hpp"

#include <deque>
#include <optional>
#include <tuple>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <caf/event_based_actor.hpp>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/spdlog.h>

#include "actors/util.hpp"
#include "core/control.hpp"
#include "core/event_stream.hpp"
#include "core/candle_query.hpp"
#include "core/phase_status.hpp"
#include "core/prometheus.hpp"
#include "net/accept_loop.hpp"
#include "net/http_rules.hpp"
#include "core/redact.hpp"

namespace tdmaker {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto actor_timeout = std::chrono::seconds(10);
constexpr net::request_limits limits{8 * 1024, 64 * 1024};
constexpr auto write_timeout = std::chrono::seconds(30);
// Past the cap a few probe connections are read for one monitoring request, so a
// health check is answered while idle clients hold every slot; they get little time.
constexpr std::size_t probe_slots = 8;
constexpr auto probe_timeout = std::chrono::milliseconds(500);
// An event stream's own send queue: past this many bytes waiting for a consumer
// that does not read, the connection is closed (it reconnects with Last-Event-ID).
constexpr std::size_t stream_queue_bytes = 256 * 1024;
constexpr auto stream_heartbeat = std::chrono::seconds(15);

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

} // namespace

struct http_server::impl {
  caf::actor_system& sys;
  http_targets targets;
  std::string token;
  asio::io_context ioc{1};
  std::shared_ptr<net::accept_loop> loop;
  http_limits conn_limits;
  // Requests refused by the byte limits or as malformed: body_limit, header_limit, malformed.
  std::atomic<std::uint64_t> bad_requests[3] = {};
  // Event stream sessions (I/O thread only), and whether the server still takes
  // their bridges' posts: false once stopping, read by the bridge actors.
  class session;
  std::vector<std::weak_ptr<session>> streams;
  std::shared_ptr<std::atomic<bool>> streams_open = std::make_shared<std::atomic<bool>>(true);
  std::thread thread;

  void count_bad_request(const char* reason) {
    std::string_view r(reason);
    bad_requests[r == "body_limit" ? 0 : r == "header_limit" ? 1 : 2].fetch_add(1);
  }

  // The server's own figures, appended to the telemetry actor's text: they live on
  // this I/O thread (and in the accept loop's atomics), not in any actor's state.
  std::string connection_metrics() const {
    prom::exposition e;
    auto& c = *loop->counters();
    e.family("tdmaker_http_connections", "HTTP connections open (holding a slot under the cap).", "gauge");
    e.sample("tdmaker_http_connections", {}, c.open.load());
    e.family("tdmaker_http_connections_max", "http.max_connections: the cap on open HTTP connections.", "gauge");
    e.sample("tdmaker_http_connections_max", {}, static_cast<std::int64_t>(conn_limits.max_connections));
    e.family("tdmaker_http_connections_refused_total",
             "HTTP connections answered 503 too many connections at the cap.", "counter");
    e.sample("tdmaker_http_connections_refused_total", {}, c.refused.load());
    e.family("tdmaker_http_accept_errors_total", "Failed accepts on the HTTP listener (e.g. out of fds).",
             "counter");
    e.sample("tdmaker_http_accept_errors_total", {}, c.accept_errors.load());
    e.family("tdmaker_http_bad_requests_total", "HTTP requests refused by the size limits or as malformed.",
             "counter");
    const char* reasons[] = {"body_limit", "header_limit", "malformed"};
    for (int i = 0; i < 3; ++i)
      e.sample("tdmaker_http_bad_requests_total", {{"reason", reasons[i]}}, bad_requests[i].load());
    return e.text();
  }

  impl(caf::actor_system& s, http_targets t, std::string tok)
    : sys(s), targets(std::move(t)), token(std::move(tok)) {
  }

  class session : public std::enable_shared_from_this<session> {
  public:
    session(impl& owner, tcp::socket sock, net::connection_slot slot, net::admission how)
      : owner_(owner), stream_(std::move(sock)), slot_(std::move(slot)), probe_(how == net::admission::probe) {}

    void start() { read(); }

  private:
    void read() {
      parser_.emplace();
      net::apply_limits(*parser_, limits);
      auto idle = std::chrono::duration_cast<std::chrono::steady_clock::duration>(owner_.conn_limits.idle_timeout);
      stream_.expires_after(probe_ ? std::min<std::chrono::steady_clock::duration>(idle, probe_timeout) : idle);
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
        auto bad = net::classify_read_error(ec, limits);
        if (!bad)
          return close();
        // The parser stops at the limit: the rest of the request is unread, so the
        // connection cannot carry another one. Answer, then close.
        owner_.count_bad_request(bad->reason);
        spdlog::warn("http: request refused: {}", bad->message);
        head_ = parser_->is_header_done() && parser_->get().method() == http::verb::head;
        return reply(bad->status, "application/json", json_error(bad->message), false);
      }
      route(parser_->release());
    }

    void route(http::request<http::string_body> req) {
      std::string target(req.target());
      auto q = target.find('?');
      std::string path = target.substr(0, q);
      auto method = req.method();
      head_ = method == http::verb::head;
      keep_alive_ = req.keep_alive() && !probe_;
      if (probe_ && !((path == "/health" || path == "/metrics") && (method == http::verb::get || head_))) {
        owner_.loop->counters()->refused.fetch_add(1);
        return reply(http::status::service_unavailable, "application/json", json_error("too many connections"),
                     false);
      }
      if (path == "/metrics" || path == "/health" || path == "/status" || path == "/phase") {
        if (method != http::verb::get && method != http::verb::head)
          return reply(http::status::method_not_allowed, "application/json",
                       json_error("use GET"), keep_alive_);
        if (path == "/metrics")
          return ask_text(metrics_atom::value, "text/plain; version=0.0.4; charset=utf-8");
        if (path == "/status")
          return ask_text(status_atom::value, "application/json");
        if (path == "/phase")
          return ask_phase();
        return ask_health();
      }
      if (path == "/book") {
        if (method != http::verb::get)
          return reply(http::status::method_not_allowed, "application/json", json_error("use GET"),
                       keep_alive_);
        return ask_book(q == std::string::npos ? std::string() : target.substr(q + 1));
      }
      if (path == "/events" || path == "/events/stream") {
        if (method != http::verb::get)
          return reply(http::status::method_not_allowed, "application/json", json_error("use GET"),
                       keep_alive_);
        auto query = q == std::string::npos ? std::string() : target.substr(q + 1);
        if (path == "/events")
          return ask_events(query);
        return open_stream(req, query);
      }
      if (path == "/candles") {
        if (method != http::verb::get)
          return reply(http::status::method_not_allowed, "application/json", json_error("use GET"),
                       keep_alive_);
        return ask_candles(q == std::string::npos ? std::string() : target.substr(q + 1));
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
      auto ev = owner_.targets.events;
      spawn_asker([=](caf::event_based_actor* a) {
        a->request(tel, actor_timeout, atom)
          .then(
            [=](std::string& body) {
              if constexpr (std::is_same_v<Atom, metrics_atom>)
                if (ev) { // the event history's families follow the telemetry actor's
                  a->request(ev, actor_timeout, atom)
                    .then(
                      [=](std::string& more) {
                        asio::post(self->owner_.ioc, [=] {
                          self->reply(http::status::ok, content_type,
                                      body + more + self->owner_.connection_metrics(), self->keep_alive_);
                        });
                      },
                      [=](caf::error&) {
                        asio::post(self->owner_.ioc, [=] {
                          self->reply(http::status::ok, content_type, body + self->owner_.connection_metrics(),
                                      self->keep_alive_);
                        });
                      });
                  return;
                }
              asio::post(self->owner_.ioc, [=] {
                if constexpr (std::is_same_v<Atom, metrics_atom>)
                  self->reply(http::status::ok, content_type, body + self->owner_.connection_metrics(),
                              self->keep_alive_);
                else
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

    // GET /candles?stream=&from=&to=&format=: one stream's stored candles in [from, to),
    // at most candle_http_max_rows (the json reply says `truncated`; csv and jsonl say it
    // in the X-Tdmaker-Truncated header).
    void ask_candles(const std::string& query) {
      auto parsed = parse_candle_http_query(query);
      if (!parsed)
        return reply(http::status::bad_request, "application/json", json_error(parsed.error()), keep_alive_);
      if (!owner_.targets.store)
        return reply(http::status::service_unavailable, "application/json", json_error("no store"), keep_alive_);
      auto self = shared_from_this();
      auto store = owner_.targets.store;
      store_range range{record_db::candles, candle_from_key(*parsed), candle_to_key(*parsed), candle_http_max_rows + 1};
      spawn_asker([=, q = *parsed](caf::event_based_actor* a) {
        a->request(store, actor_timeout, range)
          .then(
            [=](store_rows& rows) {
              auto [code, body, cut] = candle_reply(q, rows);
              asio::post(self->owner_.ioc, [=] {
                auto type = q.format == candle_format::csv   ? "text/csv"
                            : q.format == candle_format::jsonl ? "application/x-ndjson"
                                                               : "application/json";
                self->reply(code, code == http::status::ok ? type : "application/json", body, self->keep_alive_,
                            cut);
              });
            },
            [=](caf::error& e) {
              auto msg = "store unavailable: " + error_text(e);
              asio::post(self->owner_.ioc, [=] {
                self->reply(http::status::service_unavailable, "application/json", json_error(msg),
                            self->keep_alive_);
              });
            });
      });
    }

    static std::tuple<http::status, std::string, bool> candle_reply(const candle_query& q, store_rows& rows) {
      const bool cut = rows.rows.size() > candle_http_max_rows;
      if (cut)
        rows.rows.resize(candle_http_max_rows);
      std::vector<stored_candle> out;
      out.reserve(rows.rows.size());
      for (auto& r : rows.rows) {
        auto c = decode_candle(r.payload);
        if (!c) // the store refuses such a write: this is a damaged store, not the client's fault
          return {http::status::internal_server_error, json_error("unreadable candle " + describe_candle_key(r.key)
                                                                  + ": " + c.error()), false};
        out.push_back(std::move(c).value());
      }
      return {http::status::ok, render_candles(q, out, cut, candle_http_max_rows), cut};
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

    // GET /phase: the phase manager's status (seed 002: gate progress, downgrade
    // watch, session figures), through control like the switch; read-only, no token.
    void ask_phase() {
      auto self = shared_from_this();
      auto ctl = owner_.targets.control;
      spawn_asker([=](caf::event_based_actor* a) {
        a->request(ctl, actor_timeout, status_atom::value)
          .then(
            [=](std::string& body) {
              asio::post(self->owner_.ioc, [=] {
                self->reply(http::status::ok, "application/json", body, self->keep_alive_);
              });
            },
            [=](caf::error& e) {
              auto body = json_error("phase manager unavailable: " + error_text(e));
              asio::post(self->owner_.ioc, [=] {
                self->reply(http::status::service_unavailable, "application/json", body, self->keep_alive_);
              });
            });
      });
    }

    // GET /events?since=SEQ&limit=N: a page of the typed-event history.
    void ask_events(const std::string& query) {
      auto parsed = parse_events_query(query, owner_.targets.history);
      if (!parsed)
        return reply(http::status::bad_request, "application/json", json_error(parsed.error()), keep_alive_);
      if (!owner_.targets.events)
        return reply(http::status::service_unavailable, "application/json", json_error("no event history"),
                     keep_alive_);
      auto self = shared_from_this();
      auto ev = owner_.targets.events;
      spawn_asker([=, q = *parsed](caf::event_based_actor* a) {
        a->request(ev, actor_timeout, q)
          .then(
            [=](event_page& page) {
              auto body = event_page_json(page);
              asio::post(self->owner_.ioc, [=] {
                self->reply(http::status::ok, "application/json", body, self->keep_alive_);
              });
            },
            [=](caf::error& e) {
              auto body = json_error("event history unavailable: " + error_text(e));
              asio::post(self->owner_.ioc, [=] {
                self->reply(http::status::service_unavailable, "application/json", body, self->keep_alive_);
              });
            });
      });
    }

    // GET /events/stream: server-sent events. A bridge actor subscribes to the
    // events actor and posts each page here; this connection alone holds the
    // bytes its consumer has not read, up to stream_queue_bytes.
    void open_stream(const http::request<http::string_body>& req, const std::string& query) {
      events_subscribe sub{0, true};
      if (auto id = req.find("Last-Event-ID"); id != req.end()) {
        auto seq = parse_event_seq(std::string_view(id->value().data(), id->value().size()));
        if (!seq)
          return reply(http::status::bad_request, "application/json", json_error("Last-Event-ID: " + seq.error()),
                       false);
        sub = {*seq, false};
      } else if (!query.empty()) {
        auto parsed = parse_events_query(query, owner_.targets.history);
        if (!parsed)
          return reply(http::status::bad_request, "application/json", json_error(parsed.error()), false);
        sub = {parsed->since, false};
      }
      if (!owner_.targets.events)
        return reply(http::status::service_unavailable, "application/json", json_error("no event history"), false);
      stream_asked_after_ = sub.since;
      // The kernel's share of an unread stream is bounded too (no autotuning to
      // megabytes): what a stalled consumer holds is this plus stream_queue_bytes.
      beast::error_code ec;
      stream_.socket().set_option(asio::socket_base::send_buffer_size(64 * 1024), ec);
      std::weak_ptr<session> weak = shared_from_this();
      auto open = owner_.streams_open;
      auto events = owner_.targets.events;
      bridge_ = owner_.sys.spawn(
        [weak, open, events](event_subscriber_actor::pointer self, int) -> event_subscriber_actor::behavior_type {
          // It lives for its subscription: the events actor ends it, or its own end does.
          self->monitor(events);
          self->set_down_handler([self](caf::down_msg&) { self->quit(); });
          auto post = [weak, open](auto f) {
            if (!open->load())
              return; // the server stopped: its I/O thread takes nothing more
            if (auto s = weak.lock())
              asio::post(s->stream_.get_executor(), [s, f = std::move(f)]() mutable { f(*s); });
          };
          return {
            [post](event_page& p) { post([p = std::move(p)](session& s) mutable { s.on_events(std::move(p)); }); },
            [post, self](events_refused& r) {
              post([why = r.reason](session& s) { s.on_refused(why); });
              self->quit();
            },
          };
        },
        0);
      std::erase_if(owner_.streams, [](const std::weak_ptr<session>& w) { return w.expired(); });
      owner_.streams.push_back(weak);
      // The heartbeat timer keeps this session alive while it waits for pages.
      beat_.emplace(stream_.get_executor());
      arm_heartbeat();
      caf::anon_send(owner_.targets.events, sub, bridge_);
    }

    void on_refused(const std::string& why) {
      bridge_ = nullptr; // it quit; nothing to unsubscribe
      stop_heartbeat();
      reply(http::status::service_unavailable, "application/json", json_error(why), false);
    }

    void on_events(event_page page) {
      if (stream_closed_)
        return;
      if (!streaming_) {
        streaming_ = true;
        enqueue("HTTP/1.1 200 OK\r\nServer: tdmaker\r\nContent-Type: text/event-stream\r\n"
                "Cache-Control: no-cache\r\nConnection: close\r\n\r\n");
        if (page.missed)
          enqueue(sse_missed_frame(stream_asked_after_,
                                   page.events.empty() ? page.next + 1 : page.events.front().seq));
      }
      for (const auto& e : page.events)
        if (!enqueue(sse_frame(e)))
          return;
    }

    /// False when the consumer is so far behind that the connection was dropped.
    bool enqueue(std::string bytes) {
      if (stream_closed_)
        return false;
      if (queued_bytes_ + bytes.size() > stream_queue_bytes) {
        spdlog::warn("http: event stream consumer dropped: {} bytes unread (the limit is {})", queued_bytes_,
                     stream_queue_bytes);
        close_stream(true);
        return false;
      }
      queued_bytes_ += bytes.size();
      out_.push_back(std::move(bytes));
      if (!writing_)
        write_next();
      return true;
    }

    void write_next() {
      if (out_.empty() || stream_closed_) {
        writing_ = false;
        return;
      }
      writing_ = true;
      // A write that a consumer does not take within write_timeout drops it too.
      stream_.expires_after(write_timeout);
      asio::async_write(stream_, asio::buffer(out_.front()),
                        [self = shared_from_this()](beast::error_code ec, std::size_t) {
                          if (self->stream_closed_)
                            return;
                          if (ec)
                            return self->close_stream(ec == beast::error::timeout);
                          self->stream_.expires_never();
                          self->queued_bytes_ -= self->out_.front().size();
                          self->out_.pop_front();
                          self->write_next();
                        });
    }

    void arm_heartbeat() {
      beat_->expires_after(stream_heartbeat);
      beat_->async_wait([self = shared_from_this()](beast::error_code ec) {
        if (ec || self->stream_closed_)
          return;
        if (self->streaming_)
          self->enqueue(std::string(sse_heartbeat));
        if (!self->stream_closed_)
          self->arm_heartbeat();
      });
    }

    void stop_heartbeat() {
      if (beat_)
        beat_->cancel();
    }

    /// Ends the stream: the events actor forgets the subscriber (and counts a
    /// drop), and the socket closes at once — a stalled consumer is not drained.
    void close_stream(bool dropped) {
      if (stream_closed_)
        return;
      stream_closed_ = true;
      stop_heartbeat();
      if (bridge_ && owner_.targets.events)
        caf::anon_send(owner_.targets.events, events_unsubscribe{dropped}, bridge_);
      bridge_ = nullptr;
      out_.clear();
      queued_bytes_ = 0;
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
      stream_.socket().close(ec);
    }

  public:
    /// The server stops: streams end without waiting for their consumers.
    void abandon_stream() { close_stream(false); }

  private:

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
      switch_phase msg{parsed->target, parsed->reason, "control-http", parsed->force};
      spawn_asker([=](caf::event_based_actor* a) {
        a->request(ctl, actor_timeout, msg)
          .then(
            [=](phase_switch_reply& r) {
              // A gate that refuses is the operator's answer, not a server fault: 409
              // with every criterion, so the caller sees what is missing.
              auto code = r.accepted ? http::status::ok : http::status::conflict;
              auto body = r.accepted ? phase_switch_json(r.record, r.override_) : gate_refusal_json(r.gate, r.error);
              asio::post(self->owner_.ioc, [=] {
                self->reply(code, "application/json", body, self->keep_alive_);
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
               bool keep_alive, bool truncated = false) {
      auto res = std::make_shared<response>(status, 11);
      res->set(http::field::server, "tdmaker");
      if (truncated)
        res->set("X-Tdmaker-Truncated", std::to_string(candle_http_max_rows) + " rows returned; narrow the range");
      res->set(http::field::content_type, content_type);
      res->keep_alive(keep_alive);
      res->body() = std::move(body);
      net::finish_reply(*res, head_);
      stream_.expires_after(write_timeout);
      http::async_write(stream_, *res,
                        [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                          if (ec || !res->keep_alive())
                            return self->close();
                          self->read();
                        });
    }

    // The slot goes with the socket: the connection counts until it is really closed.
    void close() { net::drain_and_close(stream_.release_socket(), std::move(slot_)); }

    impl& owner_;
    beast::tcp_stream stream_;
    net::connection_slot slot_;
    bool probe_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    bool keep_alive_ = false;
    bool head_ = false; // the request being answered is a HEAD: headers only
    // GET /events/stream (I/O thread only)
    event_subscriber_actor bridge_;
    std::optional<asio::steady_timer> beat_;
    std::deque<std::string> out_;
    std::size_t queued_bytes_ = 0;
    std::uint64_t stream_asked_after_ = 0;
    bool streaming_ = false;
    bool writing_ = false;
    bool stream_closed_ = false;
  };
};

http_server::http_server(caf::actor_system& sys, http_targets targets, std::string token)
  : impl_(std::make_unique<impl>(sys, std::move(targets), std::move(token))) {
}

http_server::~http_server() { stop(); }

result<std::uint16_t> http_server::start(const listen_address& where, const http_limits& lim) {
  beast::error_code ec;
  std::string host = where.host == "localhost" ? "127.0.0.1" : where.host;
  auto addr = asio::ip::make_address(host, ec);
  auto name = where.host + ":" + std::to_string(where.port);
  if (ec)
    return fail("http: invalid listen address " + name + ": " + ec.message());
  tcp::endpoint ep(addr, where.port);
  tcp::acceptor acceptor(impl_->ioc);
  acceptor.open(ep.protocol(), ec);
  if (!ec)
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    acceptor.bind(ep, ec);
  if (!ec)
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return fail("http: cannot listen on " + name + ": " + ec.message());
  auto port = acceptor.local_endpoint().port();
  impl_->conn_limits = lim;
  net::accept_options o;
  o.max_connections = lim.max_connections;
  o.probe_slots = probe_slots;
  o.log = [](bool warning, const std::string& line) {
    if (warning)
      spdlog::warn("{}", line);
    else
      spdlog::info("{}", line);
  };
  auto* p = impl_.get();
  impl_->loop = net::accept_loop::create(std::move(acceptor), std::move(o),
                                         [p](tcp::socket s, net::connection_slot slot, net::admission how) {
                                           std::make_shared<impl::session>(*p, std::move(s), std::move(slot), how)
                                             ->start();
                                         });
  impl_->loop->start();
  impl_->thread = std::thread([this] { impl_->ioc.run(); });
  return port;
}

void http_server::stop() {
  if (!impl_ || !impl_->thread.joinable())
    return;
  asio::post(impl_->ioc, [this] { impl_->loop->stop(); });
  impl_->ioc.stop();
  impl_->thread.join();
  // The I/O thread is gone: end every event stream from here, so no bridge posts
  // to this server again and no session waits on its timer.
  impl_->streams_open->store(false);
  for (auto& w : impl_->streams)
    if (auto s = w.lock())
      s->abandon_stream();
  impl_->streams.clear();
}

} // namespace tdmaker
