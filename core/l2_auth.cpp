#include "core/l2_auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/bytes.hpp"

namespace tdmaker {

result<std::string> l2_signature(std::string_view secret, std::string_view timestamp,
                                 std::string_view method, std::string_view path,
                                 std::string_view body) {
  auto key = base64_decode(secret);
  if (!key)
    return fail("API secret is not base64");
  std::string message;
  message.reserve(timestamp.size() + method.size() + path.size() + body.size());
  message.append(timestamp).append(method).append(path).append(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key->data(), static_cast<int>(key->size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
  OPENSSL_cleanse(key.value().data(), key.value().size());
  return base64url_padded(std::span<const std::uint8_t>(mac, len));
}

bool secrets_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace tdmaker
