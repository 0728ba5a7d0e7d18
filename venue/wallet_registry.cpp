#include "venue/wallet_registry.hpp"

#include "core/eth_address.hpp"

namespace tdmaker::venue {

result<bool> wallet_registry::add(const address20& wallet, const address20& owner, signature_type type) {
  if (type == signature_type::eoa)
    return fail("type: an EOA is not a wallet; expected POLY_PROXY, POLY_GNOSIS_SAFE or POLY_1271");
  if (wallet == owner)
    return fail("wallet: must differ from its owner");
  auto [it, fresh] = wallets_.try_emplace(wallet, registered_wallet{wallet, owner, type});
  if (!fresh && (it->second.owner != owner || it->second.type != type))
    return fail("wallet: " + to_checksum(wallet) + " is already registered to another owner or type");
  return true;
}

const registered_wallet* wallet_registry::find(const address20& wallet) const {
  auto it = wallets_.find(wallet);
  return it == wallets_.end() ? nullptr : &it->second;
}

const registered_wallet* wallet_registry::of_owner(const address20& owner, signature_type type) const {
  for (auto& [addr, w] : wallets_)
    if (w.owner == owner && w.type == type)
      return &w;
  return nullptr;
}

void wallet_registry::set_deposit_wallet_only(const address20& owner, bool on) {
  if (on)
    deposit_only_.insert(owner);
  else
    deposit_only_.erase(owner);
}

std::string wallet_registry::check_parties(const order_v2& o, const address20& key_address) const {
  if (o.sig_type == signature_type::poly_1271) {
    // The deposit wallet signs for itself (ERC-1271); its owner holds the API key.
    if (o.maker != o.signer)
      return "Invalid order payload: maker must be the signer for POLY_1271 orders";
    auto* w = find(o.maker);
    if (!w || w->type != signature_type::poly_1271 || w->owner != key_address)
      return "the order signer address has to be a deposit wallet of the address of the API KEY";
    return {};
  }
  if (o.signer != key_address)
    return "the order signer address has to be the address of the API KEY";
  if (o.sig_type == signature_type::eoa) {
    if (o.maker != o.signer)
      return "Invalid order payload: maker must be the signer for EOA orders";
    return deposit_wallet_only(key_address) ? deposit_wallet_flow_error : "";
  }
  auto* w = find(o.maker);
  if (!w || w->type != o.sig_type || w->owner != o.signer)
    return std::string("the order maker address has to be a ")
           + (o.sig_type == signature_type::poly_proxy ? "proxy wallet" : "Gnosis safe") + " of the signer";
  return {};
}

} // namespace tdmaker::venue
