#include "net/recording_tap.hpp"

#include <string>

#include "actors/util.hpp"

namespace tdmaker {

void record_reply(const weak_handle<recorder_actor>& rec, record_channel channel, std::string_view target,
                  const http_response& res) {
  if (!rec)
    return;
  rec.send(record_frame{channel, wall_ms(), steady_ns(), rest_record_text(res.status, target, res.body)});
}

http_fetch recorded_fetch(http_fetch inner, const recorder_actor& rec, record_channel channel) {
  if (!rec || !inner)
    return inner;
  return [inner = std::move(inner), rec = weak_handle<recorder_actor>(rec), channel](
           http_request req, std::function<void(http_response)> done) {
    auto target = req.target;
    inner(std::move(req), [rec, channel, target = std::move(target), done = std::move(done)](http_response res) {
      record_reply(rec, channel, target, res);
      done(std::move(res));
    });
  };
}

} // namespace tdmaker
