#include "venue/exchange.hpp"

#include <algorithm>
#include <cstdio>

#include "core/decimal.hpp"
#include "core/eth_address.hpp"
#include "core/keccak.hpp"
#include "core/erc7739.hpp"
#include "core/secp256k1_signer.hpp"

namespace tdmaker::venue {
namespace {

constexpr std::int64_t one = micros_per_unit;

std::int64_t notional(std::int64_t shares, std::int64_t px) {
  // shares have 2 decimals and prices 3, so this is exact in micro-units.
  return static_cast<std::int64_t>(static_cast<__int128>(shares) * px / one);
}

std::string uuid_from(const bytes32& h) {
  auto x = to_hex(std::span(h.data(), 16), false);
  return x.substr(0, 8) + "-" + x.substr(8, 4) + "-" + x.substr(12, 4) + "-" + x.substr(16, 4) + "-"
         + x.substr(20, 12);
}

std::string order_error(const std::string& id, const std::string& what) {
  return "order " + id + " is invalid. " + what;
}

} // namespace

std::string_view to_string(order_status s) {
  switch (s) {
    case order_status::live: return "LIVE";
    case order_status::matched: return "MATCHED";
    case order_status::canceled: return "CANCELED";
    case order_status::canceled_market_resolved: return "CANCELED_MARKET_RESOLVED";
    case order_status::delayed: return "DELAYED";
    case order_status::unmatched: return "UNMATCHED";
  }
  return "LIVE";
}

std::string_view to_string(trade_status s) {
  switch (s) {
    case trade_status::matched: return "MATCHED";
    case trade_status::mined: return "MINED";
    case trade_status::confirmed: return "CONFIRMED";
  }
  return "MATCHED";
}

exchange::exchange(exchange_config cfg) : cfg_(std::move(cfg)), domain_sep_(domain_separator(cfg_.domain)) {}

// ---------------------------------------------------------------- markets

void exchange::list_market(const slot_market& m) {
  if (markets_.count(m.condition_id))
    return;
  markets_.emplace(m.condition_id, m);
  token_to_market_[m.up_token] = m.condition_id;
  token_to_market_[m.down_token] = m.condition_id;
}

const slot_market* exchange::market_by_condition(const std::string& cid) const {
  auto it = markets_.find(cid);
  return it == markets_.end() ? nullptr : &it->second;
}

const slot_market* exchange::market_by_token(const std::string& token) const {
  auto it = token_to_market_.find(token);
  return it == token_to_market_.end() ? nullptr : market_by_condition(it->second);
}

std::string exchange::complement(const std::string& token) const {
  auto* m = market_by_token(token);
  return token == m->up_token ? m->down_token : m->up_token;
}

std::string exchange::outcome_of(const std::string& token) const {
  auto* m = market_by_token(token);
  return m && token == m->up_token ? "Up" : "Down";
}

bool exchange::refine_tick(const std::string& cid) {
  auto it = markets_.find(cid);
  if (it == markets_.end() || it->second.closed || it->second.tick.micros <= 1'000)
    return false;
  auto& m = it->second;
  bool extreme = false;
  for (auto* tok : {&m.up_token, &m.down_token}) {
    auto bid = best_bid(*tok), ask = best_ask(*tok);
    extreme |= (bid && bid->micros >= 960'000) || (ask && ask->micros <= 40'000);
  }
  if (!extreme)
    return false;
  auto old = m.tick;
  m.tick = tick_size{1'000};
  if (events_)
    events_->on_tick_size(m, old);
  return true;
}

void exchange::resolve(const std::string& cid, int winner, std::int64_t now_s) {
  auto it = markets_.find(cid);
  if (it == markets_.end() || it->second.closed)
    return;
  auto& m = it->second;
  std::vector<std::string> resting;
  for (auto& [id, o] : orders_)
    if (o.market == cid && (o.status == order_status::live || o.status == order_status::delayed))
      resting.push_back(id);
  std::sort(resting.begin(), resting.end(),
            [&](auto& a, auto& b) { return orders_[a].seq < orders_[b].seq; });
  for (auto& id : resting)
    close(orders_[id], order_status::canceled_market_resolved);
  m.closed = true;
  m.winner = winner;
  m.resolved_s = now_s;
  if (events_)
    events_->on_resolved(m);
  const auto& win_token = winner == 0 ? m.up_token : m.down_token;
  for (auto& [addr, acct] : accounts_) {
    for (const auto* tok : {&m.up_token, &m.down_token}) {
      auto t = acct.tokens.find(*tok);
      if (t == acct.tokens.end() || t->second == 0)
        continue;
      settlement s{cid, addr, *tok, t->second, *tok == win_token ? t->second : 0, now_s};
      acct.usdc += s.payout; // 1 pUSD per winning share: shares and pUSD share a scale
      t->second = 0;
      settlements_.push_back(std::move(s));
    }
  }
}

// ---------------------------------------------------------------- accounts

api_creds exchange::make_creds(const address20& a, std::uint64_t nonce) const {
  auto base = std::to_string(cfg_.seed) + "/" + to_hex(a) + "/" + std::to_string(nonce);
  api_creds c;
  c.key = uuid_from(keccak256("api-key/" + base));
  auto s = keccak256("api-secret/" + base);
  c.secret = base64url_padded(s);
  c.passphrase = to_hex(keccak256("api-passphrase/" + base), false);
  return c;
}

account& exchange::account_for(const address20& a) {
  auto [it, fresh] = accounts_.try_emplace(a);
  if (fresh) {
    it->second.address = a;
    it->second.usdc = cfg_.starting_usdc;
  }
  return it->second;
}

std::optional<api_creds> exchange::create_key(const address20& a, std::uint64_t nonce) {
  auto c = make_creds(a, nonce);
  if (key_to_address_.count(c.key))
    return std::nullopt;
  auto& acct = account_for(a);
  acct.keys.push_back(c);
  key_to_address_[c.key] = a;
  return c;
}

std::optional<api_creds> exchange::derive_key(const address20& a, std::uint64_t nonce) {
  auto c = make_creds(a, nonce);
  if (!key_to_address_.count(c.key))
    return std::nullopt;
  return c;
}

result<bool> exchange::register_wallet(const address20& wallet, const address20& owner, signature_type type) {
  auto ok = wallets_.add(wallet, owner, type);
  if (ok)
    account_for(wallet);
  return ok;
}

const account* exchange::account_by_key(const std::string& api_key) const {
  auto it = key_to_address_.find(api_key);
  return it == key_to_address_.end() ? nullptr : account_by_address(it->second);
}

const account* exchange::account_by_address(const address20& a) const {
  auto it = accounts_.find(a);
  return it == accounts_.end() ? nullptr : &it->second;
}

const api_creds* exchange::creds(const std::string& api_key) const {
  auto* acct = account_by_key(api_key);
  if (!acct)
    return nullptr;
  for (auto& c : acct->keys)
    if (c.key == api_key)
      return &c;
  return nullptr;
}

// ---------------------------------------------------------------- orders

std::variant<placement, rejection> exchange::place(const order_request& r, const std::string& api_key,
                                                   std::int64_t now_ms) {
  const auto& so = r.order;
  auto now_s = now_ms / 1000;
  auto* acct_c = account_by_key(api_key);
  if (!acct_c)
    return rejection{401, "Unauthorized/Invalid api key"};
  if (r.owner != api_key)
    return rejection{400, "the order owner has to be the owner of the API KEY"};
  if (auto why = wallets_.check_parties(so.fields, acct_c->address); !why.empty())
    return rejection{400, why};
  auto digest = order_digest(so.fields, domain_sep_);
  auto id = to_hex(digest);
  // A deposit wallet's signature is its owner's over the ERC-7739 wrapping, checked
  // as the wallet contract would; the others are the signer's own ECDSA signature.
  bool wrapped = so.fields.sig_type == signature_type::poly_1271;
  auto who = wrapped ? erc7739_signer(so.fields, so.signature, so.signature_suffix, domain_sep_, cfg_.domain.chain_id)
                     : recover_signer(digest, so.signature);
  if (!who || *who != (wrapped ? acct_c->address : so.fields.signer) || (!wrapped && !so.signature_suffix.empty()))
    return rejection{400, "invalid signature"};
  if (orders_.count(id))
    return rejection{400, order_error(id, "Duplicated.")};
  auto* m = market_by_token(so.token_id);
  if (!m)
    return rejection{400, "Invalid order payload: unknown tokenId"};
  if (m->closed || now_s < m->created_s)
    return rejection{400, "the market is not yet ready to process new orders"};
  if (r.post_only && (r.type == order_type::fok || r.type == order_type::fak))
    return rejection{400, "invalid post-only order: only GTC and GTD order types are allowed"};
  if (r.type == order_type::gtd ? so.expiration <= now_s + 60 : so.expiration != 0)
    return rejection{400, "invalid expiration"};

  auto side = so.fields.side;
  auto terms = limit_terms_of(side, so.maker_amount, so.taker_amount, m->tick);
  bool market_amounts = false;
  if (!terms && (r.type == order_type::fok || r.type == order_type::fak)) {
    // Market orders sign a pUSD amount and the shares it buys at the quoted price.
    auto mt = market_terms_of(side, so.maker_amount, so.taker_amount);
    if (!mt)
      return rejection{400, mt.error()};
    terms = mt;
    market_amounts = true;
  }
  if (!terms) {
    if (terms.error().find("decimals") != std::string::npos)
      return rejection{400, "Invalid order payload: " + terms.error()};
    auto usdc_amt = side == order_side::buy ? so.maker_amount : so.taker_amount;
    auto share_amt = side == order_side::buy ? so.taker_amount : so.maker_amount;
    char shown[64];
    std::snprintf(shown, sizeof shown, "%.6g",
                  share_amt > 0 ? static_cast<double>(usdc_amt) / static_cast<double>(share_amt) : 0.0);
    return rejection{400, order_error(id, "Price (" + std::string(shown)
                                              + ") breaks minimum tick size rule: "
                                              + to_string(m->tick))};
  }
  if (!market_amounts && terms->size < m->min_size)
    return rejection{400, order_error(id, "Size (" + to_string(terms->size)
                                              + ") lower than the minimum: " + to_string(m->min_size))};

  auto& acct = account_for(so.fields.maker);
  const auto& token = so.token_id;
  if (side == order_side::buy) {
    // Room for the largest fee the order could pay: p(1-p) peaks at 0.5.
    auto need = so.maker_amount + tdmaker::taker_fee(terms->size, price{one / 2}, m->fee).micros;
    if (acct.usdc - acct.reserved_usdc < need)
      return rejection{400, "not enough balance / allowance"};
  } else {
    auto held = acct.tokens[token] - acct.reserved_tokens[token];
    if (held < terms->size.micros)
      return rejection{400, "not enough balance / allowance"};
  }

  venue_order o;
  o.id = id;
  o.seq = ++seq_;
  o.owner = api_key;
  o.maker = so.fields.maker;
  o.market = m->condition_id;
  o.asset_id = token;
  o.outcome = outcome_of(token);
  o.side = side;
  o.px = terms->px;
  o.original = terms->size.micros;
  o.type = r.type;
  o.expiration = so.expiration;
  o.created_s = now_s;

  auto can_fill = fillable(o);
  if (r.post_only && can_fill > 0)
    return rejection{400, "invalid post-only order: order crosses book"};
  if (r.type == order_type::fok && can_fill < o.original)
    return rejection{400, "order couldn't be fully filled. FOK orders are fully filled or killed."};
  if (r.type == order_type::fak && can_fill == 0)
    return rejection{400, "no orders found to match with FAK order. FAK orders are partially filled "
                          "or killed if no match is found."};

  // Accepted: from here on the order exists.
  auto [it, _] = orders_.emplace(id, std::move(o));
  auto& placed = it->second;
  // A marketable order on a taker-delay market is held, then matched (venue/taker_delay.cpp).
  if (can_fill > 0 && !r.post_only)
    if (auto delay = taker_delay_of(*m); delay > 0)
      return hold(placed, now_ms + delay);
  placement p;
  p.order_id = id;
  match_new(placed, now_s, p);
  return p;
}

void exchange::match_new(venue_order& placed, std::int64_t now_s, placement& p) {
  execute(placed, now_s, p.trade_ids);
  auto filled = placed.matched;
  if (placed.remaining() > 0 && (placed.type == order_type::gtc || placed.type == order_type::gtd)) {
    rest(placed);
    if (events_)
      events_->on_order(placed, "PLACEMENT");
  } else if (placed.remaining() > 0) {
    placed.status = order_status::canceled; // FAK remainder is killed
  } else {
    placed.status = order_status::matched;
  }
  p.status = filled > 0 ? "matched" : "live";
  if (filled > 0) {
    // One execution makes one trade: the last one recorded is this order's.
    const auto& t = trades_.back();
    auto paid = notional(t.size, t.px.micros);
    p.making = placed.side == order_side::buy ? paid + t.taker_fee : t.size;
    p.taking = placed.side == order_side::buy ? t.size : paid - t.taker_fee;
  }
}

std::int64_t exchange::fillable(const venue_order& taker) {
  auto& own = books_[taker.asset_id];
  auto& other = books_[complement(taker.asset_id)];
  // Stops as soon as the taker's size is covered: a deep book costs nothing extra.
  std::int64_t total = 0;
  auto enough = [&] { return total >= taker.original; };
  auto add_level = [&](const std::deque<std::string>& q) {
    for (auto& oid : q) {
      total += orders_.at(oid).remaining();
      if (enough())
        return;
    }
  };
  if (taker.side == order_side::buy) {
    for (auto it = own.asks.begin(); it != own.asks.end() && !enough() && it->first <= taker.px.micros; ++it)
      add_level(it->second);
    for (auto it = other.bids.rbegin(); it != other.bids.rend() && !enough() && one - it->first <= taker.px.micros; ++it)
      add_level(it->second);
  } else {
    for (auto it = own.bids.rbegin(); it != own.bids.rend() && !enough() && it->first >= taker.px.micros; ++it)
      add_level(it->second);
    for (auto it = other.asks.begin(); it != other.asks.end() && !enough() && one - it->first >= taker.px.micros; ++it)
      add_level(it->second);
  }
  return std::min(total, taker.original);
}

void exchange::execute(venue_order& taker, std::int64_t now_s, std::vector<std::string>& trade_ids) {
  auto& own = books_[taker.asset_id];
  auto comp = complement(taker.asset_id);
  auto& other = books_[comp];
  auto& tacct = accounts_.at(taker.maker);
  bool buy = taker.side == order_side::buy;

  venue_trade t;
  std::int64_t paid = 0; // notional at execution prices, for the average
  while (taker.remaining() > 0) {
    // Best same-token maker and best complementary maker, by effective price on
    // the taker's token; ties go to the older order.
    std::deque<std::string>* same_q = nullptr;
    std::deque<std::string>* comp_q = nullptr;
    std::int64_t same_px = 0, comp_px = 0;
    if (buy) {
      if (!own.asks.empty() && own.asks.begin()->first <= taker.px.micros) {
        same_q = &own.asks.begin()->second;
        same_px = own.asks.begin()->first;
      }
      if (!other.bids.empty() && one - other.bids.rbegin()->first <= taker.px.micros) {
        comp_q = &other.bids.rbegin()->second;
        comp_px = one - other.bids.rbegin()->first;
      }
    } else {
      if (!own.bids.empty() && own.bids.rbegin()->first >= taker.px.micros) {
        same_q = &own.bids.rbegin()->second;
        same_px = own.bids.rbegin()->first;
      }
      if (!other.asks.empty() && one - other.asks.begin()->first >= taker.px.micros) {
        comp_q = &other.asks.begin()->second;
        comp_px = one - other.asks.begin()->first;
      }
    }
    if (!same_q && !comp_q)
      break;
    bool use_same;
    if (!comp_q)
      use_same = true;
    else if (!same_q)
      use_same = false;
    else if (same_px != comp_px)
      use_same = buy ? same_px < comp_px : same_px > comp_px;
    else
      use_same = orders_.at(same_q->front()).seq < orders_.at(comp_q->front()).seq;

    auto& q = use_same ? *same_q : *comp_q;
    auto exec_px = use_same ? same_px : comp_px; // on the taker's token
    auto& mk = orders_.at(q.front());
    auto qty = std::min(taker.remaining(), mk.remaining());
    auto& macct = accounts_.at(mk.maker);

    // Taker leg.
    auto taker_cash = notional(qty, exec_px);
    if (buy) {
      tacct.usdc -= taker_cash;
      tacct.tokens[taker.asset_id] += qty;
    } else {
      tacct.usdc += taker_cash;
      tacct.tokens[taker.asset_id] -= qty;
    }
    // Maker leg at the maker's own price; its reservation is consumed.
    auto maker_cash = notional(qty, mk.px.micros);
    if (mk.side == order_side::buy) {
      macct.reserved_usdc -= maker_cash;
      macct.usdc -= maker_cash;
      macct.tokens[mk.asset_id] += qty;
    } else {
      macct.reserved_tokens[mk.asset_id] -= qty;
      macct.tokens[mk.asset_id] -= qty;
      macct.usdc += maker_cash;
    }
    mk.matched += qty;
    taker.matched += qty;
    paid += taker_cash;
    t.makers.push_back(
      maker_fill{mk.id, mk.owner, mk.maker, qty, mk.px, mk.asset_id, mk.outcome, mk.side});
    last_trade_[mk.asset_id] = {mk.px, mk.side};
    if (mk.remaining() == 0) {
      mk.status = order_status::matched;
      q.pop_front();
      if (q.empty()) {
        if (buy)
          use_same ? own.asks.erase(own.asks.begin()) : other.bids.erase(std::prev(other.bids.end()));
        else
          use_same ? own.bids.erase(std::prev(own.bids.end())) : other.asks.erase(other.asks.begin());
      }
    }
  }
  if (t.makers.empty())
    return;
  t.seq = ++seq_;
  t.id = uuid_from(keccak256("trade/" + std::to_string(cfg_.seed) + "/" + std::to_string(t.seq)));
  t.taker_order_id = taker.id;
  t.market = taker.market;
  t.asset_id = taker.asset_id;
  t.outcome = taker.outcome;
  t.side = taker.side;
  t.size = taker.matched;
  t.px = price{static_cast<std::int64_t>(static_cast<__int128>(paid) * one / t.size)};
  // Charged once per trade, on the size and price the trade reports (what a
  // client sees), through the node's own fee function: the two agree exactly.
  if (auto* mkt = market_by_token(taker.asset_id))
    t.taker_fee = tdmaker::taker_fee(shares{t.size}, t.px, mkt->fee).micros;
  tacct.usdc -= t.taker_fee;
  t.match_time_s = t.last_update_s = now_s;
  t.owner = taker.owner;
  t.taker_address = taker.maker;
  last_trade_[taker.asset_id] = {t.px, taker.side};
  taker.trade_ids.push_back(t.id);
  for (auto& f : t.makers) {
    auto& mk = orders_.at(f.order_id);
    mk.trade_ids.push_back(t.id);
  }
  trade_ids.push_back(t.id);
  trades_.push_back(t);
  if (events_) {
    events_->on_trade(trades_.back());
    for (auto& f : trades_.back().makers)
      events_->on_order(orders_.at(f.order_id), "UPDATE");
    events_->on_book_change(taker.asset_id);
    events_->on_book_change(comp);
  }
}

void exchange::rest(venue_order& o) {
  auto& b = books_[o.asset_id];
  (o.side == order_side::buy ? b.bids : b.asks)[o.px.micros].push_back(o.id);
  reserve(o, +1);
  if (events_) {
    events_->on_book_change(o.asset_id);
    events_->on_book_change(complement(o.asset_id));
  }
}

void exchange::reserve(const venue_order& o, int sign) {
  // What a resting (or delayed) order holds back: its buy notional or its shares.
  auto& acct = accounts_.at(o.maker);
  if (o.side == order_side::buy)
    acct.reserved_usdc += sign * notional(o.remaining(), o.px.micros);
  else
    acct.reserved_tokens[o.asset_id] += sign * o.remaining();
}

void exchange::unrest(const venue_order& o) {
  auto& b = books_[o.asset_id];
  auto& side = o.side == order_side::buy ? b.bids : b.asks;
  auto lvl = side.find(o.px.micros);
  if (lvl == side.end())
    return;
  auto& q = lvl->second;
  q.erase(std::remove(q.begin(), q.end(), o.id), q.end());
  if (q.empty())
    side.erase(lvl);
}

void exchange::close(venue_order& o, order_status s) {
  unrest(o); // a delayed order is not on the book: nothing to take off
  reserve(o, -1);
  o.status = s;
  if (events_) {
    events_->on_order(o, "CANCELLATION");
    events_->on_book_change(o.asset_id);
    events_->on_book_change(complement(o.asset_id));
  }
}

cancel_outcome exchange::cancel(const std::string& api_key, const std::vector<std::string>& ids) {
  cancel_outcome out;
  for (auto& id : ids) {
    auto it = orders_.find(id);
    if (it == orders_.end() || it->second.owner != api_key) {
      out.not_canceled.emplace_back(id, "Order not found or already canceled");
      continue;
    }
    auto& o = it->second;
    if (o.status == order_status::matched) {
      out.not_canceled.emplace_back(id, "Order already matched");
      continue;
    }
    if (o.status != order_status::live && o.status != order_status::delayed) {
      out.not_canceled.emplace_back(id, "Order not found or already canceled");
      continue;
    }
    close(o, order_status::canceled);
    out.canceled.push_back(id);
  }
  return out;
}

cancel_outcome exchange::cancel_all(const std::string& api_key, const std::string& market,
                                    const std::string& asset_id) {
  std::vector<std::string> ids;
  for (auto* o : open_orders(api_key, market, asset_id, ""))
    ids.push_back(o->id);
  return cancel(api_key, ids);
}

const venue_order* exchange::order(const std::string& id) const {
  auto it = orders_.find(id);
  return it == orders_.end() ? nullptr : &it->second;
}

std::vector<const venue_order*> exchange::orders_of(const std::string& api_key) const {
  std::vector<const venue_order*> out;
  for (auto& [oid, o] : orders_)
    if (o.owner == api_key)
      out.push_back(&o);
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->seq < b->seq; });
  return out;
}

std::vector<const venue_order*> exchange::open_orders(const std::string& api_key,
                                                      const std::string& market,
                                                      const std::string& asset_id,
                                                      const std::string& id) const {
  std::vector<const venue_order*> out;
  for (auto& [oid, o] : orders_) {
    if (o.owner != api_key || (o.status != order_status::live && o.status != order_status::delayed))
      continue;
    if ((!market.empty() && o.market != market) || (!asset_id.empty() && o.asset_id != asset_id)
        || (!id.empty() && o.id != id))
      continue;
    out.push_back(&o);
  }
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->seq < b->seq; });
  return out;
}

std::vector<const venue_order*> exchange::orders_by_maker(const address20& a) const {
  std::vector<const venue_order*> out;
  for (auto& [oid, o] : orders_)
    if (o.maker == a)
      out.push_back(&o);
  std::sort(out.begin(), out.end(), [](auto* x, auto* y) { return x->seq < y->seq; });
  return out;
}

std::vector<const venue_trade*> exchange::trades_of(const std::string& api_key) const {
  std::vector<const venue_trade*> out;
  for (auto& t : trades_) {
    bool mine = t.owner == api_key;
    for (auto& f : t.makers)
      mine |= f.owner == api_key;
    if (mine)
      out.push_back(&t);
  }
  return out;
}

void exchange::advance(std::int64_t now_s) {
  for (auto& t : trades_) {
    auto next = t.status == trade_status::matched ? trade_status::mined
              : t.status == trade_status::mined   ? trade_status::confirmed
                                                  : t.status;
    if (next != t.status && now_s >= t.last_update_s + 1) {
      t.status = next;
      if (next == trade_status::mined)
        t.transaction_hash = to_hex(keccak256("tx/" + t.id));
      t.last_update_s = now_s;
      if (events_)
        events_->on_trade(t);
    }
  }
  std::vector<std::string> expired;
  for (auto& [id, o] : orders_)
    if (o.status == order_status::live && o.type == order_type::gtd && o.expiration - 60 <= now_s)
      expired.push_back(id);
  for (auto& id : expired)
    close(orders_.at(id), order_status::canceled);
}

// ---------------------------------------------------------------- market data

// A token's book as the CLOB shows it: its own orders plus the mirror of the
// complementary token's (a BUY Down at q is an offer of Up at 1 - q).
std::map<std::int64_t, std::int64_t> exchange::side_levels(const std::string& token, bool bid_side) const {
  std::map<std::int64_t, std::int64_t> out;
  auto add = [&](const std::map<std::int64_t, std::deque<std::string>>& side, bool mirror) {
    for (auto& [px, q] : side) {
      std::int64_t sz = 0;
      for (auto& id : q)
        sz += orders_.at(id).remaining();
      out[mirror ? one - px : px] += sz;
    }
  };
  if (auto it = books_.find(token); it != books_.end())
    add(bid_side ? it->second.bids : it->second.asks, false);
  if (market_by_token(token))
    if (auto it = books_.find(complement(token)); it != books_.end())
      add(bid_side ? it->second.asks : it->second.bids, true);
  return out;
}

std::vector<exchange::level> exchange::bids(const std::string& token) const {
  std::vector<level> out;
  for (auto& [px, sz] : side_levels(token, true)) // ascending: best (highest) last
    out.push_back({price{px}, sz});
  return out;
}

std::vector<exchange::level> exchange::asks(const std::string& token) const {
  std::vector<level> out;
  auto lv = side_levels(token, false);
  for (auto it = lv.rbegin(); it != lv.rend(); ++it) // descending: best (lowest) last
    out.push_back({price{it->first}, it->second});
  return out;
}

std::optional<price> exchange::best_bid(const std::string& token) const {
  auto lv = side_levels(token, true);
  if (lv.empty())
    return std::nullopt;
  return price{lv.rbegin()->first};
}

std::optional<price> exchange::best_ask(const std::string& token) const {
  auto lv = side_levels(token, false);
  if (lv.empty())
    return std::nullopt;
  return price{lv.begin()->first};
}

std::optional<std::pair<price, order_side>> exchange::last_trade(const std::string& token) const {
  auto it = last_trade_.find(token);
  if (it == last_trade_.end())
    return std::nullopt;
  return it->second;
}

} // namespace tdmaker::venue
