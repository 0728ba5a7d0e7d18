#include "net/order_venue.hpp"

#include <algorithm>
#include <random>

#include "net/clob_session.hpp"
#include "core/bytes.hpp"
#include "core/eth_address.hpp"
#include "core/order_sign.hpp"

namespace tdmaker {
namespace {

bytes32 domain_of(bool neg_risk) {
  exchange_domain d;
  d.verifying_contract = *parse_address(neg_risk ? neg_risk_ctf_exchange_v2 : ctf_exchange_v2);
  return domain_separator(d);
}

class clob_order_venue : public order_venue {
public:
  explicit clob_order_venue(std::shared_ptr<clob_session> s)
    : s_(std::move(s)), domain_(domain_of(false)), neg_risk_domain_(domain_of(true)), rng_(std::random_device{}()) {}

  bool ready() const override { return s_->has_credentials(); }

  result<signed_placement> sign(const place_intent& i, std::int64_t now_ms) override {
    // The salt makes two otherwise equal orders distinct; 52 bits stay exact in
    // the JSON number the official client sends.
    auto spec = limit_spec(i.token.digits, i.side, i.px, i.size, rng_() >> 12,
                           static_cast<std::uint64_t>(now_ms), "");
    spec.post_only = i.post_only;
    if (i.expiration_s > 0) {
      spec.expiration = i.expiration_s;
      spec.type = order_type::gtd;
    }
    const auto& dom = i.neg_risk ? neg_risk_domain_ : domain_;
    auto req = s_->sign(std::move(spec), dom);
    if (!req)
      return fail(req.error());
    return signed_placement{to_hex(order_digest(req->order.fields, dom)), std::move(req).value(), i.neg_risk};
  }

  void place(std::vector<signed_placement> orders, std::function<void(placements_done)> done) override {
    // All orders of one batch are for one market, hence one exchange contract.
    const auto& dom = !orders.empty() && orders.front().neg_risk ? neg_risk_domain_ : domain_;
    std::vector<order_request> reqs;
    reqs.reserve(orders.size());
    std::int64_t send_by = 0; // the batch's earliest deadline
    for (auto& o : orders) {
      reqs.push_back(std::move(o.request));
      if (o.send_by_ms > 0)
        send_by = send_by == 0 ? o.send_by_ms : std::min(send_by, o.send_by_ms);
    }
    s_->place_batch(std::move(reqs), dom, [done](std::vector<place_outcome> outs) {
      placements_done d;
      for (auto& o : outs)
        d.results.push_back({o.order_id, o.result,
                             o.ghost_checked ? o.venue_status : o.ack.status, o.failure.error, o.ghost_checked});
      done(std::move(d));
    }, send_by);
  }

  void cancel(std::vector<std::string> ids, std::function<void(cancels_done)> done) override {
    s_->cancel(ids, [ids, done](result<cancel_ack> a) {
      cancels_done d;
      d.requested = ids;
      d.ok = a.ok();
      if (!a) {
        d.error = a.error();
        return done(std::move(d));
      }
      d.canceled = a->canceled;
      for (auto& [id, why] : a->not_canceled) {
        d.not_canceled.push_back(id);
        d.not_canceled_reason.push_back(why);
      }
      done(std::move(d));
    });
  }

  void lookup(std::string id, std::function<void(lookup_done)> done) override {
    s_->lookup(id, [id, done](reply_class cls, result<open_order> o) {
      lookup_done d;
      d.order_id = id;
      if (cls.kind == reply_kind::ok && o) {
        d.found = true;
        d.status = o->status;
        d.matched = o->size_matched;
        d.size = o->original_size;
      } else {
        d.not_found = cls.kind == reply_kind::not_found;
        d.error = o ? cls.error : o.error();
      }
      done(std::move(d));
    });
  }

  void open_orders(std::function<void(open_orders_done)> done) override {
    s_->open_orders([done](result<std::vector<open_order>> r) {
      open_orders_done d;
      d.ok = r.ok();
      if (!r) {
        d.error = r.error();
        return done(std::move(d));
      }
      for (auto& o : *r)
        d.orders.push_back({o.id, o.status, o.market, o.asset_id, o.px, o.original_size, o.size_matched});
      done(std::move(d));
    });
  }

  void balance(std::function<void(result<usdc>)> done) override { s_->collateral_balance(std::move(done)); }

private:
  std::shared_ptr<clob_session> s_;
  bytes32 domain_;
  bytes32 neg_risk_domain_;
  std::mt19937_64 rng_;
};

} // namespace

std::shared_ptr<order_venue> make_clob_order_venue(std::shared_ptr<clob_session> session) {
  return std::make_shared<clob_order_venue>(std::move(session));
}

} // namespace tdmaker
