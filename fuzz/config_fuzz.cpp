// The node's config file (core/config: parse_config) and the two model files it
// names (entry_filters: parse_entry_model, stop_loss: parse_exit_model), read by
// `tdmaker --config` and `--check-config`. Invariant: a refused config says why.
#include "core/config.hpp"
#include "core/entry_filters.hpp"
#include "core/stop_loss.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace tdmaker;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = fuzz::text_of(data, size);
  auto cfg = parse_config(text);
  fuzz::check(cfg.ok() || !cfg.error().empty(), "a refused config says why");
  (void)parse_entry_model(text);
  (void)parse_exit_model(text);
  return 0;
}
