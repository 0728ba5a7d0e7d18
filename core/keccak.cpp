#include "core/keccak.hpp"

#include <cryptopp/keccak.h>

namespace tdmaker {

bytes32 keccak256(std::span<const std::uint8_t> data) {
  CryptoPP::Keccak_256 h;
  h.Update(data.data(), data.size());
  bytes32 out;
  h.Final(out.data());
  return out;
}

bytes32 keccak256(std::string_view text) {
  return keccak256(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

} // namespace tdmaker
