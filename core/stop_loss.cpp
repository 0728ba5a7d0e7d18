#include "core/stop_loss.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/json_read.hpp"

namespace tdmaker {

std::string_view to_string(stop_verdict v) {
  switch (v) {
    case stop_verdict::hold: return "hold";
    case stop_verdict::exit: return "exit";
    case stop_verdict::await_settlement: return "await_settlement";
  }
  return "unknown";
}

result<exit_model> parse_exit_model(std::string_view text) {
  rapidjson::Document d;
  if (auto ok = json::parse_object(d, text); !ok)
    return fail("exit model: " + ok.error());
  auto t = d.FindMember("exit_threshold");
  if (t == d.MemberEnd() || !t->value.IsNumber())
    return fail("exit model: missing number 'exit_threshold'");
  exit_model m;
  m.exit_threshold = t->value.GetDouble();
  if (!(m.exit_threshold >= 0 && m.exit_threshold <= 1))
    return fail("exit model: exit_threshold must be in [0, 1]");
  d.RemoveMember("exit_threshold");
  // The entry thresholds mean nothing for an exit; the shared parser wants them.
  for (const char* k : {"maker_threshold", "taker_threshold"})
    if (!d.HasMember(k))
      d.AddMember(rapidjson::StringRef(k), rapidjson::Value(0.5), d.GetAllocator());
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  d.Accept(w);
  auto inner = parse_entry_model({buf.GetString(), buf.GetSize()});
  if (!inner)
    return fail("exit model: " + inner.error());
  m.model = std::move(inner).value();
  return m;
}

stop_check check_stop(const stop_rules& r, const exit_model* model, const entry_inputs& in, stop_state& st) {
  if (in.bid.micros == 0 && in.ask.micros == 0)
    return {stop_verdict::await_settlement, "empty book: resolved or expired", {}, -1};
  if (in.bid > st.peak_bid)
    st.peak_bid = in.bid;
  if (!r.enabled)
    return {stop_verdict::hold, "stop-loss disabled", {}, -1};
  if (in.bid.micros == 0)
    return {stop_verdict::hold, "no bid to sell into", {}, -1};
  if (model) {
    entry_rules er;
    er.annual_vol_ppm = r.annual_vol_ppm;
    auto p = entry_model_probability(model->model, er, in);
    if (p < model->exit_threshold)
      return {stop_verdict::exit, "exit model: P(win) below exit_threshold", in.bid, p};
    return {stop_verdict::hold, "exit model: P(win) holds", {}, p};
  }
  if (st.peak_bid < r.peak || in.bid > r.exit) {
    st.below_exit_since_ms = 0;
    return {stop_verdict::hold, st.peak_bid < r.peak ? "peak not reached" : "bid above exit", {}, -1};
  }
  if (st.below_exit_since_ms == 0)
    st.below_exit_since_ms = in.now_ms;
  if (r.fair_value_override && in.ref_start.e8 > 0 && in.ref_now.e8 > 0) {
    auto left = in.slot_end_s - in.now_ms / 1000;
    auto up = fair_up_probability(in.ref_start, in.ref_now, left, r.annual_vol_ppm);
    auto fair = in.side == outcome::up ? up : 1 - up;
    if (fair >= r.fair_hold && in.now_ms - st.below_exit_since_ms < r.grace_ms)
      return {stop_verdict::hold, "crash, but fair value holds (grace)", {}, fair};
    return {stop_verdict::exit, fair >= r.fair_hold ? "crash outlasted the fair-value grace" : "peak then crash",
            in.bid, fair};
  }
  return {stop_verdict::exit, "peak then crash", in.bid, -1};
}

} // namespace tdmaker
