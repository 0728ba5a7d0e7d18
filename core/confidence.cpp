// CONTRACT STUB (issue 17): replaced by the real confidence; never ships.
#include "core/confidence.hpp"
namespace tdmaker {
std::string_view to_string(resolution_rule r) { return r == resolution_rule::twap60 ? "twap60" : "spot"; }
std::string describe_reasons(std::uint32_t) { return {}; }
confidence_result confidence_99c(const confidence_rules&, const confidence_inputs&) { return {}; }
double per_second_volatility(std::int64_t) { return 0; }
} // namespace tdmaker
