#include "actors/sample_writer.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <tuple>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

namespace tdmaker {
namespace {

struct file_closer {
  void operator()(std::FILE* f) const {
    if (f)
      std::fclose(f);
  }
};
using file_ptr = std::unique_ptr<std::FILE, file_closer>;

class sample_writer_impl : public sample_writer_actor::base {
public:
  sample_writer_impl(caf::actor_config& cfg, file_ptr out, sample_writer_options opts)
    : sample_writer_actor::base(cfg), out_(std::move(out)), opts_(std::move(opts)) {}

  behavior_type make_behavior() override {
    return {
      [=, this](evaluation_sample& s) { on_sample(s); },
      [=, this](evaluation_outcome& o) { on_outcome(o); },
    };
  }

  void on_exit() override {
    std::size_t unlabelled = 0;
    for (auto& [market, rows] : pending_)
      unlabelled += rows.size();
    if (out_ && std::fflush(out_.get()) != 0)
      spdlog::error("train: cannot write {}: {}", opts_.path, std::strerror(errno));
    spdlog::info("train: {} samples written to {}, {} of {} unresolved markets left out", written_, opts_.path,
                 unlabelled, pending_.size());
    out_.reset();
  }

private:
  void on_sample(const evaluation_sample& s) {
    if (s.x.size() != entry_feature_count)
      return;
    // Evaluations come with every book update: one row a bucket keeps a market's
    // weight in the fit proportional to its time, not to its book's activity.
    auto key = std::make_tuple(s.market.hex, s.side, s.kind);
    auto bucket = s.ts_ms / opts_.every_ms;
    auto [it, fresh] = last_bucket_.try_emplace(key, bucket);
    if (!fresh && it->second == bucket)
      return;
    it->second = bucket;
    sample_row r;
    r.kind = s.kind;
    r.market = s.market.hex;
    r.side = s.side;
    r.ts_ms = s.ts_ms;
    std::copy(s.x.begin(), s.x.end(), r.x.begin());
    pending_[s.market.hex].push_back(std::move(r));
  }

  void on_outcome(const evaluation_outcome& o) {
    auto it = pending_.find(o.market.hex);
    if (it == pending_.end())
      return;
    for (auto& r : it->second) {
      r.won = r.side == o.winner;
      auto line = sample_row_jsonl(r);
      if (std::fwrite(line.data(), 1, line.size(), out_.get()) != line.size()) {
        spdlog::error("train: cannot write {}: {}", opts_.path, std::strerror(errno));
        return quit(caf::make_error(caf::sec::runtime_error, "cannot write the samples file"));
      }
      ++written_;
    }
    pending_.erase(it);
    for (auto side : {outcome::up, outcome::down})
      for (auto kind : {sample_kind::entry, sample_kind::exit})
        last_bucket_.erase(std::make_tuple(o.market.hex, side, kind));
  }

  file_ptr out_;
  sample_writer_options opts_;
  std::map<std::string, std::vector<sample_row>> pending_; // market -> rows awaiting its winner
  std::map<std::tuple<std::string, outcome, sample_kind>, std::int64_t> last_bucket_;
  std::uint64_t written_ = 0;
};

} // namespace

result<sample_writer_actor> spawn_sample_writer(caf::actor_system& sys, sample_writer_options opts) {
  if (opts.every_ms <= 0)
    return fail("train: the sample interval must be > 0 ms");
  file_ptr f(std::fopen(opts.path.c_str(), "w"));
  if (!f)
    return fail("train: cannot create " + opts.path + ": " + std::strerror(errno));
  return sys.spawn<sample_writer_impl>(std::move(f), std::move(opts));
}

} // namespace tdmaker
