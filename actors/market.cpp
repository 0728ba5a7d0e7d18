#include "actors/market.hpp"

#include <stdexcept>

#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/instrumented.hpp"
#include "actors/util.hpp"

namespace tdmaker {
namespace {

constexpr auto store_timeout = std::chrono::seconds(10);

class market_impl : public instrumented<market_actor::base> {
public:
  market_impl(caf::actor_config& cfg, condition_id id, std::uint32_t incarnation,
              store_actor store, telemetry_actor telemetry, market_options opts)
    : instrumented(cfg, "market", std::move(telemetry), opts.flush_every),
      store_(std::move(store)),
      opts_(opts),
      incarnation_(incarnation) {
    record_.id = std::move(id);
  }

  behavior_type make_behavior() override {
    request(store_, store_timeout, store_get{record_db::markets, record_.id.hex})
      .await(
        [=, this](store_value& v) {
          if (!v.found)
            return; // first sight: the directory sends the record next
          auto rec = decode_market_record(v.payload);
          if (!rec) {
            spdlog::critical("market {}: persisted record unreadable: {}", record_.id.hex,
                             rec.error());
            return;
          }
          record_ = std::move(rec).value();
          if (incarnation_ > 0)
            spdlog::warn("market {}: restarted (incarnation {}) from persisted state, status {}",
                         record_.id.hex, incarnation_, to_string(record_.status));
        },
        [=, this](caf::error& e) {
          spdlog::critical("market {}: cannot load state: {}", record_.id.hex, error_text(e));
          quit(e);
        });
    return {
      [=, this](market_record& rec) -> caf::result<bool> { return update(std::move(rec)); },
      [=, this](book_snapshot&) { not_yet("book snapshots"); },
      [=, this](book_delta&) { not_yet("book deltas"); },
      [=, this](last_trade&) { not_yet("last trades"); },
      [=, this](tick_size_change&) { not_yet("tick size changes"); },
      [=, this](reference_tick&) { not_yet("reference prices"); },
      [=, this](market_resolved&) { not_yet("resolutions"); },
      [=, this](order_update&) { not_yet("order updates"); },
      [=, this](fill&) { not_yet("fills"); },
      [=, this](settlement_result&) { not_yet("settlements"); },
      [=, this](get_atom) -> market_state { return snapshot(); },
      [=, this](retire_atom) -> caf::result<bool> { return retire(); },
      [=, this](crash_atom) {
        if (!opts_.fault_injection) {
          spdlog::warn("market {}: fault injection requested but debug.fault_injection is off",
                       record_.id.hex);
          return;
        }
        spdlog::warn("market {}: injected fault", record_.id.hex);
        throw std::runtime_error("injected fault");
      },
    };
  }

private:
  caf::result<bool> update(market_record rec) {
    if (rec.id != record_.id)
      return op_error("market " + record_.id.hex + ": record for " + rec.id.hex + " refused");
    if (rec.status == market_status::retired)
      return op_error("market " + record_.id.hex + ": use retire, not a retired record");
    auto rp = make_response_promise<bool>();
    write_batch b;
    b.writes.push_back({record_db::markets, rec.id.hex, encode(rec), false});
    request(store_, store_timeout, std::move(b))
      .await(
        [=, this](commit_ack&) mutable {
          record_ = rec;
          rp.deliver(true);
        },
        [=, this](caf::error& e) mutable { rp.deliver(e); });
    return rp;
  }

  caf::result<bool> retire() {
    auto rec = record_;
    rec.status = market_status::retired;
    auto rp = make_response_promise<bool>();
    write_batch b;
    b.writes.push_back({record_db::markets, rec.id.hex, encode(rec), false});
    request(store_, store_timeout, std::move(b))
      .await(
        [=, this](commit_ack&) mutable {
          record_ = rec;
          spdlog::info("market {}: retired", record_.id.hex);
          rp.deliver(true);
          quit();
        },
        [=, this](caf::error& e) mutable { rp.deliver(e); });
    return rp;
  }

  market_state snapshot() const {
    market_state s;
    s.record = record_;
    s.view.market = record_.id;
    s.view.asset = record_.asset;
    s.view.now_ms = wall_ms();
    s.view.slot_start_s = record_.slot_start_s;
    s.view.slot_end_s = record_.slot_end_s;
    s.view.tick = record_.tick;
    s.view.min_size = record_.min_size;
    s.view.awaiting_settlement = record_.status == market_status::awaiting_settlement;
    s.incarnation = incarnation_;
    return s;
  }

  void not_yet(const char* what) {
    // Market data arrives with the connectivity issue; until then say it once
    // instead of pretending the event changed anything.
    if (!warned_) {
      warned_ = true;
      spdlog::warn("market {}: {} are not handled yet; event dropped", record_.id.hex, what);
    }
  }

  store_actor store_;
  market_options opts_;
  std::uint32_t incarnation_;
  market_record record_;
  bool warned_ = false;
};

} // namespace

market_actor spawn_market(caf::local_actor* parent, condition_id id, std::uint32_t incarnation,
                          store_actor store, telemetry_actor telemetry, market_options opts) {
  return parent->spawn<market_impl>(std::move(id), incarnation, std::move(store),
                                    std::move(telemetry), opts);
}

} // namespace tdmaker
