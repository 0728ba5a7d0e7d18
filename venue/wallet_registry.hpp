#pragma once
// The venue's stand-in for the chain's wallet contracts: which proxy (type 1),
// Gnosis safe (type 2) and deposit wallet (type 3, ERC-1271) belongs to which
// owner key, and which owners may trade only through a deposit wallet (the
// production CLOB refuses EOA makers for new accounts since the V2 cut-over).
// Registered by venue config and the admin API. Pure and single-threaded.
#include <map>
#include <set>
#include <string>

#include "core/bytes.hpp"
#include "core/eip712.hpp"
#include "core/result.hpp"

namespace tdmaker::venue {

inline constexpr const char* deposit_wallet_flow_error = "maker address not allowed, please use the deposit wallet flow";

struct registered_wallet {
  address20 wallet{};
  address20 owner{}; // the EOA whose key signs for it (and owns the API key)
  signature_type type = signature_type::poly_1271;
};

class wallet_registry {
public:
  /// Fails when the type is EOA, the wallet is its own owner, or the wallet is
  /// already registered differently; registering the same thing again is a no-op.
  result<bool> add(const address20& wallet, const address20& owner, signature_type type);
  const registered_wallet* find(const address20& wallet) const;
  /// The first registered wallet of `type` owned by `owner` (balance-allowance's signature_type).
  const registered_wallet* of_owner(const address20& owner, signature_type type) const;
  void set_deposit_wallet_only(const address20& owner, bool on);
  bool deposit_wallet_only(const address20& owner) const { return deposit_only_.count(owner) != 0; }
  const std::map<address20, registered_wallet>& all() const { return wallets_; }
  const std::set<address20>& deposit_only() const { return deposit_only_; }

  /// Who may be maker and signer of an order placed with the API key of
  /// `key_address`: "" when allowed, else the venue's rejection text (HTTP 400).
  /// The signature itself is checked by the caller.
  std::string check_parties(const order_v2& o, const address20& key_address) const;

private:
  std::map<address20, registered_wallet> wallets_;
  std::set<address20> deposit_only_;
};

} // namespace tdmaker::venue
