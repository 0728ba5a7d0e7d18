#include "core/training_samples.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/json_parse.hpp"
#include "core/json_read.hpp"
#include "core/json_write.hpp"

namespace tdmaker {

std::string_view to_string(sample_kind k) { return k == sample_kind::exit ? "exit" : "entry"; }

std::string sample_row_jsonl(const sample_row& r) {
  json::object_writer w;
  w.str("kind", to_string(r.kind))
    .str("market", r.market)
    .str("side", r.side == outcome::up ? "up" : "down")
    .num("ts_ms", r.ts_ms)
    .flag("won", r.won)
    .open("x");
  for (std::size_t j = 0; j < entry_feature_count; ++j)
    w.real(to_string(all_entry_features[j]), r.x[j]);
  return w.close().take() + "\n";
}

result<sample_row> parse_sample_row(std::string_view line) {
  rapidjson::Document doc;
  // Full precision: a value read back is the double that was written, to the bit.
  if (auto ok = json::parse<rapidjson::kParseFullPrecisionFlag>(doc, line); !ok)
    return fail(ok.error());
  if (!doc.IsObject())
    return fail("expected a JSON object");
  json::field_reader f(doc);
  sample_row r;
  const auto kind = f.str("kind");
  r.market = f.str("market");
  const auto side = f.str("side");
  r.ts_ms = f.num("ts_ms");
  if (!f.ok())
    return fail(f.error());
  if (kind != "entry" && kind != "exit")
    return fail("kind must be entry or exit, got '" + kind + "'");
  r.kind = kind == "exit" ? sample_kind::exit : sample_kind::entry;
  if (side != "up" && side != "down")
    return fail("side must be up or down, got '" + side + "'");
  r.side = side == "up" ? outcome::up : outcome::down;
  const auto won = doc.FindMember("won");
  if (won == doc.MemberEnd() || !won->value.IsBool())
    return fail("won must be true or false");
  r.won = won->value.GetBool();
  const auto x = doc.FindMember("x");
  if (x == doc.MemberEnd() || !x->value.IsObject())
    return fail("x must be an object of feature values");
  for (std::size_t j = 0; j < entry_feature_count; ++j) {
    const auto name = std::string(to_string(all_entry_features[j]));
    const auto v = x->value.FindMember(name.c_str());
    if (v == x->value.MemberEnd() || !v->value.IsNumber() || !std::isfinite(v->value.GetDouble()))
      return fail("x." + name + " must be a finite number");
    r.x[j] = v->value.GetDouble();
  }
  return r;
}

training_split split_samples(const std::vector<sample_row>& rows, sample_kind kind,
                             const std::vector<entry_model::feature>& features, std::int64_t train_from,
                             std::int64_t train_to, std::int64_t test_from, std::int64_t test_to) {
  std::vector<std::size_t> column;
  for (auto f : features)
    column.push_back(static_cast<std::size_t>(
      std::find(std::begin(all_entry_features), std::end(all_entry_features), f) - std::begin(all_entry_features)));
  auto sample_of = [&](const sample_row& r) {
    training_sample s;
    s.won = r.won;
    s.ts_ms = r.ts_ms;
    for (auto c : column)
      s.x.push_back(r.x[c]);
    return s;
  };
  training_split out;
  out.train.features = features;
  std::set<std::string> fitted, tested;
  for (const auto& r : rows)
    if (r.kind == kind && r.ts_ms >= test_from && r.ts_ms < test_to) {
      out.test.push_back(sample_of(r));
      tested.insert(r.market);
    }
  for (const auto& r : rows) {
    if (r.kind != kind || r.ts_ms < train_from || r.ts_ms >= train_to)
      continue;
    if (tested.count(r.market)) {
      ++out.train_rows_dropped;
      continue;
    }
    out.train.samples.push_back(sample_of(r));
    fitted.insert(r.market);
  }
  out.train_markets = fitted.size();
  out.test_markets = tested.size();
  return out;
}

} // namespace tdmaker
