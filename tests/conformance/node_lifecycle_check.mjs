// The market lifecycle and bidding (issue 6), the real node against tdmaker-venue
// with 30 s slots of all four assets, in a live (non-paper) phase:
//   live     with 5xx, 429 and ghost-order faults on: every slot is discovered,
//            orders go out only where the entry filters passed (the audit log has
//            the reason of every skip), no order rests past its slot's end, the
//            venue's open-order exposure never exceeds the budget, and the node's
//            ledger equals the venue's orders for the account (none lost or doubled)
//   restart  SIGKILL mid-slot with orders resting, an orphan placed behind the
//            node's back; after the restart the resting orders are adopted, the
//            orphan cancelled, no rung is placed twice, the ledger equals the venue
// Usage: node node_lifecycle_check.mjs CLOB GAMMA WS RTDS ADMIN
// Env: LIFECYCLE_SCENARIO (live | restart), TDMAKER_BIN, TDMAKER_VENUE_ADMIN_TOKEN.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "@ethersproject/wallet";
import { ClobClient, OrderType, Side } from "@polymarket/clob-client-v2";
import { KEY, NodeProcess, eventually, ok, sleep, venueAdmin, TRADING_PHASE } from "./lib.mjs";

const [clobUrl, gammaUrl, wsUrl, rtdsUrl, adminUrl] = process.argv.slice(2);
const scenario = process.env.LIFECYCLE_SCENARIO;
const bin = process.env.TDMAKER_BIN;
assert.ok(scenario && bin && process.env.TDMAKER_VENUE_ADMIN_TOKEN, "usage: LIFECYCLE_SCENARIO=live|restart TDMAKER_BIN=... node node_lifecycle_check.mjs CLOB GAMMA WS RTDS ADMIN");
const venue = venueAdmin(adminUrl, process.env.TDMAKER_VENUE_ADMIN_TOKEN);
const SLOT = 30;
const ASSETS = ["btc", "eth", "sol", "xrp"];
const BUDGET = 20; // pUSD
const work = mkdtempSync(join(tmpdir(), "tdmaker-lifecycle-"));

const config = () => ({
  node: { data_dir: join(work, "data"), log_dir: join(work, "logs"), mode: "live" },
  http: { listen: "127.0.0.1:0" },
  phase: TRADING_PHASE,
  venue: { clob_url: clobUrl, gamma_url: gammaUrl, market_ws_url: `${wsUrl}/ws/market`, user_ws_url: `${wsUrl}/ws/user`, rtds_url: rtdsUrl, request_timeout_ms: 3000 },
  discovery: { slot_seconds: SLOT, interval_ms: 1000, retire_after_end_s: 15 },
  entry: { target_bid: "0.55", max_bid: "0.95", max_entry_s: SLOT, max_move_ppm: 1000000 },
  ladder: { rungs: 3, spacing_ticks: 2, shares_per_rung: 5, sequential: false },
  budget: { max_exposure: String(BUDGET), max_per_market: "12" },
  orders: { cancel_before_end_ms: 4000, placement_timeout_ms: 5000 },
  status: { interval_ms: 5000 },
});

const micros = (s) => Math.round(Number(s) * 1e6);

/// Samples the venue while the node trades: open-order exposure under the budget,
/// no order resting past its market's end. Returns the number of samples.
async function watchVenue(ms, seen) {
  const end = Date.now() + ms;
  let samples = 0;
  while (Date.now() < end) {
    // The venue's snapshot is taken after this moment: an order in it whose market
    // ended before this moment was certainly resting past its end.
    const now = Date.now() / 1000;
    const acct = await venue.account();
    let exposure = 0;
    for (const o of acct.open_orders) {
      exposure += micros(o.price) * (micros(o.original_size) - micros(o.size_matched)) / 1e6;
      assert.ok(o.market_end_s > now, `order ${o.id} still rests on the venue ${(now - o.market_end_s).toFixed(1)} s after its slot ended`);
      seen.add(o.id);
    }
    assert.ok(exposure <= BUDGET * 1e6, `venue open-order exposure ${exposure / 1e6} exceeds the budget ${BUDGET}`);
    seen.maxExposure = Math.max(seen.maxExposure ?? 0, exposure / 1e6);
    ++samples;
    await sleep(250);
  }
  return samples;
}

/// Orders for the same market, outcome and rung must never be open at once.
function assertNoDoubledRung(ledger) {
  const byRung = new Map();
  for (const o of ledger) {
    if (o.paper || o.state === "rejected") continue;
    const k = `${o.market}:${o.outcome}:${o.rung}`;
    if (!byRung.has(k)) byRung.set(k, []);
    byRung.get(k).push(o);
  }
  for (const [k, os] of byRung) {
    os.sort((a, b) => a.created_ms - b.created_ms);
    for (let i = 1; i < os.length; ++i)
      assert.ok(os[i].created_ms >= os[i - 1].updated_ms, `rung ${k} placed twice: ${os[i - 1].order_id} still open when ${os[i].order_id} was placed`);
  }
}

/// Node ledger == venue ground truth: the same order ids, in corresponding states.
function assertLedgerEqualsVenue(ledger, acct, ignore = new Set()) {
  const venueOrders = new Map(acct.orders.filter((o) => !ignore.has(o.id)).map((o) => [o.id, o]));
  const sent = ledger.filter((o) => !o.paper && o.state !== "rejected");
  for (const o of ledger.filter((x) => x.state === "rejected"))
    assert.ok(!venueOrders.has(o.order_id), `order ${o.order_id} is rejected in the ledger but exists on the venue`);
  for (const o of sent) {
    const v = venueOrders.get(o.order_id);
    assert.ok(v, `ledger order ${o.order_id} (${o.state}) does not exist on the venue`);
    const expect = v.status === "MATCHED" ? "filled" : v.status.startsWith("CANCELED") ? (micros(v.size_matched) === micros(v.original_size) ? "filled" : "cancelled") : "open";
    assert.equal(o.state, expect, `order ${o.order_id}: ledger ${o.state}, venue ${v.status}`);
    assert.equal(micros(o.matched), micros(v.size_matched), `order ${o.order_id}: matched size`);
  }
  const ids = new Set(sent.map((o) => o.order_id));
  for (const id of venueOrders.keys()) assert.ok(ids.has(id), `venue order ${id} is missing from the node's ledger`);
  assert.equal(ids.size, sent.length, "no order id twice in the ledger");
  return sent.length;
}

/// Stop new venue orders (paper phase), wait until nothing of ours rests, stop the node.
async function quiesce(node) {
  await node.phase("Experience", "test: stop sending orders");
  // Nothing rests on the venue and the node knows the end of every order it sent
  // (a fill it has not heard of yet shows when it cancels before the slot ends).
  await eventually(async () => (await venue.account()).open_orders.length === 0
                               && (await node.status()).trading.open_orders === 0, "all venue orders closed and known", 60000);
  await node.stop();
}

function audit() {
  return readFileSync(join(work, "logs", "audit.jsonl"), "utf8").split("\n").filter((l) => l).map((l) => JSON.parse(l));
}

async function scenarioLive() {
  await venue.setFaults({ seed: 11, http_500: 0.1, http_429: 0.1, ghost_order: 0.3 });
  const t0 = Math.floor(Date.now() / 1000);
  const node = new NodeProcess(bin, work, config());
  await node.ready();
  await eventually(() => venue.knows(), "the node's API key on the venue");
  const seen = new Set();
  const samples = await watchVenue(75000, seen);
  const t1 = Math.floor(Date.now() / 1000);
  ok(`${samples} venue samples over 75 s: open-order exposure at most ${seen.maxExposure.toFixed(2)} <= budget ${BUDGET}, no order resting past its slot's end (${seen.size} orders seen resting)`);

  // Every slot that started while the node ran was discovered, for every asset.
  let slots = 0;
  for (let s = Math.ceil(t0 / SLOT) * SLOT; s + 2 < t1; s += SLOT)
    for (const a of ASSETS) {
      assert.match(node.log, new RegExp(`discovery: ${a}-updown-30s-${s} -> market`), `slot ${a} ${s} discovered`);
      ++slots;
    }
  assert.ok(slots >= 8, "at least two slots of each asset");
  ok(`every one of ${slots} slots (4 assets) was discovered`);

  await venue.setFaults({ seed: 12 });
  await quiesce(node);
  const inj = await venue.injected();
  assert.ok(inj.http_500 > 0 && inj.http_429 > 0 && inj.ghost_order > 0, `faults happened: ${JSON.stringify(inj)}`);

  // Orders only where the filters passed; a reason for every skip.
  const lines = audit();
  const entries = lines.filter((l) => l.kind === "entry");
  const placed = lines.filter((l) => l.kind === "order" && l.event === "placing");
  assert.ok(entries.some((e) => e.action === "skip"), "some entries were skipped");
  for (const e of entries.filter((x) => x.action === "skip")) assert.ok(e.reason && e.reason.length > 3, `skip without a reason: ${JSON.stringify(e)}`);
  for (const p of placed) {
    const cause = entries.find((e) => e.market === p.market && e.outcome === p.outcome && e.action !== "skip" && e.orders > 0 && e.ts_ms <= p.ts_ms);
    assert.ok(cause, `order ${p.order_id} has no passing entry decision before it`);
  }
  const reasons = [...new Set(entries.filter((e) => e.action === "skip").map((e) => e.reason))];
  ok(`${placed.length} orders placed, each after a passing entry decision; ${entries.length} audited decisions, skip reasons: ${reasons.join(", ")}`);

  // Nothing lost or doubled, even with 5xx, 429 and lost replies.
  const ledger = node.exportOrders();
  const acct = await venue.account();
  const n = assertLedgerEqualsVenue(ledger, acct);
  assertNoDoubledRung(ledger);
  const ghosts = (node.log.match(/found by ghost-order check|found on the venue as/g) || []).length;
  const rejected = ledger.filter((o) => o.state === "rejected").length;
  assert.ok(n >= 5, `enough orders reached the venue (${n})`);
  ok(`ledger == venue: ${n} orders (${ledger.filter((o) => o.state === "filled").length} filled, ${ledger.filter((o) => o.state === "cancelled").length} cancelled), ${rejected} refused or never placed, ${ghosts} found by ghost checks; injected ${JSON.stringify(inj)}`);
}

async function scenarioRestart() {
  const node = new NodeProcess(bin, work, config());
  await node.ready();
  // Mid-slot with orders resting on the venue, at least 12 s before their slot ends.
  await eventually(async () => {
    if (!(await venue.knows())) return false; // the node creates its API key at start
    const acct = await venue.account();
    return acct.open_orders.some((o) => o.market_end_s - Date.now() / 1000 > 12) && acct.open_orders;
  }, "orders resting mid-slot", 60000);
  // Simulated takers would fill the resting orders while the node is down, and then
  // none is left to adopt (seen: all 3 filled). Paused from before the kill until the
  // restart has reconciled; the venue's heartbeat timeout is raised for this scenario
  // (CMake) so that it does not cancel them either.
  await venue.pauseTakers(true);
  const before = (await venue.account()).open_orders.filter((o) => o.market_end_s - Date.now() / 1000 > 8);
  await node.kill();
  ok(`SIGKILL with ${before.length} orders resting, simulated takers paused`);

  // An order the ledger never saw: placed with the same key by someone else.
  const signer = new Wallet(KEY);
  const anon = new ClobClient({ host: clobUrl, chain: 137, signer });
  const creds = await anon.createOrDeriveApiKey();
  const client = new ClobClient({ host: clobUrl, chain: 137, signer, creds, signatureType: 0 });
  const start = Math.floor(Date.now() / 1000 / SLOT) * SLOT + SLOT; // the next slot: long enough to live
  const ev = await (await fetch(`${gammaUrl}/events?slug=btc-updown-30s-${start}`)).json();
  const token = JSON.parse(ev[0].markets[0].clobTokenIds)[0];
  const orphan = await client.createAndPostOrder({ tokenID: token, price: 0.01, size: 5, side: Side.BUY }, { tickSize: "0.01", negRisk: false }, OrderType.GTC, true);
  assert.ok(orphan.success && orphan.orderID, `orphan placed: ${JSON.stringify(orphan)}`);

  const again = new NodeProcess(bin, work, config());
  await again.ready();
  const m = await eventually(() => again.log.match(/reconciled with the venue: (\d+) adopted, (\d+) orphans cancelled/), "reconciliation", 20000);
  const adopted = Number(m[1]);
  await venue.pauseTakers(false);
  const stillOpen = (await venue.account()).open_orders.filter((o) => before.some((b) => b.id === o.id));
  assert.ok(before.length >= 1 && adopted >= 1 && adopted >= stillOpen.length, `orders resting at the kill were adopted (${adopted} adopted, ${stillOpen.length} of ${before.length} still resting)`);
  assert.equal(Number(m[2]), 1, "the one orphan was cancelled");
  await eventually(async () => (await venue.account()).orders.find((o) => o.id === orphan.orderID)?.status === "CANCELED", "orphan CANCELED on the venue");
  ok(`restart: ${adopted} resting orders adopted, the orphan ${orphan.orderID.slice(0, 10)}... cancelled`);

  // The adopted orders are managed like any other: cancelled before their slot ends.
  const seen = new Set();
  await watchVenue(20000, seen);
  await quiesce(again);
  const ledger = again.exportOrders();
  const acct = await venue.account();
  for (const b of before) assert.ok(ledger.some((o) => o.order_id === b.id), `resting order ${b.id} is in the ledger`);
  const n = assertLedgerEqualsVenue(ledger, acct, new Set([orphan.orderID]));
  assertNoDoubledRung(ledger);
  ok(`after the restart no rung was placed twice and the ledger equals the venue (${n} orders; orphan excluded)`);
}

try {
  if (scenario === "live") await scenarioLive();
  else if (scenario === "restart") await scenarioRestart();
  else throw new Error(`unknown LIFECYCLE_SCENARIO ${scenario}`);
  rmSync(work, { recursive: true, force: true });
} catch (e) {
  console.error(`FAILED: ${e.stack || e}`);
  console.error(`(node logs and data kept in ${work})`);
  process.exit(1);
}
