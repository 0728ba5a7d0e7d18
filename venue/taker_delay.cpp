// Taker delays (protocol ref §3.4, §6): on a market with `itode`, Polymarket holds
// a marketable order for a while (250 ms) before matching it, so resting makers
// can move first. The placement then answers `delayed` with no fills; the fills,
// or none, come later by user events and `GET /data/order/{id}`.
#include <algorithm>

#include "venue/exchange.hpp"

namespace tdmaker::venue {

std::int64_t exchange::taker_delay_of(const slot_market& m) const {
  auto it = cfg_.taker_delay_ms.find(m.asset);
  return it == cfg_.taker_delay_ms.end() ? 0 : it->second;
}

placement exchange::hold(venue_order& o, std::int64_t release_ms) {
  placement p;
  p.order_id = o.id;
  if (delay_fails && delay_fails()) {
    // "marketable, but failure delaying": accepted, never matched, holds nothing.
    o.status = order_status::unmatched;
    p.status = "unmatched";
    return p;
  }
  o.status = order_status::delayed;
  o.release_ms = release_ms;
  reserve(o, +1); // held like a resting order, so the balance cannot be spent twice
  p.status = "delayed";
  return p;
}

void exchange::release_delayed(std::int64_t now_ms) {
  std::vector<venue_order*> due;
  for (auto& [id, o] : orders_)
    if (o.status == order_status::delayed && o.release_ms <= now_ms)
      due.push_back(&o);
  // Oldest first, as they arrived: time priority survives the hold.
  std::sort(due.begin(), due.end(), [](auto* a, auto* b) { return a->seq < b->seq; });
  for (auto* o : due) {
    reserve(*o, -1);
    o->status = order_status::live;
    if (o->type == order_type::fok && fillable(*o) < o->original) {
      o->status = order_status::canceled; // the book moved during the hold: killed whole
      if (events_)
        events_->on_order(*o, "CANCELLATION");
      continue;
    }
    placement p;
    match_new(*o, now_ms / 1000, p);
    if (o->status == order_status::canceled && events_)
      events_->on_order(*o, "CANCELLATION"); // a FAK that found nothing (or a remainder) is killed
  }
}

} // namespace tdmaker::venue
