#include "venue/wallet_config.hpp"

#include "core/eth_address.hpp"
#include "core/wallet.hpp"

namespace tdmaker::venue {

result<address20> address_member(const rapidjson::Value& o, const char* key, const std::string& path) {
  auto it = o.FindMember(key);
  auto where = path + "." + key;
  if (it == o.MemberEnd() || !it->value.IsString())
    return fail(where + ": expected a 0x address");
  auto a = parse_address({it->value.GetString(), it->value.GetStringLength()});
  if (!a)
    return fail(where + ": " + a.error());
  return a;
}

result<signature_type> wallet_type_member(const rapidjson::Value& o, const std::string& path) {
  auto it = o.FindMember("type");
  auto t = it != o.MemberEnd() && it->value.IsString()
             ? parse_signature_type({it->value.GetString(), it->value.GetStringLength()})
             : result<signature_type>(fail("expected POLY_PROXY, POLY_GNOSIS_SAFE or POLY_1271"));
  if (!t)
    return fail(path + ".type: " + t.error());
  if (*t == signature_type::eoa)
    return fail(path + ".type: an EOA is not a wallet; expected POLY_PROXY, POLY_GNOSIS_SAFE or POLY_1271");
  return t;
}

result<std::vector<registered_wallet>> parse_wallet_list(const rapidjson::Value& v, const std::string& path) {
  if (!v.IsArray())
    return fail(path + ": expected an array of {wallet, owner, type}");
  wallet_registry check; // the same conflict rules as at run time
  std::vector<registered_wallet> out;
  for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
    auto at = path + "[" + std::to_string(i) + "]";
    if (!v[i].IsObject())
      return fail(at + ": expected an object");
    for (auto m = v[i].MemberBegin(); m != v[i].MemberEnd(); ++m) {
      std::string k = m->name.GetString();
      if (k != "wallet" && k != "owner" && k != "type")
        return fail(at + "." + k + ": unknown key");
    }
    auto wallet = address_member(v[i], "wallet", at);
    auto owner = address_member(v[i], "owner", at);
    auto type = wallet_type_member(v[i], at);
    if (!wallet || !owner || !type)
      return fail(!wallet ? wallet.error() : !owner ? owner.error() : type.error());
    if (auto ok = check.add(*wallet, *owner, *type); !ok)
      return fail(at + ": " + ok.error());
    out.push_back({*wallet, *owner, *type});
  }
  return out;
}

result<std::vector<address20>> parse_owner_list(const rapidjson::Value& v, const std::string& path) {
  if (!v.IsArray())
    return fail(path + ": expected an array of 0x addresses");
  std::vector<address20> out;
  for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
    auto a = v[i].IsString() ? parse_address({v[i].GetString(), v[i].GetStringLength()})
                             : result<address20>(fail("expected a 0x address"));
    if (!a)
      return fail(path + "[" + std::to_string(i) + "]: " + a.error());
    out.push_back(*a);
  }
  return out;
}

} // namespace tdmaker::venue
