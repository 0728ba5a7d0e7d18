// The rows `tdmaker train` fits on: the JSON line round trip, what a bad line is
// refused for, and the split by time that keeps a fitted market out of the test.
#include <doctest/doctest.h>

#include "core/training_samples.hpp"

using namespace tdmaker;

namespace {

sample_row row(std::string market, outcome side, std::int64_t ts, bool won, sample_kind kind = sample_kind::entry) {
  sample_row r;
  r.kind = kind;
  r.market = std::move(market);
  r.side = side;
  r.ts_ms = ts;
  r.won = won;
  for (std::size_t j = 0; j < entry_feature_count; ++j)
    r.x[j] = static_cast<double>(ts) / 1000.0 + static_cast<double>(j) * 0.125;
  return r;
}

} // namespace

TEST_CASE("training samples: a row survives its JSON line exactly") {
  auto r = row("0xab", outcome::down, 1'800'000'123'456, true, sample_kind::exit);
  r.x[0] = -1234.0;
  r.x[3] = 0.1 + 0.2; // a double that needs all 17 digits
  r.x[6] = 1e-300;
  auto line = sample_row_jsonl(r);
  REQUIRE(line.back() == '\n');
  auto back = parse_sample_row(std::string_view(line).substr(0, line.size() - 1));
  REQUIRE(back);
  CHECK(back->kind == sample_kind::exit);
  CHECK(back->market == "0xab");
  CHECK(back->side == outcome::down);
  CHECK(back->ts_ms == r.ts_ms);
  CHECK(back->won);
  for (std::size_t j = 0; j < entry_feature_count; ++j)
    CHECK(back->x[j] == r.x[j]);
  CHECK(line.find("\"move_ppm\":-1234") != std::string::npos);
}

TEST_CASE("training samples: a bad line is refused with the field it is about") {
  auto good = sample_row_jsonl(row("0xab", outcome::up, 1000, false));
  good.pop_back();
  auto refused = [](std::string text, std::string_view what) {
    auto r = parse_sample_row(text);
    REQUIRE_FALSE(r);
    CHECK_MESSAGE(r.error().find(what) != std::string::npos, r.error());
  };
  // gcc 12 -O3 warns (-Wrestrict, a false positive) on std::string::replace here.
  auto swap_text = [&](std::string_view from, std::string_view to) {
    auto at = good.find(from);
    REQUIRE(at != std::string::npos);
    return good.substr(0, at) + std::string(to) + good.substr(at + from.size());
  };
  refused("not json", "");
  refused(swap_text("\"entry\"", "\"hold\""), "kind");
  refused(swap_text("\"up\"", "\"left\""), "side");
  refused(swap_text("false", "0"), "won");
  refused(swap_text("\"fair\"", "\"fare\""), "x.fair");
  auto x = good.find("\"bid\":");
  auto value = good.substr(x, good.find(',', x) - x);
  refused(swap_text(value, "\"bid\":\"0.5\""), "x.bid");
}

TEST_CASE("training samples: split by time - a market in both ranges is judged, not fitted, features in the asked order") {
  std::vector<sample_row> rows{
    row("A", outcome::up, 1'000, true),   row("A", outcome::down, 1'000, false),
    row("E", outcome::up, 2'000, true),   // E again in the test range: judged, its early row not fitted
    row("E", outcome::up, 5'000, true),
    row("B", outcome::up, 6'000, false),  row("B", outcome::up, 7'000, false, sample_kind::exit),
    row("C", outcome::down, 9'000, true), row("D", outcome::up, 20'000, true), // past the test range
  };
  std::vector<entry_model::feature> features{entry_model::feature::fair, entry_model::feature::move_ppm};
  auto s = split_samples(rows, sample_kind::entry, features, 0, 5'000, 5'000, 10'000);
  REQUIRE(s.train.samples.size() == 2); // A's two
  CHECK(s.train.features == features);
  CHECK(s.train_markets == 1);
  REQUIRE(s.test.size() == 3); // E's late row, B's entry and C's
  CHECK(s.test_markets == 3);
  CHECK(s.train_rows_dropped == 1);
  CHECK(s.test[0].ts_ms == 5'000);
  CHECK_FALSE(s.test[1].won);
  CHECK(s.test[2].won);
  // fair is the last of all_entry_features, move_ppm the first.
  CHECK(s.train.samples[0].x == std::vector<double>{1.0 + 6 * 0.125, 1.0});
  auto exits = split_samples(rows, sample_kind::exit, features, 0, 5'000, 5'000, 10'000);
  CHECK(exits.train.samples.empty());
  CHECK(exits.test.size() == 1);
  CHECK(exits.train_rows_dropped == 0);
}
