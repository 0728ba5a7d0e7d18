#pragma once
// Admin calls for the wallet registry (token-protected by admin_api):
//   GET  /admin/wallets                   every registered wallet and flagged owner
//   POST /admin/wallets                   {"wallet":"0x..","owner":"0x..","type":"POLY_1271"}
//   POST /admin/deposit-wallet-only       {"owner":"0x..","on":true}
#include "venue/exchange.hpp"
#include "venue/http_listener.hpp"

namespace tdmaker::venue {

bool is_wallet_admin_path(std::string_view path);
http_reply wallet_admin(exchange& ex, const http_request& req, const split_target& t);

} // namespace tdmaker::venue
