// Fills and settlement (issue 7), the real node against tdmaker-venue with short
// slots of four assets, every fault kind on, and SIGKILL restarts at random
// moments. At the end the node's fills, settlements and total PnL must equal the
// venue's ground truth exactly: no fill missing or doubled, no position dropped.
//
// With FILLS_MODE=paper the same run is made in paper mode: nothing reaches the
// venue, fills are simulated from its real books, and the audit log, the fills and
// the PnL must agree with each other and with the venue's resolutions.
//
// With FILLS_WALLET=proxy or deposit the node trades as a POLY_PROXY or POLY_1271
// (deposit wallet) funder registered on the venue (the owner flagged "deposit
// wallet only" for the latter): the ground truth is the funder's account, and the
// owner EOA must have placed nothing in its own name. Lighter faults, no notifier check.
//
// Usage: node node_fills_check.mjs CLOB GAMMA WS RTDS ADMIN
// Env: TDMAKER_BIN, TDMAKER_VENUE_ADMIN_TOKEN, FILLS_MODE (live | paper, default live),
//      FILLS_SLOTS (slot periods to trade, default 4), FILLS_RESTARTS (SIGKILLs, default 2),
//      FILLS_SLOT_SECONDS (must match the venue's --slot-seconds, default 20), FILLS_SEED,
//      FILLS_WALLET ("" = EOA, proxy, deposit).
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "@ethersproject/wallet";
import { ClobClient } from "@polymarket/clob-client-v2";
import { ADDRESS, KEY, NodeProcess, STARTING_USDC, cash, compareFillsWithVenue, eventually, micros, nodeConfig, ok, sleep,
         venueAdmin } from "./lib.mjs";

const [clobUrl, gammaUrl, wsUrl, rtdsUrl, adminUrl] = process.argv.slice(2);
const bin = process.env.TDMAKER_BIN;
assert.ok(bin && process.env.TDMAKER_VENUE_ADMIN_TOKEN, "usage: TDMAKER_BIN=... node node_fills_check.mjs CLOB GAMMA WS RTDS ADMIN");
const venue = venueAdmin(adminUrl, process.env.TDMAKER_VENUE_ADMIN_TOKEN);
const SLOT = Number(process.env.FILLS_SLOT_SECONDS ?? 20);
const SLOTS = Number(process.env.FILLS_SLOTS ?? 4);
const RESTARTS = Number(process.env.FILLS_RESTARTS ?? 2);
const SEED = Number(process.env.FILLS_SEED ?? 7);
const MODE = process.env.FILLS_MODE ?? "live";
assert.ok(MODE === "live" || MODE === "paper", "FILLS_MODE is live or paper");
const WALLET = process.env.FILLS_WALLET ?? "";
const WALLET_TYPE = { proxy: "POLY_PROXY", deposit: "POLY_1271" }[WALLET];
assert.ok(WALLET === "" || WALLET_TYPE, "FILLS_WALLET is empty, proxy or deposit");
// Hardhat #3 and #2 addresses stand for the wallets; the key stays Hardhat #0.
const FUNDER = { proxy: "0x90F79bf6EB2c4f870365E785982E1f101E93b906", deposit: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" }[WALLET] ?? ADDRESS;
const work = mkdtempSync(join(tmpdir(), "tdmaker-fills-"));

// Deterministic "random" moments, so a failing run can be repeated with FILLS_SEED.
let rng = SEED;
const random = () => ((rng = (rng * 1103515245 + 12345) % 2147483648) / 2147483648);

// A Telegram Bot API stand-in: records every sendMessage the notifier makes.
const BOT_TOKEN = "777000:notifier-test-token-never-logged";
const received = [];
const receiver = createServer((req, res) => {
  let body = "";
  req.on("data", (d) => (body += d));
  req.on("end", () => {
    received.push({ path: req.url, body: body ? JSON.parse(body) : null });
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ ok: true, result: { message_id: received.length } }));
  });
});
await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
const receiverUrl = `http://127.0.0.1:${receiver.address().port}`;

const config = () => nodeConfig({ clobUrl, gammaUrl, wsUrl, rtdsUrl, work, slot: SLOT }, {
  node: { mode: MODE },
  feed: { breaker_failures: 3 },
  // Fills come near 0.55 and the books of losing outcomes sink: exits happen.
  stop_loss: { peak: "0.5", exit: "0.3", grace_ms: 2000 },
  notifier: { webhook_url: receiverUrl, chat_id: "4242", min_level: "info", per_minute: 600 },
  ...(WALLET_TYPE ? { wallet: { signature_type: WALLET_TYPE, funder: FUNDER } } : {}),
});
const nodeEnv = { TDMAKER_TELEGRAM_TOKEN: BOT_TOKEN };
let current = null; // the running node, whose log is kept if the check fails

/// The audit log so far; read while the node runs, a last line still being written is left out.
const readAudit = () => {
  const lines = readFileSync(join(work, "logs", "audit.jsonl"), "utf8").split("\n");
  const out = [];
  for (const [i, l] of lines.entries()) {
    if (!l) continue;
    try { out.push(JSON.parse(l)); } catch (e) { if (i < lines.length - 1) throw e; }
  }
  return out;
};

async function main() {
  if (WALLET_TYPE) {
    await venue.registerWallet(FUNDER, ADDRESS, WALLET_TYPE);
    if (WALLET === "deposit") await venue.depositWalletOnly(ADDRESS);
  }
  await venue.setFaults(WALLET_TYPE
    ? { seed: SEED, http_500: 0.05, ghost_order: 0.2, user_trade_drop: 0.25, user_trade_duplicate: 0.25 }
    : {
      seed: SEED, http_500: 0.05, http_429: 0.05, http_425: 0.05, ghost_order: 0.2,
      user_trade_drop: 0.25, user_trade_duplicate: 0.25, user_trade_delay: 0.2, user_trade_delay_ms: 1500,
      late_resolution: 0.3, late_resolution_s: 8, ws_drop_every_s: 13, ws_stall_every_s: 29,
    });
  const t0 = Date.now();
  const until = t0 + SLOTS * SLOT * 1000;
  // SIGKILL moments, spread over the run.
  const kills = Array.from({ length: RESTARTS }, () => t0 + 4000 + random() * (until - t0 - 6000)).sort((a, b) => a - b);
  let node = (current = new NodeProcess(bin, work, config(), nodeEnv));
  await node.ready();
  let restarts = 0;
  for (const at of kills) {
    await sleep(Math.max(0, at - Date.now()));
    await node.kill();
    ++restarts;
    node = current = new NodeProcess(bin, work, config(), nodeEnv);
    await node.ready();
  }
  await sleep(Math.max(0, until - Date.now()));
  ok(`traded ${SLOTS} slots of ${SLOT} s with ${restarts} SIGKILL restarts (${MODE})`);
  if (MODE === "paper") return checkPaper(node, until);

  // Quiesce: no new venue orders, nothing resting, every position resolved and settled.
  await node.phase("Experience", "test: stop sending orders");
  await eventually(async () => (await venue.account(FUNDER)).open_orders.length === 0, "no order of the node rests on the venue", 60000);
  await eventually(async () => Object.keys((await venue.account(FUNDER)).positions).length === 0,
                   "the venue resolved every market the account holds", 90000);
  const acct = await venue.account(FUNDER);
  const venueMarkets = new Set(acct.settlements.map((s) => s.market));
  await eventually(async () => {
    const st = (await node.status()).trading;
    return st.open_positions === 0 && st.settlements >= venueMarkets.size;
  }, "the node settled every position", 60000);
  const m = await node.metrics();
  if (WALLET_TYPE) await checkWallet(m);
  else await checkNotifier(node);
  await node.stop();

  // ---- fills, settlements and PnL: node == venue, each exactly once ----
  // After the switch to Experience the node keeps bidding on paper: that book is apart.
  const { fills, pnl: nodePnl, trades, settlementRecords: settlements } = compareFillsWithVenue(node, acct);
  assert.ok(acct.fills.length > 0, "the run produced fills");
  const fromReconcile = trades.filter((f) => f.source === "reconcile").length;
  ok(`fills: node ${fills} == venue ${acct.fills.length} (by trade and order id, size, price, token, side); ${fromReconcile} recovered by REST reconciliation`);
  const methods = {};
  for (const s of settlements) methods[s.method] = (methods[s.method] ?? 0) + 1;
  ok(`settlements: ${settlements.length} markets (${JSON.stringify(methods)}), payouts equal per market; total PnL ${Number(nodePnl) / 1e6} == venue fills and payouts == balance change`);

  // ---- the audit trail has every fill and settlement ----
  const audit = readFileSync(join(work, "logs", "audit.jsonl"), "utf8").split("\n").filter((l) => l).map((l) => JSON.parse(l));
  const auditedFills = new Set(audit.filter((a) => a.kind === "fill" && a.event === "booked").map((a) => a.fill.key));
  for (const f of trades) assert.ok(auditedFills.has(f.key), `fill ${f.key} is not in the audit log`);
  const auditedSettled = new Set(audit.filter((a) => a.kind === "settlement").map((a) => a.settlement.market));
  for (const s of settlements) assert.ok(auditedSettled.has(s.market), `settlement of ${s.market} is not in the audit log`);
  const exits = audit.filter((a) => a.kind === "stop_loss" && a.event === "exit").length;
  const shadows = audit.filter((a) => a.kind === "shadow_taker").length;
  const sells = trades.filter((f) => f.side === "SELL");
  ok(`audit log: ${auditedFills.size} fills and ${auditedSettled.size} settlements; ${exits} stop-loss exits decided, ${sells.length} sell fills (${sells.filter((f) => f.taker).length} as taker); ${shadows} shadow taker entries`);

  const injected = await venue.injected();
  console.log(`# faults injected: ${JSON.stringify(injected)}`);
  console.log(`# node metrics (last run): fills ${JSON.stringify(Object.fromEntries(Object.entries(m).filter(([k]) => k.startsWith("tdmaker_fill"))))}`);
}

/// The node signed as the wallet: the owner EOA placed nothing in its own name
/// (for a deposit wallet it could not: the owner is flagged), the funder did.
async function checkWallet(m) {
  assert.equal(m[`tdmaker_wallet_info{signature_type="${WALLET_TYPE}"}`], 1, "wallet type in /metrics");
  const own = await venue.account(ADDRESS);
  assert.equal(own.orders.length, 0, "no order has the owner EOA as maker");
  assert.equal(micros(own.usdc), STARTING_USDC, "the owner EOA's own balance is untouched");
  const funded = await venue.account(FUNDER);
  assert.ok(funded.orders.length > 0, "the funder's orders are on the venue");
  ok(`wallet: ${funded.orders.length} orders as ${WALLET_TYPE} maker ${FUNDER}; the owner EOA ${ADDRESS} has none and an unchanged balance`);
}

/// The notifier's webhook saw fills, settlements and a critical alert (safe mode,
/// forced by refusing every WebSocket for a while); no secret is anywhere.
async function checkNotifier(node) {
  await venue.setFaults({ seed: SEED, ws_refuse_windows: [{ in_s: 0, for_s: 600 }] }); // lifted once the alert is in
  await eventually(() => received.some((r) => r.body?.text?.startsWith("[CRITICAL] safe_mode: SAFE MODE ON")),
                   "the webhook receives the critical safe-mode alert", 30000);
  await venue.setFaults({ seed: SEED });
  for (const r of received) {
    assert.equal(r.path, `/bot${BOT_TOKEN}/sendMessage`, "Bot API path");
    assert.equal(r.body.chat_id, "4242", "chat id");
  }
  const texts = received.map((r) => r.body.text);
  assert.ok(texts.some((t) => t.startsWith("[INFO] fill: Fill: bought")), "a fill message");
  assert.ok(texts.some((t) => t.startsWith("[INFO] settlement: Settled")), "a settlement message");
  // Secrets: the private key, the API secret and passphrase, the bot token.
  const creds = await new ClobClient({ host: clobUrl, chain: 137, signer: new Wallet(KEY) }).deriveApiKey();
  const secrets = [KEY.slice(2), creds.secret, creds.passphrase, BOT_TOKEN];
  const logs = readdirSync(work).filter((f) => f.endsWith(".log")).map((f) => readFileSync(join(work, f), "utf8"));
  logs.push(node.log, readFileSync(join(work, "logs", "audit.jsonl"), "utf8"), JSON.stringify(texts));
  for (const text of logs)
    for (const secret of secrets) assert.ok(!text.includes(secret), "a secret leaked into a log, the audit trail or a message");
  ok(`notifier: ${received.length} messages to the webhook (fills, settlements, critical safe mode); no secret in ${logs.length} logs and messages`);
}

/// Paper mode: the venue saw nothing of ours; every fill is simulated, in the audit
/// log, and each market's paper PnL is its fills settled at the venue's winner.
async function checkPaper(node, until) {
  // Paper bidding goes on in later slots (paper mode has no phase without orders):
  // wait, on the audit log, until every market that ended within the traded period
  // is settled (end + resolution <= 11 s + grace 2 s), then judge those.
  const tradedUntilS = Math.floor(until / 1000);
  const endOf = new Map();
  const dueMarkets = async () => {
    const due = [];
    for (const mk of new Set(readAudit().filter((a) => a.kind === "fill" && a.event === "booked").map((a) => a.fill.market))) {
      if (!endOf.has(mk)) endOf.set(mk, Date.parse((await (await fetch(`${clobUrl}/markets/${mk}`)).json()).end_date_iso) / 1000);
      if (endOf.get(mk) <= tradedUntilS) due.push(mk);
    }
    return due;
  };
  await eventually(async () => {
    const settled = new Set(readAudit().filter((a) => a.kind === "settlement").map((a) => a.settlement.market));
    return (await dueMarkets()).every((mk) => settled.has(mk));
  }, "every market that ended while the node traded is settled", 90000);
  const m = await node.metrics();
  await node.stop();
  const acct = await venue.account();
  assert.equal(acct.orders.length, 0, "paper mode sends no order to the venue");
  assert.equal(acct.fills.length, 0, "paper mode has no venue fill");
  const trades = node.exportLedger("trades");
  assert.ok(trades.length > 0, "the run simulated fills");
  for (const f of trades) assert.equal(f.source, "paper", `fill ${f.key} is simulated`);
  const settlements = node.exportLedger("settlements");
  assert.ok(settlements.length > 0, "paper positions were settled");
  let total = 0n;
  for (const s of settlements) {
    assert.equal(s.paper, true, `settlement of ${s.market} is on the paper book`);
    const res = await (await fetch(`${clobUrl}/markets/${s.market}`)).json();
    const winner = res.tokens.find((t) => t.winner);
    assert.ok(winner, `the venue resolved ${s.market}`);
    assert.equal(s.winner, winner.token_id, `market ${s.market}: the node settled at the venue's winner`);
    let payout = 0n, flow = 0n;
    for (const f of trades.filter((t) => t.market === s.market)) {
      const sign = f.side === "BUY" ? 1n : -1n;
      flow += -sign * cash(f.size, f.price) - micros(f.fee);
      if (f.token === winner.token_id) payout += sign * micros(f.size);
    }
    assert.equal(micros(s.payout), payout, `market ${s.market}: payout from the simulated fills`);
    assert.equal(micros(s.pnl), payout + flow, `market ${s.market}: PnL from the simulated fills`);
    total += micros(s.pnl);
  }
  // The metric was read just before the stop: it is the sum of the settlements up to some moment.
  const metric = BigInt(Math.round(m.tdmaker_paper_pnl_usdc * 1e6));
  let prefix = 0n, matched = metric === 0n;
  for (const x of [...settlements].sort((a, b) => a.settled_ms - b.settled_ms)) {
    prefix += micros(x.pnl);
    matched ||= prefix === metric;
  }
  assert.ok(matched, `the paper PnL metric ${metric} is the sum of the settlements made by then`);
  const settledMarkets = new Set(settlements.map((x) => x.market));
  assert.equal(settledMarkets.size, settlements.length, "no market settled twice");
  const markets = new Set(trades.map((f) => f.market));
  let due = 0;
  for (const mk of markets) {
    const info = await (await fetch(`${clobUrl}/markets/${mk}`)).json();
    const end = Date.parse(info.end_date_iso) / 1000;
    if (end > tradedUntilS) continue; // ended after the traded period: not waited for
    ++due;
    assert.ok(settledMarkets.has(mk), `market ${mk} (ended ${tradedUntilS - end} s before the traded period did) has simulated fills but no settlement`);
  }
  const audit = readAudit();
  const auditedFills = new Set(audit.filter((a) => a.kind === "fill" && a.event === "booked").map((a) => a.fill.key));
  for (const f of trades) assert.ok(auditedFills.has(f.key), `paper fill ${f.key} is in the audit log`);
  const paperOrders = audit.filter((a) => a.kind === "order" && a.paper).length;
  const paperSells = trades.filter((f) => f.side === "SELL").length;
  ok(`paper: ${paperSells} simulated stop-loss sells, ${trades.length} simulated fills in ${markets.size} markets (${due} due, all settled), all audited (${paperOrders} paper order events); PnL ${Number(total) / 1e6} == settlements at the venue's winners; nothing sent to the venue`);
}

main()
  .then(() => receiver.close())
  .catch((e) => {
    console.error(e);
    if (current) {
      current.save("node-failed.log");
      console.error(`node log: ${join(work, "node-failed.log")}`);
    }
    process.exit(1);
  });
