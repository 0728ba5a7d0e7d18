#pragma once
// The venue's books and ledger: accounts with API credentials and balances,
// order validation, price-time matching with complementary Up/Down matching,
// trades and settlement. Pure and single-threaded: the server calls it from one
// io_context thread, so it needs no locks. All amounts are micro-units.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "core/bytes.hpp"
#include "core/eip712.hpp"
#include "core/order_wire.hpp"
#include "venue/market_catalog.hpp"
#include "venue/wallet_registry.hpp"

namespace tdmaker::venue {

struct api_creds {
  std::string key;        // uuid
  std::string secret;     // base64url, padded
  std::string passphrase; // hex
};

struct account {
  address20 address{};
  std::vector<api_creds> keys; // one per nonce that created/derived one
  std::int64_t usdc = 0;       // pUSD balance, micro-units
  std::int64_t reserved_usdc = 0;
  std::map<std::string, std::int64_t> tokens; // token id -> shares (micro)
  std::map<std::string, std::int64_t> reserved_tokens;
};

// delayed: marketable, held by the market's taker delay (not on the book yet);
// unmatched: marketable, the delay failed; the order ends there without a fill.
enum class order_status { live, matched, canceled, canceled_market_resolved, delayed, unmatched };
std::string_view to_string(order_status s);

struct venue_order {
  std::string id; // 0x + EIP-712 digest
  std::uint64_t seq = 0;
  std::string owner; // API key
  address20 maker{};
  std::string market; // condition id
  std::string asset_id;
  std::string outcome; // "Up" | "Down"
  order_side side = order_side::buy;
  price px;
  std::int64_t original = 0; // shares, micro
  std::int64_t matched = 0;
  order_type type = order_type::gtc;
  std::int64_t expiration = 0;
  std::int64_t created_s = 0;
  order_status status = order_status::live;
  std::vector<std::string> trade_ids;
  std::int64_t release_ms = 0; // a delayed order is matched at this time
  std::int64_t remaining() const { return original - matched; }
};

enum class trade_status { matched, mined, confirmed };
std::string_view to_string(trade_status s);

struct maker_fill {
  std::string order_id;
  std::string owner;
  address20 maker_address{};
  std::int64_t matched_amount = 0; // shares
  price px;
  std::string asset_id;
  std::string outcome;
  order_side side = order_side::buy;
};

struct venue_trade {
  std::string id;
  std::uint64_t seq = 0;
  std::string taker_order_id;
  std::string market;
  std::string asset_id;
  std::string outcome;
  order_side side = order_side::buy;
  std::int64_t size = 0; // shares
  price px;              // taker's average execution price, on the taker's token
  std::int64_t taker_fee = 0; // pUSD
  std::int64_t match_time_s = 0;
  std::int64_t last_update_s = 0;
  trade_status status = trade_status::matched;
  std::string transaction_hash; // set when the settlement transaction is mined
  std::string owner; // taker API key
  address20 taker_address{};
  std::vector<maker_fill> makers;
};

struct settlement {
  std::string market;
  address20 address{};
  std::string token;
  std::int64_t shares = 0;
  std::int64_t payout = 0; // pUSD
  std::int64_t at_s = 0;
};

/// A REST-level rejection: HTTP status and Polymarket's error text.
struct rejection {
  int http_status = 400;
  std::string error;
};

struct placement {
  std::string order_id;
  std::string status; // live | matched | delayed | unmatched
  std::vector<std::string> trade_ids;
  std::int64_t making = 0;
  std::int64_t taking = 0;
};

struct cancel_outcome {
  std::vector<std::string> canceled;
  std::vector<std::pair<std::string, std::string>> not_canceled;
};

struct exchange_config {
  std::uint64_t seed = 1;
  std::int64_t starting_usdc = 1'000'000'000'000; // 1,000,000 pUSD per new address
  exchange_domain domain;                          // CTFExchangeV2 on Polygon
  std::map<std::string, std::int64_t> taker_delay_ms; // per series (asset); absent or 0 = none
};

/// Called for every event a WebSocket or the ground truth may want to see.
struct exchange_events {
  virtual ~exchange_events() = default;
  virtual void on_order(const venue_order&, std::string_view type) = 0; // PLACEMENT|UPDATE|CANCELLATION
  virtual void on_trade(const venue_trade&) = 0;
  virtual void on_book_change(const std::string& asset_id) = 0;
  virtual void on_resolved(const slot_market&) = 0;
  virtual void on_tick_size(const slot_market&, tick_size old_tick) = 0;
};

class exchange {
public:
  explicit exchange(exchange_config cfg);

  void set_listener(exchange_events* l) { events_ = l; }

  // -- markets
  void list_market(const slot_market& m);
  const slot_market* market_by_condition(const std::string& cid) const;
  const slot_market* market_by_token(const std::string& token) const;
  const std::map<std::string, slot_market>& markets() const { return markets_; }
  /// Switches a market to the fine tick (0.001) once either outcome trades
  /// beyond 0.96 / below 0.04, as the real CLOB does; returns true on a change.
  bool refine_tick(const std::string& cid);
  /// Pays 1 pUSD per winning share, cancels resting orders; idempotent.
  void resolve(const std::string& cid, int winner, std::int64_t now_s);

  // -- accounts (L1)
  /// Creates the key for (address, nonce); fails when it already exists.
  std::optional<api_creds> create_key(const address20& a, std::uint64_t nonce);
  std::optional<api_creds> derive_key(const address20& a, std::uint64_t nonce);
  const account* account_by_key(const std::string& api_key) const;
  const account* account_by_address(const address20& a) const;
  const api_creds* creds(const std::string& api_key) const;
  /// Proxy/safe/deposit wallets and their owners (venue config, admin API).
  const wallet_registry& wallets() const { return wallets_; }
  /// Registers a wallet (wallet_registry::add) and opens its account, funded as a new address.
  result<bool> register_wallet(const address20& wallet, const address20& owner, signature_type type);
  void set_deposit_wallet_only(const address20& owner, bool on) { wallets_.set_deposit_wallet_only(owner, on); }

  /// The EIP-712 digest (= order id) of `fields` on this venue's exchange domain.
  bytes32 order_digest_of(const order_v2& fields) const { return order_digest(fields, domain_sep_); }
  const bytes32& domain_separator_value() const { return domain_sep_; }

  // -- orders (L2)
  /// Validates and places; nothing changes when it returns a rejection.
  std::variant<placement, rejection> place(const order_request& r, const std::string& api_key,
                                           std::int64_t now_ms);
  cancel_outcome cancel(const std::string& api_key, const std::vector<std::string>& ids);
  cancel_outcome cancel_all(const std::string& api_key, const std::string& market,
                            const std::string& asset_id);
  const venue_order* order(const std::string& id) const;
  std::vector<const venue_order*> open_orders(const std::string& api_key, const std::string& market,
                                              const std::string& asset_id,
                                              const std::string& id) const;
  /// Every order the key ever placed, in placement order (ground truth for tests).
  std::vector<const venue_order*> orders_of(const std::string& api_key) const;
  /// Trades where the key's account was taker or maker, oldest first.
  std::vector<const venue_trade*> trades_of(const std::string& api_key) const;
  /// Every order whose maker (the funds' holder) is `a`, in placement order.
  std::vector<const venue_order*> orders_by_maker(const address20& a) const;

  /// The taker delay of a market's series, 0 when it has none (`itode` false).
  std::int64_t taker_delay_of(const slot_market& m) const;
  /// Matches every delayed order whose hold has ended against the book as it is
  /// now: DELAYED -> MATCHED, LIVE (rests), or CANCELED (FOK/FAK not filled).
  void release_delayed(std::int64_t now_ms);
  /// Asked once per order about to be delayed: true makes the delay fail, so the
  /// placement answers `unmatched` (fault injection; unset = never).
  std::function<bool()> delay_fails;

  /// Moves trades MATCHED -> MINED -> CONFIRMED as time passes; expires GTD orders.
  void advance(std::int64_t now_s);

  // -- market data
  struct level {
    price px;
    std::int64_t size = 0;
  };
  /// Bids ascending and asks descending: best price last, as the real CLOB sends.
  /// Each side includes the mirror of the complementary token's opposite side.
  std::vector<level> bids(const std::string& token) const;
  std::vector<level> asks(const std::string& token) const;
  std::optional<price> best_bid(const std::string& token) const;
  std::optional<price> best_ask(const std::string& token) const;
  std::optional<std::pair<price, order_side>> last_trade(const std::string& token) const;

  const std::vector<settlement>& settlements() const { return settlements_; }
  const std::vector<venue_trade>& all_trades() const { return trades_; }

private:
  struct book {
    std::map<std::int64_t, std::deque<std::string>> bids; // price -> order ids, FIFO
    std::map<std::int64_t, std::deque<std::string>> asks;
  };

  api_creds make_creds(const address20& a, std::uint64_t nonce) const;
  std::map<std::int64_t, std::int64_t> side_levels(const std::string& token, bool bid_side) const;
  account& account_for(const address20& a);
  std::string complement(const std::string& token) const;
  std::string outcome_of(const std::string& token) const;
  std::int64_t fillable(const venue_order& taker);
  void rest(venue_order& o);
  void unrest(const venue_order& o);
  void execute(venue_order& taker, std::int64_t now_s, std::vector<std::string>& trade_ids);
  /// Matches an accepted order and settles its remainder (rest, kill or done).
  void match_new(venue_order& o, std::int64_t now_s, placement& p);
  placement hold(venue_order& o, std::int64_t release_ms);
  void reserve(const venue_order& o, int sign);
  void close(venue_order& o, order_status s);

  exchange_config cfg_;
  bytes32 domain_sep_;
  exchange_events* events_ = nullptr;
  std::map<std::string, slot_market> markets_;            // by condition id
  std::unordered_map<std::string, std::string> token_to_market_;
  std::map<address20, account> accounts_; // by address: balances belong to the maker (funder)
  wallet_registry wallets_;
  std::unordered_map<std::string, address20> key_to_address_;
  std::unordered_map<std::string, venue_order> orders_;
  std::unordered_map<std::string, book> books_;
  std::vector<venue_trade> trades_;
  std::unordered_map<std::string, std::pair<price, order_side>> last_trade_;
  std::vector<settlement> settlements_;
  std::uint64_t seq_ = 0;
};

} // namespace tdmaker::venue
