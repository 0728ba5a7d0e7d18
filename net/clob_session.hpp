#pragma once
// The node's authenticated conversation with the CLOB, on the I/O threads:
// API credentials created or derived through L1 at start, L2-signed requests,
// and order placement whose outcome is never guessed. A placement that gets no
// clear answer (timeout, reset, 5xx) is not sent again: the order id is the
// EIP-712 digest the node computed, so the order is looked up by it (the
// ghost-order check) until the venue says whether it exists. Callbacks run on an
// I/O thread.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/http_client.hpp"
#include "core/clob_reply.hpp"
#include "core/order_sign.hpp"
#include "core/order_wire.hpp"
#include "core/secp256k1_signer.hpp"
#include "messages/link_events.hpp" // place_verdict

namespace tdmaker {

struct place_outcome {
  place_verdict result = place_verdict::unknown;
  std::string order_id;      // always known: the digest we signed
  order_ack ack;             // the venue's answer when it gave one
  reply_class failure;       // why it was not placed / is unknown
  bool ghost_checked = false; // resolved by looking the order up
  std::string venue_status;  // from the lookup: LIVE, MATCHED, ...
};

struct clob_session_options {
  std::uint32_t ghost_lookups = 4;              // GET /data/order attempts ...
  std::chrono::milliseconds ghost_spacing{750}; // ... this far apart (404 may be eventual consistency)
  // The wallet orders are signed as (core/wallet.hpp); the balance query carries
  // the type, as the official client's does. Headers stay the key's address.
  signature_type sig_type = signature_type::eoa;
  std::optional<address20> funder; // the order maker; the key's address when empty
  std::size_t cancel_chunk = 100; // ids per DELETE /orders: at most the cancel bucket's burst
};

/// Which per-signer bucket an L2 request draws from, how much, and its turn.
struct signer_pacing {
  signer_kind kind = signer_kind::none;
  std::int64_t cost = 1;
  pace_priority priority = pace_priority::entry;
  std::int64_t send_by_unix_ms = 0; // entries only: dropped if still waiting then
};

class clob_session : public std::enable_shared_from_this<clob_session> {
public:
  static std::shared_ptr<clob_session> make(std::shared_ptr<http_client> http, private_key key,
                                            clob_session_options opts = {});

  address20 address() const;
  /// POST /auth/api-key; on 400 (it exists) GET /auth/derive-api-key. The
  /// credentials are kept for L2 and returned (the caller never logs them).
  void establish_credentials(std::function<void(result<api_credentials>)> done);
  bool has_credentials() const;
  const api_credentials& credentials() const; // only after establish succeeded

  /// One L2-authenticated request; `path` may carry a query (not signed).
  void l2(std::string method, std::string path, std::string body, retry_rule retry,
          http_client::callback done, signer_pacing pacing = {});
  void place(order_request order, const bytes32& domain_sep,
             std::function<void(place_outcome)> done);
  /// Signs `spec` with the session's key (owner = the API key); the key never leaves.
  result<order_request> sign(order_spec spec, const bytes32& domain_sep) const;
  /// `POST /orders` (at most 15): one outcome per order, in order. A batch with
  /// no clear answer is never re-sent: each order gets the ghost-order check.
  /// A batch of buys still waiting for rate-limit tokens at `send_by_unix_ms`
  /// (0: no deadline) is not sent: each order comes back rejected.
  void place_batch(std::vector<order_request> orders, const bytes32& domain_sep,
                   std::function<void(std::vector<place_outcome>)> done, std::int64_t send_by_unix_ms = 0);
  /// Every open order of the account, all pages of `GET /data/orders`.
  void open_orders(std::function<void(result<std::vector<open_order>>)> done);
  /// The collateral (pUSD) balance, `GET /balance-allowance?asset_type=COLLATERAL`.
  void collateral_balance(std::function<void(result<usdc>)> done);
  void cancel(std::vector<std::string> order_ids, std::function<void(result<cancel_ack>)> done);
  void lookup(std::string order_id, std::function<void(reply_class, result<open_order>)> done);

  /// Post-only mode (503 post_only_mode) seen until this Unix ms; 0 = none.
  std::int64_t post_only_until_ms() const { return post_only_until_ms_.load(); }

private:
  clob_session(std::shared_ptr<http_client> http, private_key key, clob_session_options opts);
  void ghost_check(std::string order_id, std::uint32_t attempt, place_outcome so_far,
                   std::function<void(place_outcome)> done);
  /// The outcome of one order from a 2xx reply element, or the failure class.
  place_outcome outcome_of(place_outcome out, const reply_class& cls, const order_ack* ack);
  void cancel_chunk(std::vector<std::string> order_ids, std::function<void(result<cancel_ack>)> done);
  void open_orders_page(std::string cursor, std::vector<open_order> so_far,
                        std::function<void(result<std::vector<open_order>>)> done);

  std::shared_ptr<http_client> http_;
  private_key key_;
  clob_session_options opts_;
  api_credentials creds_;
  std::atomic<bool> has_creds_{false};
  std::atomic<std::int64_t> post_only_until_ms_{0};
};

} // namespace tdmaker
