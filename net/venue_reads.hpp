#pragma once
// The read-only venue queries behind fills and settlement: the account's trades
// (REST reconciliation) and who won a market (Gamma, CLOB market, last bid).
// Each runs on the I/O threads, parses with core/ and answers with a message.
#include <cstdint>
#include <memory>

#include "actors/fill.hpp"
#include "actors/settlement.hpp"

namespace tdmaker {

class clob_session;
class http_client;

/// `GET /data/trades?after=&next_cursor=` (L2), parsed for the session's key.
decltype(fill_options::fetch_trades) make_trades_fetcher(std::shared_ptr<clob_session> session);

/// `recorder` (may be null) gets each reply, on the resolution channel (issue 18).
resolution_sources make_resolution_sources(std::shared_ptr<http_client> gamma, std::shared_ptr<http_client> clob,
                                           recorder_actor recorder = {});

} // namespace tdmaker
