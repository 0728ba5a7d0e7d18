// Automatic downgrade (issue 16, seed 002): a live node starts in Scaling (10
// shares a rung) against tdmaker-venue. An exit model that always sells makes each
// fill a taker exit at the bid that pays the venue's fee, so nearly every settled
// market is a loss; two in a row must step the node down to RealMoneyTrial (5
// shares a rung) at once. Asserted: GET /phase and /status show RealMoneyTrial,
// /metrics has the phase gauge and the downgrade figures, the JSONL history has the
// downgrade line with its trigger and figures, the notifier's webhook got a critical
// message naming the trigger, and the venue's ground truth: every order the node
// placed after the downgrade is within the new limits (size per rung, per-market
// cap), the resting buys above them were cancelled, and the run's fills and PnL
// equal the venue's.
//
// Usage: node node_phase_downgrade_check.mjs CLOB GAMMA WS RTDS ADMIN
// Env: TDMAKER_BIN, TDMAKER_VENUE_ADMIN_TOKEN, DOWNGRADE_SLOT_SECONDS (the venue's
//      --slot-seconds, default 20), DOWNGRADE_SEED (fault seed, default 16).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeProcess, compareFillsWithVenue, eventually, micros, nodeConfig, ok, quiesce, readJsonl, runCheck, scriptEnv,
         webhookReceiver, writeAlwaysSellModel } from "./lib.mjs";

const env = scriptEnv("node_phase_downgrade_check.mjs");
const { bin, venue } = env;
const SLOT = Number(process.env.DOWNGRADE_SLOT_SECONDS ?? 20);
const SEED = Number(process.env.DOWNGRADE_SEED ?? 16);
const work = mkdtempSync(join(tmpdir(), "tdmaker-downgrade-"));
const BOT_TOKEN = "777016:downgrade-test-token";
const receiver = await webhookReceiver();
const FROM = "Scaling", TO = "RealMoneyTrial";
const LOSSES = 2; // consecutive losses that fire the downgrade
// The new phase's limits, which every order placed after the downgrade must keep.
const TO_SHARES = 5n * 1_000_000n, TO_PER_MARKET = micros("12");

const PHASE = {
  initial: FROM,
  session: { boundary_utc: "00:00", length_s: 60 },
  limits: {
    Scaling: { shares_per_rung: 10, max_exposure: "120", max_per_market: "36" },
    RealMoneyTrial: { shares_per_rung: 5, max_exposure: "40", max_per_market: "12" },
    ProofOfConcept: { shares_per_rung: 5, max_exposure: "40", max_per_market: "12", max_trades_per_session: 0 },
  },
  // Only the loss streak can fire, so the trigger is known: the rolling win rate
  // (threshold 0) and the session loss (0 = off) stay quiet.
  downgrade: { enabled: true, consecutive_losses: LOSSES, min_win_rate: "0", max_session_loss: "0" },
};
// The whole phase section is this script's (not merged with the trading scripts' one).
const config = { ...nodeConfig({ ...env, work, slot: SLOT }, {
  // Two assets: a slot settles two markets, so the second downgrade (RealMoneyTrial ->
  // ProofOfConcept, after two more losses) is at least a slot after the first.
  discovery: { assets: ["btc", "eth"] },
  stop_loss: { model_file: writeAlwaysSellModel(work) },
  // Every market is made to lose: the default loss limit (50) would halt trading
  // before the second downgrade's orders when a few exits sell into a thin bid.
  risk: { max_loss: "1000" },
  notifier: { webhook_url: receiver.url, chat_id: "1616", min_level: "info", per_minute: 600 },
}), phase: PHASE };
const nodeEnv = { TDMAKER_TELEGRAM_TOKEN: BOT_TOKEN };
let node = null;

const historyPath = join(work, "logs", "phase", "phase-history.jsonl");
const auditLog = () => readJsonl(join(work, "logs", "audit.jsonl"));

async function main() {
  await venue.setFaults({ seed: SEED });
  node = new NodeProcess(bin, work, config, nodeEnv);
  await node.ready();
  const start = await node.phaseStatus();
  assert.equal(start.phase, FROM, `the node starts in ${FROM}`);
  assert.ok(start.downgrade && Array.isArray(start.downgrade.watch), `GET /phase has the downgrade watch: ${JSON.stringify(start)}`);
  ok(`started live in ${FROM}; GET /phase watches ${start.downgrade.watch.map((w) => w.criterion).join(", ")}`);

  // ---- the downgrade: losses settle, the phase steps down by itself ----
  const down = await eventually(async () => {
    const p = await node.phaseStatus();
    return p.phase !== FROM && p;
  }, `a downgrade from ${FROM} after ${LOSSES} losses`, 8 * SLOT * 1000);
  const seenMs = Date.now();
  assert.equal(down.phase, TO, `one step down: ${FROM} -> ${TO}`);
  assert.equal(down.previous, FROM, "GET /phase: previous");
  assert.equal(down.source, "auto", "GET /phase: the phase manager switched by itself");
  // /status and /metrics follow on telemetry's next sample and budget snapshot.
  await eventually(async () => (await node.status()).phase?.phase === TO, `/status shows ${TO}`, 5000);
  const m = await eventually(async () => {
    const x = await node.metrics();
    return x[`tdmaker_phase{phase="${TO}"}`] === 1 && x['tdmaker_phase_limit{limit="shares_per_rung"}'] === Number(TO_SHARES) && x;
  }, `/metrics: tdmaker_phase{phase="${TO}"} 1 and ${TO}'s shares per rung`, 5000);
  assert.equal(m[`tdmaker_phase{phase="${FROM}"}`], 0, `/metrics: tdmaker_phase{phase="${FROM}"} 0`);
  assert.ok(m.tdmaker_phase_transitions_total >= 1, "/metrics: a transition counted");
  assert.equal(m['tdmaker_phase_downgrade_watch{trigger="consecutive_losses",figure="threshold"}'], LOSSES,
               "/metrics: the loss-streak trigger's threshold");
  assert.ok('tdmaker_phase_downgrade_watch{trigger="consecutive_losses",figure="value"}' in m, "/metrics: the loss-streak trigger's value");
  assert.ok("tdmaker_phase_loss_streak" in m, "/metrics: tdmaker_phase_loss_streak");
  assert.equal(m['tdmaker_phase_limit{limit="shares_per_rung"}'], Number(TO_SHARES), "/metrics: the new shares per rung");
  assert.equal(m['tdmaker_phase_limit{limit="max_per_market"}'], Number(TO_PER_MARKET), "/metrics: the new per-market cap");
  ok(`downgraded ${FROM} -> ${TO} by itself ${Math.round((seenMs - node.startedMs) / 1000)} s into the run: GET /phase, /status, /metrics agree`);

  // ---- the history: one downgrade line with its trigger and figures ----
  const line = await eventually(() => readJsonl(historyPath).find((h) => h.kind === "downgrade"), "a downgrade line in phase-history.jsonl");
  assert.equal(line.from, FROM, "history: from");
  assert.equal(line.to, TO, "history: to");
  assert.equal(line.source, "auto", "history: source");
  assert.equal(line.trigger, "consecutive_losses", "history: the trigger");
  const streak = line.criteria.find((c) => c.criterion === "consecutive_losses");
  assert.ok(streak, `history: the loss-streak criterion: ${JSON.stringify(line.criteria)}`);
  assert.ok(Number(streak.value) >= LOSSES, `history: streak value ${streak.value} >= ${LOSSES}`);
  assert.equal(Number(streak.threshold), LOSSES, "history: streak threshold");
  assert.equal(streak.pass, false, "history: the fired trigger does not pass");
  // The figures are the session's that fired it (the streak may span sessions): at least the last loss.
  assert.ok(line.figures.trades >= 1 && line.figures.losses >= 1 && typeof line.figures.pnl === "string",
            `history: the session's figures ${JSON.stringify(line.figures)}`);
  const T = line.ts_ms;
  ok(`history: downgrade at ${new Date(T).toISOString()}, trigger ${line.trigger} ${streak.value} >= ${streak.threshold}, figures: ${line.figures.trades} trades, pnl ${line.figures.pnl}`);

  // ---- the notifier: a critical message naming the trigger ----
  const alert = await eventually(() => receiver.texts().find((t) => t.startsWith("[CRITICAL]") && /consecutive.losses/i.test(t)),
                                 "a critical webhook message naming the loss streak");
  for (const r of receiver.received) assert.equal(r.path, `/bot${BOT_TOKEN}/sendMessage`, "Bot API path");
  ok(`notifier: "${alert}"`);

  // ---- the venue: nothing above the new limits rests, and the node trades on at the new size ----
  const limitOk = (o) => o.side !== "BUY" || micros(o.original_size) <= TO_SHARES;
  await eventually(async () => (await venue.account()).open_orders.every(limitOk),
                   "no buy above the new shares per rung rests on the venue", 10000);
  const placedAfter = async () => {
    const placing = new Map(auditLog().filter((a) => a.kind === "order" && a.event === "placing").map((a) => [a.order_id, a.ts_ms]));
    return (await venue.account()).orders.filter((o) => o.side === "BUY" && placing.get(o.id) > T);
  };
  const after = await eventually(async () => (await placedAfter()).length > 0 && placedAfter(),
                                 "an order placed after the downgrade", 4 * SLOT * 1000);
  ok(`the node trades on: ${after.length} buys placed after the downgrade so far`);

  // ---- quiesce; then the whole run against the venue ----
  const acct = await quiesce(node, venue);
  const whole = compareFillsWithVenue(node, acct);
  await node.stop();
  checkOrders(acct, T);
  ok(`fills: node ${whole.fills} == venue; ${whole.settlements} settlements, PnL ${Number(whole.pnl) / 1e6} == the venue's balance change`);
}

/// Ground truth: every buy the node placed after the downgrade is within the new
/// limits; every buy above them resting when it fired was cancelled then.
function checkOrders(acct, T) {
  const audit = auditLog().filter((a) => a.kind === "order" && !a.paper);
  const events = new Map();
  for (const a of audit) {
    if (!events.has(a.order_id)) events.set(a.order_id, []);
    events.get(a.order_id).push(a);
  }
  const placedAt = (id) => events.get(id)?.find((a) => a.event === "placing")?.ts_ms;
  const endedAt = (id) => events.get(id)?.find((a) => ["cancelled", "filled", "rejected"].includes(a.state))?.ts_ms ?? Infinity;
  const buys = acct.orders.filter((o) => o.side === "BUY");
  for (const o of buys) assert.ok(placedAt(o.id), `venue order ${o.id} has a placing line in the node's audit log`);
  const afterBuys = buys.filter((o) => placedAt(o.id) > T);
  const perMarket = new Map();
  for (const o of afterBuys) {
    assert.ok(micros(o.original_size) <= TO_SHARES, `order ${o.id} placed ${placedAt(o.id) - T} ms after the downgrade has ${o.original_size} shares > ${TO}'s ${TO_SHARES / 1_000_000n}`);
    perMarket.set(o.market, (perMarket.get(o.market) ?? 0n) + (micros(o.original_size) * micros(o.price)) / 1_000_000n);
  }
  for (const [market, cost] of perMarket)
    assert.ok(cost <= TO_PER_MARKET, `market ${market}: ${cost} micro-pUSD of buys after the downgrade > the cap ${TO_PER_MARKET}`);
  // Resting above the new size when the downgrade fired: each must end at once, by a cancel.
  const resting = buys.filter((o) => placedAt(o.id) < T && endedAt(o.id) > T && micros(o.original_size) > TO_SHARES);
  for (const o of resting) {
    const v = acct.orders.find((x) => x.id === o.id);
    assert.ok(v.status === "CANCELED" || micros(v.size_matched) === micros(v.original_size),
              `order ${o.id} (${o.original_size} shares) resting at the downgrade ended ${v.status} on the venue`);
    const end = endedAt(o.id);
    assert.ok(end - T < 5000, `order ${o.id} resting above the limits ended ${end - T} ms after the downgrade`);
  }
  ok(`venue: ${afterBuys.length} buys after the downgrade, each <= ${TO_SHARES / 1_000_000n} shares, markets <= the cap; ${resting.length} resting buys above the limits cancelled at the downgrade`);
}

await runCheck(main, { current: () => node, work, cleanup: async () => {
  await receiver.close();
  rmSync(work, { recursive: true, force: true });
} });
