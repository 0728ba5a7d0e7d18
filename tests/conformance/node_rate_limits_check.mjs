// Per-signer rate limits (issue 15.5) against tdmaker-venue with its buckets on
// (the run uses a slow order tier, --order-limit 5/30, so one slot's ladders
// keep the node's order bucket empty for seconds):
//   1. a naive client (the official clob-client-v2) posting 100 orders at once
//      gets 429s: the venue refuses what its bucket cannot hold;
//   2. the node, placing a ladder of 4 assets x 2 outcomes x 32 rungs at a slot's
//      start, gets no 429 at all (its own 429 counter and the venue's refusal
//      count both unchanged) while its pacer delays the burst; and when the
//      slot's cancel time comes with buys still waiting for order tokens, every
//      resting order is cancelled promptly (venue ground truth): cancels have
//      their own bucket and buys still waiting then are never sent.
// Usage: node node_rate_limits_check.mjs CLOB GAMMA WS RTDS ADMIN
// Env: TDMAKER_BIN, TDMAKER_VENUE_ADMIN_TOKEN.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "@ethersproject/wallet";
import { ClobClient, Side } from "@polymarket/clob-client-v2";
import { NodeProcess, eventually, ok, sleep, venueAdmin, TRADING_PHASE } from "./lib.mjs";

const [clobUrl, gammaUrl, wsUrl, rtdsUrl, adminUrl] = process.argv.slice(2);
const bin = process.env.TDMAKER_BIN;
assert.ok(bin && process.env.TDMAKER_VENUE_ADMIN_TOKEN, "usage: TDMAKER_BIN=... node node_rate_limits_check.mjs CLOB GAMMA WS RTDS ADMIN");
const venue = venueAdmin(adminUrl, process.env.TDMAKER_VENUE_ADMIN_TOKEN);
const SLOT = 30;
const CANCEL_BEFORE_END_MS = 18000;
const ORDER_RATE = 5, ORDER_BURST = 30; // the venue's --order-limit in tests/CMakeLists.txt
const work = mkdtempSync(join(tmpdir(), "tdmaker-ratelimits-"));

async function venueRefusals() {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  const n = (b) => Number(text.match(new RegExp(`venue_rate_limited_total\\{bucket="${b}"\\} (\\d+)`))[1]);
  return { order: n("order"), cancel: n("cancel") };
}

// ---- 1. a naive client: 100 orders at once
async function naiveBurst() {
  // Hardhat key #1: another signer than the node's, so its buckets are its own.
  const signer = new Wallet("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
  const creds = await new ClobClient({ host: clobUrl, chain: 137, signer }).createOrDeriveApiKey();
  const client = new ClobClient({ host: clobUrl, chain: 137, signer, creds, signatureType: 0 });
  const events = await (await fetch(`${gammaUrl}/events?series_slug=btc-up-or-down-30s&closed=false&order=endDate&ascending=true&limit=5`)).json();
  const mkt = events.map((e) => e.markets[0]).find((m) => m.acceptingOrders && Date.parse(m.endDate) - Date.now() > 10000);
  assert.ok(mkt, "an open btc market");
  const [up] = JSON.parse(mkt.clobTokenIds);
  const orders = [];
  for (let i = 0; i < 100; ++i)
    orders.push(await client.createOrder({ tokenID: up, price: 0.01 + (i % 5) / 100, size: 5, side: Side.BUY }, { tickSize: "0.01", negRisk: false }));
  const before = await venueRefusals();
  const replies = await Promise.all(orders.map((o) => client.postOrder(o)));
  const refused = replies.filter((r) => r && r.status === 429);
  const placed = replies.filter((r) => r && r.success);
  assert.ok(refused.length >= 100 - ORDER_BURST - 10, `a naive burst of 100 gets 429s (got ${refused.length}, ${placed.length} placed)`);
  assert.match(String(refused[0].error), /rate limit exceeded/);
  const after = await venueRefusals();
  assert.equal(after.order - before.order, refused.length, "the venue counts every refusal");
  ok(`naive client: 100 orders at once -> ${placed.length} placed, ${refused.length} refused with 429`);
  await client.cancelAll();
}

const config = () => ({
  node: { data_dir: join(work, "data"), log_dir: join(work, "logs"), mode: "live" },
  http: { listen: "127.0.0.1:0" },
  phase: TRADING_PHASE,
  venue: { clob_url: clobUrl, gamma_url: gammaUrl, market_ws_url: `${wsUrl}/ws/market`, user_ws_url: `${wsUrl}/ws/user`, rtds_url: rtdsUrl, request_timeout_ms: 3000 },
  discovery: { slot_seconds: SLOT, interval_ms: 1000, retire_after_end_s: 15 },
  entry: { target_bid: "0.40", max_bid: "0.95", max_entry_s: SLOT, max_move_ppm: 1000000 },
  ladder: { rungs: 32, spacing_ticks: 1, shares_per_rung: 5, sequential: false },
  budget: { max_exposure: "2000", max_per_market: "500" },
  orders: { cancel_before_end_ms: CANCEL_BEFORE_END_MS, placement_timeout_ms: 30000, batch_max: 15 },
  // The venue's tier; buys may wait for tokens until their slot's cancel time.
  rate_limits: { order_rate: ORDER_RATE, order_burst: ORDER_BURST, exit_reserve: 5, entry_max_wait_ms: 60000 },
  stop_loss: { enabled: false },
  status: { interval_ms: 5000 },
});

// ---- 2. the node through the same venue
async function nodeBurst() {
  const before = await venueRefusals();
  const node = new NodeProcess(bin, work, config());
  try {
    await node.ready();
    await eventually(() => venue.knows(), "the node's API key on the venue");
    // A slot whose start the node sees: its ladders all go out at once.
    const start = (Math.floor(Date.now() / 1000 / SLOT) + 1) * SLOT;
    const cancelAt = (start + SLOT) * 1000 - CANCEL_BEFORE_END_MS;
    await sleep(start * 1000 - Date.now());
    // The burst: the node's order bucket runs dry, the pacer holds buys back.
    const drained = await eventually(async () => {
      const m = await node.metrics();
      return m['tdmaker_rate_limit_paced_total{action="delayed"}'] > 0 && m['tdmaker_rate_limit_tokens{bucket="order"}'] <= 5 && m;
    }, "the node's pacer delays buys with its order bucket empty", 10000);
    ok(`the node's burst drained its order bucket (${drained['tdmaker_rate_limit_tokens{bucket="order"}']} tokens) and the pacer delayed ${drained['tdmaker_rate_limit_paced_total{action="delayed"}']} requests`);

    // Just before the cancel time buys still wait for tokens.
    await sleep(cancelAt - 500 - Date.now());
    const waiting = await node.metrics();
    const acct = await venue.account();
    const slotEnd = start + SLOT;
    const resting = acct.open_orders.filter((o) => o.market_end_s === slotEnd);
    const placedInSlot = acct.orders.filter((o) => o.market_end_s === slotEnd).length;
    // Buys wait (a batch of 15 needs 15 tokens + the exits' reserve of 5).
    assert.ok(waiting.tdmaker_rate_limit_waiting > 0 && waiting['tdmaker_rate_limit_tokens{bucket="order"}'] < 20,
              `buys still wait for order tokens at the cancel time (${waiting.tdmaker_rate_limit_waiting} waiting, ${waiting['tdmaker_rate_limit_tokens{bucket="order"}']} tokens)`);
    // More than the burst went out: the pacer released waiting buys as tokens came back.
    // (How many more depends on the machine's speed, not on the rule: no count here.)
    assert.ok(placedInSlot > ORDER_BURST, `the node placed more than one burst in the slot (${placedInSlot} > ${ORDER_BURST})`);
    ok(`${placedInSlot} orders of the slot on the venue, ${resting.length} resting, ${waiting.tdmaker_rate_limit_waiting} requests waiting for order tokens, 0.5 s before the cancel time`);

    // Every one is cancelled promptly although the order bucket is empty.
    const done = await eventually(async () => {
      const open = (await venue.account()).open_orders.filter((o) => o.market_end_s === slotEnd);
      return open.length === 0 && Date.now();
    }, "every resting order of the slot cancelled", 15000);
    const took = done - cancelAt;
    assert.ok(took <= 3000, `all cancels through within 3 s of the cancel time (took ${took} ms)`);
    ok(`all resting orders cancelled ${took} ms after the cancel time (venue ground truth)`);

    // No 429 at all: not seen by the node, not given by the venue.
    const m = await node.metrics();
    const after = await venueRefusals();
    assert.equal(m.tdmaker_rate_limited_total, 0, "the node received no 429");
    assert.deepEqual(after, before, "the venue refused nothing of the node's");
    assert.equal(m.tdmaker_rate_limit_bad_headers_total, 0, "every rate-limit header read");
    // No order of the slot reached the venue after its cancel time.
    const late = (await venue.account()).orders.filter((o) => o.market_end_s === slotEnd && o.created_s * 1000 > cancelAt + 1000);
    assert.deepEqual(late, [], "no buy sent after its slot's cancel time");
    ok(`node: 0 429s (venue refusals unchanged: ${JSON.stringify(after)}), ${m['tdmaker_rate_limit_paced_total{action="delayed"}']} delayed, ${m['tdmaker_rate_limit_paced_total{action="dropped"}']} dropped at the cancel time`);
    await node.stop();
  } catch (e) {
    node.save();
    console.log(node.log.split("\n").slice(-60).join("\n"));
    throw e;
  }
}

try {
  await naiveBurst();
  await nodeBurst();
  rmSync(work, { recursive: true, force: true });
} catch (e) {
  console.error(`not ok - ${e.stack}\n(work dir kept: ${work})`);
  process.exit(1);
}
