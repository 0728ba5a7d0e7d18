// Taker delays (issue 15): the real node against tdmaker-venue with a 250 ms taker
// delay on every series (and some delays failing: `unmatched`). The node's
// stop-loss exits cross the book, so the venue answers them `delayed` (no fill in
// the reply) and matches them 250 ms later against the book as it is then. The
// node must book no fill from the reply, follow each such order to its end by
// user events and GET /data/order, never send a second exit for a market whose
// exit is still held, and end with exactly the venue's fills and PnL, also across
// a SIGKILL restart.
//
// Usage: node node_delay_check.mjs CLOB GAMMA WS RTDS ADMIN (venue: --taker-delay-ms 250)
// Env: TDMAKER_BIN, TDMAKER_VENUE_ADMIN_TOKEN, DELAY_SLOTS (default 5), DELAY_SLOT_SECONDS (default 20).
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeProcess, eventually, ok, sleep, venueAdmin } from "./lib.mjs";

const [clobUrl, gammaUrl, wsUrl, rtdsUrl, adminUrl] = process.argv.slice(2);
const bin = process.env.TDMAKER_BIN;
assert.ok(bin && process.env.TDMAKER_VENUE_ADMIN_TOKEN, "usage: TDMAKER_BIN=... node node_delay_check.mjs CLOB GAMMA WS RTDS ADMIN");
const venue = venueAdmin(adminUrl, process.env.TDMAKER_VENUE_ADMIN_TOKEN);
const SLOT = Number(process.env.DELAY_SLOT_SECONDS ?? 20);
const SLOTS = Number(process.env.DELAY_SLOTS ?? 5);
const STARTING_USDC = 1_000_000_000_000n;
const work = mkdtempSync(join(tmpdir(), "tdmaker-delay-"));
const micros = (s) => BigInt(Math.round(Number(s) * 1e6));
const cash = (size, px) => (micros(size) * micros(px)) / 1_000_000n;

const exitModel = join(work, "exit-always.json");
writeFileSync(exitModel, JSON.stringify({ intercept: 0, weights: {}, exit_threshold: 1 }));
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
  // An exit model that always says "sell" (P(win) 0.5 < 1): every fill is followed by a
  // stop-loss exit at the best bid, a taker the venue holds. Waiting for prices to
  // sink made the test depend on the path of the run (one run had no exit at all).
  stop_loss: { model_file: exitModel },
  settlement: { grace_s: 2, interval_ms: 1000 },
  feed: { reconnect_min_ms: 200, reconnect_max_ms: 1000, breaker_failures: 3 },
  status: { interval_ms: 5000 },
});
let current = null;

const readAudit = () =>
  !existsSync(join(work, "logs", "audit.jsonl")) ? [] : readFileSync(join(work, "logs", "audit.jsonl"), "utf8").split("\n").filter((l) => l).flatMap((l) => {
    try { return [JSON.parse(l)]; } catch { return []; } // a last line still being written
  });

async function main() {
  await venue.setFaults({ seed: 3, taker_delay_unmatched: 0.1 });
  const t0 = Date.now();
  const until = t0 + SLOTS * SLOT * 1000;
  let node = (current = new NodeProcess(bin, work, config()));
  await node.ready();
  // One SIGKILL when the first delayed order is seen (or half-way): its end is then
  // learned by the restarted node, from the ledger and the venue.
  const halfway = t0 + (until - t0) / 2;
  await eventually(async () => Date.now() >= halfway || readAudit().some((a) => a.kind === "order" && a.state === "delayed"),
                   "a delayed order or half of the run", until - t0);
  await node.kill();
  node = current = new NodeProcess(bin, work, config());
  await node.ready();
  await sleep(Math.max(0, until - Date.now()));
  const live = await node.metrics();
  ok(`traded ${SLOTS} slots of ${SLOT} s with a 250 ms taker delay and one SIGKILL restart`);

  await node.phase("Experience", "test: stop sending orders");
  await eventually(async () => (await venue.account()).open_orders.length === 0, "no order of the node rests or is held on the venue", 60000);
  await eventually(async () => Object.keys((await venue.account()).positions).length === 0, "the venue resolved every market the account holds", 90000);
  const acct = await venue.account();
  const venueMarkets = new Set(acct.settlements.map((s) => s.market));
  await eventually(async () => {
    const st = (await node.status()).trading;
    return st.open_positions === 0 && st.settlements >= venueMarkets.size;
  }, "the node settled every position", 60000);
  const m = await node.metrics();
  await node.stop();

  // ---- delayed orders happened, and each was followed to the venue's end ----
  const audit = readAudit();
  const orderEvents = audit.filter((a) => a.kind === "order" && !a.paper);
  const delayedIds = new Set(orderEvents.filter((a) => a.state === "delayed").map((a) => a.order_id));
  assert.ok(delayedIds.size > 0, "the node saw delayed placements");
  const venueOrders = new Map(acct.orders.map((o) => [o.id, o]));
  const ledger = new Map(node.exportOrders().map((o) => [o.order_id, o]));
  let delayedFilled = 0, unmatched = 0;
  for (const id of delayedIds) {
    const v = venueOrders.get(id);
    assert.ok(v, `delayed order ${id} exists on the venue`);
    assert.notEqual(v.status, "DELAYED", `delayed order ${id} ended on the venue`);
    const r = ledger.get(id);
    assert.ok(r, `delayed order ${id} is in the node's ledger`);
    assert.notEqual(r.state, "delayed", `the node followed ${id} to its end (venue ${v.status})`);
    assert.equal(micros(r.matched), micros(v.size_matched), `order ${id}: matched == venue's`);
    delayedFilled += micros(v.size_matched) > 0n;
    unmatched += v.status === "UNMATCHED";
  }
  const delayedSells = [...delayedIds].filter((id) => venueOrders.get(id).side === "SELL").length;
  assert.ok(delayedSells > 0, "a stop-loss exit was delayed");
  const counted = (live['tdmaker_delayed_placements_total{status="delayed"}'] ?? 0) + (live['tdmaker_delayed_placements_total{status="unmatched"}'] ?? 0)
                + (m['tdmaker_delayed_placements_total{status="delayed"}'] ?? 0);
  assert.ok(counted > 0 || delayedIds.size > 0, "delayed placements are counted");
  assert.equal(m.tdmaker_delayed_orders_followed, 0, "nothing is followed at the end");
  ok(`delayed: ${delayedIds.size} orders (${delayedSells} stop-loss exits), ${delayedFilled} filled after the hold, ${unmatched} unmatched; each followed to the venue's end and matched size`);

  // ---- no second exit while one is out (held or resting) ----
  const exitsBy = new Map();
  for (const a of orderEvents.filter((e) => e.side === "SELL").sort((x, y) => x.ts_ms - y.ts_ms)) {
    const k = `${a.market}:${a.outcome}`;
    const open = exitsBy.get(k) ?? new Map();
    exitsBy.set(k, open);
    if (a.event === "placing")
      for (const [other, state] of open)
        assert.ok(["filled", "cancelled", "rejected"].includes(state),
                  `a second exit ${a.order_id} in ${k} while ${other} is ${state}`);
    open.set(a.order_id, a.state);
  }
  ok(`no double exit: ${[...exitsBy.values()].reduce((n, s) => n + s.size, 0)} exits in ${exitsBy.size} positions, never two at once`);

  // ---- fills and PnL == the venue's ground truth, each fill once ----
  const trades = node.exportLedger("trades").filter((f) => f.source !== "paper");
  const nodeFills = new Map();
  for (const f of trades) {
    const k = `${f.trade_id}:${f.order_id}`;
    assert.ok(!nodeFills.has(k), `fill ${k} twice in the node's ledger`);
    nodeFills.set(k, f);
  }
  const venueFills = new Map(acct.fills.map((f) => [`${f.trade_id}:${f.order_id}`, f]));
  for (const [k, v] of venueFills) {
    const f = nodeFills.get(k);
    assert.ok(f, `venue fill ${k} (${v.role} ${v.side} ${v.size} @ ${v.price}) is missing from the node`);
    assert.equal(micros(f.size), micros(v.size), `fill ${k}: size`);
    assert.equal(micros(f.price), micros(v.price), `fill ${k}: price`);
  }
  for (const k of nodeFills.keys()) assert.ok(venueFills.has(k), `node fill ${k} does not exist on the venue`);
  const afterHold = [...venueFills.values()].filter((f) => delayedIds.has(f.order_id)).length;
  // Not asserted: whether a held exit still finds the bid depends on how many exits a
  // short run makes (1-3) and on the book at the release; the figure is reported.
  const settlements = node.exportLedger("settlements").filter((x) => !x.paper);
  const nodePnl = settlements.reduce((a, s) => a + micros(s.pnl), 0n);
  let venuePnl = 0n;
  for (const f of acct.fills) venuePnl += (f.side === "BUY" ? -1n : 1n) * cash(f.size, f.price) - micros(f.fee);
  for (const s of acct.settlements) venuePnl += micros(s.payout);
  assert.equal(nodePnl, venuePnl, `total PnL: node ${nodePnl} vs venue ${venuePnl}`);
  assert.equal(nodePnl, micros(acct.usdc) - STARTING_USDC, "total PnL == the venue's balance change");
  ok(`fills: node ${nodeFills.size} == venue ${venueFills.size} (${afterHold} from delayed orders); PnL ${Number(nodePnl) / 1e6} == venue`);
}

try {
  await main();
} catch (e) {
  if (current) {
    current.save("node-failed.log");
    console.error(current.log.split("\n").slice(-60).join("\n"));
  }
  console.error(`not ok - ${e.message}\n(work dir ${work})`);
  process.exit(1);
}
