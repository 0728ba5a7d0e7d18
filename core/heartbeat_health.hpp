#pragma once
// The CLOB heartbeat chain (POST /v1/heartbeats, protocol ref §4) as one explicit
// rule: "may a new order be admitted?" and "did the venue cancel everything?".
// Once a chain has started, the venue cancels every order of the API key whose
// heartbeat it has not seen for its timeout (~10 s on Polymarket), so an order the
// node places while the chain is in doubt may be cancelled behind its back.
//
//   starting --reply ok------------------------------------------> healthy
//   any ------reply ok (carries the id for the next beat)-------> healthy
//   healthy --a beat failed or unanswered for longer than grace--> unhealthy
//   any ------reply "Invalid Heartbeat ID"-----------------------> unhealthy, chain restarts with ""
//   healthy/unhealthy --no success for the venue's timeout-------> unhealthy, chain restarts with ""
//
// The last two are a *lapse* when a chain was running: the venue has (or will
// have) cancelled every resting order, so the node must reconcile. A lapse is
// counted once per broken chain. Pure: time is passed in (steady ms).
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace tdmaker {

enum class heartbeat_state : std::uint8_t { starting = 0, healthy = 1, unhealthy = 2 };
std::string_view to_string(heartbeat_state s);

struct heartbeat_rules {
  std::int64_t grace_ms = 3'000;          // a beat failed or unanswered this long: unhealthy
  std::int64_t venue_timeout_ms = 10'000; // no success this long: the venue cancelled everything
};

enum class heartbeat_reply_kind : std::uint8_t { ok, invalid_id, failed };

/// One reply of `POST /v1/heartbeats`: 200 `{"heartbeat_id":"<id>"}`, 400
/// `{"error":"Invalid Heartbeat ID",...}`, or anything else (a failure). Status 0
/// is no HTTP reply (`body` is then the transport error).
struct heartbeat_reply {
  heartbeat_reply_kind kind = heartbeat_reply_kind::failed;
  std::string id;    // ok only: the id the next beat carries
  std::string error; // why it failed
};
heartbeat_reply parse_heartbeat_reply(int status, std::string_view body);

/// The body of the next beat: `{"heartbeat_id":"<id>"}`.
std::string heartbeat_body(std::string_view id);

struct heartbeat_change {
  bool state_changed = false;
  bool lapse = false; // the chain broke: reconcile with the venue
};

class heartbeat_health {
public:
  explicit heartbeat_health(heartbeat_rules rules = {}) : rules_(rules) {}

  /// The id the next beat carries: "" starts a chain.
  const std::string& next_id() const { return chain_id_; }
  /// A beat left at `now_ms`.
  void on_sent(std::int64_t now_ms);
  heartbeat_change on_reply(const heartbeat_reply& r, std::int64_t now_ms);
  /// Time passed: grace and the venue's timeout are judged here.
  heartbeat_change on_time(std::int64_t now_ms);

  heartbeat_state state() const { return state_; }
  bool healthy() const { return state_ == heartbeat_state::healthy; }
  /// Why it is not healthy (empty when healthy).
  const std::string& reason() const { return reason_; }
  std::uint64_t sent() const { return sent_; }
  std::uint64_t failed() const { return failed_; }
  std::uint64_t lapses() const { return lapses_; }

private:
  heartbeat_change become(heartbeat_state s, std::string reason);
  heartbeat_change lapse(std::string reason);

  heartbeat_rules rules_;
  heartbeat_state state_ = heartbeat_state::starting;
  std::string reason_ = "no heartbeat answered yet";
  std::string chain_id_;
  bool chain_running_ = false;   // a success since the chain (re)started
  std::int64_t last_ok_ms_ = 0;
  std::int64_t pending_since_ms_ = -1; // the first beat since the last success not answered ok
  std::string last_error_;
  std::uint64_t sent_ = 0, failed_ = 0, lapses_ = 0;
};

} // namespace tdmaker
