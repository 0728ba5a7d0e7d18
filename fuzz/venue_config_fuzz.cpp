// The venue's own inputs besides requests: its config file (parse_venue_config)
// and fault plans (parse_fault_plan: `--faults FILE` and the admin
// `POST /admin/faults` body). Invariant: a refusal says why.
#include <string>

#include "fuzz/fuzz_check.hpp"
#include "fuzz/venue_fixture.hpp"
#include "venue/faults.hpp"
#include "venue/venue_config.hpp"

using namespace tdmaker;
using namespace tdmaker::venue;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(fuzz::text_of(data, size));
  auto cfg = parse_venue_config(text);
  fuzz::check(cfg.ok() || !cfg.error().empty(), "a refused venue config says why");
  auto plan = parse_fault_plan(text, fuzz::venue_now_ms / 1000);
  fuzz::check(plan.ok() || !plan.error().empty(), "a refused fault plan says why");
  return 0;
}
