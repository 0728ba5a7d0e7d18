// The node started at the same moment as a fresh venue gets Chainlink prices even
// though it subscribes before the venue has any (issue 13). The venue runs with
// its RTDS frozen from the start (rtds_frozen_start.json), which holds its first
// second open: every subscription the node makes is answered with an empty
// backfill. Once the freeze is lifted, prices must reach the node's markets on
// that same connection: no reconnect, no stale-limit rescue (rtds_stale_ms is
// longer than the whole test).
// Usage: node node_rtds_check.mjs CLOB GAMMA WS RTDS ADMIN
// Env: TDMAKER_BIN, TDMAKER_VENUE_ADMIN_TOKEN (set by run_with_venue.sh).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeProcess, eventually, ok, venueAdmin } from "./lib.mjs";

const [clobUrl, gammaUrl, wsUrl, rtdsUrl, adminUrl] = process.argv.slice(2);
const bin = process.env.TDMAKER_BIN;
assert.ok(bin && process.env.TDMAKER_VENUE_ADMIN_TOKEN, "usage: TDMAKER_BIN=... node node_rtds_check.mjs CLOB GAMMA WS RTDS ADMIN");
const venue = venueAdmin(adminUrl, process.env.TDMAKER_VENUE_ADMIN_TOKEN);
const SLOT = 60; // must match the venue's --slot-seconds
const ASSETS = 4;
const work = mkdtempSync(join(tmpdir(), "tdmaker-rtds-"));
const rtds = (name) => `${name}{channel="rtds"}`;

const node = new NodeProcess(bin, work, {
  node: { data_dir: join(work, "data"), log_dir: join(work, "logs") },
  http: { listen: "127.0.0.1:0" },
  venue: { clob_url: clobUrl, gamma_url: gammaUrl, market_ws_url: `${wsUrl}/ws/market`, user_ws_url: `${wsUrl}/ws/user`, rtds_url: rtdsUrl },
  discovery: { slot_seconds: SLOT, interval_ms: 500 },
  feed: { rtds_stale_ms: 120000 },
});

try {
  await node.ready();
  // The venue answers a subscription at once: the (empty) backfill is the first RTDS frame.
  const answered = await eventually(async () => {
    const x = await node.metrics();
    return x[rtds("tdmaker_feed_connected")] === 1 && x[rtds("tdmaker_feed_messages_total")] >= 1 ? x : null;
  }, "the venue answers the node's RTDS subscription", 20000);
  assert.equal(node.log.match(/reference at slot start/g), null, "no price reached a market while the venue had none");
  ok(`node subscribed while the venue had no price and got its answer (${answered[rtds("tdmaker_feed_messages_total")]} frame, ${(await venue.injected()).rtds_freeze ?? 0} prices held back so far)`);

  await venue.setFaults({ seed: 1 });
  // One update per asset per second: every market of the current slot captures its
  // start reference. At most one backfill per symbol on a connection, so 2 x ASSETS
  // frames (metrics lag the log by a telemetry flush) include updates.
  const x = await eventually(async () => {
    if ((node.log.match(/reference at slot start/g) ?? []).length < ASSETS) return null;
    const y = await node.metrics();
    return y[rtds("tdmaker_feed_messages_total")] >= 2 * ASSETS ? y : null;
  }, `a start reference in each of the ${ASSETS} current markets, updates counted`, 15000);
  assert.equal(x[rtds("tdmaker_feed_bad_events_total")], 0, "every RTDS frame decoded");
  assert.equal(x[rtds("tdmaker_feed_reconnects_total")], 0, "on the first connection");
  ok(`prices flow on the connection made before the first price: ${x[rtds("tdmaker_feed_messages_total")]} RTDS frames, every current market has its start reference`);
  await node.stop();
  rmSync(work, { recursive: true, force: true });
} catch (e) {
  console.error(`not ok - ${e.stack ?? e}`);
  node.proc.kill("SIGKILL");
  console.error("--- node log (tail)\n" + node.log.split("\n").slice(-40).join("\n"));
  process.exit(1);
}
