// The 99c capture beside the TD maker (issue 17), the real node live against
// tdmaker-venue with both strategies on, short slots of four assets:
//   - captures (orders of strategy capture_99c) are placed only in the last
//     entry_window_s of their slots (and not in the last stop_before_end_s), never on
//     both outcomes of a market, each with a capture_entry audit line carrying its
//     confidence; most land on the outcome that then wins (> 50 % once there are 3);
//   - right after the first capture fill the test scripts an adverse move of that
//     asset's reference (POST /admin/reference, against the held outcome): the
//     market's tdmaker_danger_score in /metrics rises past danger.exit_at, the capture
//     position is sold on the venue, the audit log has the "danger" line whose action
//     is the exit, and the notifier says why with the figures;
//   - fills equal the venue's fill by fill, PnL by strategy (export and /status) sums
//     to the total, which equals the venue's; sampled every second, neither
//     strategy's reserved budget ever exceeds its limit, nor its limit its cap.
//
// Usage: node node_capture_check.mjs CLOB GAMMA WS RTDS ADMIN
// The venue must run with --slot-seconds CAPTURE_SLOT_SECONDS (the ctest entry passes it).
// Env: TDMAKER_BIN, TDMAKER_VENUE_ADMIN_TOKEN, CAPTURE_SLOT_SECONDS (default 30),
//      CAPTURE_SLOTS (slots traded, default 5), CAPTURE_MOVE_BPS (size of the adverse
//      move, default 300), CAPTURE_PROBE=1: the venue side only (the node without a
//      strategies section, the TD maker alone; the reference admin call, its refusals
//      and the Gamma rule are checked, and the fills against the venue) - for a build
//      that does not know strategies.* yet.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { NodeProcess, compareFillsWithVenue, eventually, micros, nodeConfig, ok, quiesce, readJsonl, runCheck,
         scriptEnv, sleep, webhookReceiver } from "./lib.mjs";

const env = scriptEnv("node_capture_check.mjs", "capture");
const { clobUrl, gammaUrl, rtdsUrl, adminUrl, bin, venue } = env;
const SLOT = Number(process.env.CAPTURE_SLOT_SECONDS ?? 30);
const SLOTS = Number(process.env.CAPTURE_SLOTS ?? 5);
const MOVE_BPS = Number(process.env.CAPTURE_MOVE_BPS ?? 300);
const PROBE = process.env.CAPTURE_PROBE === "1";
const label = SLOT % 60 === 0 ? `${SLOT / 60}m` : `${SLOT}s`;
const work = mkdtempSync(join(tmpdir(), "tdmaker-capture-"));
const CAPTURE = "capture_99c";
const TD = "td_maker";

// Captures in the last 2/3 of a slot, not in its last 3 s; a threshold the venue's
// world reaches (its makers quote a GBM fair value, so the leader's ask is 0.9x late).
const WINDOW_S = Math.max(10, Math.round((SLOT * 2) / 3));
const STOP_BEFORE_S = 3;
const EXIT_AT = 60;
const CAPS = { [TD]: 20_000_000n, [CAPTURE]: 10_000_000n };
const strategies = {
  td_maker: { enabled: true, max_exposure: "20" },
  capture_99c: {
    enabled: true, entry_window_s: WINDOW_S, stop_before_end_s: STOP_BEFORE_S, threshold: "0.65", max_price: "0.99",
    shares: 5, max_exposure: "10", presign: true,
    danger: { exit_at: EXIT_AT, weights: { confidence_drop: 40, adverse_velocity: 25, time_left: 15, opposite_bid: 20 } },
  },
};

let current = null;
const auditPath = () => join(work, "logs", "audit.jsonl");
const audit = () => readJsonl(auditPath());
const isCapture = (x) => x.strategy === CAPTURE;
/// A held quantity however /status writes it (true, "5", "5.000000", 5).
const holds = (h) => h === true || (h !== false && h != null && Number(h) > 0);

async function main() {
  const hook = await webhookReceiver();
  try {
    await run(hook);
  } finally {
    await hook.close(); // else its listening socket keeps the script alive
  }
}

async function run(hook) {
  const cfg = nodeConfig({ ...env, work, slot: SLOT }, {
    notifier: { webhook_url: hook.url, chat_id: "4242", min_level: "info", per_minute: 600 },
    ...(PROBE ? {} : { strategies }),
  });
  const checkPath = join(work, "check.json");
  writeFileSync(checkPath, JSON.stringify(cfg));
  const check = spawnSync(bin, ["--check-config", checkPath], { encoding: "utf8" });
  assert.equal(check.status, 0, `the node refuses the two-strategy config (does this build know strategies.*?): ${check.stderr}`);

  await checkVenueSide();

  const node = (current = new NodeProcess(bin, work, cfg, { TDMAKER_TELEGRAM_TOKEN: "777000:capture-test-token" }));
  await node.ready();
  const t0 = Date.now();
  const until = t0 + SLOTS * SLOT * 1000;
  const budget = sampleBudgets(node);

  await eventually(async () => (await venue.account()).fills.length > 0, "the node's first fill on the venue", SLOT * 2000);
  ok("the node trades live against the venue (first fill)");

  const move = PROBE ? await probeMove() : await adverseMove(node, until);
  await sleep(Math.max(0, until - Date.now()));
  ok(`traded ${SLOTS} slots of ${SLOT} s`);

  const acct = await quiesce(node, venue);
  const status = await node.status();
  budget.stop();
  await budget.done;
  const { fills, pnl, trades, settlementRecords } = compareFillsWithVenue(node, acct);
  ok(`fills: node ${fills} == venue ${acct.fills.length} fill by fill; total PnL ${Number(pnl) / 1e6} == venue fills and payouts == balance change`);
  budget.report();
  if (PROBE) {
    await node.stop();
    console.log("# probe only: the capture checks need a build with both strategies");
    return;
  }
  checkPnlByStrategy(status, trades, settlementRecords, pnl);
  const captures = await checkCaptures(node, trades, move.market);
  await checkDangerExit(move, trades, hook);
  await node.stop();
  console.log(`# captures: ${JSON.stringify(captures)}`);
}

/// What the venue itself must do for this check, before any node runs: Gamma
/// announces the rule of each market and the reference admin call is validated.
async function checkVenueSide() {
  const events = await (await fetch(`${gammaUrl}/events?series_slug=btc-up-or-down-${label}&closed=false&limit=1`)).json();
  assert.ok(events.length > 0, `the venue lists a btc ${label} market (is it run with --slot-seconds ${SLOT}?)`);
  const cmc = events[0].markets[0].cryptoMarketConfig;
  assert.ok(cmc && typeof cmc.twapEnabled === "boolean", "Gamma markets carry cryptoMarketConfig.twapEnabled");
  assert.equal(cmc.duration, label, "cryptoMarketConfig.duration");
  const post = (body, auth = true) => fetch(`${adminUrl}/admin/reference`, {
    method: "POST", body: JSON.stringify(body),
    headers: auth ? { Authorization: `Bearer ${process.env.TDMAKER_VENUE_ADMIN_TOKEN}` } : {},
  });
  assert.equal((await post({ asset: "btc", move_bps: 10 }, false)).status, 401, "the reference call needs the admin token");
  for (const bad of [{ asset: "doge", move_bps: 10 }, { asset: "btc", move_bps: 5001 }, { asset: "btc" }, { asset: "btc", move_bps: "10" }]) {
    const r = await post(bad);
    assert.equal(r.status, 400, `refused: ${JSON.stringify(bad)}`);
    assert.ok((await r.json()).error, "with a reason");
  }
  const jumps = await venueJumps();
  assert.equal(Object.values(jumps).reduce((a, n) => a + n, 0), 0, "no jump counted after the refusals");
  ok(`venue: Gamma announces ${cmc.twapEnabled ? "twap60" : "spot"} resolution (${cmc.id}); bad reference moves are refused (401/400) and move nothing`);
}

async function venueJumps() {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  const out = {};
  for (const m of text.matchAll(/^venue_reference_jumps_total\{asset="([a-z]+)"\} (\d+)$/gm)) out[m[1]] = Number(m[2]);
  return out;
}

/// POST /admin/reference; returns the venue's answer (value_before / value_after)
/// once RTDS, the node's source, has published a price from the moved path.
async function moveReference(asset, bps, moved = () => {}) {
  const rtds = new WebSocket(rtdsUrl);
  const updates = [];
  rtds.on("message", (d) => { try { const f = JSON.parse(d); if (f.type === "update") updates.push(f.payload); } catch { /* not a frame of ours */ } });
  await new Promise((res, rej) => { rtds.once("open", res); rtds.once("error", rej); });
  rtds.send(JSON.stringify({ action: "subscribe", subscriptions: [{ topic: "crypto_prices_chainlink", type: "*",
                                                                   filters: JSON.stringify({ symbol: `${asset}/usd` }) }] }));
  const r = await fetch(`${adminUrl}/admin/reference`, {
    method: "POST", headers: { Authorization: `Bearer ${process.env.TDMAKER_VENUE_ADMIN_TOKEN}` },
    body: JSON.stringify({ asset, move_bps: bps }),
  });
  moved();
  const text = await r.text();
  assert.equal(r.status, 200, text);
  const body = JSON.parse(text);
  assert.equal(body.asset, asset);
  assert.equal(Number(body.move_bps), bps);
  // round(before x (10000 + bps) / 10000) in 10^-8 units.
  const e8 = (t) => { const [i, f = ""] = t.split("."); return BigInt(i) * 100_000_000n + BigInt((f + "00000000").slice(0, 8)); };
  const want = (e8(body.value_before) * BigInt(10_000 + bps) + 5_000n) / 10_000n;
  assert.equal(e8(body.value_after), want, `value_after is value_before moved ${bps} bps`);
  // The next ticks move on from value_after (a second of GBM is far below the jump).
  const from = updates.length, after = Number(body.value_after);
  await eventually(() => updates.slice(from).some((u) => Math.abs(Number(u.value) / after - 1) < Math.abs(bps) / 40_000),
                   `an RTDS ${asset}/usd tick near ${body.value_after}`, 5000);
  rtds.close();
  return body;
}

/// Probe mode: one scripted jump while the TD maker trades, counted by the venue.
async function probeMove() {
  const body = await moveReference("btc", -MOVE_BPS);
  assert.equal((await venueJumps()).btc, 1, "venue_reference_jumps_total{asset=btc}");
  ok(`venue: btc reference moved ${-MOVE_BPS} bps (${body.value_before} -> ${body.value_after}), published on RTDS, counted in /metrics`);
  return { market: null };
}

/// Waits for the first live capture fill with time left to exit, then moves that
/// asset's reference against it and watches the danger score and the exit.
async function adverseMove(node, until) {
  const held = await eventually(async () => {
    const st = await node.status();
    assert.ok(st.strategies, "/status has \"strategies\"");
    const ms = st.strategies[CAPTURE]?.markets ?? [];
    for (const m of ms) {
      if (m.paper || !holds(m.holding)) continue;
      const end = await slotEnd(m.market);
      if (end - Date.now() / 1000 >= 8) return { ...m, end };
    }
    return null;
  }, "a live capture position with at least 8 s of its slot left", Math.max(10000, until - Date.now() + SLOT * 1000));
  assert.ok(held.side === "up" || held.side === "down", `capture side ${held.side}`);
  const token = await tokenOf(held.market, held.side);
  const bps = held.side === "up" ? -MOVE_BPS : MOVE_BPS; // against the held outcome
  const asset = held.asset ?? (await marketInfo(held.market)).asset;
  const sellsBefore = (await venue.account()).fills.filter((f) => f.side === "SELL" && f.asset_id === token).length;
  const metric = `tdmaker_danger_score{market="${held.market}"}`;
  const before = (await node.metrics())[metric];
  // Watch /metrics from just before the move until the venue shows the capture
  // position sold (and half a second on); a sell as fast as a local round trip may
  // leave no sample past the threshold, said below.
  let maxScore = before ?? 0, samples = 0, soldAt = 0, movedAt = 0;
  const watch = eventually(async () => {
    const v = (await node.metrics())[metric];
    if (v !== undefined && movedAt) { maxScore = Math.max(maxScore, v); ++samples; }
    const sells = (await venue.account()).fills.filter((f) => f.side === "SELL" && f.asset_id === token).length;
    if (movedAt && sells > sellsBefore && !soldAt) soldAt = Date.now();
    return soldAt && Date.now() - soldAt > 500;
  }, "the capture position is sold on the venue after the adverse move", Math.max(5000, (held.end + 5) * 1000 - Date.now()))
    .then(() => null, (e) => e); // judged below, after the move's own checks
  const rtdsSeen = moveReference(asset, bps, () => { movedAt = Date.now(); });
  const body = await rtdsSeen;
  ok(`capture held: ${held.market} ${held.side} (confidence ${held.confidence_ppm} ppm, peak ${held.peak_confidence_ppm} ppm, danger ${held.danger_score}); ${asset} reference moved ${bps} bps (${body.value_before} -> ${body.value_after}) with ${Math.round(held.end - movedAt / 1000)} s left`);
  const late = await watch;
  if (late) throw late;
  // /metrics is sampled: the node can decide and sell between two polls (the reference
  // tick, the score past exit_at and the sell in one evaluation), so a sample past the
  // threshold is not required; the audit line of the exit, with its score, is (checkDangerExit).
  if (samples > 0 && maxScore < EXIT_AT)
    console.log(`# danger: ${samples} samples of ${metric} after the move, max ${maxScore}: the sale came between two polls`);
  ok(`danger: ${metric} ${before ?? "absent"} -> max ${maxScore} (${samples} samples, exit_at ${EXIT_AT}); sold on the venue ${soldAt - movedAt} ms after the move`);
  return { market: held.market, side: held.side, token, movedAt, maxScore, samples };
}

const infoCache = new Map();
async function marketInfo(market) {
  if (!infoCache.has(market)) {
    const info = await (await fetch(`${clobUrl}/markets/${market}`)).json();
    const slug = info.market_slug ?? "";
    infoCache.set(market, { ...info, end: Date.parse(info.end_date_iso) / 1000, asset: slug.split("-")[0] || undefined });
  }
  return infoCache.get(market);
}
const slotEnd = async (market) => (await marketInfo(market)).end;
async function tokenOf(market, side) {
  const t = (await marketInfo(market)).tokens.find((x) => x.outcome.toLowerCase() === side);
  assert.ok(t, `market ${market} has an ${side} token`);
  return t.token_id;
}

/// Samples /status every second: per strategy, reserved <= limit <= its cap.
function sampleBudgets(node) {
  const seen = { samples: 0, max: {}, limits: {}, error: null };
  let running = true;
  const done = (async () => {
    while (running && !seen.error) {
      const st = await node.status().catch(() => null);
      const rows = st?.budget?.strategies
        ?? Object.entries(st?.strategies ?? {}).map(([strategy, s]) => ({ strategy, enabled: s.enabled, ...s.budget }));
      if (rows?.length) {
        ++seen.samples;
        for (const b of rows) {
          const limit = micros(b.limit), reserved = micros(b.reserved);
          // Kept, not thrown here: the sampler runs beside the test's own waits.
          if (reserved > limit) seen.error ??= `${b.strategy} reserved ${b.reserved} over its limit ${b.limit}`;
          if (CAPS[b.strategy] !== undefined && limit > CAPS[b.strategy])
            seen.error ??= `${b.strategy} limit ${b.limit} over its configured cap ${Number(CAPS[b.strategy]) / 1e6}`;
          seen.max[b.strategy] = seen.max[b.strategy] > reserved ? seen.max[b.strategy] : reserved;
          seen.limits[b.strategy] = b.limit;
        }
      }
      await sleep(1000);
    }
  })();
  return {
    done,
    stop: () => { running = false; },
    report: () => {
      assert.equal(seen.error, null, "budget sampled from /status");
      if (PROBE && seen.samples === 0) return console.log("# budget: this build shows no per-strategy budget");
      assert.ok(seen.samples > 10, `per-strategy budgets sampled from /status (${seen.samples} samples)`);
      for (const s of [TD, CAPTURE]) assert.ok(seen.max[s] !== undefined, `/status shows ${s}'s budget`);
      const fmt = (s) => `${s} max reserved ${Number(seen.max[s]) / 1e6} of ${seen.limits[s]}`;
      ok(`budgets: ${seen.samples} samples a second apart, reserved <= limit <= cap throughout; ${fmt(TD)}, ${fmt(CAPTURE)}`);
    },
  };
}

/// PnL by strategy, from the export (each settlement's by_strategy) and /status,
/// sums to the total, which compareFillsWithVenue found equal to the venue's.
function checkPnlByStrategy(status, trades, settlements, total) {
  const byStrategy = {};
  for (const s of settlements) {
    const parts = s.by_strategy?.length ? s.by_strategy : [{ strategy: TD, pnl: s.pnl }]; // old records: all the TD maker's
    let sum = 0n;
    for (const p of parts) {
      sum += micros(p.pnl);
      byStrategy[p.strategy] = (byStrategy[p.strategy] ?? 0n) + micros(p.pnl);
    }
    assert.equal(sum, micros(s.pnl), `settlement of ${s.market}: by_strategy sums to its PnL`);
  }
  const sum = Object.values(byStrategy).reduce((a, v) => a + v, 0n);
  assert.equal(sum, total, "export: PnL by strategy sums to the total");
  for (const f of trades) assert.ok(f.strategy === TD || f.strategy === CAPTURE, `fill ${f.key} has a strategy (${f.strategy})`);
  assert.ok(trades.some(isCapture), "some fills are the capture's");
  assert.ok(byStrategy[CAPTURE] !== undefined, "the capture has settled PnL");
  const live = Object.fromEntries(Object.entries(status.strategies).map(([k, s]) => [k, micros(s.pnl?.live ?? "0")]));
  assert.equal(Object.values(live).reduce((a, v) => a + v, 0n), micros(status.trading.realised_pnl),
               "/status: strategies' live PnL sums to trading.realised_pnl");
  for (const [k, v] of Object.entries(byStrategy))
    assert.equal(live[k], v, `/status strategies.${k}.pnl.live == the export's`);
  ok(`PnL by strategy: ${Object.entries(byStrategy).map(([k, v]) => `${k} ${Number(v) / 1e6}`).join(", ")}; sums to ${Number(total) / 1e6} (export and /status)`);
}

/// Capture orders: in the window, one outcome per market, audited with their
/// confidence; the outcome captured mostly wins.
async function checkCaptures(node, trades, movedMarket) {
  // Entries only: the capture's exits (danger, winning exit) are its sells.
  const orders = node.exportOrders().filter((o) => isCapture(o) && o.side === "BUY");
  assert.ok(orders.length > 0, "the capture placed orders");
  const venueOrders = new Map((await venue.account()).orders.map((o) => [o.id, o]));
  const sides = new Map();
  for (const o of orders) {
    const left = o.slot_end_s - Math.floor(o.created_ms / 1000);
    assert.ok(left <= WINDOW_S && left >= STOP_BEFORE_S - 1,
              `capture order ${o.order_id} placed ${left} s before its slot's end (window ${WINDOW_S}..${STOP_BEFORE_S} s)`);
    const v = venueOrders.get(o.order_id);
    if (v && !o.paper) assert.ok(v.market_end_s - v.created_s <= WINDOW_S, `venue: capture order ${o.order_id} in the window`);
    if (!sides.has(o.market)) sides.set(o.market, new Set());
    sides.get(o.market).add(o.token);
  }
  for (const [m, s] of sides) assert.equal(s.size, 1, `market ${m}: captures on both outcomes`);
  const entries = audit().filter((a) => a.event === "capture_entry");
  for (const m of sides.keys()) {
    const e = entries.filter((a) => a.market === m);
    assert.ok(e.length > 0, `market ${m}: a capture_entry audit line`);
    assert.ok(e.every((a) => Object.keys(a).some((k) => k.includes("confidence"))), `market ${m}: the entry line has the confidence`);
  }
  ok(`captures: ${orders.length} orders in ${sides.size} markets, all within the last ${WINDOW_S} s (not the last ${STOP_BEFORE_S}), one outcome each, with ${entries.length} capture_entry audit lines`);

  // Which captured outcome won (live fills; the scripted market is left out: it was made to lose).
  let won = 0, judged = 0;
  for (const m of new Set(trades.filter((f) => isCapture(f) && f.side === "BUY").map((f) => f.market))) {
    if (m === movedMarket) continue;
    const info = await (await fetch(`${clobUrl}/markets/${m}`)).json();
    const winner = info.tokens.find((t) => t.winner);
    assert.ok(winner, `the venue resolved ${m}`);
    const token = trades.find((f) => isCapture(f) && f.market === m && f.side === "BUY").token;
    ++judged;
    if (token === winner.token_id) ++won;
  }
  const ratio = judged ? won / judged : 0;
  if (judged >= 3) assert.ok(ratio > 0.5, `captures won ${won} of ${judged}`);
  ok(`captures on the winning outcome: ${won} of ${judged} (${Math.round(ratio * 100)} %)${judged < 3 ? ", too few to require > 50 %" : ""}`);
  return { orders: orders.length, markets: sides.size, won, judged };
}

/// After the adverse move: the capture's sell is in the node's ledger, the audit
/// log has the danger line that exited it, and the notifier said why.
async function checkDangerExit(move, trades, hook) {
  const sells = trades.filter((f) => f.market === move.market && f.token === move.token && f.side === "SELL" && isCapture(f));
  assert.ok(sells.length > 0, `the node booked the capture's sell in ${move.market}`);
  const lines = audit().filter((a) => a.event === "danger" && a.market === move.market);
  // The contract names the action "exit"; the seam's first cut writes "over threshold".
  const exit = lines.find((a) => /exit|over threshold/.test(String(a.action)));
  assert.ok(exit, `an audit "danger" line with the exit for ${move.market} (found ${JSON.stringify(lines.slice(-2))})`);
  const score = Number(exit.score ?? exit.danger_score ?? exit.danger?.score);
  assert.ok(score >= EXIT_AT, `the exit's audit line has its score ${score} >= ${EXIT_AT}`);
  if (move.samples === 0) console.log(`# danger: the position was sold before /metrics could be sampled; the audit line says ${score}`);
  // The message names the market and gives the score that decided (some figure >= exit_at).
  const why = (t) => /danger/i.test(t) && t.includes(move.market.slice(0, 10))
                     && (t.match(/\d+/g) ?? []).some((n) => Number(n) >= EXIT_AT && Number(n) <= 100);
  await eventually(() => hook.texts().some(why), "the notifier's danger message with the market and its score", 10000);
  const text = hook.texts().find(why);
  ok(`danger exit: ${sells.length} capture sell fill(s) booked, audit action "${exit.action}" at score ${score}; notifier: ${JSON.stringify(text.slice(0, 160))}`);
}

await runCheck(main, { current: () => current, work });
