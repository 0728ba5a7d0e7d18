#include "venue/polybolt_feed.hpp"

#include <algorithm>

#include <rapidjson/document.h>

#include "core/decimal.hpp"
#include "core/json_parse.hpp"
#include "core/json_write.hpp"

namespace tdmaker::venue {
namespace {

constexpr std::size_t max_rid_chars = 128;
constexpr std::size_t max_history_points = 10'000; // a fast publisher must not grow it unbounded
// A client request nests at most subscriptions > entry > filter.
constexpr int max_request_depth = 8;

const rapidjson::Value* member(const rapidjson::Value& o, const char* key) {
  auto it = o.FindMember(key);
  return it == o.MemberEnd() ? nullptr : &it->value;
}

std::string_view text_of(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

/// A required non-empty string member, or null.
const rapidjson::Value* nonempty_string(const rapidjson::Value& o, const char* key) {
  auto* v = member(o, key);
  return v && v->IsString() && v->GetStringLength() > 0 ? v : nullptr;
}

std::string source_of(polybolt_channel c) { return c == polybolt_channel::crypto ? "pyth" : "chainlink"; }

void point_fields(json::object_writer& w, std::int64_t ts_ms, ref_price p) {
  auto text = format_fixed(p.e8, ref_price::decimals);
  w.num("timestamp", ts_ms).raw("value", text).str("full_accuracy_value", text);
}

struct pair_entry {
  polybolt_channel channel = polybolt_channel::crypto;
  std::string symbol;
  int window = 0;
};
struct parsed_pairs {
  std::vector<pair_entry> entries;
  std::string error_code; // empty: all entries valid
  std::string error_channel;
};

parsed_pairs refused(std::string code, std::string_view channel = {}) {
  parsed_pairs p;
  p.error_code = std::move(code);
  p.error_channel = std::string(channel.substr(0, 64));
  return p;
}

/// One (channel, filter) entry; an invalid one refuses the whole request
/// [unconfirmed: the service may apply the valid entries of a batch].
parsed_pairs read_entry(const rapidjson::Value& item, pair_entry& out) {
  if (!item.IsObject())
    return refused("bad_op");
  auto* ch = member(item, "channel");
  if (!ch || !ch->IsString())
    return refused("bad_channel");
  auto c = parse_polybolt_channel(text_of(*ch));
  if (!c)
    return refused("bad_channel", text_of(*ch));
  out.channel = *c;
  auto* f = member(item, "filter");
  auto* sym = f && f->IsObject() ? member(*f, "symbol") : nullptr;
  if (!sym || !sym->IsString() || !is_polybolt_symbol(text_of(*sym)))
    return refused("bad_filter", text_of(*ch));
  out.symbol = std::string(text_of(*sym));
  if (*c == polybolt_channel::crypto_twap) {
    auto* w = member(*f, "window_seconds");
    if (!w || !w->IsInt() || w->GetInt() <= 0)
      return refused("bad_filter", text_of(*ch));
    out.window = w->GetInt();
  }
  return {};
}

/// `subscriptions: [...]`, or one `channel` + `filter` at the top.
parsed_pairs read_pairs(const rapidjson::Value& body) {
  std::vector<const rapidjson::Value*> items;
  if (auto* subs = member(body, "subscriptions")) {
    if (!subs->IsArray() || subs->Empty())
      return refused("bad_op");
    for (auto& s : subs->GetArray())
      items.push_back(&s);
  } else if (member(body, "channel")) {
    items.push_back(&body);
  } else {
    return refused("bad_op");
  }
  parsed_pairs out;
  for (auto* item : items) {
    pair_entry e;
    if (auto bad = read_entry(*item, e); !bad.error_code.empty())
      return bad;
    out.entries.push_back(std::move(e));
  }
  return out;
}

} // namespace

// ------------------------------------------------------------------ history

void polybolt_history::add(polybolt_channel c, const std::string& symbol, std::int64_t ts_ms, ref_price p) {
  auto& pts = streams_[{c, symbol}];
  pts.emplace_back(ts_ms, p);
  while (!pts.empty() && (pts.front().first <= ts_ms - keep_ms_ || pts.size() > max_history_points))
    pts.pop_front();
}

const polybolt_history::points* polybolt_history::find(polybolt_channel c, const std::string& symbol) const {
  auto it = streams_.find({c, symbol});
  return it == streams_.end() ? nullptr : &it->second;
}

// ------------------------------------------------------------------ session

struct polybolt_session::request {
  std::string op;
  std::string rid;
  bool has_rid = false;
  const rapidjson::Value* body = nullptr;

  std::string ack(std::string_view ack_op, std::string_view channel = {}) const {
    json::object_writer w;
    w.str("op", ack_op);
    if (!channel.empty())
      w.str("channel", channel);
    if (has_rid)
      w.str("rid", rid);
    return w.take();
  }
  std::string error(std::string_view code, std::string_view channel = {}) const {
    json::object_writer w;
    w.str("op", "error").str("code", code);
    if (!channel.empty())
      w.str("channel", channel);
    if (has_rid)
      w.str("rid", rid);
    return w.take();
  }
};

polybolt_session::polybolt_session(const polybolt_history& history, polybolt_credential_check check,
                                   polybolt_limits lim, std::int64_t now_ms)
    : history_(history), check_(std::move(check)), lim_(lim), last_ping_ms_(now_ms) {}

polybolt_output polybolt_session::close_with(polybolt_output out, std::uint16_t code, std::string reason) {
  out.close_code = code;
  out.close_reason = std::move(reason);
  closed_ = true;
  return out;
}

polybolt_output polybolt_session::breach(std::string_view code, const request& r, std::string_view channel) {
  if (lim_.breach_closes)
    return close_with({}, polybolt_close_policy, "policy violation: " + std::string(code));
  polybolt_output out;
  out.frames.push_back(r.error(code, channel));
  return out;
}

polybolt_output polybolt_session::on_text(std::string_view text, std::int64_t now_ms) {
  if (closed_)
    return {};
  if (text.size() > lim_.max_frame_bytes)
    return close_with({}, polybolt_close_policy, "policy violation: frame over 64 KB");
  rapidjson::Document d;
  auto parsed = json::parse<rapidjson::kParseValidateEncodingFlag>(
      d, text, json::limits{lim_.max_frame_bytes, max_request_depth});
  request r;
  polybolt_output out;
  if (!parsed || !d.IsObject()) {
    out.frames.push_back(r.error("bad_op"));
    return out;
  }
  auto* rid = member(d, "rid");
  if (rid && (!rid->IsString() || rid->GetStringLength() > max_rid_chars)) {
    out.frames.push_back(r.error("bad_op"));
    return out;
  }
  if (rid) {
    r.rid = std::string(text_of(*rid));
    r.has_rid = true;
  }
  auto* op = member(d, "op");
  r.op = op && op->IsString() ? std::string(text_of(*op)) : std::string();
  r.body = &d;
  if (r.op == "auth")
    return handle_auth(r);
  if (r.op == "subscribe" || r.op == "unsubscribe")
    return handle_pairs(r, r.op == "subscribe", now_ms);
  if (r.op == "ping")
    out.frames.push_back(r.ack("pong"));
  else
    out.frames.push_back(r.error("bad_op"));
  return out;
}

polybolt_output polybolt_session::handle_auth(const request& r) {
  if (++auth_attempts_ > lim_.max_auth_attempts)
    return breach("auth_attempts", r, {});
  auto* a = member(*r.body, "auth");
  const rapidjson::Value* key = nullptr;
  const rapidjson::Value* secret = nullptr;
  const rapidjson::Value* pass = nullptr;
  if (a && a->IsObject()) {
    key = nonempty_string(*a, "apiKey");
    secret = nonempty_string(*a, "secret");
    pass = nonempty_string(*a, "passphrase");
  }
  const bool ok = key && secret && pass && check_ && check_(text_of(*key), text_of(*secret), text_of(*pass));
  polybolt_output out;
  if (!ok) {
    authed_ = false;
    out.frames.push_back(r.error("auth_invalid"));
    return close_with(std::move(out), polybolt_close_auth_failed, "authentication failed");
  }
  authed_ = true;
  out.frames.push_back(r.ack("authed"));
  return out;
}

bool polybolt_session::over_rate(std::int64_t now_ms) {
  while (!sub_frames_.empty() && sub_frames_.front() + lim_.rate_window_ms <= now_ms)
    sub_frames_.pop_front();
  sub_frames_.push_back(now_ms);
  return sub_frames_.size() > lim_.max_sub_frames;
}

polybolt_output polybolt_session::handle_pairs(const request& r, bool subscribe, std::int64_t now_ms) {
  if (over_rate(now_ms))
    return breach("rate_limited", r, {});
  polybolt_output out;
  auto pairs = read_pairs(*r.body);
  if (!pairs.error_code.empty()) {
    out.frames.push_back(r.error(pairs.error_code, pairs.error_channel));
    return out;
  }
  const auto first_channel = to_string(pairs.entries.front().channel);
  if (!authed_) {
    out.frames.push_back(r.error("auth_required", first_channel));
    return out;
  }
  if (subscribe) {
    std::set<pair_key> fresh;
    for (auto& e : pairs.entries)
      if (pair_key k{e.channel, e.symbol, e.window}; !subs_.count(k))
        fresh.insert(std::move(k));
    if (subs_.size() + fresh.size() > lim_.max_subscriptions)
      return breach("sub_limit", r, first_channel);
  }
  for (auto& e : pairs.entries) {
    pair_key k{e.channel, e.symbol, e.window};
    const auto channel = to_string(e.channel);
    if (!subscribe) {
      subs_.erase(k);
      out.frames.push_back(r.ack("unsubscribed", channel));
      continue;
    }
    const bool is_new = subs_.insert(k).second;
    out.frames.push_back(r.ack("subscribed", channel));
    if (is_new)
      out.frames.push_back(snapshot_of(k, now_ms));
  }
  return out;
}

std::string polybolt_session::next_envelope(polybolt_channel c, std::int64_t ts_ms, bool snapshot,
                                            std::string_view payload) {
  auto& st = stream_of(c);
  st.last_seq += 1 + st.skip;
  st.skip = 0;
  json::object_writer w;
  w.num("v", 1).str("channel", to_string(c)).num("seq", st.last_seq).num("ts", ts_ms);
  if (snapshot)
    w.flag("snapshot", true);
  if (st.pending_dropped > 0)
    w.num("dropped", st.pending_dropped);
  st.pending_dropped = 0;
  w.raw("payload", payload);
  return w.take();
}

std::string polybolt_session::snapshot_of(const pair_key& k, std::int64_t now_ms) {
  const auto& [c, symbol, window] = k;
  json::object_writer p;
  p.str("symbol", symbol).open_array("data");
  // Only the 60 s window has data; any other is an empty barrier.
  const bool served = c == polybolt_channel::crypto || window == polybolt_twap_window_seconds;
  if (auto* pts = served ? history_.find(c, symbol) : nullptr)
    for (auto& [ts, px] : *pts)
      if (ts > now_ms - lim_.backfill_ms) {
        p.open();
        point_fields(p, ts, px);
        p.close();
      }
  p.close_array();
  if (c == polybolt_channel::crypto_twap)
    p.num("window_seconds", window);
  p.str("source", source_of(c));
  return next_envelope(c, now_ms, true, p.take());
}

polybolt_output polybolt_session::publish(polybolt_channel c, const std::string& symbol, std::int64_t ts_ms,
                                          ref_price px) {
  const int window = c == polybolt_channel::crypto_twap ? polybolt_twap_window_seconds : 0;
  if (closed_ || !subs_.count(pair_key{c, symbol, window}))
    return {};
  auto& st = stream_of(c);
  if (st.drop_next > 0) {
    --st.drop_next;
    ++st.pending_dropped;
    ++dropped_total_;
    return {};
  }
  json::object_writer p;
  p.str("symbol", symbol);
  point_fields(p, ts_ms, px);
  if (window != 0)
    p.num("window_seconds", window);
  p.str("source", source_of(c));
  polybolt_output out;
  out.frames.push_back(next_envelope(c, ts_ms, false, p.take()));
  return out;
}

void polybolt_session::on_pong() {
  awaiting_pong_ = false;
  missed_pongs_ = 0;
}

polybolt_output polybolt_session::tick(std::int64_t now_ms) {
  if (closed_ || now_ms - last_ping_ms_ < lim_.ping_every_ms)
    return {};
  last_ping_ms_ = now_ms;
  if (awaiting_pong_ && ++missed_pongs_ >= lim_.missed_pongs_to_close)
    return close_with({}, polybolt_close_slow_consumer, "pong timeout");
  awaiting_pong_ = true;
  polybolt_output out;
  out.ping = true;
  return out;
}

polybolt_output polybolt_session::drain() {
  if (closed_)
    return {};
  return close_with({}, polybolt_close_draining, "server draining");
}

void polybolt_session::drop_next(polybolt_channel c, std::uint64_t envelopes) { stream_of(c).drop_next += envelopes; }

void polybolt_session::skip_seq(polybolt_channel c, std::uint64_t numbers) { stream_of(c).skip += numbers; }

bool polybolt_session::holds(polybolt_channel c, const std::string& symbol) const {
  const int window = c == polybolt_channel::crypto_twap ? polybolt_twap_window_seconds : 0;
  return subs_.count(pair_key{c, symbol, window}) > 0;
}

std::uint64_t polybolt_session::next_seq(polybolt_channel c) const {
  const auto& st = streams_[static_cast<std::size_t>(c)];
  return st.last_seq + 1 + st.skip;
}

// ------------------------------------------------------------------ feed

polybolt_feed::polybolt_feed(polybolt_credential_check check, polybolt_limits lim)
    : check_(std::move(check)), lim_(lim), history_(lim.backfill_ms) {}

void polybolt_feed::open(std::uint64_t id, std::int64_t now_ms) {
  sessions_[id] = std::make_unique<polybolt_session>(history_, check_, lim_, now_ms);
}

polybolt_output polybolt_feed::on_text(std::uint64_t id, std::string_view text, std::int64_t now_ms) {
  auto* s = session(id);
  return s ? s->on_text(text, now_ms) : polybolt_output{};
}

void polybolt_feed::on_pong(std::uint64_t id) {
  if (auto* s = session(id))
    s->on_pong();
}

void polybolt_feed::close(std::uint64_t id) { sessions_.erase(id); }

polybolt_feed::fanout polybolt_feed::publish(polybolt_channel c, const std::string& asset, std::int64_t ts_ms,
                                             ref_price p) {
  const auto symbol = asset + "usd"; // venue assets are lower-case letters (venue_config)
  history_.add(c, symbol, ts_ms, p);
  fanout out;
  for (auto& [id, s] : sessions_)
    if (auto o = s->publish(c, symbol, ts_ms, p); !o.empty())
      out.emplace_back(id, std::move(o));
  return out;
}

polybolt_feed::fanout polybolt_feed::publish_spot(const std::string& asset, std::int64_t ts_ms, ref_price p) {
  return publish(polybolt_channel::crypto, asset, ts_ms, p);
}

polybolt_feed::fanout polybolt_feed::publish_twap(const std::string& asset, std::int64_t ts_ms, ref_price p) {
  return publish(polybolt_channel::crypto_twap, asset, ts_ms, p);
}

polybolt_feed::fanout polybolt_feed::tick(std::int64_t now_ms) {
  fanout out;
  for (auto& [id, s] : sessions_)
    if (auto o = s->tick(now_ms); !o.empty())
      out.emplace_back(id, std::move(o));
  return out;
}

polybolt_feed::fanout polybolt_feed::drain() {
  fanout out;
  for (auto& [id, s] : sessions_)
    if (auto o = s->drain(); !o.empty())
      out.emplace_back(id, std::move(o));
  return out;
}

polybolt_session* polybolt_feed::session(std::uint64_t id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second.get();
}

std::vector<std::uint64_t> polybolt_feed::sessions() const {
  std::vector<std::uint64_t> ids;
  for (auto& [id, s] : sessions_)
    ids.push_back(id);
  return ids;
}

} // namespace tdmaker::venue
