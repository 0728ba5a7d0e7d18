// Heartbeats (issue 15): the real live node against tdmaker-venue run with a short
// heartbeat timeout (--heartbeat-timeout-ms, HEARTBEAT_TIMEOUT_MS here).
//   1. While the node runs, its chain keeps orders resting longer than the venue's
//      timeout (the heartbeat state is healthy, beats are counted, no lapse).
//   2. SIGKILL with orders resting well before their slot ends: within the venue's
//      timeout (+ margin) the venue has cancelled every one of them (venue ground
//      truth: the admin account's open orders), not the slot end.
//   3. The restarted node reconciles: each order open at the kill ends in the
//      node's ledger in the terminal state the venue has for it, and the node then
//      places again.
// Usage: node node_heartbeat_check.mjs CLOB GAMMA WS RTDS ADMIN
// Env: TDMAKER_BIN, TDMAKER_VENUE_ADMIN_TOKEN, HEARTBEAT_TIMEOUT_MS (the venue's), HEARTBEAT_SLOT_SECONDS.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeProcess, eventually, ok, venueAdmin, TRADING_PHASE } from "./lib.mjs";

const [clobUrl, gammaUrl, wsUrl, rtdsUrl, adminUrl] = process.argv.slice(2);
const bin = process.env.TDMAKER_BIN;
assert.ok(bin && process.env.TDMAKER_VENUE_ADMIN_TOKEN, "usage: TDMAKER_BIN=... node node_heartbeat_check.mjs CLOB GAMMA WS RTDS ADMIN");
const venue = venueAdmin(adminUrl, process.env.TDMAKER_VENUE_ADMIN_TOKEN);
const TIMEOUT_MS = Number(process.env.HEARTBEAT_TIMEOUT_MS ?? 3000);
const SLOT = Number(process.env.HEARTBEAT_SLOT_SECONDS ?? 60);
const work = mkdtempSync(join(tmpdir(), "tdmaker-heartbeat-"));

const config = () => ({
  node: { data_dir: join(work, "data"), log_dir: join(work, "logs"), mode: "live" },
  http: { listen: "127.0.0.1:0" },
  phase: TRADING_PHASE,
  venue: { clob_url: clobUrl, gamma_url: gammaUrl, market_ws_url: `${wsUrl}/ws/market`, user_ws_url: `${wsUrl}/ws/user`, rtds_url: rtdsUrl, request_timeout_ms: 3000 },
  heartbeat: { interval_ms: Math.floor(TIMEOUT_MS / 3), grace_ms: Math.floor(TIMEOUT_MS / 3), venue_timeout_ms: TIMEOUT_MS },
  discovery: { slot_seconds: SLOT, interval_ms: 1000, retire_after_end_s: 30 },
  entry: { target_bid: "0.55", max_bid: "0.95", max_entry_s: SLOT, max_move_ppm: 1000000 },
  ladder: { rungs: 3, spacing_ticks: 2, shares_per_rung: 5, sequential: false },
  budget: { max_exposure: "40", max_per_market: "12" },
  orders: { cancel_before_end_ms: 3000, placement_timeout_ms: 5000 },
  status: { interval_ms: 5000 },
});
let current = null; // the running node, whose log is printed if the check fails

const TERMINAL = { CANCELED: "cancelled", MATCHED: "filled", CANCELED_MARKET_RESOLVED: "cancelled" };

async function main() {
  const node = (current = new NodeProcess(bin, work, config()));
  await node.ready();
  // 1. Beats flow and orders outlive the venue's timeout.
  await eventually(async () => {
    const m = await node.metrics();
    return m['tdmaker_heartbeat_state{state="healthy"}'] === 1 && m.tdmaker_heartbeats_sent_total >= 2;
  }, "heartbeat chain healthy", 30000);
  const longLived = await eventually(async () => {
    const acct = await venue.account();
    return acct.open_orders.find((o) => o.created_s <= Date.now() / 1000 - (TIMEOUT_MS / 1000 + 2));
  }, `an order resting longer than the venue's ${TIMEOUT_MS} ms heartbeat timeout`, 90000);
  const m1 = await node.metrics();
  assert.equal(m1.tdmaker_heartbeat_lapses_total, 0, "no lapse while the node runs");
  ok(`chain healthy (${m1.tdmaker_heartbeats_sent_total} beats, ${m1.tdmaker_heartbeats_failed_total} failed); order ${longLived.id.slice(0, 10)}... rests past the timeout`);

  // 2. SIGKILL mid-slot: everything resting is cancelled by the venue's heartbeat
  //    timeout, long before any slot end could explain it.
  const resting = await eventually(async () => {
    const acct = await venue.account();
    const now = Date.now() / 1000;
    return acct.open_orders.length > 0 && acct.open_orders.every((o) => o.market_end_s - now > TIMEOUT_MS / 1000 + 8) && acct.open_orders;
  }, "orders resting well before their slot ends", 90000);
  const killedAt = Date.now();
  await node.kill();
  const ids = new Set(resting.map((o) => o.id));
  ok(`SIGKILL with ${ids.size} orders resting`);
  await eventually(async () => (await venue.account()).open_orders.filter((o) => ids.has(o.id)).length === 0,
                   "the venue cancelled every resting order", TIMEOUT_MS + 4000);
  const gone = Date.now() - killedAt;
  const after = await venue.account();
  const earliestEnd = Math.min(...resting.map((o) => o.market_end_s));
  assert.ok(Date.now() / 1000 < earliestEnd - 2, "the orders went before their slot ended");
  for (const o of after.orders.filter((x) => ids.has(x.id)))
    assert.ok(o.status === "CANCELED" || o.status === "MATCHED", `order ${o.id}: ${o.status} on the venue`);
  const ended = after.orders.filter((x) => ids.has(x.id));
  const cancelled = ended.filter((o) => o.status === "CANCELED").length;
  assert.ok(cancelled >= 1, `the venue cancelled at least one of them (not all filled): ${JSON.stringify(ended)}`);
  ok(`no order rests on the venue ${gone} ms after the SIGKILL (venue timeout ${TIMEOUT_MS} ms, the node beat every ${Math.floor(TIMEOUT_MS / 3)} ms): ${cancelled} CANCELED, ${ended.length - cancelled} MATCHED`);

  // 3. The restart reconciles: each order open at the kill ends as the venue says.
  const again = (current = new NodeProcess(bin, work, config()));
  const restartS = Date.now() / 1000;
  await again.ready();
  await eventually(() => /order: reconciled with the venue: 0 adopted, 0 orphans cancelled/.test(again.log),
                   "reconciled: nothing to adopt, nothing orphaned", 30000);
  await eventually(() => {
    const ledger = new Map(again.exportOrders().map((o) => [o.order_id, o]));
    return [...ids].every((id) => {
      const v = after.orders.find((o) => o.id === id);
      return ledger.get(id)?.state === TERMINAL[v.status];
    });
  }, "every order open at the kill is terminal in the ledger as on the venue", 30000);
  ok(`restart: ${ids.size} orders open at the kill are terminal in the ledger, as on the venue`);
  const fresh = await eventually(async () => (await venue.account()).orders.find((o) => o.created_s > restartS + 1),
                                 "an order placed after the restart", 90000);
  const m2 = await again.metrics();
  assert.equal(m2['tdmaker_heartbeat_state{state="healthy"}'], 1, "the new chain is healthy");
  ok(`the restarted node places again (order ${fresh.id.slice(0, 10)}...) with a healthy chain`);
  await again.stop();
}

try {
  await main();
  rmSync(work, { recursive: true, force: true });
} catch (e) {
  console.error(`not ok - ${e.message}`);
  if (current) console.error("--- node log (tail)\n" + current.log.split("\n").slice(-60).join("\n"));
  console.error(`(work dir kept: ${work})`);
  process.exit(1);
}
