#include "core/audit_lines.hpp"

#include "core/json_write.hpp"

namespace tdmaker {

std::string_view outcome_name(outcome o) { return o == outcome::up ? "up" : "down"; }

std::string entry_audit_line(std::int64_t now_ms, std::string_view market, std::string_view asset,
                             const entry_inputs& in, const filter_result& r, std::string_view verdict,
                             std::size_t orders) {
  json::object_writer w;
  w.num("ts_ms", now_ms)
    .str("kind", "entry")
    .str("market", market)
    .str("asset", asset)
    .str("outcome", outcome_name(in.side))
    .str("action", to_string(r.action))
    .str("verdict", verdict)
    .str("reason", r.reason)
    .str("bid", to_string(in.bid))
    .str("ask", to_string(in.ask))
    .str("ref_start", to_string(in.ref_start))
    .str("ref_now", to_string(in.ref_now))
    .num("move_ppm", directional_move_ppm(in.side, in.ref_start, in.ref_now))
    .num("seconds_into", in.now_ms / 1000 - in.slot_start_s)
    .num("seconds_left", in.slot_end_s - in.now_ms / 1000);
  if (r.p_win >= 0)
    w.real("p_win", r.p_win);
  return w.num("orders", orders).take();
}

std::string stop_loss_audit_line(std::int64_t now_ms, std::string_view market, outcome side, shares qty,
                                 const stop_check& c) {
  return json::object_writer()
    .num("ts_ms", now_ms)
    .str("kind", "stop_loss")
    .str("event", to_string(c.verdict))
    .str("market", market)
    .str("outcome", outcome_name(side))
    .str("shares", to_string(qty))
    .str("bid", to_string(c.exit_px))
    .str("reason", c.reason)
    .take();
}

std::string shadow_taker_audit_line(std::int64_t now_ms, std::string_view market, outcome side, price ask,
                                    shares ask_size, price bid) {
  return json::object_writer()
    .num("ts_ms", now_ms)
    .str("kind", "shadow_taker")
    .str("event", "first_fill")
    .str("market", market)
    .str("outcome", outcome_name(side))
    .str("ask", to_string(ask))
    .str("ask_size", to_string(ask_size))
    .str("bid", to_string(bid))
    .take();
}

std::string order_audit_line(const order_record& r, std::int64_t now_ms, std::string_view event) {
  return json::object_writer()
    .num("ts_ms", now_ms)
    .str("kind", "order")
    .str("event", event)
    .str("order_id", r.order_id)
    .str("client_id", r.client_id)
    .str("market", r.market.hex)
    .str("outcome", outcome_name(r.side_outcome))
    .num("rung", r.rung)
    .str("side", r.side == order_side::buy ? "BUY" : "SELL")
    .str("price", to_string(r.px))
    .str("size", to_string(r.size))
    .str("matched", to_string(r.matched))
    .str("state", to_string(r.state))
    .str("reason", r.reason)
    .flag("paper", r.paper)
    .take();
}

std::string fill_audit_line(const fill_record& f, fill_change change, std::int64_t now_ms) {
  return json::object_writer()
    .num("ts_ms", now_ms)
    .str("kind", "fill")
    .str("event", to_string(change))
    .raw("fill", encode(f))
    .take();
}

std::string settlement_audit_line(const settlement_record& rec) {
  return json::object_writer()
    .num("ts_ms", rec.settled_ms)
    .str("kind", "settlement")
    .str("event", "settled")
    .raw("settlement", encode(rec))
    .take();
}

std::string capture_entry_audit_line(std::int64_t ts_ms, std::string_view market, std::string_view asset,
                                     outcome side, price ask, shares size, const confidence_result& c,
                                     std::string_view verdict) {
  return json::object_writer()
    .num("ts_ms", ts_ms)
    .str("kind", "capture_99c")
    .str("event", "capture_entry")
    .str("market", market)
    .str("asset", asset)
    .str("outcome", outcome_name(side))
    .str("verdict", verdict)
    .str("ask", to_string(ask))
    .str("size", to_string(size))
    .num("confidence_ppm", c.confidence_ppm)
    .num("probability_ppm", c.probability_ppm)
    .num("blended_ppm", c.blended_ppm)
    .num("penalty_ppm", c.penalty_ppm)
    .num("vote_ppm", c.vote_ppm)
    .str("reasons", describe_reasons(c.reasons))
    .take();
}

std::string capture_fill_audit_line(std::int64_t ts_ms, std::string_view market, outcome side, bool paper, price px,
                                    shares size, std::int64_t peak_confidence_ppm) {
  return json::object_writer()
    .num("ts_ms", ts_ms)
    .str("kind", "capture_99c")
    .str("event", "capture_fill")
    .str("market", market)
    .str("outcome", outcome_name(side))
    .str("price", to_string(px))
    .str("size", to_string(size))
    .num("peak_confidence_ppm", peak_confidence_ppm)
    .flag("paper", paper)
    .take();
}

std::string danger_audit_line(std::int64_t ts_ms, std::string_view market, outcome side, bool paper,
                              std::int64_t peak_ppm, std::int64_t confidence_ppm, const danger_result& d,
                              std::int32_t threshold, std::string_view action) {
  return json::object_writer()
    .num("ts_ms", ts_ms)
    .str("kind", "capture_99c")
    .str("event", "danger")
    .str("market", market)
    .str("outcome", outcome_name(side))
    .str("action", action)
    .num("score", d.score)
    .num("threshold", threshold)
    .num("drop_points", d.drop_points)
    .num("velocity_points", d.velocity_points)
    .num("time_points", d.time_points)
    .num("opposite_points", d.opposite_points)
    .num("peak_confidence_ppm", peak_ppm)
    .num("confidence_ppm", confidence_ppm)
    .flag("paper", paper)
    .take();
}

} // namespace tdmaker
