#pragma once
// The recorder's /metrics families (issue 18), kept out of the telemetry actor.
#include "core/prometheus.hpp"
#include "messages/recorder.hpp"

namespace tdmaker {

/// Nothing is shown until the recorder has sent a sample (record.enabled false: none).
void recorder_metrics(prom::exposition& e, const recorder_sample* s);

} // namespace tdmaker
