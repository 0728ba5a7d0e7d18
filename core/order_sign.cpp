#include "core/order_sign.hpp"

#include <algorithm>
#include <optional>

#include <rapidjson/document.h>

#include "core/erc7739.hpp"
#include "core/eth_address.hpp"
#include "core/json_parse.hpp"
#include "core/order_builder.hpp"
#include "core/order_wire.hpp"
#include "core/uint256.hpp"

namespace tdmaker {
namespace {

// The text of a string or number member; numbers keep their exact decimal form
// because the document is parsed with kParseNumbersAsStringsFlag.
std::optional<std::string> text(const rapidjson::Value& o, const char* key) {
  auto it = o.FindMember(key);
  if (it == o.MemberEnd() || !it->value.IsString())
    return std::nullopt;
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

std::optional<bool> flag(const rapidjson::Value& o, const char* key) {
  auto it = o.FindMember(key);
  if (it == o.MemberEnd() || !it->value.IsBool())
    return std::nullopt;
  return it->value.GetBool();
}

result<std::uint64_t> integer(const std::string& key, const std::string& t) {
  if (t.empty() || t.size() > 19 || t.find_first_not_of("0123456789") != std::string::npos)
    return fail(key + ": expected a non-negative integer, got '" + t + "'");
  return static_cast<std::uint64_t>(std::stoull(t));
}

} // namespace

order_spec limit_spec(std::string token_id, order_side side, price px, shares size, std::uint64_t salt,
                      std::uint64_t timestamp_ms, std::string owner) {
  auto amt = amounts_for(side, px, size);
  order_spec spec;
  spec.token_id = std::move(token_id);
  spec.side = side;
  spec.maker_amount = amt.maker;
  spec.taker_amount = amt.taker;
  spec.salt = salt;
  spec.timestamp_ms = timestamp_ms;
  spec.owner = std::move(owner);
  return spec;
}

result<order_request> sign_order(const order_spec& spec, const private_key& key, const bytes32& domain_sep,
                                 std::uint64_t chain_id) {
  auto token = parse_uint256(spec.token_id);
  if (!token)
    return fail("tokenId: " + token.error());
  order_request r;
  auto& o = r.order;
  o.salt_number = spec.salt;
  o.fields.salt = uint256_from(spec.salt);
  o.fields.maker = spec.funder.value_or(key.address());
  // A deposit wallet is its own signer (it validates by ERC-1271); the others
  // are signed for by the key's address.
  o.fields.signer = spec.sig_type == signature_type::poly_1271 ? o.fields.maker : key.address();
  o.token_id = spec.token_id;
  o.fields.token_id = *token;
  o.maker_amount = spec.maker_amount;
  o.taker_amount = spec.taker_amount;
  o.fields.maker_amount = uint256_from(static_cast<std::uint64_t>(spec.maker_amount));
  o.fields.taker_amount = uint256_from(static_cast<std::uint64_t>(spec.taker_amount));
  o.fields.side = spec.side;
  o.fields.sig_type = spec.sig_type;
  o.fields.timestamp_ms = uint256_from(spec.timestamp_ms);
  o.expiration = spec.expiration;
  if (spec.sig_type == signature_type::poly_1271) {
    o.signature = key.sign(typed_data_sign_digest(o.fields, domain_sep, chain_id));
    o.signature_suffix = erc7739_suffix(domain_sep, order_struct_hash(o.fields));
  } else {
    o.signature = key.sign(order_digest(o.fields, domain_sep));
  }
  r.owner = spec.owner;
  r.type = spec.type;
  r.post_only = spec.post_only;
  r.defer_exec = spec.defer_exec;
  return r;
}

result<std::string> sign_order_json(const std::string& params_json, const private_key& key) {
  rapidjson::Document d;
  if (auto parsed = json::parse<rapidjson::kParseNumbersAsStringsFlag>(d, params_json); !parsed)
    return fail("order parameters: " + parsed.error());
  if (!d.IsObject())
    return fail("order parameters: expected a JSON object");
  static const char* known[] = {"tokenID", "price", "size", "amount", "side", "tickSize", "negRisk", "orderType",
                                "signatureType", "funder", "owner", "expiration", "salt", "timestamp", "postOnly",
                                "deferExec"};
  for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it) {
    std::string k = it->name.GetString();
    if (std::find(std::begin(known), std::end(known), k) == std::end(known))
      return fail(k + ": unknown key");
  }
  auto token = text(d, "tokenID");
  auto price = text(d, "price");
  auto side_t = text(d, "side");
  auto tick = text(d, "tickSize").value_or("0.01");
  auto type_t = text(d, "orderType").value_or("GTC");
  if (!token || !parse_uint256(*token))
    return fail("tokenID: expected a decimal uint256");
  if (!price)
    return fail("price: required");
  if (!side_t || (*side_t != "BUY" && *side_t != "SELL"))
    return fail("side: expected BUY or SELL");
  auto type = order_type::gtc;
  if (type_t == "GTC")
    type = order_type::gtc;
  else if (type_t == "GTD")
    type = order_type::gtd;
  else if (type_t == "FOK")
    type = order_type::fok;
  else if (type_t == "FAK")
    type = order_type::fak;
  else
    return fail("orderType: expected GTC, GTD, FOK or FAK");
  bool market = type == order_type::fok || type == order_type::fak;
  auto side = *side_t == "BUY" ? order_side::buy : order_side::sell;
  auto qty = text(d, market ? "amount" : "size");
  if (!qty)
    return fail(std::string(market ? "amount" : "size") + ": required for " + type_t + " orders");
  auto amounts = market ? market_order_amounts(side, *price, *qty, tick) : limit_order_amounts(side, *price, *qty, tick);
  if (!amounts)
    return fail(amounts.error());

  auto salt = integer("salt", text(d, "salt").value_or(""));
  auto ts = integer("timestamp", text(d, "timestamp").value_or(""));
  auto exp = integer("expiration", text(d, "expiration").value_or("0"));
  auto st = integer("signatureType", text(d, "signatureType").value_or("0"));
  for (auto* x : {&salt, &ts, &exp, &st})
    if (!*x)
      return fail(x->error());
  if (*st > 3)
    return fail("signatureType: expected 0 (EOA), 1 (POLY_PROXY), 2 (POLY_GNOSIS_SAFE) or 3 (POLY_1271)");
  order_spec spec;
  spec.token_id = *token;
  spec.side = side;
  spec.maker_amount = amounts->maker;
  spec.taker_amount = amounts->taker;
  spec.salt = *salt;
  spec.timestamp_ms = *ts;
  spec.expiration = static_cast<std::int64_t>(*exp);
  spec.sig_type = static_cast<signature_type>(*st);
  if (auto funder = text(d, "funder")) {
    auto a = parse_address(*funder);
    if (!a)
      return fail("funder: " + a.error());
    spec.funder = *a;
  }
  spec.owner = text(d, "owner").value_or("");
  spec.type = type;
  spec.post_only = flag(d, "postOnly").value_or(false);
  spec.defer_exec = flag(d, "deferExec").value_or(false);
  exchange_domain dom;
  dom.verifying_contract = *parse_address(flag(d, "negRisk").value_or(false) ? neg_risk_ctf_exchange_v2 : ctf_exchange_v2);
  auto signed_order = sign_order(spec, key, domain_separator(dom));
  if (!signed_order)
    return fail(signed_order.error());
  return encode_order_request(*signed_order);
}

} // namespace tdmaker
