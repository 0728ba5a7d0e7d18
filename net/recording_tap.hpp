#pragma once
// The recorder's REST taps (issue 18): a reply that changes state (Gamma
// discovery, the CLOB market fee reply, /book re-fetches, resolutions) is
// handed to the recorder on the I/O thread that received it, with its wall
// receive time. The body is copied: these replies are few and not on the
// feed -> market path.
#include <functional>
#include <string_view>

#include "actors/interfaces.hpp"
#include "net/http_client.hpp"
#include "net/weak_handle.hpp"

namespace tdmaker {

/// Sends nothing when `rec` is null (record.enabled false).
void record_reply(const weak_handle<recorder_actor>& rec, record_channel channel, std::string_view target,
                  const http_response& res);

/// `inner`, each reply also recorded on `channel`; `inner` itself when `rec` is null.
http_fetch recorded_fetch(http_fetch inner, const recorder_actor& rec, record_channel channel);

} // namespace tdmaker
