#pragma once
// What every fuzz target shares: libFuzzer's entry point, the input as text, and
// the check of an invariant. A broken invariant aborts (not throws: a codec could
// swallow an exception), so libFuzzer saves the input and the replay test fails.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace tdmaker::fuzz {

inline std::string_view text_of(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

inline void check(bool holds, const char* invariant, std::string_view detail = {}) {
  if (holds)
    return;
  std::fprintf(stderr, "fuzz invariant broken: %s\n", invariant);
  std::fwrite(detail.data(), 1, detail.size(), stderr);
  std::fputc('\n', stderr);
  std::abort();
}

} // namespace tdmaker::fuzz
