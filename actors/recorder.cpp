#include "actors/recorder.hpp"

#include <filesystem>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/instrumented.hpp"
#include "actors/recording_dir.hpp"
#include "actors/segment_writer.hpp"
#include "actors/spawn_blocking.hpp"
#include "core/recording_retention.hpp"
#include "core/segment_format.hpp"
#include "core/tick_buffer.hpp"

namespace tdmaker {
namespace {

record_channel channel_of(feed_channel c) {
  switch (c) {
    case feed_channel::market: return record_channel::market_ws;
    case feed_channel::user: return record_channel::user_ws;
    case feed_channel::rtds: return record_channel::rtds_ws;
  }
  return record_channel::market_ws;
}

class recorder_impl : public recorder_actor::base {
public:
  recorder_impl(caf::actor_config& cfg, telemetry_actor telemetry, recorder_options opts)
    : recorder_actor::base(cfg),
      telemetry_(std::move(telemetry)),
      opts_(std::move(opts)),
      buf_(opts_.buffer_size, opts_.buffer_ttl_ms),
      frames_(record_channel_count, 0) {
    name_exceptions(*this);
  }

  behavior_type make_behavior() override {
    open_dir();
    delayed_send(this, opts_.flush_every, tick_atom::value);
    return {
      // const&: the feed holds the same message; a mutable reference would copy it.
      [=, this](const ws_frame& f) {
        const auto now = opts_.clock();
        // The I/O thread stamped the steady clock; the wall time is that instant's.
        push(recorded_frame{channel_of(f.channel), now - (steady_ns() - f.recv_ns) / 1'000'000, f.recv_ns, f.text},
             now);
      },
      [=, this](record_frame& r) {
        push(recorded_frame{r.channel, r.recv_ms, r.recv_ns, std::move(r.text)}, opts_.clock());
      },
      [=, this](tick_atom) {
        flush();
        delayed_send(this, opts_.flush_every, tick_atom::value);
      },
      [=, this](flush_atom) {
        flush();
        return !failing_;
      },
    };
  }

  caf::invoke_message_result consume(caf::mailbox_element& x) override {
    crash_if_asked(*this, x, "recorder");
    return recorder_actor::base::consume(x);
  }

  void on_exit() override {
    flush(); // a clean stop loses nothing
    writer_.close();
    telemetry_ = nullptr;
  }

private:
  void open_dir() {
    std::error_code ec;
    std::filesystem::create_directories(opts_.dir, ec);
    auto segs = list_segments(opts_.dir);
    if (!segs) {
      spdlog::error("recorder: {}: recording will fail until it is fixed", segs.error());
      return;
    }
    if (!segs->empty())
      recover(segs.value().back());
    for (auto& s : segs.value())
      segments_.push_back(segment_entry{s.start_ms, s.bytes});
    spdlog::info("recorder: recording to {} ({} segments on disk), a block every {} ms", opts_.dir,
                 segments_.size(), opts_.flush_every.count());
    apply_retention(opts_.clock());
  }

  /// Only the last segment can have been cut short: it was the one being written.
  void recover(segment_file& last) {
    auto r = recover_segment(last);
    if (!r) {
      spdlog::error("recorder: cannot recover {}: {}", last.path, r.error());
      return;
    }
    if (r->bytes_dropped > 0) {
      spdlog::warn("recorder: {}: torn tail: {} bytes dropped after {} whole blocks ({})", last.path,
                   r->bytes_dropped, r->blocks_kept, r->reason);
      last.bytes -= r->bytes_dropped;
    }
  }

  void push(recorded_frame f, std::int64_t now) {
    ++frames_[static_cast<std::uint8_t>(f.channel)];
    pending_bytes_ += record_header_bytes + f.text.size();
    buf_.push(std::move(f), now);
    peak_ppm_ = std::max(peak_ppm_, buf_.utilisation());
    if (pending_bytes_ >= opts_.block_bytes)
      flush();
  }

  void flush() {
    const auto now = opts_.clock();
    block_builder b;
    while (auto f = buf_.pop(now)) {
      b.add(f->channel, f->recv_ms, f->recv_ns, f->text);
      if (b.uncompressed_bytes() >= opts_.block_bytes)
        write_block(b, now);
    }
    if (!b.empty())
      write_block(b, now);
    pending_bytes_ = 0;
    rotate_if_due(now);
    publish();
  }

  void write_block(block_builder& b, std::int64_t now) {
    block_info info{0, 0, b.count(), b.first_ms(), b.last_ms()};
    auto sealed = b.seal();
    if (!sealed)
      return write_failed(info.count, sealed.error());
    if (!writer_.is_open()) {
      if (auto o = writer_.open(opts_.dir, now); !o)
        return write_failed(info.count, o.error());
      segments_.push_back(segment_entry{writer_.start_ms(), 0});
      spdlog::info("recorder: new segment {}", writer_.path());
    }
    if (auto w = writer_.append(sealed.value(), info); !w)
      return write_failed(info.count, w.error());
    bytes_ += sealed->size();
    segments_.back().bytes = writer_.bytes();
    if (failing_)
      spdlog::info("recorder: writing again ({})", writer_.path());
    failing_ = false;
  }

  void write_failed(std::uint32_t frames, const std::string& why) {
    ++write_errors_;
    dropped_write_ += frames;
    if (!failing_) // once per episode; the counters carry the rest
      spdlog::error("recorder: {}: {} frames lost; the node carries on (tdmaker_record_write_errors_total)", why,
                    frames);
    failing_ = true;
  }

  void rotate_if_due(std::int64_t now) {
    if (!writer_.is_open())
      return;
    if (writer_.bytes() < opts_.segment_bytes && now - writer_.start_ms() < opts_.segment_ms)
      return;
    spdlog::info("recorder: segment {} closed ({} bytes)", writer_.path(), writer_.bytes());
    writer_.close();
    apply_retention(now);
  }

  void apply_retention(std::int64_t now) {
    auto doomed = segments_to_delete(segments_, now, opts_.retention_ms, opts_.retention_bytes);
    if (doomed.empty())
      return;
    namespace fs = std::filesystem;
    for (auto i : doomed) {
      std::error_code ec;
      const auto seg = fs::path(opts_.dir) / segment_file_name(segments_[i].start_ms);
      fs::remove(seg, ec);
      if (ec)
        spdlog::warn("recorder: retention: cannot delete {}: {}", seg.string(), ec.message());
      fs::remove(fs::path(opts_.dir) / index_file_name(segments_[i].start_ms), ec);
      spdlog::info("recorder: retention: deleted {} ({} bytes)", seg.string(), segments_[i].bytes);
    }
    segments_.erase(segments_.begin(), segments_.begin() + static_cast<std::ptrdiff_t>(doomed.size()));
  }

  void publish() {
    if (!telemetry_)
      return;
    const auto& c = buf_.counters();
    send(telemetry_, recorder_sample{frames_, c.dropped_overflow, c.evicted_ttl, dropped_write_, bytes_,
                                     peak_ppm_, segments_.size(), write_errors_});
    peak_ppm_ = buf_.utilisation();
  }

  telemetry_actor telemetry_;
  recorder_options opts_;
  tick_buffer<recorded_frame> buf_;
  segment_writer writer_;
  std::vector<segment_entry> segments_; // on disk, by start; the last may be the one open
  std::vector<std::uint64_t> frames_;   // by record_channel
  std::size_t pending_bytes_ = 0;
  std::uint64_t peak_ppm_ = 0;          // the buffer's high-water mark since the last sample
  std::uint64_t bytes_ = 0;
  std::uint64_t dropped_write_ = 0;
  std::uint64_t write_errors_ = 0;
  bool failing_ = false;
};

} // namespace

recorder_actor spawn_recorder(caf::actor_system& sys, telemetry_actor telemetry, recorder_options opts) {
  return spawn_blocking<recorder_impl>(sys, sys, std::move(telemetry), std::move(opts));
}

} // namespace tdmaker
