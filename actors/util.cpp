#include "actors/util.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

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

result<std::string> read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return fail("cannot open '" + path + "': " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

result<bool> write_text_file(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out)
    return fail("cannot create '" + path + "': " + std::strerror(errno));
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.flush();
  if (!out)
    return fail("cannot write '" + path + "': " + std::strerror(errno));
  return true;
}

} // namespace tdmaker
