#pragma once
// The venue's three WebSocket channels (protocol ref §5): the public market
// channel, the authenticated user channel and RTDS reference prices. The market
// and user channels hear the exchange through exchange_events.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>


#include "core/money.hpp"
#include "venue/exchange.hpp"
#include "venue/request_parse.hpp"
#include "venue/ws_listener.hpp"

namespace tdmaker::venue {

/// Text PING/PONG keep-alive shared by the CLOB channels: a connection that has
/// not pinged for `timeout_ms` is closed with 1008 "no ping received".
struct keepalive {
  std::int64_t timeout_ms = 30'000;
};

struct ws_fault_counters {
  std::uint64_t trade_events_dropped = 0;
  std::uint64_t trade_events_duplicated = 0;
  std::uint64_t trade_events_delayed = 0;
};

class market_feed : public ws_channel {
public:
  market_feed(const exchange& ex, std::function<std::int64_t()> now_ms, keepalive ka);
  void on_open(const ws_session_ptr& s) override;
  void on_text(const ws_session_ptr& s, std::string_view text) override;
  void on_close(const ws_session_ptr& s) override;

  void book_changed(const std::string& asset);
  void traded(const venue_trade& t);
  void resolved(const slot_market& m);
  void tick_changed(const slot_market& m, tick_size old_tick);
  void sweep(std::int64_t now_ms);
  /// Every open session (fault injection picks from these).
  std::vector<ws_session_ptr> sessions() const;

  /// Fault injection on price_change / last_trade_price frames, per session:
  /// how many copies to send (0 drops it, 2 duplicates it). Unset = 1.
  std::function<int()> event_copies;

private:
  struct sub {
    ws_session_ptr session;
    std::set<std::string> assets;
    bool subscribed = false;
    bool custom = false;
    std::int64_t last_ping_ms = 0;
  };
  struct levels {
    std::map<std::int64_t, std::int64_t> bids, asks;
  };
  std::string book_event(const std::string& asset);
  void send_to_asset(const std::string& asset, const std::string& frame, bool custom_only,
                     bool faultable = false);
  /// The market channel's book hash of `asset`'s current book (core/order_book.hpp).
  std::string hash_of(const std::string& asset, std::int64_t ts_ms, std::string_view last_trade_price);

  const exchange& ex_;
  std::string hash_scratch_;
  std::function<std::int64_t()> now_ms_;
  keepalive ka_;
  std::map<std::uint64_t, sub> subs_;
  std::map<std::string, levels> sent_; // last published book per asset
};

class user_feed : public ws_channel {
public:
  user_feed(const exchange& ex, std::function<std::int64_t()> now_ms, keepalive ka);
  void on_open(const ws_session_ptr& s) override;
  void on_text(const ws_session_ptr& s, std::string_view text) override;
  void on_close(const ws_session_ptr& s) override;

  void order_event(const venue_order& o, std::string_view type);
  void trade_event(const venue_trade& t);
  void sweep(std::int64_t now_ms);
  std::vector<ws_session_ptr> sessions() const;

  /// Fault injection hooks: decide per trade frame whether to drop or repeat it.
  std::function<bool()> drop_trade;
  std::function<bool()> duplicate_trade;
  /// Milliseconds to hold a trade frame back (0 = send now).
  std::function<std::int64_t()> delay_trade;
  ws_fault_counters faults;

private:
  struct sub {
    ws_session_ptr session;
    std::string api_key;
    std::set<std::string> markets; // empty = all
    bool authed = false;
    std::int64_t last_ping_ms = 0;
  };
  const exchange& ex_;
  std::function<std::int64_t()> now_ms_;
  keepalive ka_;
  std::map<std::uint64_t, sub> subs_;
};

/// RTDS Chainlink prices. Every symbol of the venue's assets ("btc" ->
/// "btc/usd") can be subscribed from the first moment, history or not: the
/// subscribe reply carries the backfill there is (possibly none) and updates
/// follow. A refused or malformed request gets an error frame, never silence
/// (shapes in docs/venue.md).
class rtds_feed : public ws_channel {
public:
  rtds_feed(std::function<std::int64_t()> now_ms, const std::vector<std::string>& assets);
  void on_open(const ws_session_ptr& s) override;
  void on_text(const ws_session_ptr& s, std::string_view text) override;
  void on_close(const ws_session_ptr& s) override;

  /// One reference observation: kept for backfill and sent to subscribers.
  void publish(const std::string& asset, std::int64_t ts_ms, ref_price p);
  std::vector<ws_session_ptr> sessions() const;

private:
  struct sub {
    ws_session_ptr session;
    std::set<std::string> symbols; // "btc/usd"
  };
  using history = std::deque<std::pair<std::int64_t, ref_price>>;
  /// One entry of a batch whose topics were all accepted.
  void apply(const ws_session_ptr& s, sub& sb, bool subscribe, const rtds_subscription& entry);
  std::string backfill(const std::string& symbol) const;

  std::function<std::int64_t()> now_ms_;
  std::map<std::uint64_t, sub> subs_;
  std::map<std::string, history> history_; // by symbol; one entry per known symbol from the start
};

/// Routes exchange events to the market and user channels.
class feed_hub : public exchange_events {
public:
  feed_hub(market_feed& m, user_feed& u) : market_(m), user_(u) {}
  void on_order(const venue_order& o, std::string_view type) override { user_.order_event(o, type); }
  void on_trade(const venue_trade& t) override {
    market_.traded(t);
    user_.trade_event(t);
  }
  void on_book_change(const std::string& asset) override { market_.book_changed(asset); }
  void on_resolved(const slot_market& m) override { market_.resolved(m); }
  void on_tick_size(const slot_market& m, tick_size old_tick) override { market_.tick_changed(m, old_tick); }

private:
  market_feed& market_;
  user_feed& user_;
};

} // namespace tdmaker::venue
