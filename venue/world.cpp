#include "venue/world.hpp"

#include "core/eth_address.hpp"

namespace tdmaker::venue {

namespace {
exchange_config exchange_cfg(const venue_config& c) {
  exchange_config e;
  e.seed = c.seed;
  e.starting_usdc = c.starting_usdc;
  e.taker_delay_ms = c.taker_delay_ms;
  e.domain.verifying_contract = *parse_address("0xE111180000d2663C0091e4f400237545B87B996B");
  return e;
}
} // namespace

namespace {
sim_config sim_cfg(const venue_config& c) {
  sim_config s;
  s.enabled = c.sim_traders;
  s.taker_rate = c.sim_taker_rate;
  s.annual_vol = c.annual_vol;
  return s;
}
} // namespace

world::world(const venue_config& cfg)
    : cfg_(cfg), ex_(exchange_cfg(cfg)), sim_(ex_, cfg.seed, sim_cfg(cfg)) {
  if (cfg_.series.empty())
    settle_series(cfg_); // a config built in code rather than parsed
  for (auto& a : cfg_.assets)
    paths_.emplace(a, price_path(cfg.seed, a, default_start(a), cfg.annual_vol));
  for (auto& w : cfg.wallets)
    ex_.register_wallet(w.wallet, w.owner, w.type); // conflicts were refused by the config parser
  for (auto& o : cfg.deposit_wallet_only)
    ex_.set_deposit_wallet_only(o, true);
}

ref_price world::twap60(const std::string& asset, std::int64_t end_s) const {
  auto it = history_.find(asset);
  __int128 sum = 0;
  std::int64_t n = 0;
  if (it != history_.end())
    for (auto& [ts, p] : it->second)
      if (ts > end_s - 60 && ts <= end_s) {
        sum += p.e8;
        ++n;
      }
  if (n == 0)
    return paths_.at(asset).current();
  return ref_price{static_cast<std::int64_t>(sum / n)}; // floor: an exact, reproducible rule
}

result<world::reference_jump> world::jump_reference(const reference_move& move) {
  auto it = paths_.find(move.asset);
  if (it == paths_.end())
    return fail("unknown asset '" + move.asset.substr(0, 16) + "'");
  if (move.move_bps < -max_reference_move_bps || move.move_bps > max_reference_move_bps)
    return fail("move_bps " + std::to_string(move.move_bps) + " is outside +-"
                + std::to_string(max_reference_move_bps));
  reference_jump j{it->second.current(), it->second.jump(move.move_bps)};
  ++jumps_[move.asset];
  return j;
}

void world::tick(std::int64_t now_ms) {
  auto now_s = now_ms / 1000;
  ex_.release_delayed(now_ms); // before the simulated traders move: the book as it is when the hold ends
  if (last_step_s_ == 0)
    last_step_s_ = now_s;
  for (; last_step_s_ < now_s; ++last_step_s_)
    for (auto& [a, p] : paths_) {
      auto px = p.step();
      auto& h = history_[a];
      h.emplace_back(last_step_s_ + 1, px);
      while (h.size() > 600)
        h.pop_front();
      if (on_reference)
        on_reference(a, (last_step_s_ + 1) * 1000, px);
    }

  for (auto& series : cfg_.series) {
    const auto lead_s = (cfg_.lead_slots + 1) * series.spec.slot_s;
    for (auto s : series_slot_starts(series.spec, now_s, cfg_.lead_slots)) {
      auto m = make_series_slot(cfg_.seed, series, s, lead_s);
      m.fee = fee_for(cfg_.fee_schedules, m.series);
      ex_.list_market(m);
    }
  }

  for (auto& [cid, m] : ex_.markets()) {
    if (m.closed)
      continue;
    auto ref = paths_.at(m.asset).current();
    if (now_s >= m.start_s && !start_price_.count(cid))
      start_price_[cid] = ref;
    if (now_s >= m.end_s && !end_price_.count(cid)) {
      end_price_[cid] = m.twap ? twap60(m.asset, m.end_s) : ref;
      extra_delay_[cid] = extra_resolution_delay ? extra_resolution_delay(m) : 0;
    }
  }
  if (now_s != last_sim_s_) {
    last_sim_s_ = now_s;
    for (auto& [cid, m] : ex_.markets()) {
      if (m.closed || now_s < m.created_s || now_s >= m.end_s)
        continue;
      auto ref = paths_.at(m.asset).current();
      auto start = start_price_.count(cid) ? start_price_.at(cid) : ref;
      sim_.step(now_ms, m, start, ref);
    }
    std::vector<std::string> open;
    for (auto& [cid, m] : ex_.markets())
      if (!m.closed)
        open.push_back(cid);
    for (auto& cid : open)
      ex_.refine_tick(cid);
  }
  std::vector<std::pair<std::string, int>> due;
  for (auto& [cid, m] : ex_.markets())
    if (!m.closed && end_price_.count(cid) && now_s >= m.end_s + cfg_.resolution_delay_s + extra_delay_[cid]) {
      // A slot listed after its start has no start price of its own: the first
      // observed one stands in.
      auto start = start_price_.count(cid) ? start_price_[cid] : end_price_[cid];
      due.emplace_back(cid, end_price_[cid] >= start ? 0 : 1);
    }
  for (auto& [cid, winner] : due) {
    ex_.resolve(cid, winner, now_s);
    ++resolved_;
  }
  ex_.advance(now_s);
}

} // namespace tdmaker::venue
