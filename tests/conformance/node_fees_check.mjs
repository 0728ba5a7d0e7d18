// Per-market fees (issue 15): the real node against tdmaker-venue running series
// with non-default fee schedules (btc at rate 0.05, eth at rate 0.25 exponent 2;
// the others keep 0.07). The node's fees must equal the venue's to the micro-unit,
// fill by fill and in the total PnL, and both must equal the schedule the venue
// serves for the market, computed here independently (BigInt, floored to 5 decimals).
//
// Usage: node node_fees_check.mjs CLOB GAMMA WS RTDS ADMIN
// The venue must run with --slot-seconds FEES_SLOT_SECONDS and the --fee-schedule
// flags below (the ctest entry passes them). Env: TDMAKER_BIN, TDMAKER_VENUE_ADMIN_TOKEN,
// FEES_SLOT_SECONDS (default 20), FEES_MAX_SLOTS (default 10).
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeProcess, cash, eventually, micros, nodeConfig, ok, quiesce, sleep, venueAdmin, writeAlwaysSellModel } from "./lib.mjs";

const [clobUrl, gammaUrl, wsUrl, rtdsUrl, adminUrl] = process.argv.slice(2);
const bin = process.env.TDMAKER_BIN;
assert.ok(bin && process.env.TDMAKER_VENUE_ADMIN_TOKEN, "usage: TDMAKER_BIN=... node node_fees_check.mjs CLOB GAMMA WS RTDS ADMIN");
const venue = venueAdmin(adminUrl, process.env.TDMAKER_VENUE_ADMIN_TOKEN);
const SLOT = Number(process.env.FEES_SLOT_SECONDS ?? 20);
const MAX_SLOTS = Number(process.env.FEES_MAX_SLOTS ?? 10);
const label = SLOT % 60 === 0 ? `${SLOT / 60}m` : `${SLOT}s`;
// What the ctest entry configures (--fee-schedule btc-20s=0.05 --fee-schedule eth-20s=0.25:2).
const SCHEDULES = { btc: { rate: 50_000n, exponent: 1n }, eth: { rate: 250_000n, exponent: 2n } };
const DEFAULT = { rate: 70_000n, exponent: 1n };
const work = mkdtempSync(join(tmpdir(), "tdmaker-fees-"));

/// shares x rate x (p(1-p))^e, floored to 5 decimals: the rule in docs/polymarket.md, written again here.
const expectedFee = (size, px, { rate, exponent }) => {
  const p = micros(px);
  const q = p * (1_000_000n - p);
  const fee = (micros(size) * rate * q ** exponent) / (1_000_000n * 1_000_000_000_000n ** exponent);
  return (fee / 10n) * 10n;
};

const config = () => nodeConfig({ clobUrl, gammaUrl, wsUrl, rtdsUrl, work, slot: SLOT }, {
  discovery: { assets: ["btc", "eth", "sol"] },
  // An exit model that always says "sell": every fill is followed by a stop-loss exit
  // at the best bid, a taker who pays the fee, in every series the node fills in.
  // Waiting for prices to sink left runs without a taker fill in btc or eth.
  stop_loss: { model_file: writeAlwaysSellModel(work) },
  feed: undefined,
});

async function main() {
  // 1. The venue serves each series' schedule, in both places the node could read it.
  const series = {};
  for (const asset of ["btc", "eth", "sol"]) {
    const events = await (await fetch(`${gammaUrl}/events?series_slug=${asset}-up-or-down-${label}&closed=false&limit=1`)).json();
    assert.ok(events.length > 0, `the venue lists a ${asset} market`);
    const m = events[0].markets[0];
    const want = SCHEDULES[asset] ?? DEFAULT;
    assert.equal(micros(m.feeSchedule.rate), want.rate, `${asset}: Gamma feeSchedule.rate`);
    assert.equal(BigInt(m.feeSchedule.exponent), want.exponent, `${asset}: Gamma feeSchedule.exponent`);
    const clob = await (await fetch(`${clobUrl}/clob-markets/${m.conditionId}`)).json();
    assert.equal(micros(clob.fd.r), want.rate, `${asset}: /clob-markets fd.r`);
    assert.equal(BigInt(clob.fd.e), want.exponent, `${asset}: /clob-markets fd.e`);
    assert.equal(clob.fd.to, true, `${asset}: /clob-markets fd.to`);
    series[asset] = `rate ${m.feeSchedule.rate} exponent ${m.feeSchedule.exponent}`;
  }
  ok(`the venue serves per-series schedules in Gamma feeSchedule and /clob-markets fd: ${JSON.stringify(series)}`);

  // 2. Trade until the node has paid fees in both non-default series (bounded).
  const node = new NodeProcess(bin, work, config());
  await node.ready();
  const assetOf = new Map(); // market -> asset
  const takerAssets = async () => {
    const found = new Set();
    for (const f of node.exportLedger("trades").filter((t) => t.taker && t.source !== "paper")) {
      if (!assetOf.has(f.market))
        assetOf.set(f.market, (await (await fetch(`${clobUrl}/markets/${f.market}`)).json()).market_slug.split("-")[0]);
      found.add(assetOf.get(f.market));
    }
    return found;
  };
  const t0 = Date.now();
  await eventually(async () => {
    await sleep(2000); // an export per look: not in a tight loop
    const found = await takerAssets();
    return (found.has("btc") && found.has("eth")) || Date.now() - t0 > MAX_SLOTS * SLOT * 1000;
  }, "taker fills in the btc and eth series", MAX_SLOTS * SLOT * 1000 + 30000);
  const takersIn = await takerAssets();
  assert.ok(takersIn.has("btc") && takersIn.has("eth"), `the node paid a fee in both non-default series within ${MAX_SLOTS} slots (taker fills in: ${[...takersIn]})`);
  ok(`the node took liquidity in ${[...takersIn].join(", ")} within ${Math.round((Date.now() - t0) / 1000)} s`);

  // 3. Quiesce: no new venue orders, nothing resting, every position settled.
  const acct = await quiesce(node, venue);
  const m = await node.metrics();
  await node.stop();

  // 4. Fees: node == venue == the served schedule, fill by fill.
  const trades = node.exportLedger("trades").filter((f) => f.source !== "paper");
  const nodeFills = new Map(trades.map((f) => [`${f.trade_id}:${f.order_id}`, f]));
  const venueFills = new Map(acct.fills.map((f) => [`${f.trade_id}:${f.order_id}`, f]));
  assert.equal(nodeFills.size, venueFills.size, "the node booked every venue fill once");
  const paid = {};
  for (const [k, v] of venueFills) {
    const f = nodeFills.get(k);
    assert.ok(f, `venue fill ${k} is missing from the node`);
    if (!assetOf.has(f.market))
      assetOf.set(f.market, (await (await fetch(`${clobUrl}/markets/${f.market}`)).json()).market_slug.split("-")[0]);
    const asset = assetOf.get(f.market);
    const want = v.role === "TAKER" ? expectedFee(v.size, v.price, SCHEDULES[asset] ?? DEFAULT) : 0n;
    assert.equal(micros(v.fee), want, `fill ${k} (${asset} ${v.role} ${v.size} @ ${v.price}): the venue charged its series' schedule`);
    assert.equal(micros(f.fee), micros(v.fee), `fill ${k} (${asset} ${v.role} ${v.size} @ ${v.price}): node fee ${f.fee} vs venue ${v.fee}`);
    assert.equal(f.taker, v.role === "TAKER", `fill ${k}: role`);
    if (v.role === "TAKER") {
      paid[asset] ??= { fills: 0, fee: 0n, at_default: 0n };
      paid[asset].fills += 1;
      paid[asset].fee += want;
      paid[asset].at_default += expectedFee(v.size, v.price, DEFAULT);
    }
  }
  for (const a of ["btc", "eth"].filter((x) => paid[x]))
    assert.notEqual(paid[a].fee, paid[a].at_default, `${a}: the fees differ from what 0.07 would have charged`);
  const shown = Object.entries(paid).map(([a, p]) => `${a}: ${p.fills} taker fills, fees ${Number(p.fee) / 1e6} (0.07 would be ${Number(p.at_default) / 1e6})`);
  ok(`fees: ${venueFills.size} fills, node == venue == schedule to the micro-unit; ${shown.join("; ")}`);

  // 5. The PnL carries those fees: node total == venue fills and payouts == balance change.
  const settlements = node.exportLedger("settlements").filter((x) => !x.paper);
  const nodePnl = settlements.reduce((a, s) => a + micros(s.pnl), 0n);
  const nodeFees = settlements.reduce((a, s) => a + micros(s.fees), 0n);
  let venuePnl = 0n, venueFees = 0n;
  for (const f of acct.fills) {
    venuePnl += (f.side === "BUY" ? -1n : 1n) * cash(f.size, f.price) - micros(f.fee);
    venueFees += micros(f.fee);
  }
  for (const s of acct.settlements) venuePnl += micros(s.payout);
  assert.equal(nodeFees, venueFees, `total fees: node ${nodeFees} vs venue ${venueFees}`);
  assert.equal(nodePnl, venuePnl, `total PnL: node ${nodePnl} vs venue ${venuePnl}`);
  assert.equal(m["tdmaker_fills_fee_unknown_total"] ?? 0, 0, "no fill was booked without a fee schedule");
  assert.equal(m['tdmaker_markets_refused_total{reason="no_fee_schedule"}'] ?? 0, 0, "no market was refused for want of a schedule");
  ok(`PnL: ${settlements.length} settlements, fees ${Number(nodeFees) / 1e6} and PnL ${Number(nodePnl) / 1e6} == the venue's`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
