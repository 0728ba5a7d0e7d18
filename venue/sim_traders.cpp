#include "venue/sim_traders.hpp"

#include <algorithm>
#include <cmath>

#include "core/bytes.hpp"
#include "core/keccak.hpp"
#include "core/order_sign.hpp"

namespace tdmaker::venue {
namespace {

constexpr std::int64_t one = micros_per_unit;

private_key agent_key(std::uint64_t seed, const std::string& role, int i) {
  // Derive until the hash is a valid secp256k1 key (all but astronomically few are).
  for (int salt = 0;; ++salt) {
    auto h = keccak256(std::to_string(seed) + "/agent/" + role + "/" + std::to_string(i) + "/" + std::to_string(salt));
    if (auto k = private_key::parse(to_hex(h)))
      return *k;
  }
}

std::int64_t on_tick(double p, std::int64_t tick) {
  auto micros = static_cast<std::int64_t>(std::llround(p * one));
  micros = micros / tick * tick;
  return std::clamp<std::int64_t>(micros, tick, one - tick);
}

} // namespace

double fair_up(ref_price start, ref_price now, std::int64_t seconds_left, double annual_vol) {
  if (start.e8 <= 0 || now.e8 <= 0)
    return 0.5;
  double tau = std::max<double>(1.0, static_cast<double>(seconds_left)) / (365.0 * 24 * 3600);
  double sd = annual_vol * std::sqrt(tau);
  double z = std::log(static_cast<double>(now.e8) / static_cast<double>(start.e8)) / (sd > 0 ? sd : 1e-9);
  double p = 0.5 * std::erfc(-z / std::sqrt(2.0));
  return std::clamp(p, 0.02, 0.98);
}

sim_traders::sim_traders(exchange& ex, std::uint64_t seed, sim_config cfg)
    : ex_(ex), cfg_(cfg), rng_(seed ^ 0x5157'7261'6465'7273ULL) {
  for (int i = 0; i < 2; ++i) {
    auto mk = agent_key(seed, "maker", i);
    auto creds = ex_.create_key(mk.address(), 0);
    if (creds)
      makers_.push_back({mk, *creds});
    auto tk = agent_key(seed, "taker", i);
    creds = ex_.create_key(tk.address(), 0);
    if (creds)
      takers_.push_back({tk, *creds});
  }
}

order_request sim_traders::make(const agent& a, const std::string& token, order_side side, std::int64_t px,
                                std::int64_t size, order_type type, bool post_only, std::int64_t now_ms) {
  auto spec = limit_spec(token, side, price{px}, shares{size}, salt_++, static_cast<std::uint64_t>(now_ms),
                         a.creds.key);
  spec.type = type;
  spec.post_only = post_only;
  auto r = sign_order(spec, a.key, ex_.domain_separator_value());
  return r ? std::move(r).value() : order_request{}; // token ids come from the catalog: always valid
}

std::string sim_traders::place(const agent& a, const order_request& r, std::int64_t now_ms) {
  ++sent_;
  auto res = ex_.place(r, a.creds.key, now_ms);
  if (auto* p = std::get_if<placement>(&res))
    return p->order_id;
  return "";
}

void sim_traders::step(std::int64_t now_ms, const slot_market& m, ref_price start, ref_price now) {
  if (!cfg_.enabled || makers_.empty() || takers_.empty())
    return;
  auto now_s = now_ms / 1000;
  auto fair = on_tick(fair_up(start, now, m.end_s - now_s, cfg_.annual_vol), m.tick.micros);
  auto& q = quotes_[m.condition_id];
  auto& mk = makers_[std::hash<std::string>{}(m.condition_id) % makers_.size()];

  // Re-quote when fair moved: bid Up below fair, bid Down below 1 - fair.
  if (q.fair != fair) {
    std::vector<std::string> old;
    for (auto* id : {&q.up_bid, &q.down_bid})
      if (!id->empty())
        old.push_back(*id);
    if (!old.empty())
      ex_.cancel(mk.creds.key, old);
    auto size = 20'000'000 + static_cast<std::int64_t>(rng_() % 81) * 1'000'000; // 20..100 shares
    auto up_px = std::max(m.tick.micros, fair - cfg_.half_spread);
    auto down_px = std::max(m.tick.micros, one - fair - cfg_.half_spread);
    q.up_bid = place(mk, make(mk, m.up_token, order_side::buy, on_tick(static_cast<double>(up_px) / one, m.tick.micros),
                              size, order_type::gtc, true, now_ms), now_ms);
    q.down_bid = place(mk, make(mk, m.down_token, order_side::buy,
                                on_tick(static_cast<double>(down_px) / one, m.tick.micros), size, order_type::gtc,
                                true, now_ms), now_ms);
    q.fair = fair;
  }

  // Now and then a taker buys one outcome up to a little past fair: it sweeps
  // whatever bids on the other outcome are priced to meet it.
  if (std::uniform_real_distribution<double>(0, 1)(rng_) < cfg_.taker_rate && !takers_paused_) {
    auto& tk = takers_[rng_() % takers_.size()];
    bool buy_up = rng_() % 2 == 0;
    auto limit = buy_up ? fair + 2 * cfg_.half_spread : one - fair + 2 * cfg_.half_spread;
    limit = on_tick(static_cast<double>(std::min(limit, one - m.tick.micros)) / one, m.tick.micros);
    auto size = 5'000'000 + static_cast<std::int64_t>(rng_() % 26) * 1'000'000; // 5..30 shares
    place(tk, make(tk, buy_up ? m.up_token : m.down_token, order_side::buy, limit, size, order_type::fak, false,
                   now_ms), now_ms);
    // The maker's quotes may be gone now; quote again next step.
    q.fair = -1;
  }
}

} // namespace tdmaker::venue
