#include "core/phase.hpp"

#include <cctype>

namespace tdmaker {
namespace {

struct phase_name {
  phase value;
  std::string_view canonical;
  std::string_view snake;
};

constexpr std::array<phase_name, 4> names{{
  {phase::experience, "Experience", "experience"},
  {phase::proof_of_concept, "ProofOfConcept", "proof_of_concept"},
  {phase::real_money_trial, "RealMoneyTrial", "real_money_trial"},
  {phase::scaling, "Scaling", "scaling"},
}};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i]))
        != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

} // namespace

std::string_view to_string(phase p) {
  for (const auto& n : names)
    if (n.value == p)
      return n.canonical;
  return "Unknown";
}

result<phase> parse_phase(std::string_view text) {
  for (const auto& n : names)
    if (iequals(text, n.canonical) || iequals(text, n.snake))
      return n.value;
  std::string shown(text.substr(0, 40));
  return fail("unknown phase '" + shown
              + "' (expected one of Experience, ProofOfConcept, RealMoneyTrial, Scaling)");
}

} // namespace tdmaker
