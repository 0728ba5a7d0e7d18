#include "core/heartbeat_health.hpp"

#include <rapidjson/document.h>

#include "core/json_read.hpp"
#include "core/json_write.hpp"

namespace tdmaker {
namespace {

// Polymarket's ids are UUIDs; anything long or unprintable is not an id to echo back.
constexpr std::size_t max_id_bytes = 128;

bool printable_id(std::string_view id) {
  if (id.empty() || id.size() > max_id_bytes)
    return false;
  for (unsigned char c : id)
    if (c < 0x21 || c > 0x7e)
      return false;
  return true;
}

heartbeat_reply failed_reply(std::string why) { return {heartbeat_reply_kind::failed, "", std::move(why)}; }

} // namespace

std::string_view to_string(heartbeat_state s) {
  switch (s) {
    case heartbeat_state::starting: return "starting";
    case heartbeat_state::healthy: return "healthy";
    case heartbeat_state::unhealthy: return "unhealthy";
  }
  return "?";
}

heartbeat_reply parse_heartbeat_reply(int status, std::string_view body) {
  if (status == 0)
    return failed_reply("no reply: " + std::string(body.substr(0, 200)));
  rapidjson::Document d;
  auto parsed = json::parse_object(d, body);
  if (status == 400 && parsed) {
    auto err = json::get_string(d, "error");
    if (err && *err == "Invalid Heartbeat ID")
      return {heartbeat_reply_kind::invalid_id, "", "Invalid Heartbeat ID"};
  }
  if (status != 200)
    return failed_reply("HTTP " + std::to_string(status));
  if (!parsed)
    return failed_reply("heartbeat reply: " + parsed.error());
  auto id = json::get_string(d, "heartbeat_id");
  if (!id)
    return failed_reply("heartbeat reply: " + id.error());
  if (!printable_id(*id))
    return failed_reply("heartbeat reply: heartbeat_id is not a usable id");
  return {heartbeat_reply_kind::ok, std::move(id).value(), ""};
}

std::string heartbeat_body(std::string_view id) { return json::object_writer().str("heartbeat_id", id).take(); }

void heartbeat_health::on_sent(std::int64_t now_ms) {
  ++sent_;
  if (pending_since_ms_ < 0)
    pending_since_ms_ = now_ms;
}

heartbeat_change heartbeat_health::on_reply(const heartbeat_reply& r, std::int64_t now_ms) {
  switch (r.kind) {
    case heartbeat_reply_kind::ok:
      chain_id_ = r.id;
      chain_running_ = true;
      last_ok_ms_ = now_ms;
      pending_since_ms_ = -1;
      last_error_.clear();
      return become(heartbeat_state::healthy, "");
    case heartbeat_reply_kind::invalid_id:
      ++failed_;
      last_error_ = r.error;
      return lapse("venue answered Invalid Heartbeat ID: the chain restarts");
    case heartbeat_reply_kind::failed:
      ++failed_;
      last_error_ = r.error;
      return on_time(now_ms);
  }
  return {};
}

heartbeat_change heartbeat_health::on_time(std::int64_t now_ms) {
  if (chain_running_ && now_ms - last_ok_ms_ > rules_.venue_timeout_ms)
    return lapse("no heartbeat answered for " + std::to_string(now_ms - last_ok_ms_) + " ms (venue timeout "
                 + std::to_string(rules_.venue_timeout_ms) + " ms): the venue cancelled every order"
                 + (last_error_.empty() ? "" : "; last error: " + last_error_));
  if (state_ == heartbeat_state::healthy && pending_since_ms_ >= 0 && now_ms - pending_since_ms_ > rules_.grace_ms)
    return become(heartbeat_state::unhealthy,
                  "no heartbeat answered for " + std::to_string(now_ms - pending_since_ms_) + " ms"
                    + (last_error_.empty() ? "" : ": " + last_error_));
  if (state_ == heartbeat_state::starting && !last_error_.empty())
    reason_ = "no heartbeat answered yet: " + last_error_;
  return {};
}

heartbeat_change heartbeat_health::become(heartbeat_state s, std::string reason) {
  heartbeat_change c;
  c.state_changed = s != state_;
  state_ = s;
  reason_ = std::move(reason);
  return c;
}

heartbeat_change heartbeat_health::lapse(std::string reason) {
  // The venue has no chain for us any more (or refuses ours): start a new one.
  chain_id_.clear();
  auto c = become(heartbeat_state::unhealthy, std::move(reason));
  c.lapse = chain_running_;
  lapses_ += chain_running_;
  chain_running_ = false;
  return c;
}

} // namespace tdmaker
