#include "actors/telemetry_recorder.hpp"

#include <string>

namespace tdmaker {

void recorder_metrics(prom::exposition& e, const recorder_sample* s) {
  if (!s)
    return;
  e.family("tdmaker_record_frames_total", "Frames the recorder accepted, by channel.", "counter");
  for (std::uint8_t i = 0; i < record_channel_count; ++i)
    e.sample("tdmaker_record_frames_total", {{"channel", std::string(to_string(static_cast<record_channel>(i)))}},
             i < s->frames.size() ? s->frames[i] : std::uint64_t{0});
  e.family("tdmaker_record_dropped_total",
           "Frames the recorder lost: buffer overflow (oldest dropped), TTL, a failed write.", "counter");
  e.sample("tdmaker_record_dropped_total", {{"reason", "overflow"}}, s->dropped_overflow);
  e.sample("tdmaker_record_dropped_total", {{"reason", "ttl"}}, s->dropped_ttl);
  e.sample("tdmaker_record_dropped_total", {{"reason", "write_error"}}, s->dropped_write);
  e.family("tdmaker_record_bytes_total", "Bytes written to recording segments (compressed, headers included).",
           "counter");
  e.sample("tdmaker_record_bytes_total", {}, s->bytes);
  e.family("tdmaker_record_buffer_utilisation_ppm", "Recorder buffer fill, parts per million of record.buffer_size.",
           "gauge");
  e.sample("tdmaker_record_buffer_utilisation_ppm", {}, s->utilisation_ppm);
  e.family("tdmaker_record_segments", "Recording segment files on disk.", "gauge");
  e.sample("tdmaker_record_segments", {}, s->segments);
  e.family("tdmaker_record_write_errors_total", "Recording writes that failed (logged; the node carries on).",
           "counter");
  e.sample("tdmaker_record_write_errors_total", {}, s->write_errors);
}

} // namespace tdmaker
