#include "core/order_wire.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/eth_address.hpp"
#include "core/json_parse.hpp"
#include "core/secp256k1_signer.hpp"
#include "core/uint256.hpp"

namespace tdmaker {
namespace {

using rapidjson::Value;

// 65 bytes for ECDSA signers; a POLY_1271 signature is the inner 65 bytes and the
// ERC-7739 wrapping (checked in full by the verifier), bounded here.
result<std::pair<signature65, std::vector<std::uint8_t>>> split_signature(std::string_view hex, signature_type t) {
  if (t != signature_type::poly_1271) {
    auto sig = parse_signature(hex);
    if (!sig)
      return fail(sig.error());
    return std::pair{*sig, std::vector<std::uint8_t>{}};
  }
  if (hex.substr(0, 2) == "0x" || hex.substr(0, 2) == "0X")
    hex.remove_prefix(2);
  if (hex.size() <= 130 || hex.size() > 130 + 2048)
    return fail("invalid signature: a POLY_1271 signature is 65 bytes and its ERC-7739 wrapping");
  auto head = parse_signature(hex.substr(0, 130));
  if (!head)
    return fail(head.error());
  auto tail = from_hex(hex.substr(130));
  if (!tail)
    return fail("invalid signature: " + tail.error());
  return std::pair{*head, std::move(tail).value()};
}

failure bad(const std::string& why) { return fail("Invalid order payload: " + why); }

result<std::string_view> str(const Value& o, const char* key) {
  auto it = o.FindMember(key);
  if (it == o.MemberEnd() || !it->value.IsString())
    return bad(std::string(key) + " must be a string");
  return std::string_view(it->value.GetString(), it->value.GetStringLength());
}

result<std::int64_t> amount(const Value& o, const char* key) {
  auto s = str(o, key);
  if (!s)
    return fail(s.error());
  auto w = parse_uint256(*s);
  if (!w)
    return bad(std::string(key) + ": " + w.error());
  for (int i = 0; i < 24; ++i) // keep amounts in int64: no real order comes close
    if ((*w)[i] != 0)
      return bad(std::string(key) + " is out of range");
  std::uint64_t v = 0;
  for (int i = 24; i < 32; ++i)
    v = v << 8 | (*w)[i];
  if (v > static_cast<std::uint64_t>(INT64_MAX))
    return bad(std::string(key) + " is out of range");
  return static_cast<std::int64_t>(v);
}

result<bytes32> word(const Value& o, const char* key) {
  auto s = str(o, key);
  if (!s)
    return fail(s.error());
  bytes32 w;
  if (auto r = from_hex(*s, w); !r || s->substr(0, 2) != "0x")
    return bad(std::string(key) + " must be 0x and 64 hex digits");
  return w;
}

result<address20> addr(const Value& o, const char* key) {
  auto s = str(o, key);
  if (!s)
    return fail(s.error());
  auto a = parse_address(*s);
  if (!a)
    return bad(std::string(key) + ": " + a.error());
  return *a;
}

result<order_request> decode(const Value& root) {
  if (!root.IsObject())
    return bad("expected an object");
  order_request r;
  auto it = root.FindMember("order");
  if (it == root.MemberEnd() || !it->value.IsObject())
    return bad("order must be an object");
  const Value& o = it->value;
  auto& so = r.order;

  auto salt = o.FindMember("salt");
  if (salt == o.MemberEnd() || !salt->value.IsUint64())
    return bad("salt must be a non-negative integer");
  so.salt_number = salt->value.GetUint64();
  so.fields.salt = uint256_from(so.salt_number);

  auto maker = addr(o, "maker");
  if (!maker)
    return fail(maker.error());
  so.fields.maker = *maker;
  auto signer = addr(o, "signer");
  if (!signer)
    return fail(signer.error());
  so.fields.signer = *signer;

  auto tok = str(o, "tokenId");
  if (!tok)
    return fail(tok.error());
  auto tok_word = parse_uint256(*tok);
  if (!tok_word)
    return bad("tokenId: " + tok_word.error());
  so.fields.token_id = *tok_word;
  so.token_id = std::string(*tok);

  auto ma = amount(o, "makerAmount");
  if (!ma)
    return fail(ma.error());
  auto ta = amount(o, "takerAmount");
  if (!ta)
    return fail(ta.error());
  so.maker_amount = *ma;
  so.taker_amount = *ta;
  so.fields.maker_amount = uint256_from(static_cast<std::uint64_t>(*ma));
  so.fields.taker_amount = uint256_from(static_cast<std::uint64_t>(*ta));

  auto side = str(o, "side");
  if (!side)
    return fail(side.error());
  if (*side == "BUY")
    so.fields.side = order_side::buy;
  else if (*side == "SELL")
    so.fields.side = order_side::sell;
  else
    return bad("side must be BUY or SELL");

  auto st = o.FindMember("signatureType");
  if (st == o.MemberEnd() || !st->value.IsUint() || st->value.GetUint() > 3)
    return bad("signatureType must be 0, 1, 2 or 3");
  so.fields.sig_type = static_cast<signature_type>(st->value.GetUint());

  auto ts = amount(o, "timestamp");
  if (!ts)
    return fail(ts.error());
  so.fields.timestamp_ms = uint256_from(static_cast<std::uint64_t>(*ts));

  auto exp = amount(o, "expiration");
  if (!exp)
    return fail(exp.error());
  so.expiration = *exp;

  auto md = word(o, "metadata");
  if (!md)
    return fail(md.error());
  so.fields.metadata = *md;
  auto bd = word(o, "builder");
  if (!bd)
    return fail(bd.error());
  so.fields.builder = *bd;

  auto sig = str(o, "signature");
  if (!sig)
    return fail(sig.error());
  auto parsed_sig = split_signature(*sig, so.fields.sig_type);
  if (!parsed_sig)
    return bad("signature: " + parsed_sig.error());
  so.signature = parsed_sig->first;
  so.signature_suffix = std::move(parsed_sig->second);

  auto owner = str(root, "owner");
  if (!owner)
    return fail(owner.error());
  r.owner = std::string(*owner);

  auto ot = root.FindMember("orderType");
  if (ot != root.MemberEnd()) {
    if (!ot->value.IsString())
      return bad("orderType must be a string");
    std::string_view t(ot->value.GetString(), ot->value.GetStringLength());
    if (t == "GTC")
      r.type = order_type::gtc;
    else if (t == "GTD")
      r.type = order_type::gtd;
    else if (t == "FOK")
      r.type = order_type::fok;
    else if (t == "FAK")
      r.type = order_type::fak;
    else
      return bad("orderType must be GTC, GTD, FOK or FAK");
  }
  for (auto [key, out] : {std::pair{"postOnly", &r.post_only}, std::pair{"deferExec", &r.defer_exec}}) {
    auto m = root.FindMember(key);
    if (m == root.MemberEnd())
      continue;
    if (!m->value.IsBool())
      return bad(std::string(key) + " must be a boolean");
    *out = m->value.GetBool();
  }
  return r;
}

std::string decimal(std::int64_t v) { return std::to_string(v); }

} // namespace

std::string_view to_string(order_type t) {
  switch (t) {
    case order_type::gtc: return "GTC";
    case order_type::gtd: return "GTD";
    case order_type::fok: return "FOK";
    case order_type::fak: return "FAK";
  }
  return "GTC";
}

std::string_view to_string(order_side s) { return s == order_side::buy ? "BUY" : "SELL"; }

result<order_request> parse_order_request(const std::string& json_text) {
  rapidjson::Document doc;
  if (auto parsed = json::parse(doc, json_text); !parsed)
    return bad("malformed JSON: " + parsed.error());
  return decode(doc);
}

std::string encode_order_request(const order_request& r) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  auto s = [&](std::string_view v) { w.String(v.data(), static_cast<rapidjson::SizeType>(v.size())); };
  const auto& o = r.order;
  w.StartObject();
  w.Key("deferExec");
  w.Bool(r.defer_exec);
  w.Key("postOnly");
  w.Bool(r.post_only);
  w.Key("order");
  w.StartObject();
  w.Key("salt");
  w.Uint64(o.salt_number);
  w.Key("maker");
  s(to_checksum(o.fields.maker));
  w.Key("signer");
  s(to_checksum(o.fields.signer));
  w.Key("tokenId");
  s(o.token_id);
  w.Key("makerAmount");
  s(decimal(o.maker_amount));
  w.Key("takerAmount");
  s(decimal(o.taker_amount));
  w.Key("side");
  s(to_string(o.fields.side));
  w.Key("signatureType");
  w.Uint(static_cast<unsigned>(o.fields.sig_type));
  w.Key("timestamp");
  s(uint256_to_decimal(o.fields.timestamp_ms));
  w.Key("expiration");
  s(decimal(o.expiration));
  w.Key("metadata");
  s(to_hex(o.fields.metadata));
  w.Key("builder");
  s(to_hex(o.fields.builder));
  w.Key("signature");
  s(to_hex(o.signature) + to_hex(o.signature_suffix, false));
  w.EndObject();
  w.Key("owner");
  s(r.owner);
  w.Key("orderType");
  s(to_string(r.type));
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

result<limit_terms> limit_terms_of(order_side side, std::int64_t maker_amount,
                                   std::int64_t taker_amount, tick_size tick) {
  std::int64_t usdc_amt = side == order_side::buy ? maker_amount : taker_amount;
  std::int64_t share_amt = side == order_side::buy ? taker_amount : maker_amount;
  if (share_amt <= 0 || usdc_amt <= 0)
    return fail("amounts must be positive");
  if (share_amt % 10'000 != 0)
    return fail("size has more than 2 decimals");
  auto num = static_cast<__int128>(usdc_amt) * micros_per_unit;
  if (num % share_amt != 0)
    return fail("price is not on the tick grid");
  price px{static_cast<std::int64_t>(num / share_amt)};
  if (!is_valid_order_price(px, tick))
    return fail("price is not on the tick grid");
  return limit_terms{px, shares{share_amt}};
}

result<limit_terms> market_terms_of(order_side side, std::int64_t maker_amount, std::int64_t taker_amount) {
  bool buy = side == order_side::buy;
  if (maker_amount <= 0 || taker_amount <= 0 || maker_amount % 10'000 != 0 || taker_amount % 100 != 0)
    return fail(std::string("invalid amounts, the market ") + (buy ? "buy" : "sell")
                + " orders maker amount supports a max accuracy of 2 decimals, taker amount a max of 4 decimals");
  auto usdc_amt = buy ? maker_amount : taker_amount;
  auto share_amt = buy ? taker_amount : maker_amount;
  auto num = static_cast<__int128>(usdc_amt) * micros_per_unit;
  auto px = static_cast<std::int64_t>(buy ? num / share_amt : (num + share_amt - 1) / share_amt);
  auto size = share_amt / 10'000 * 10'000;
  if (px <= 0 || px >= micros_per_unit || size <= 0)
    return fail("invalid amounts: implied price must be inside (0, 1) and size at least 0.01");
  return limit_terms{price{px}, shares{size}};
}

order_amounts amounts_for(order_side side, price px, shares size) {
  auto size2 = size.micros / 10'000 * 10'000; // floor to 2 decimals
  auto notional = static_cast<std::int64_t>(static_cast<__int128>(size2) * px.micros / micros_per_unit);
  return side == order_side::buy ? order_amounts{notional, size2} : order_amounts{size2, notional};
}

} // namespace tdmaker
