#include "venue/admin_wallets.hpp"

#include <cstdio>

#include <rapidjson/document.h>

#include "core/control.hpp"
#include "core/eth_address.hpp"
#include "core/json_parse.hpp"
#include "core/wallet.hpp"
#include "venue/json_out.hpp"
#include "venue/wallet_config.hpp"

namespace tdmaker::venue {
namespace {

// "" when `body` is a small JSON object, parsed into `d`.
std::string object_of(rapidjson::Document& d, const std::string& body) {
  if (auto ok = json::parse(d, body, {.max_bytes = 4096, .max_depth = 4}); !ok)
    return ok.error();
  return d.IsObject() ? "" : "expected a JSON object";
}

std::string listing(const exchange& ex) {
  json_out j;
  j.obj().key("wallets").arr();
  for (auto& [addr, w] : ex.wallets().all())
    j.obj().kv("wallet", to_checksum(w.wallet)).kv("owner", to_checksum(w.owner)).kv("type", to_string(w.type))
      .kn("signature_type", static_cast<std::int64_t>(w.type)).end_obj();
  j.end_arr().key("deposit_wallet_only").arr();
  for (auto& owner : ex.wallets().deposit_only())
    j.str(to_checksum(owner));
  return j.end_arr().end_obj().take();
}

http_reply add_wallet(exchange& ex, const std::string& body) {
  rapidjson::Document d;
  if (auto err = object_of(d, body); !err.empty())
    return {400, json_error(err)};
  auto wallet = address_member(d, "wallet", "$");
  auto owner = address_member(d, "owner", "$");
  if (!wallet || !owner)
    return {400, json_error(!wallet ? wallet.error() : owner.error())};
  auto type = wallet_type_member(d, "$");
  if (!type)
    return {400, json_error(type.error())};
  if (auto ok = ex.register_wallet(*wallet, *owner, *type); !ok)
    return {400, json_error(ok.error())};
  std::printf("tdmaker-venue: wallet %s (%s) registered to %s via admin API\n", to_checksum(*wallet).c_str(),
              std::string(to_string(*type)).c_str(), to_checksum(*owner).c_str());
  std::fflush(stdout);
  return {200, listing(ex)};
}

http_reply deposit_only(exchange& ex, const std::string& body) {
  rapidjson::Document d;
  if (auto err = object_of(d, body); !err.empty())
    return {400, json_error(err)};
  auto owner = address_member(d, "owner", "$");
  if (!owner)
    return {400, json_error(owner.error())};
  auto on = d.FindMember("on");
  if (on == d.MemberEnd() || !on->value.IsBool())
    return {400, json_error("on: expected a boolean")};
  ex.set_deposit_wallet_only(*owner, on->value.GetBool());
  return {200, listing(ex)};
}

} // namespace

bool is_wallet_admin_path(std::string_view path) {
  return path == "/admin/wallets" || path == "/admin/deposit-wallet-only";
}

http_reply wallet_admin(exchange& ex, const http_request& req, const split_target& t) {
  if (t.path == "/admin/wallets" && req.method() == http::verb::get)
    return {200, listing(ex)};
  if (req.method() != http::verb::post)
    return {405, json_error("method not allowed")};
  return t.path == "/admin/wallets" ? add_wallet(ex, req.body()) : deposit_only(ex, req.body());
}

} // namespace tdmaker::venue
