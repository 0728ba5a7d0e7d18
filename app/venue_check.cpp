#include "app/venue_check.hpp"

#include <chrono>
#include <cstdio>
#include <future>
#include <random>

#include "net/clob_session.hpp"
#include "net/http_client.hpp"
#include "net/io_pool.hpp"
#include "core/bytes.hpp"
#include "core/eth_address.hpp"
#include "core/wallet.hpp"
#include "core/feed_codec.hpp"
#include "core/gamma_codec.hpp"
#include "core/series.hpp"
#include "core/heartbeat_health.hpp"
#include "core/order_sign.hpp"

namespace tdmaker {
namespace {

constexpr auto step_timeout = std::chrono::seconds(30);

template <class T>
std::optional<T> wait(std::future<T>& f) {
  if (f.wait_for(step_timeout) != std::future_status::ready)
    return std::nullopt;
  return f.get();
}

bool step(bool ok, const char* name, const std::string& detail) {
  std::printf("%s %-10s %s\n", ok ? "ok  " : "FAIL", name, detail.c_str());
  std::fflush(stdout);
  return ok;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

/// One `POST /v1/heartbeats` carrying `id`.
std::optional<heartbeat_reply> heartbeat(clob_session& s, const std::string& id) {
  std::promise<http_response> p;
  auto f = p.get_future();
  s.l2("POST", "/v1/heartbeats", heartbeat_body(id), retry_rule::unprocessed_only, [&](http_response r) { p.set_value(std::move(r)); });
  auto res = wait(f);
  if (!res)
    return std::nullopt;
  return parse_heartbeat_reply(res->status, res->body);
}

/// A chain of two beats: "" starts it, the returned id continues it (a new id
/// back). A failed beat is tried again, a refused id restarts the chain (a few tries:
/// under injected faults a reply can be lost after the venue took the beat).
bool heartbeat_chain(clob_session& s) {
  std::string id, error = "no reply";
  for (int tries = 0; tries < 6; ++tries) {
    auto r = heartbeat(s, id);
    if (!r) {
      error = "timeout";
      continue;
    }
    if (r->kind == heartbeat_reply_kind::ok && !id.empty())
      return step(r->id != id, "heartbeat", r->id != id ? "chain of two ids (the venue cancels all orders if they stop)"
                                                         : "the second beat returned the same id");
    error = r->kind == heartbeat_reply_kind::ok ? "" : r->error;
    id = r->kind == heartbeat_reply_kind::ok ? r->id : "";
  }
  return step(false, "heartbeat", error);
}

} // namespace

int run_venue_check(const node_config& cfg, const private_key& key) {
  auto clob_ep = parse_endpoint(cfg.venue_clob_url);
  auto gamma_ep = parse_endpoint(cfg.venue_gamma_url);
  if (!clob_ep || !gamma_ep)
    return step(false, "config", clob_ep ? gamma_ep.error() : clob_ep.error()) ? 0 : 1;
  io_pool io(1);
  http_client_options hopts;
  hopts.timeout = std::chrono::milliseconds(cfg.venue_request_timeout_ms);
  hopts.limits = polymarket_rate_limits();
  auto clob = http_client::make(io, *clob_ep, hopts);
  auto gamma = http_client::make(io, *gamma_ep, hopts);
  // 0. The wallet the orders are signed as (config wallet.*), checked against the key.
  auto wallet = resolve_wallet(*parse_signature_type(cfg.wallet_signature_type), cfg.wallet_funder, key.address());
  if (!step(wallet.ok(), "wallet",
            wallet ? std::string(to_string(wallet->type)) + " (signatureType " + std::to_string(static_cast<unsigned>(wallet->type))
                       + "), funder (maker) " + to_checksum(wallet->funder) + ", order signer " + to_checksum(wallet->signer)
                   : wallet.error()))
    return 1;
  clob_session_options so;
  so.sig_type = wallet->type;
  so.funder = wallet->funder;
  auto session = clob_session::make(clob, key, so);
  std::printf("venue-check: key address %s (POLY_ADDRESS, API key owner), CLOB %s, Gamma %s\n",
              to_checksum(session->address()).c_str(), clob_ep->text().c_str(), gamma_ep->text().c_str());

  // 1. API credentials through L1 (created, or derived when they exist).
  std::promise<result<api_credentials>> pc;
  auto fc = pc.get_future();
  session->establish_credentials([&](result<api_credentials> c) { pc.set_value(std::move(c)); });
  auto creds = wait(fc);
  if (!step(creds && *creds, "api-key", !creds ? "timeout" : *creds ? "created or derived (key not shown)" : creds->error()))
    return 1;

  // 2. The current slot of the first series, from its Gamma listing (as discovery finds it).
  const auto& series = cfg.discovery_series.front().spec;
  const auto now_s = now_ms() / 1000;
  std::promise<http_response> pg;
  auto fg = pg.get_future();
  gamma->send({"GET", "/events?series_slug=" + series.gamma_series + "&closed=false&order=endDate&ascending=true&limit=5",
               "", {}, retry_rule::idempotent, "gamma", 1},
              [&](http_response r) { pg.set_value(std::move(r)); });
  auto gres = wait(fg);
  if (!gres)
    return step(false, "gamma", "timeout"), 1;
  auto listing = parse_gamma_listing(gres->body, series.asset);
  std::optional<market_record> current;
  if (listing)
    for (auto& m : listing.value())
      if (m && slot_matches(series, m->record.slug, m->record.slot_start_s, m->record.slot_end_s).empty()
          && m->record.slot_start_s <= now_s && now_s < m->record.slot_end_s && !current)
        current = m->record;
  if (!step(gres->status == 200 && current.has_value(), "gamma",
            series.gamma_series + (current ? " -> " + current->slug + " " + current->id.hex
                                           : listing ? ": no current slot listed" : ": " + listing.error())))
    return 1;
  const auto& rec = *current;

  // 3. Its book (the REST shape the feed re-fetches on a gap).
  std::promise<http_response> pb;
  auto fb = pb.get_future();
  clob->send({"GET", "/book?token_id=" + rec.up_token.digits, "", {}, retry_rule::idempotent, "book", 1},
             [&](http_response r) { pb.set_value(std::move(r)); });
  auto bres = wait(fb);
  auto book = bres ? parse_book_reply(bres->status, bres->body) : result<book_snapshot>(fail("timeout"));
  if (!step(book.ok(), "book", book ? std::to_string(book->bids.size()) + " bids, " + std::to_string(book->asks.size()) + " asks, tick " + to_string(book->tick) : book.error()))
    return 1;

  // 4. A post-only bid at the lowest price: signed, placed, found.
  std::mt19937_64 rng{std::random_device{}()};
  auto spec = limit_spec(rec.up_token.digits, order_side::buy, price{book->tick.micros}, rec.min_size,
                         rng() >> 12, static_cast<std::uint64_t>(now_ms()), creds->value().key);
  spec.post_only = true;
  exchange_domain dom;
  dom.verifying_contract = *parse_address(ctf_exchange_v2);
  auto dsep = domain_separator(dom);
  auto order = session->sign(spec, dsep);
  if (!step(order.ok(), "sign", order ? "BUY " + to_string(rec.min_size) + " @ " + to_string(book->tick) + " as "
                                          + std::string(to_string(wallet->type))
                                      : order.error()))
    return 1;
  std::promise<place_outcome> pp;
  auto fp = pp.get_future();
  session->place(*order, dsep, [&](place_outcome o) { pp.set_value(std::move(o)); });
  auto placed = wait(fp);
  if (!step(placed && placed->result == place_verdict::placed, "place",
            !placed ? "timeout"
                    : std::string(to_string(placed->result)) + " " + placed->order_id + " status "
                        + (placed->ghost_checked ? placed->venue_status + " (no clear reply: " + placed->failure.error + "; found by ghost-order check)"
                                                 : placed->ack.status + (placed->failure.error.empty() ? "" : " (" + placed->failure.error + ")"))))
    return 1;

  auto look = [&](const std::string& id) {
    std::promise<std::pair<reply_class, result<open_order>>> pl;
    auto fl = pl.get_future();
    session->lookup(id, [&](reply_class c, result<open_order> o) { pl.set_value({c, std::move(o)}); });
    return wait(fl);
  };
  auto live = look(placed->order_id);
  if (!step(live && live->second && live->second->status == "LIVE", "lookup",
            live && live->second ? "status " + live->second->status : "not found"))
    return 1;

  // 5. Cancel it and see it cancelled.
  std::promise<result<cancel_ack>> px;
  auto fx = px.get_future();
  session->cancel({placed->order_id}, [&](result<cancel_ack> a) { px.set_value(std::move(a)); });
  auto cancelled = wait(fx);
  const bool in_list = cancelled && *cancelled && cancelled->value().canceled.size() == 1
                       && cancelled->value().canceled[0] == placed->order_id;
  if (!step(in_list, "cancel", in_list ? "canceled" : cancelled && !*cancelled ? cancelled->error() : "not in canceled[]"))
    return 1;
  auto after = look(placed->order_id);
  const bool gone = after && after->second && after->second->status.starts_with("CANCELED");
  if (!step(gone, "verify", after && after->second ? "status " + after->second->status : "lookup failed"))
    return 1;
  // 6. Heartbeats last: a chain left behind lapses and cancels the key's orders,
  // and this check's order is already gone.
  if (!heartbeat_chain(*session))
    return 1;
  std::printf("venue-check: all steps passed\n");
  return 0;
}

} // namespace tdmaker
