// `POST /control/phase` bodies (core/control: parse_phase_switch). Invariant: an
// accepted request has a reason within the limit.
#include "core/control.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace tdmaker;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto r = parse_phase_switch(fuzz::text_of(data, size));
  if (r)
    fuzz::check(!r->reason.empty() && r->reason.size() <= max_reason_length, "a reason in [1, max] bytes");
  return 0;
}
