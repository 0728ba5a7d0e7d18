#include "net/clob_session.hpp"

#include <chrono>

#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "core/auth_headers.hpp"
#include "core/bytes.hpp"
#include "core/eip712.hpp"
#include "core/rate_limiter.hpp"

namespace tdmaker {
namespace {

std::int64_t unix_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}
std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

http_request request_of(std::string method, std::string path, std::string body, retry_rule retry) {
  http_request r;
  r.rate_class = std::string(rate_class(method, path));
  r.method = std::move(method);
  r.target = std::move(path);
  r.body = std::move(body);
  r.retry = retry;
  return r;
}

/// A batch of sells only is a stop-loss exit: it goes before any new buy.
signer_pacing order_pacing(const std::vector<const order_request*>& orders) {
  bool exit = !orders.empty();
  for (auto* o : orders)
    exit = exit && o->order.fields.side == order_side::sell;
  return {signer_kind::order, static_cast<std::int64_t>(orders.size()),
          exit ? pace_priority::exit : pace_priority::entry};
}

/// The pacer held the request back: a definite "not placed".
reply_class not_sent_class(const http_response& res) {
  return {reply_kind::rejected, res.body, 0};
}

} // namespace

std::shared_ptr<clob_session> clob_session::make(std::shared_ptr<http_client> http, private_key key,
                                                 clob_session_options opts) {
  return std::shared_ptr<clob_session>(new clob_session(std::move(http), std::move(key), opts));
}

clob_session::clob_session(std::shared_ptr<http_client> http, private_key key, clob_session_options opts)
    : http_(std::move(http)), key_(std::move(key)), opts_(opts) {}

address20 clob_session::address() const { return key_.address(); }
bool clob_session::has_credentials() const { return has_creds_.load(); }
const api_credentials& clob_session::credentials() const { return creds_; }

void clob_session::establish_credentials(std::function<void(result<api_credentials>)> done) {
  auto self = shared_from_this();
  auto l1 = [self](std::string method, std::string path) {
    auto r = request_of(std::move(method), std::move(path), "", retry_rule::unprocessed_only);
    r.headers = l1_headers(self->key_, unix_s(), 0);
    return r;
  };
  auto finish = [self, done](const http_response& res) {
    auto c = parse_api_credentials(res.body);
    if (!c)
      return done(fail(c.error()));
    self->creds_ = *c;
    self->has_creds_ = true;
    done(std::move(c));
  };
  http_->send(l1("POST", "/auth/api-key"), [self, l1, finish, done](http_response res) {
    auto cls = classify_reply(res.status, res.body, res.retry_after);
    if (cls.kind == reply_kind::ok)
      return finish(res);
    if (cls.kind != reply_kind::rejected)
      return done(fail("create api key: HTTP " + std::to_string(res.status) + " " + cls.error));
    // Keys are deterministic per (address, nonce): it exists, so derive it.
    self->http_->send(l1("GET", "/auth/derive-api-key"), [finish, done](http_response r2) {
      auto c2 = classify_reply(r2.status, r2.body, r2.retry_after);
      if (c2.kind != reply_kind::ok)
        return done(fail("derive api key: HTTP " + std::to_string(r2.status) + " " + c2.error));
      finish(r2);
    });
  });
}

void clob_session::l2(std::string method, std::string path, std::string body, retry_rule retry,
                      http_client::callback done, signer_pacing pacing) {
  if (!has_creds_) {
    http_response r;
    r.body = "no API credentials yet";
    return done(std::move(r));
  }
  auto signed_path = path.substr(0, path.find('?')); // L2 signs the path without its query
  auto headers = l2_headers(key_, creds_, unix_s(), method, signed_path, body);
  auto req = request_of(std::move(method), std::move(path), std::move(body), retry);
  if (!headers) {
    http_response r;
    r.body = "L2 headers: " + headers.error();
    return done(std::move(r));
  }
  req.headers = std::move(headers).value();
  req.signer = pacing.kind;
  req.signer_cost = pacing.cost;
  req.priority = pacing.priority;
  req.send_by_unix_ms = pacing.send_by_unix_ms;
  http_->send(std::move(req), std::move(done));
}

place_outcome clob_session::outcome_of(place_outcome out, const reply_class& cls, const order_ack* ack) {
  if (ack) {
    out.ack = *ack;
    out.result = ack->placed ? place_verdict::placed : place_verdict::rejected;
    out.failure = ack->placed ? reply_class{} : reply_class{reply_kind::rejected, ack->error, 0};
    return out;
  }
  out.failure = cls;
  switch (cls.kind) {
    case reply_kind::post_only_mode:
      post_only_until_ms_ = unix_ms() + std::max<std::int64_t>(cls.retry_after_ms, 1000);
      [[fallthrough]];
    case reply_kind::rejected:
    case reply_kind::unauthorized:
    case reply_kind::too_early:
    case reply_kind::rate_limited:
    case reply_kind::unavailable:
      // A definite "no": the venue did not take the order.
      out.result = place_verdict::rejected;
      return out;
    default:
      out.result = place_verdict::unknown; // no clear answer: the ghost-order check decides
      return out;
  }
}

void clob_session::place(order_request order, const bytes32& domain_sep,
                         std::function<void(place_outcome)> done) {
  place_outcome out;
  out.order_id = to_hex(order_digest(order.order.fields, domain_sep));
  if (!order.post_only && post_only_until_ms_.load() > unix_ms()) {
    out.result = place_verdict::rejected;
    out.failure = {reply_kind::post_only_mode, "venue in post-only mode: order not sent", 0};
    return done(std::move(out));
  }
  auto self = shared_from_this();
  auto pacing = order_pacing({&order});
  l2("POST", "/order", encode_order_request(order), retry_rule::unprocessed_only,
     [self, out, done](http_response res) mutable {
       auto cls = res.not_sent ? not_sent_class(res) : classify_reply(res.status, res.body, res.retry_after);
       result<order_ack> ack = fail("no reply");
       if (cls.kind == reply_kind::ok) {
         ack = parse_order_ack(res.body);
         if (!ack)
           cls = {reply_kind::transport, "unreadable order reply: " + ack.error(), 0};
       }
       out = self->outcome_of(std::move(out), cls, ack ? &*ack : nullptr);
       if (out.result != place_verdict::unknown)
         return done(std::move(out));
       auto id = out.order_id; // copied first: argument evaluation order is unspecified
       self->ghost_check(std::move(id), 0, std::move(out), std::move(done));
     }, pacing);
}

result<order_request> clob_session::sign(order_spec spec, const bytes32& domain_sep) const {
  if (!has_creds_)
    return fail("no API credentials yet");
  spec.owner = creds_.key;
  spec.sig_type = opts_.sig_type;
  spec.funder = opts_.funder;
  return sign_order(spec, key_, domain_sep);
}

void clob_session::place_batch(std::vector<order_request> orders, const bytes32& domain_sep,
                               std::function<void(std::vector<place_outcome>)> done, std::int64_t send_by_unix_ms) {
  std::vector<place_outcome> outs(orders.size());
  std::vector<const order_request*> all;
  for (auto& o : orders)
    all.push_back(&o);
  auto pacing = order_pacing(all);
  pacing.send_by_unix_ms = send_by_unix_ms;
  std::string body = "[";
  for (std::size_t i = 0; i < orders.size(); ++i) {
    outs[i].order_id = to_hex(order_digest(orders[i].order.fields, domain_sep));
    body += i ? "," : "";
    body += encode_order_request(orders[i]);
  }
  body += "]";
  auto self = shared_from_this();
  l2("POST", "/orders", std::move(body), retry_rule::unprocessed_only,
     [self, outs, done](http_response res) mutable {
       auto cls = res.not_sent ? not_sent_class(res) : classify_reply(res.status, res.body, res.retry_after);
       std::vector<order_ack> acks;
       if (cls.kind == reply_kind::ok) {
         auto parsed = parse_order_acks(res.body);
         if (parsed && parsed->size() == outs.size())
           acks = std::move(parsed).value();
         else
           cls = {reply_kind::transport,
                  "unreadable batch reply: " + (parsed ? std::string("wrong length") : parsed.error()), 0};
       }
       for (std::size_t i = 0; i < outs.size(); ++i)
         outs[i] = self->outcome_of(std::move(outs[i]), cls, acks.empty() ? nullptr : &acks[i]);
       // Orders with no clear answer are looked up one by one; the batch
       // completes when the last look-up has.
       auto pending = std::make_shared<std::vector<place_outcome>>(std::move(outs));
       std::size_t unknown = 0;
       for (auto& o : *pending)
         unknown += o.result == place_verdict::unknown;
       if (unknown == 0)
         return done(std::move(*pending));
       auto left = std::make_shared<std::atomic<std::size_t>>(unknown);
       for (std::size_t i = 0; i < pending->size(); ++i) {
         if ((*pending)[i].result != place_verdict::unknown)
           continue;
         auto id = (*pending)[i].order_id;
         auto so_far = (*pending)[i];
         self->ghost_check(std::move(id), 0, std::move(so_far), [pending, left, i, done](place_outcome o) {
           (*pending)[i] = std::move(o); // distinct slots; the last one to finish hands them over
           if (left->fetch_sub(1, std::memory_order_acq_rel) == 1)
             done(std::move(*pending));
         });
       }
     }, pacing);
}

void clob_session::open_orders(std::function<void(result<std::vector<open_order>>)> done) {
  open_orders_page("MA==", {}, std::move(done));
}

void clob_session::open_orders_page(std::string cursor, std::vector<open_order> so_far,
                                    std::function<void(result<std::vector<open_order>>)> done) {
  auto self = shared_from_this();
  l2("GET", "/data/orders?next_cursor=" + cursor, "", retry_rule::idempotent,
     [self, so_far = std::move(so_far), done](http_response res) mutable {
       auto cls = classify_reply(res.status, res.body, res.retry_after);
       if (cls.kind != reply_kind::ok)
         return done(fail("open orders: HTTP " + std::to_string(res.status) + " " + cls.error));
       auto page = parse_open_orders_page(res.body);
       if (!page)
         return done(fail(page.error()));
       for (auto& o : page->orders)
         so_far.push_back(std::move(o));
       if (page->next_cursor.empty() || page->next_cursor == "LTE=" || page->orders.empty())
         return done(std::move(so_far));
       if (so_far.size() > 100'000)
         return done(fail("open orders: more than 100000; refusing to page further"));
       self->open_orders_page(page->next_cursor, std::move(so_far), std::move(done));
     });
}

void clob_session::collateral_balance(std::function<void(result<usdc>)> done) {
  l2("GET", "/balance-allowance?asset_type=COLLATERAL&signature_type="
              + std::to_string(static_cast<unsigned>(opts_.sig_type)),
     "", retry_rule::idempotent,
     [done](http_response res) {
       auto cls = classify_reply(res.status, res.body, res.retry_after);
       if (cls.kind != reply_kind::ok)
         return done(fail("balance: HTTP " + std::to_string(res.status) + " " + cls.error));
       done(parse_balance(res.body));
     });
}

void clob_session::ghost_check(std::string order_id, std::uint32_t attempt, place_outcome so_far,
                               std::function<void(place_outcome)> done) {
  auto self = shared_from_this();
  lookup(order_id, [self, order_id, attempt, so_far, done](reply_class cls, result<open_order> o) mutable {
    so_far.ghost_checked = true;
    if (cls.kind == reply_kind::ok && o) {
      so_far.venue_status = o->status;
      so_far.result = place_verdict::placed;
      spdlog::warn("clob: order {} had no clear reply ({}), found on the venue as {}", order_id,
                   so_far.failure.error, o->status);
      return done(std::move(so_far));
    }
    so_far.venue_status = "lookup " + std::string(to_string(cls.kind)) + ": " + (o ? cls.error : o.error());
    if (attempt + 1 >= self->opts_.ghost_lookups) {
      // Still 404 after the eventual-consistency window: it was not placed. Any
      // other answer leaves it unknown, for the order actor's next check.
      if (cls.kind == reply_kind::not_found)
        so_far.result = place_verdict::rejected;
      return done(std::move(so_far));
    }
    auto t = std::make_shared<boost::asio::steady_timer>(self->http_->executor(), self->opts_.ghost_spacing);
    t->async_wait([self, t, order_id, attempt, so_far, done](const boost::system::error_code&) mutable {
      self->ghost_check(order_id, attempt + 1, std::move(so_far), std::move(done));
    });
  });
}

void clob_session::cancel(std::vector<std::string> order_ids, std::function<void(result<cancel_ack>)> done) {
  // A DELETE costing more than the cancel bucket's burst would be refused whole,
  // every time: chunks of at most cancel_chunk ids, their acks merged. Any chunk
  // failing fails the whole (the order actor looks the orders up).
  const auto chunk = std::max<std::size_t>(1, opts_.cancel_chunk);
  if (order_ids.size() <= chunk)
    return cancel_chunk(std::move(order_ids), std::move(done));
  const auto parts = (order_ids.size() + chunk - 1) / chunk;
  auto left = std::make_shared<std::atomic<std::size_t>>(parts);
  auto merged = std::make_shared<std::vector<result<cancel_ack>>>(parts, fail("pending"));
  for (std::size_t i = 0, n = 0; i < order_ids.size(); i += chunk, ++n) {
    std::vector<std::string> part(order_ids.begin() + static_cast<std::ptrdiff_t>(i),
                                  order_ids.begin() + static_cast<std::ptrdiff_t>(std::min(order_ids.size(), i + chunk)));
    cancel_chunk(std::move(part), [merged, left, n, done](result<cancel_ack> a) {
      (*merged)[n] = std::move(a); // distinct slots; the last one to finish merges
      if (left->fetch_sub(1, std::memory_order_acq_rel) != 1)
        return;
      cancel_ack all;
      for (auto& r : *merged) {
        if (!r)
          return done(fail(r.error()));
        all.canceled.insert(all.canceled.end(), r->canceled.begin(), r->canceled.end());
        all.not_canceled.insert(all.not_canceled.end(), r->not_canceled.begin(), r->not_canceled.end());
      }
      done(std::move(all));
    });
  }
}

void clob_session::cancel_chunk(std::vector<std::string> order_ids, std::function<void(result<cancel_ack>)> done) {
  std::string body = "[";
  for (std::size_t i = 0; i < order_ids.size(); ++i)
    body += (i ? ",\"" : "\"") + order_ids[i] + "\"";
  body += "]";
  signer_pacing pacing{signer_kind::cancel, static_cast<std::int64_t>(order_ids.size()), pace_priority::cancel};
  // Cancels are idempotent: retried on transport errors and 5xx.
  l2("DELETE", "/orders", std::move(body), retry_rule::idempotent, [done](http_response res) {
    auto cls = classify_reply(res.status, res.body, res.retry_after);
    if (cls.kind != reply_kind::ok)
      return done(fail("cancel: HTTP " + std::to_string(res.status) + " " + cls.error));
    done(parse_cancel_ack(res.body));
  }, pacing);
}

void clob_session::lookup(std::string order_id, std::function<void(reply_class, result<open_order>)> done) {
  l2("GET", "/data/order/" + order_id, "", retry_rule::idempotent, [done](http_response res) {
    auto cls = classify_reply(res.status, res.body, res.retry_after);
    if (cls.kind != reply_kind::ok)
      return done(cls, fail(cls.error));
    done(cls, parse_open_order(res.body));
  });
}

} // namespace tdmaker
