#pragma once
// Exact decimal <-> fixed-point integer conversion. Every price, size and amount
// that crosses a boundary (venue JSON, config, control message) goes through here,
// so no binary floating point ever touches money.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace tdmaker {

/// Parses a plain decimal string ("12", "-0.53", "3149725.72") into an integer
/// scaled by 10^decimals. Rejects empty input, signs other than a leading '-',
/// exponents, whitespace, a dangling '.', more significant fractional digits
/// than `decimals` (trailing zeros beyond it are accepted) and values outside
/// [min, max]. `decimals` must be in [0, 18].
result<std::int64_t> parse_fixed(std::string_view text, int decimals, std::int64_t min,
                                 std::int64_t max);

/// Formats a scaled integer as the shortest exact decimal ("5300000", 6 -> "5.3").
std::string format_fixed(std::int64_t value, int decimals);
/// The same, appended to `out` without temporaries (hot paths reuse `out`).
void append_fixed(std::string& out, std::int64_t value, int decimals);

/// True when `text` is a canonical unsigned decimal integer (no sign, no leading
/// zeros unless it is "0") of at most `max_digits` digits.
bool is_canonical_unsigned(std::string_view text, std::size_t max_digits);

/// Outside text echoed in an error: quoted and cut at 40 characters ("..."), so the
/// message stays one readable line whatever was sent.
std::string quoted(std::string_view text);

} // namespace tdmaker
