// `tdmaker export` over a store that holds a record its decoder refuses (written
// straight into LMDB, as an older build could have): every readable record is
// printed, each unreadable one is named on stderr with its key and the decoder's
// reason, and the export exits 3 - for every kind.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "core/fills.hpp"
#include "core/records.hpp"
#include "core/settlement.hpp"
#include "db/lmdb_env.hpp"
#include "process.hpp"

using namespace tdmaker;

namespace {

const condition_id cid{"0x" + std::string(64, '2')};

settlement_record settled(bool paper, std::int64_t held) {
  settlement_record s;
  s.market = cid;
  s.winner = "111";
  s.held = shares{held};
  s.cost = usdc{5'600'000};
  s.pnl = usdc{-5'600'000};
  s.fills = 2;
  s.settled_ms = 1'800'000'000'000;
  s.paper = paper;
  return s;
}

fill_record fill(std::string trade, std::string size) {
  fill_record f;
  f.trade_id = std::move(trade);
  f.order_id = "0x" + std::string(64, '5');
  f.market = cid;
  f.key = fill_key(f.market, f.order_id, f.trade_id);
  f.token = token_id{"111"};
  f.px = price{800'000};
  f.size = *parse_shares(size);
  f.ts_ms = 1'800'000'000'000;
  return f;
}

/// A settlement as `tdmaker export settlements` prints it: with its split by
/// strategy, all the TD maker's for a record written before strategies.
std::string exported(settlement_record s) {
  s.by_strategy = split_of(s);
  return encode(s);
}

/// Writes the batch straight into LMDB (no store actor, so no validation).
void write_raw(const std::string& data_dir, const write_batch& b) {
  auto env = lmdb_env::open(data_dir, 64);
  REQUIRE_MESSAGE(env, env.error());
  REQUIRE((*env)->write({&b}).empty());
}

struct store_dir {
  std::string dir = test::temp_dir("export-bad");
  std::string config = dir + "/node.json";
  store_dir() {
    std::ofstream(config) << R"({"node":{"data_dir":")" << dir << R"(/data","log_dir":")" << dir << R"(/logs"}})";
  }
  ~store_dir() { std::filesystem::remove_all(dir); }
};

} // namespace

TEST_CASE("export: an unreadable record is named with its key and reason, the rest printed, exit 3 - settlements, trades, orders") {
  store_dir s;
  write_batch b;
  // The issue's pair: a sound live settlement, and a paper one with held -7.
  auto live = settled(false, 7'000'000);
  auto bad = settled(true, -7'000'000);
  b.writes.push_back({record_db::settlements, settlement_key(live), encode(live), false});
  b.writes.push_back({record_db::settlements, settlement_key(bad), encode(bad), false});
  auto good_fill = fill("t-1", "5");
  auto bad_fill = fill("t-2", "5");
  auto bad_fill_text = encode(bad_fill);
  bad_fill_text.replace(bad_fill_text.find("\"size\":\"5\""), 10, "\"size\":\"-5\"");
  b.writes.push_back({record_db::fills, good_fill.key, encode(good_fill), false});
  b.writes.push_back({record_db::fills, bad_fill.key, bad_fill_text, false});
  order_record o;
  o.order_id = "0x" + std::string(64, '5');
  o.client_id = "_placing_1";
  o.market = cid;
  o.token = token_id{"111"};
  o.px = price{800'000};
  o.size = shares{5'000'000};
  o.state = order_state::filled;
  o.created_ms = 1'800'000'000'000;
  b.writes.push_back({record_db::orders, o.order_id, encode(o), false});
  b.writes.push_back({record_db::orders, "0x" + std::string(64, '6'), "{\"order_id\":\"half a record", false});
  write_raw(s.dir + "/data", b);

  auto [code, out] = test::run({"export", "settlements", "--config", s.config});
  CHECK(code == 3);
  CHECK(out.find(exported(live)) != std::string::npos);
  CHECK(out.find(R"("by_strategy":[{"strategy":"td_maker")") != std::string::npos);
  CHECK(out.find("export: record settlements/" + cid.hex + "/paper unreadable: settlement record: held") != std::string::npos);
  CHECK(out.find("export: 1 unreadable records left out") != std::string::npos);

  std::tie(code, out) = test::run({"export", "trades", "--config", s.config});
  CHECK(code == 3);
  CHECK(out.find("t-1") != std::string::npos);
  CHECK(out.find("export: record fills/" + bad_fill.key + " unreadable: fill record: size") != std::string::npos);

  std::tie(code, out) = test::run({"export", "orders", "--format", "csv", "--config", s.config});
  CHECK(code == 3);
  CHECK(out.find(o.order_id) != std::string::npos);
  CHECK(out.find(",td_maker\n") != std::string::npos); // the strategy column
  CHECK(out.find("export: record orders/0x" + std::string(64, '6') + " unreadable: ") != std::string::npos);
}

TEST_CASE("export: a store whose records all read exits 0 with nothing on stderr") {
  store_dir s;
  write_batch b;
  auto live = settled(false, 7'000'000);
  b.writes.push_back({record_db::settlements, settlement_key(live), encode(live), false});
  write_raw(s.dir + "/data", b);
  auto [code, out] = test::run({"export", "settlements", "--config", s.config});
  CHECK(code == 0);
  CHECK(out == exported(live) + "\n");
}
