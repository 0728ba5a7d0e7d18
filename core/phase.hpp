#pragma once
// The trading phases of seed 002. The phase is the node's risk level: Experience
// trades on paper only; each later phase allows more real money.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace tdmaker {

enum class phase : std::uint8_t {
  experience = 0,
  proof_of_concept = 1,
  real_money_trial = 2,
  scaling = 3,
};

inline constexpr std::array<phase, 4> all_phases{phase::experience, phase::proof_of_concept,
                                                 phase::real_money_trial, phase::scaling};

/// Canonical name, as seed 002 spells it: "Experience", "ProofOfConcept", ...
std::string_view to_string(phase p);

/// Accepts the canonical name or its snake_case form ("proof_of_concept"),
/// case-insensitively. Anything else is an error that lists the valid names.
result<phase> parse_phase(std::string_view text);

/// Only Experience is paper-only; every other phase may risk real money.
constexpr bool is_paper_only(phase p) { return p == phase::experience; }


} // namespace tdmaker
