#pragma once
// /metrics families of the CLOB client's per-signer pacer (README metrics table).
#include "core/prometheus.hpp"
#include "net/http_client.hpp"

namespace tdmaker {

void signer_limit_metrics(prom::exposition& e, const http_client_stats& st);

} // namespace tdmaker
