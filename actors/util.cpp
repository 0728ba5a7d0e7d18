#include "actors/util.hpp"

#include <caf/message.hpp>

namespace tdmaker {

std::string error_text(const caf::error& e) {
  if (!e)
    return "no error";
  const auto& ctx = e.context();
  if (ctx.size() == 1 && ctx.match_element<std::string>(0))
    return ctx.get_as<std::string>(0);
  return caf::to_string(e);
}

} // namespace tdmaker
