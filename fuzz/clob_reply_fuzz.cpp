// CLOB REST replies the node reads (core/clob_reply: order and cancel acks, API
// credentials, open orders, balance; core/settlement: the CLOB market). Every
// parser gets the same bytes: each is cheap and most inputs fail them all early.
// Invariant: a placed order has an id; a failure class keeps its status meaning.
#include "core/clob_reply.hpp"
#include "core/settlement.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace tdmaker;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = fuzz::text_of(data, size);
  for (int status : {200, 400, 425, 429, 503}) {
    auto c = classify_reply(status, text, "");
    fuzz::check((status == 200) == (c.kind == reply_kind::ok), "only a 2xx is ok");
    fuzz::check(c.retry_after_ms >= 0, "Retry-After is not negative");
  }
  if (auto a = parse_order_ack(text); a && a->placed)
    fuzz::check(!a->order_id.empty(), "a placed order has an id");
  if (auto acks = parse_order_acks(text))
    for (auto& a : *acks)
      fuzz::check(!a.placed || !a.order_id.empty(), "a placed order has an id");
  (void)parse_cancel_ack(text);
  (void)parse_api_credentials(text);
  (void)parse_open_order(text);
  (void)parse_open_orders_page(text);
  (void)parse_balance(text);
  (void)parse_clob_market(text);
  return 0;
}
