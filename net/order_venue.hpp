#pragma once
// The order actor's view of the venue: sign, place, cancel, look up, list open
// orders, read the balance. Answers arrive as the order actor's own message
// types, on whatever thread the venue completes on. The node uses the CLOB
// session; actor tests script the answers.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/order_wire.hpp"
#include "core/result.hpp"
#include "messages/messages.hpp"

namespace tdmaker {

class clob_session;

struct signed_placement {
  std::string order_id; // the EIP-712 digest: known before the venue sees the order
  order_request request;
  bool neg_risk = false; // signed for the neg-risk exchange
  std::int64_t send_by_ms = 0; // a buy: not sent after this Unix ms (its slot's cancel time); 0 = always
};

class order_venue {
public:
  virtual ~order_venue() = default;
  /// Credentials are established: orders can be signed and sent.
  virtual bool ready() const = 0;
  virtual result<signed_placement> sign(const place_intent& intent, std::int64_t now_ms) = 0;
  virtual void place(std::vector<signed_placement> orders, std::function<void(placements_done)> done) = 0;
  virtual void cancel(std::vector<std::string> order_ids, std::function<void(cancels_done)> done) = 0;
  virtual void lookup(std::string order_id, std::function<void(lookup_done)> done) = 0;
  virtual void open_orders(std::function<void(open_orders_done)> done) = 0;
  virtual void balance(std::function<void(result<usdc>)> done) = 0;
};

std::shared_ptr<order_venue> make_clob_order_venue(std::shared_ptr<clob_session> session);

} // namespace tdmaker
