// Supervision (issue 13): the real node against tdmaker-venue, with
// debug.fault_injection on, loses one singleton actor after another
// (POST /debug/crash?kind=K) while orders rest and fills come in. A kind peers
// hold must stop the node cleanly with exit code 70, its log naming the kind
// (and /health, while it still answers); the node is then started again on the
// same data directory, as the service manager would. A restartable kind must be
// respawned with the node running on. At the end the node's orders, fills,
// settlements and PnL must equal the venue's ground truth: nothing lost across
// any of the deaths.
//
// Usage: node node_crash_check.mjs CLOB GAMMA WS RTDS ADMIN
// Env: TDMAKER_BIN, TDMAKER_VENUE_ADMIN_TOKEN, CRASH_KINDS (comma-separated, in
//      order), CRASH_SLOT_SECONDS (must match the venue's --slot-seconds, default 20).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeProcess, eventually, ok, sleep, venueAdmin } from "./lib.mjs";

const [clobUrl, gammaUrl, wsUrl, rtdsUrl, adminUrl] = process.argv.slice(2);
const bin = process.env.TDMAKER_BIN;
assert.ok(bin && process.env.TDMAKER_VENUE_ADMIN_TOKEN && process.env.CRASH_KINDS,
          "usage: TDMAKER_BIN=... CRASH_KINDS=order,fill node node_crash_check.mjs CLOB GAMMA WS RTDS ADMIN");
const venue = venueAdmin(adminUrl, process.env.TDMAKER_VENUE_ADMIN_TOKEN);
const SLOT = Number(process.env.CRASH_SLOT_SECONDS ?? 20);
const KINDS = process.env.CRASH_KINDS.split(",");
const RESTARTED_IN_PLACE = new Set(["settlement", "discovery"]); // docs/architecture.md, "Supervision"
const STARTING_USDC = 1_000_000_000_000n;
const work = mkdtempSync(join(tmpdir(), "tdmaker-crash-"));

const config = () => ({
  node: { data_dir: join(work, "data"), log_dir: join(work, "logs"), mode: "live" },
  http: { listen: "127.0.0.1:0" },
  phase: { initial: "ProofOfConcept", limits: { ProofOfConcept: { max_trades_per_session: 0 } } }, // every market trades (seed 002 limits it to 1 a session by default)
  venue: { clob_url: clobUrl, gamma_url: gammaUrl, market_ws_url: `${wsUrl}/ws/market`, user_ws_url: `${wsUrl}/ws/user`, rtds_url: rtdsUrl, request_timeout_ms: 3000 },
  discovery: { slot_seconds: SLOT, interval_ms: 1000, retire_after_end_s: 60 },
  entry: { target_bid: "0.55", max_bid: "0.95", max_entry_s: SLOT, max_move_ppm: 1000000 },
  ladder: { rungs: 3, spacing_ticks: 2, shares_per_rung: 5, sequential: false },
  budget: { max_exposure: "40", max_per_market: "12" },
  orders: { cancel_before_end_ms: 3000, placement_timeout_ms: 5000 },
  fills: { reconcile_interval_ms: 5000 },
  settlement: { grace_s: 2, interval_ms: 1000 },
  feed: { reconnect_min_ms: 200, reconnect_max_ms: 1000 },
  status: { interval_ms: 5000 },
  debug: { fault_injection: true },
});
let current = null; // the running node, whose log is kept if the check fails

const micros = (s) => BigInt(Math.round(Number(s) * 1e6));
const cash = (size, px) => (micros(size) * micros(px)) / 1_000_000n;

/// `stops`: the node may go down before its 202 reaches us (a closed connection).
async function crash(node, kind, stops) {
  let r;
  try {
    r = await fetch(`${node.url}/debug/crash?kind=${kind}`, { method: "POST", headers: { Authorization: "Bearer t" } });
  } catch (e) {
    if (stops && e instanceof TypeError) return;
    throw e;
  }
  assert.equal(r.status, 202, `POST /debug/crash?kind=${kind}: ${await r.text()}`);
}

/// /health until the listener closes or the node exits: every 503 body it gave.
async function healthUntilGone(node) {
  const bodies = [];
  let gone = false;
  node.exited.then(() => (gone = true));
  while (!gone) {
    try {
      const h = await node.health();
      if (h.status === 503) bodies.push(h.body);
    } catch {
      break; // closed: the stop has begun
    }
    await sleep(10);
  }
  return bodies;
}

/// A kind peers hold: exit 70, named in the log (and in /health while it answered);
/// nothing the venue accepted before the crash is missing from the ledger.
async function crashAndRestart(node, kind) {
  const before = await venue.account();
  const snapshotS = Math.floor(Date.now() / 1000);
  await crash(node, kind, true);
  const health = await healthUntilGone(node);
  const code = await Promise.race([node.exited, sleep(15000).then(() => "hung")]);
  node.save(`node-${kind}.log`);
  assert.equal(code, 70, `the node exits 70 when the ${kind} actor dies (got ${code})`);
  assert.match(node.log, new RegExp(`supervisor: the ${kind} actor died \\(.*injected fault.*\\): stopping the node`), `the log names ${kind}`);
  assert.match(node.log, /node: stopping: the \w+ actor died .*; exit code 70/, "the log gives the exit code");
  assert.match(node.log, /node: stopped/, "the node stopped cleanly");
  const named = kind === "telemetry" ? "telemetry unavailable" : `actor down: ${kind}`;
  for (const b of health) assert.ok(b.includes(named) || !b.includes("actor down"), `/health named another kind than ${kind}: ${b}`);
  const sawIt = health.some((b) => b.includes(named));
  const ledger = node.exportOrders();
  const ids = new Set(ledger.map((o) => o.order_id));
  const settled = before.orders.filter((o) => o.created_s <= snapshotS - 2);
  for (const o of settled) assert.ok(ids.has(o.id), `venue order ${o.id} (${o.status}), accepted before the ${kind} crash, is missing from the ledger`);
  const again = (current = new NodeProcess(bin, work, config()));
  await again.ready();
  ok(`${kind}: exit 70, named in the log${sawIt ? " and in /health" : ""}; ${settled.length} venue orders all in the ledger; restarted on the same data`);
  return again;
}

/// A restartable kind: respawned in place, counted, /health whole again.
async function crashInPlace(node, kind) {
  await crash(node, kind, false);
  await eventually(() => new RegExp(`supervisor: the ${kind} actor died \\(.*injected fault.*\\); restarted`).test(node.log),
                   `the log says ${kind} was restarted`);
  await eventually(async () => {
    const a = (await node.status()).actors[kind];
    return a && a.live === 1 && a.restarts >= 1;
  }, `/status shows one live ${kind} actor and its restart`);
  await eventually(async () => (await node.health()).status === 200, "/health is 200 again");
  const m = await node.metrics();
  assert.ok(m[`tdmaker_actor_restarts_total{kind="${kind}"}`] >= 1, `restart counted in /metrics`);
  ok(`${kind}: restarted in place, the node ran on (/status, /metrics, /health 200)`);
  return node;
}

async function main() {
  let node = (current = new NodeProcess(bin, work, config()));
  await node.ready();
  let fillsBefore = 0;
  for (const kind of KINDS) {
    // Mid-run: orders resting on the venue at the moment of the crash, some of
    // them long enough that the node has certainly recorded the venue's answer.
    const acct = await eventually(async () => {
      const a = await venue.account();
      return a.open_orders.some((o) => o.created_s <= Date.now() / 1000 - 2) && a;
    }, "orders rest on the venue", 60000);
    fillsBefore ||= acct.fills.length;
    node = RESTARTED_IN_PLACE.has(kind) ? await crashInPlace(node, kind) : await crashAndRestart(node, kind);
  }
  ok(`${KINDS.length} kinds crashed; the venue had ${fillsBefore} fills of ours before the first`);
  // Carrying on: the last incarnation (and, last in its list, a respawned
  // discovery) finds a slot that began after the last crash and bids in it.
  const lastCrashS = Date.now() / 1000;
  const fresh = await eventually(async () => (await venue.account()).orders.find((o) => o.market_end_s - SLOT > lastCrashS),
                                 "an order in a slot that began after the last crash", 3 * SLOT * 1000);
  ok(`trading goes on: order ${fresh.id.slice(0, 10)}... in a slot that began ${Math.round(fresh.market_end_s - SLOT - lastCrashS)} s after the last crash`);
  await compareWithVenue(node);
}

/// Quiesce (no new venue orders, nothing resting, everything settled), then the
/// node's ledger against the venue: orders, fills, settlements and PnL.
async function compareWithVenue(node) {
  await node.phase("Experience", "test: stop sending orders");
  await eventually(async () => (await venue.account()).open_orders.length === 0
                               && (await node.status()).trading.open_orders === 0, "no order rests and the node knows it", 60000);
  await eventually(async () => Object.keys((await venue.account()).positions).length === 0,
                   "the venue resolved every market the account holds", 90000);
  const acct = await venue.account();
  const venueMarkets = new Set(acct.settlements.map((s) => s.market));
  await eventually(async () => {
    const st = (await node.status()).trading;
    return st.open_positions === 0 && st.settlements >= venueMarkets.size;
  }, "the node settled every position", 60000);
  await node.stop();

  const ledger = node.exportOrders().filter((o) => !o.paper && o.state !== "rejected");
  const ids = new Map();
  for (const o of ledger) {
    assert.ok(!ids.has(o.order_id), `order ${o.order_id} twice in the ledger`);
    ids.set(o.order_id, o);
  }
  for (const v of acct.orders) {
    const o = ids.get(v.id);
    assert.ok(o, `venue order ${v.id} (${v.status}) is missing from the node's ledger`);
    assert.equal(micros(o.matched), micros(v.size_matched), `order ${v.id}: matched size`);
  }
  const venueIds = new Set(acct.orders.map((o) => o.id));
  for (const id of ids.keys()) assert.ok(venueIds.has(id), `ledger order ${id} does not exist on the venue`);

  const trades = node.exportLedger("trades").filter((f) => f.source !== "paper");
  const nodeFills = new Map();
  for (const f of trades) {
    const k = `${f.trade_id}:${f.order_id}`;
    assert.ok(!nodeFills.has(k), `fill ${k} twice in the node's ledger`);
    nodeFills.set(k, f);
  }
  for (const v of acct.fills) {
    const f = nodeFills.get(`${v.trade_id}:${v.order_id}`);
    assert.ok(f, `venue fill ${v.trade_id}:${v.order_id} is missing from the node`);
    assert.equal(micros(f.size), micros(v.size), `fill ${v.trade_id}: size`);
    assert.equal(micros(f.price), micros(v.price), `fill ${v.trade_id}: price`);
  }
  assert.equal(nodeFills.size, acct.fills.length, "no fill the venue does not have");

  const settlements = node.exportLedger("settlements").filter((x) => !x.paper);
  const nodeSettled = new Map(settlements.map((s) => [s.market, s]));
  assert.equal(nodeSettled.size, settlements.length, "no market settled twice");
  const venuePayout = new Map();
  for (const s of acct.settlements) venuePayout.set(s.market, (venuePayout.get(s.market) ?? 0n) + micros(s.payout));
  for (const [market, payout] of venuePayout) {
    const s = nodeSettled.get(market);
    assert.ok(s, `position in ${market} settled by the venue but not by the node`);
    assert.equal(micros(s.payout), payout, `market ${market}: payout`);
  }
  const nodePnl = settlements.reduce((a, s) => a + micros(s.pnl), 0n);
  assert.equal(nodePnl, micros(acct.usdc) - STARTING_USDC, `total PnL ${nodePnl} == the venue balance change`);
  let venuePnl = 0n;
  for (const f of acct.fills) venuePnl += (f.side === "BUY" ? -1n : 1n) * cash(f.size, f.price) - micros(f.fee);
  for (const p of venuePayout.values()) venuePnl += p;
  assert.equal(nodePnl, venuePnl, "total PnL == the venue's fills and payouts");
  ok(`ledger == venue: ${ids.size} orders, ${nodeFills.size} fills, ${settlements.length} settlements, PnL ${Number(nodePnl) / 1e6}`);
}

try {
  await main();
  rmSync(work, { recursive: true, force: true });
} catch (e) {
  console.error(e);
  if (current) {
    current.save("node-failed.log");
    console.error(`node log: ${join(work, "node-failed.log")}\n--- last lines\n${current.log.split("\n").slice(-40).join("\n")}`);
  }
  process.exit(1);
}
