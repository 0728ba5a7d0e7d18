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
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeProcess, compareFillsWithVenue, eventually, micros, nodeConfig, ok, readJsonl, sleep, venueAdmin,
         writeAlwaysSellModel } from "./lib.mjs";

const [clobUrl, gammaUrl, wsUrl, rtdsUrl, adminUrl] = process.argv.slice(2);
const bin = process.env.TDMAKER_BIN;
assert.ok(bin && process.env.TDMAKER_VENUE_ADMIN_TOKEN, "usage: TDMAKER_BIN=... node node_delay_check.mjs CLOB GAMMA WS RTDS ADMIN");
const venue = venueAdmin(adminUrl, process.env.TDMAKER_VENUE_ADMIN_TOKEN);
const SLOT = Number(process.env.DELAY_SLOT_SECONDS ?? 20);
const SLOTS = Number(process.env.DELAY_SLOTS ?? 5);
const work = mkdtempSync(join(tmpdir(), "tdmaker-delay-"));

const exitModel = writeAlwaysSellModel(work);
const config = () => nodeConfig({ clobUrl, gammaUrl, wsUrl, rtdsUrl, work, slot: SLOT }, {
  // An exit model that always says "sell": every fill is followed by a stop-loss exit
  // at the best bid, a taker the venue holds. Waiting for prices to sink made the
  // test depend on the path of the run (one run had no exit at all).
  stop_loss: { model_file: exitModel },
  feed: { breaker_failures: 3 },
});
let current = null;

const readAudit = () => readJsonl(join(work, "logs", "audit.jsonl"));

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
  const whole = compareFillsWithVenue(node, acct);
  const afterHold = acct.fills.filter((f) => delayedIds.has(f.order_id)).length;
  // Not asserted: whether a held exit still finds the bid depends on how many exits a
  // short run makes (1-3) and on the book at the release; the figure is reported.
  ok(`fills: node ${whole.fills} == venue ${acct.fills.length} (${afterHold} from delayed orders); PnL ${Number(whole.pnl) / 1e6} == venue`);
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
