#include "core/tick_buffer.hpp"

namespace tdmaker {

std::uint64_t utilisation_ppm(std::size_t size, std::size_t capacity) {
  if (capacity == 0)
    return 0;
  return static_cast<std::uint64_t>(size) * 1'000'000u / capacity;
}

} // namespace tdmaker
