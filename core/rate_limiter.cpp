#include "core/rate_limiter.hpp"

#include <algorithm>

namespace tdmaker {

bucket_limits bucket_of(const rate_limit& l) {
  return bucket_limits{l.capacity, l.capacity, false, l.window_ms};
}

std::vector<rate_limit> polymarket_rate_limits() {
  // Per 10 s (ref §6, 2026-07). The burst limits are the binding ones for a bot.
  return {
    {"general", 9000, 10'000},     {"post_order", 5000, 10'000}, {"delete_order", 5000, 10'000},
    {"post_orders", 2000, 10'000}, {"delete_orders", 2000, 10'000},
    {"cancel_all", 250, 10'000},   {"cancel_market", 1500, 10'000},
    {"book", 1500, 10'000},        {"books", 500, 10'000},       {"data_orders", 500, 10'000},
    {"data_trades", 500, 10'000},  {"auth", 100, 10'000},        {"balance", 200, 10'000},
    {"gamma", 4000, 10'000},
  };
}

std::string_view rate_class(std::string_view method, std::string_view path) {
  if (auto q = path.find('?'); q != std::string_view::npos)
    path = path.substr(0, q);
  const bool post = method == "POST", del = method == "DELETE";
  if (path == "/order")
    return post ? "post_order" : del ? "delete_order" : "general";
  if (path == "/orders")
    return post ? "post_orders" : del ? "delete_orders" : "general";
  if (path == "/cancel-all")
    return "cancel_all";
  if (path == "/cancel-market-orders")
    return "cancel_market";
  if (path == "/book")
    return "book";
  if (path == "/books")
    return "books";
  if (path.starts_with("/data/order"))
    return "data_orders";
  if (path == "/data/trades")
    return "data_trades";
  if (path.starts_with("/auth/"))
    return "auth";
  if (path.starts_with("/balance-allowance"))
    return "balance";
  return "general";
}

} // namespace tdmaker
