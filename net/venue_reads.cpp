#include "net/venue_reads.hpp"

#include "net/clob_session.hpp"
#include "net/http_client.hpp"
#include "net/recording_tap.hpp"
#include "core/feed_codec.hpp"
#include "core/gamma_codec.hpp"
#include "core/trade_codec.hpp"

namespace tdmaker {
namespace {

std::string failure_of(const http_response& r) {
  return r.status == 0 ? r.body : "HTTP " + std::to_string(r.status) + ": " + r.body.substr(0, 200);
}

trades_done trades_failed(std::string why) {
  trades_done d;
  d.error = std::move(why);
  return d;
}

resolution_done answer_of(const condition_id& cid, settle_method source) {
  resolution_done d;
  d.market = cid;
  d.source = source;
  return d;
}

} // namespace

decltype(fill_options::fetch_trades) make_trades_fetcher(std::shared_ptr<clob_session> session) {
  if (!session)
    return {};
  return [session](std::string after, std::string cursor, std::function<void(trades_done)> done) {
    if (!session->has_credentials())
      return done(trades_failed("no API credentials yet"));
    auto path = "/data/trades?after=" + after + (cursor.empty() ? "" : "&next_cursor=" + cursor);
    session->l2("GET", path, "", retry_rule::idempotent, [session, done](http_response r) {
      if (r.status != 200)
        return done(trades_failed(failure_of(r)));
      auto page = parse_trades_page(r.body, session->credentials().key);
      if (!page)
        return done(trades_failed(page.error()));
      trades_done d;
      d.ok = true;
      d.fills = std::move(page->fills);
      d.next_cursor = std::move(page->next_cursor);
      d.trades = page->trades;
      done(std::move(d));
    });
  };
}

resolution_sources make_resolution_sources(std::shared_ptr<http_client> gamma, std::shared_ptr<http_client> clob,
                                           recorder_actor recorder) {
  resolution_sources s;
  weak_handle<recorder_actor> rec(recorder);
  if (gamma)
    s.gamma = [gamma, rec](condition_id cid, std::string slug, std::function<void(resolution_done)> done) {
      http_request req;
      req.target = "/events?slug=" + slug;
      req.rate_class = "gamma";
      gamma->send(std::move(req), [cid, done, rec, target = "/events?slug=" + slug](http_response r) {
        record_reply(rec, record_channel::resolution, target, r);
        auto d = answer_of(cid, settle_method::gamma);
        if (r.status != 200) {
          d.error = failure_of(r);
          return done(std::move(d));
        }
        auto m = parse_gamma_event(r.body, "");
        if (!m || !*m) {
          d.error = m ? "not listed" : m.error();
          return done(std::move(d));
        }
        d.ok = true;
        auto& g = **m;
        if (g.record.id != cid) {
          d.ok = false;
          d.error = "slug names another market";
        } else if (g.winner >= 0) {
          d.resolved = true;
          d.winner = g.winner == 0 ? g.record.up_token.digits : g.record.down_token.digits;
        }
        done(std::move(d));
      });
    };
  if (clob) {
    s.clob = [clob, rec](condition_id cid, std::function<void(resolution_done)> done) {
      http_request req;
      req.target = "/markets/" + cid.hex;
      clob->send(std::move(req), [cid, done, rec, target = "/markets/" + cid.hex](http_response r) {
        record_reply(rec, record_channel::resolution, target, r);
        auto d = answer_of(cid, settle_method::clob);
        if (r.status != 200) {
          d.error = failure_of(r);
          return done(std::move(d));
        }
        auto m = parse_clob_market(r.body);
        if (!m) {
          d.error = m.error();
          return done(std::move(d));
        }
        d.ok = true;
        d.slot_end_s = m->end_s;
        if (m->winner) {
          d.resolved = true;
          d.winner = m->winner->digits;
        }
        done(std::move(d));
      });
    };
    s.book = [clob, rec](condition_id cid, token_id token, std::function<void(resolution_done)> done) {
      http_request req;
      req.target = "/book?token_id=" + token.digits;
      clob->send(std::move(req), [cid, done, rec, target = "/book?token_id=" + token.digits](http_response r) {
        record_reply(rec, record_channel::resolution, target, r);
        auto d = answer_of(cid, settle_method::last_bid);
        auto b = parse_book_reply(r.status, r.body);
        if (!b) {
          d.error = b.error();
          return done(std::move(d));
        }
        d.ok = true;
        for (auto& l : b->bids) // as received: the order is not to be trusted
          if (l.size.micros > 0 && (!d.has_bid || l.px > d.bid)) {
            d.has_bid = true;
            d.bid = l.px;
          }
        done(std::move(d));
      });
    };
  }
  return s;
}

} // namespace tdmaker
