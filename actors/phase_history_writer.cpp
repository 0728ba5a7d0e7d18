#include "actors/phase_history_writer.hpp"

#include <filesystem>
#include <fstream>

namespace tdmaker {
namespace {

bool append_line(const std::filesystem::path& file, const std::string& line) {
  std::ofstream out(file, std::ios::app);
  out << line << '\n';
  out.flush();
  return static_cast<bool>(out);
}

} // namespace

std::string append_phase_history(const std::string& log_dir, const phase_transition& t) {
  std::error_code ec;
  auto dir = std::filesystem::path(log_dir) / "phase";
  std::filesystem::create_directories(dir, ec);
  auto line = encode(t);
  auto history = dir / "phase-history.jsonl";
  if (!append_line(history, line))
    return history.string();
  if (t.kind == transition_kind::override_) {
    auto overrides = dir / "phase-overrides.jsonl";
    if (!append_line(overrides, line))
      return overrides.string();
  }
  return {};
}

} // namespace tdmaker
