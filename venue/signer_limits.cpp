#include "venue/signer_limits.hpp"

#include "core/control.hpp" // json_error

namespace tdmaker::venue {
namespace {

const char* name_of(limit_bucket b) { return b == limit_bucket::order ? "order" : "cancel"; }

std::int64_t ceil_s(std::int64_t ms) { return (ms + 999) / 1000; }

} // namespace

token_bucket& signer_limits::bucket_of(const address20& signer, limit_bucket b, std::int64_t now_ms) {
  auto& m = buckets_[static_cast<int>(b)];
  auto it = m.find(signer);
  if (it == m.end())
    it = m.emplace(signer, token_bucket(b == limit_bucket::order ? cfg_.order : cfg_.cancel, now_ms)).first;
  return it->second;
}

limit_verdict signer_limits::admit(const address20& signer, limit_bucket b, std::int64_t cost, std::int64_t now_ms) {
  limit_verdict v;
  v.bucket = b;
  v.cost = cost;
  if (cfg_.mode == limit_mode::off)
    return v;
  v.evaluated = true;
  auto& bk = bucket_of(signer, b, now_ms);
  auto wait = cfg_.mode == limit_mode::enforce ? bk.try_take(now_ms, cost) : bk.wait_for(now_ms, cost);
  v.reset_s = ceil_s(now_ms + std::max<std::int64_t>(0, wait));
  if (wait != 0) {
    v.over_burst = wait < 0;
    v.retry_after_s = v.over_burst ? 0 : std::max<std::int64_t>(1, ceil_s(wait));
    ++refused_[static_cast<int>(b)];
    if (cfg_.mode == limit_mode::enforce)
      v.admitted = false;
    else
      v.warning = true; // processed all the same; would-be refusals take nothing
  } else if (cfg_.mode == limit_mode::warn) {
    bk.try_take(now_ms, cost);
  }
  v.remaining = bk.tokens(now_ms);
  return v;
}

void signer_limits::charge(const address20& signer, limit_verdict& v, std::int64_t cost, std::int64_t now_ms) {
  if (!v.evaluated || cost <= 0)
    return;
  auto& bk = bucket_of(signer, v.bucket, now_ms);
  bk.charge(now_ms, cost);
  v.cost += cost;
  v.remaining = bk.tokens(now_ms);
}

void signer_limits::stamp(http_reply& rep, const limit_verdict& v) const {
  if (!v.evaluated)
    return;
  rep.headers["Poly-RateLimit-Remaining"] = std::to_string(v.remaining);
  rep.headers["Poly-RateLimit-Reset"] = std::to_string(v.reset_s);
  rep.headers["Poly-RateLimit-Tier"] = cfg_.tier;
  if (v.warning)
    rep.headers["Poly-RateLimit-Warning"] = "true";
  if (!v.admitted && !v.over_burst)
    rep.headers["Retry-After"] = std::to_string(v.retry_after_s);
}

http_reply signer_limits::refusal(const limit_verdict& v) const {
  const auto& lim = v.bucket == limit_bucket::order ? cfg_.order : cfg_.cancel;
  std::string why = v.over_burst
                      ? std::string("Too Many Requests: a request costing ") + std::to_string(v.cost) + " " + name_of(v.bucket)
                          + " tokens exceeds the burst capacity " + std::to_string(lim.burst) + "; split it"
                      : std::string("Too Many Requests: ") + name_of(v.bucket) + " rate limit exceeded";
  http_reply rep{429, json_error(why)};
  stamp(rep, v);
  return rep;
}

} // namespace tdmaker::venue
