#pragma once
// The read-only venue queries behind fills and settlement: the account's trades
// (REST reconciliation) and who won a market (Gamma, CLOB market, last bid).
// Each runs on the I/O threads, parses with core/ and answers with a message.
#include <cstdint>
#include <memory>

#include "actors/fill.hpp"
#include "actors/settlement.hpp"
#include "net/http_client.hpp"

namespace tdmaker {

class clob_session;

/// `GET /data/trades?after=&next_cursor=` (L2), parsed for the session's key.
decltype(fill_options::fetch_trades) make_trades_fetcher(std::shared_ptr<clob_session> session);

resolution_sources make_resolution_sources(http_fetch gamma, http_fetch clob);

} // namespace tdmaker
