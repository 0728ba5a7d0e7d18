#include "net/signer_limit_metrics.hpp"

namespace tdmaker {

void signer_limit_metrics(prom::exposition& e, const http_client_stats& st) {
  e.family("tdmaker_rate_limit_tokens", "Tokens the node's model of the venue's per-signer bucket holds.", "gauge");
  e.sample("tdmaker_rate_limit_tokens", {{"bucket", "order"}}, st.order_tokens.load());
  e.sample("tdmaker_rate_limit_tokens", {{"bucket", "cancel"}}, st.cancel_tokens.load());
  e.family("tdmaker_rate_limit_waiting", "Order and cancel requests waiting for tokens now.", "gauge");
  e.sample("tdmaker_rate_limit_waiting", {}, st.waiting.load());
  e.family("tdmaker_rate_limited_total", "429 replies to order and cancel requests.", "counter");
  e.sample("tdmaker_rate_limited_total", {}, st.signer_429.load());
  e.family("tdmaker_rate_limit_paced_total", "Requests the pacer delayed or dropped (new buys only).", "counter");
  e.sample("tdmaker_rate_limit_paced_total", {{"action", "delayed"}}, st.signer_delayed.load());
  e.sample("tdmaker_rate_limit_paced_total", {{"action", "dropped"}}, st.signer_dropped.load());
  e.family("tdmaker_rate_limit_bad_headers_total", "Malformed Poly-RateLimit-*/Retry-After headers ignored.",
           "counter");
  e.sample("tdmaker_rate_limit_bad_headers_total", {}, st.bad_limit_headers.load());
}

} // namespace tdmaker
