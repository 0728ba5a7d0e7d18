// Profitability gate and trade limit (issue 16, seed 002): a node with a key in
// node.mode live starts in Experience, so it trades on paper against
// tdmaker-venue's real books. With short sessions and a lenient
// Experience->ProofOfConcept gate its paper settlements earn the gate: GET /phase
// shows it passing and the upgrade proposed. The operator confirms with `tdmaker
// ctl phase`; the next order reaches the venue signed, without a restart. In
// ProofOfConcept (one trade a session) the venue sees at most one new market a
// session, also across a SIGKILL restart in the middle of a session. Then a switch
// to Scaling is refused (409, the failing criteria with values and thresholds), a
// forced one goes through (200, "override": true, a line in phase-overrides.jsonl),
// and `tdmaker phase history` (CSV and JSONL) holds every transition of the run,
// line by line equal to logs/phase/phase-history.jsonl. Last, the live fills and
// PnL equal the venue's: the paper and live books never mixed.
//
// Usage: node node_phase_gate_check.mjs CLOB GAMMA WS RTDS ADMIN
// Env: TDMAKER_BIN, TDMAKER_VENUE_ADMIN_TOKEN, GATE_SLOT_SECONDS (the venue's
//      --slot-seconds, default 20), GATE_SESSION_SECONDS (default 30).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeProcess, compareFillsWithVenue, eventually, nodeConfig, ok, quiesce, readJsonl, runCheck, scriptEnv,
         webhookReceiver } from "./lib.mjs";

const env = scriptEnv("node_phase_gate_check.mjs");
const { bin, venue } = env;
const SLOT = Number(process.env.GATE_SLOT_SECONDS ?? 20);
const SESSION_S = Number(process.env.GATE_SESSION_SECONDS ?? 30);
const SESSION_MS = SESSION_S * 1000;
const work = mkdtempSync(join(tmpdir(), "tdmaker-gate-"));
const receiver = await webhookReceiver();
const BOT_TOKEN = "777016:gate-test-token";
// A market is counted shortly before its first order goes out: an order this close
// after a session boundary may have been counted in the session before.
const COUNT_SLACK_MS = 2000;

const PHASE = {
  initial: "Experience",
  auto_upgrade: false,
  session: { boundary_utc: "00:00", length_s: SESSION_S },
  limits: { ProofOfConcept: { max_trades_per_session: 1 } },
  gates: { ProofOfConcept: { window_sessions: 20, min_sessions: 1, min_trades: 1, min_win_rate: "0", min_rr: "0",
                             require_positive_pnl: false } },
  // Live losses in ProofOfConcept must not take the node back to paper mid-test.
  downgrade: { enabled: false },
};
// The whole phase section is this script's (not merged with the trading scripts' one).
const config = { ...nodeConfig({ ...env, work, slot: SLOT }, {
  notifier: { webhook_url: receiver.url, chat_id: "1616", min_level: "info", per_minute: 600 },
}), phase: PHASE };
const nodeEnv = { TDMAKER_TELEGRAM_TOKEN: BOT_TOKEN };
let node = null;

const phaseDir = join(work, "logs", "phase");
const history = () => readJsonl(join(phaseDir, "phase-history.jsonl"));
const auditLog = () => readJsonl(join(work, "logs", "audit.jsonl"));
const sessionOf = (ms) => Math.floor(ms / SESSION_MS);

async function main() {
  await venue.setFaults({ seed: 16 });
  node = new NodeProcess(bin, work, config, nodeEnv);
  await node.ready();
  const pid = node.proc.pid;
  const first = await node.phaseStatus();
  assert.equal(first.phase, "Experience", "the node starts in Experience");
  assert.equal(first.gate.transition, "Experience->ProofOfConcept", "GET /phase: the gate toward ProofOfConcept");
  assert.equal(first.upgrade_proposed, false, "nothing proposed before any trade");
  ok(`started in Experience (node.mode live, with a key); gate ${first.gate.transition} pass=${first.gate.pass}`);

  // ---- 1. paper trades earn the gate; the node proposes, it does not switch ----
  const proposed = await eventually(async () => {
    const p = await node.phaseStatus();
    return p.gate.pass && p.upgrade_proposed && p;
  }, "the paper run earns the Experience->ProofOfConcept gate", 8 * SLOT * 1000);
  assert.equal(proposed.phase, "Experience", "a proposal does not switch by itself (auto_upgrade false)");
  for (const c of proposed.gate.criteria) assert.equal(c.pass, true, `criterion ${c.criterion} ${c.value} vs ${c.threshold} passes`);
  const trades = proposed.gate.criteria.find((c) => c.criterion === "min_trades");
  assert.ok(trades && Number(trades.value) >= 1, `min_trades criterion: ${JSON.stringify(trades)}`);
  const before = await venue.account();
  assert.equal(before.orders.length, 0, "in Experience nothing reaches the venue");
  assert.ok(history().some((h) => h.kind === "proposal" && h.to === "ProofOfConcept"), "a proposal line in phase-history.jsonl");
  await eventually(() => receiver.texts().some((t) => /upgrade proposed/i.test(t) && t.includes("ProofOfConcept")),
                   "the notifier tells the operator about the proposal");
  ok(`gate earned on paper (${trades.value} trades): upgrade_proposed, criteria ${proposed.gate.criteria.map((c) => `${c.criterion} ${c.value}>=${c.threshold}`).join(", ")}; the venue has no order`);

  // ---- 2. the operator confirms; the next order goes to the venue signed, same process ----
  const ctl = await node.run("ctl", "phase", "ProofOfConcept", "--reason", "paper results reviewed", "--url", node.url);
  assert.equal(ctl.status, 0, `tdmaker ctl phase: ${ctl.stdout}${ctl.stderr}`);
  const upgraded = await node.phaseStatus();
  assert.equal(upgraded.phase, "ProofOfConcept", "GET /phase: ProofOfConcept after the confirmation");
  assert.equal(upgraded.previous, "Experience", "GET /phase: previous");
  const upgradeLine = await eventually(() => history().find((h) => h.kind === "upgrade" && h.to === "ProofOfConcept"),
                                       "an upgrade line in phase-history.jsonl");
  const liveOrder = await eventually(async () => (await venue.account()).orders.find((o) => o.side === "BUY"),
                                     "a signed order reaches the venue", 4 * SLOT * 1000);
  assert.equal(node.proc.pid, pid, "the same process");
  assert.equal(node.proc.exitCode, null, "the node never stopped");
  ok(`confirmed with tdmaker ctl: ProofOfConcept; order ${liveOrder.id.slice(0, 10)}... on the venue ${Date.now() - upgradeLine.ts_ms} ms later, no restart`);

  // ---- 3. one market a session, across a SIGKILL mid-session ----
  const killedSession = await killMidSession();
  const m = await eventually(async () => {
    const x = await node.metrics();
    return x.tdmaker_phase_trade_limit === 1 && x;
  }, "the restarted node's trade limit in /metrics");
  if (sessionOf(Date.now()) === killedSession)
    assert.equal(m.tdmaker_phase_trades_used, 1, "the restarted node restored the session's count from LMDB");
  // One whole session after the one of the kill, so the restarted node had every chance.
  await eventually(async () => sessionOf(Date.now()) > killedSession + 1, "a whole session after the kill", 3 * SESSION_MS);
  const refused = (await node.metrics()).tdmaker_phase_trades_refused_total ?? 0;
  const perSession = checkOneMarketPerSession(await venue.account(), upgradeLine.ts_ms, killedSession);
  ok(`ProofOfConcept: markets per session ${JSON.stringify(perSession)} (<= 1, the killed session ${killedSession} included); ${refused} new trades refused by the restarted node`);

  // ---- 4. a refused switch and a forced one ----
  const refusal = await node.switchPhase("Scaling", "test: skip the gates");
  assert.equal(refusal.status, 409, `a switch to Scaling that fails its gates is refused: ${refusal.text}`);
  const r = refusal.body;
  assert.match(r.error, /^gate ProofOfConcept->\w+ not met: /, "409: the error names the gate");
  assert.match(r.transition, /^ProofOfConcept->/, "409: the transition");
  assert.ok(r.failing.length > 0, "409: failing criteria");
  for (const f of r.failing) {
    assert.ok(typeof f.criterion === "string" && typeof f.value === "string" && typeof f.threshold === "string", `failing: ${JSON.stringify(f)}`);
    const c = r.criteria.find((x) => x.criterion === f.criterion);
    assert.ok(c && c.pass === false && c.value === f.value && c.threshold === f.threshold, `failing ${f.criterion} is in criteria, not passing`);
    assert.ok(r.error.includes(f.criterion), `the error names ${f.criterion}`);
  }
  const minTrades = r.failing.find((f) => f.criterion === "min_trades");
  assert.ok(minTrades && Number(minTrades.value) < Number(minTrades.threshold), `min_trades fails: ${JSON.stringify(minTrades)}`);
  assert.equal((await node.phaseStatus()).phase, "ProofOfConcept", "a refusal changes nothing");
  const forced = await node.switchPhase("Scaling", "test: operator override", true);
  assert.equal(forced.status, 200, `a forced switch goes through: ${forced.text}`);
  assert.equal(forced.body.override, true, "200: override true");
  assert.equal((await node.phaseStatus()).phase, "Scaling", "GET /phase: Scaling after the override");
  const overrides = await eventually(() => readJsonl(join(phaseDir, "phase-overrides.jsonl")).filter((o) => o.to === "Scaling"),
                                     "the override in phase-overrides.jsonl");
  assert.equal(overrides.length, 1, "one override line");
  ok(`refused: 409 "${r.error}"; forced: 200 override, ${overrides.length} line in phase-overrides.jsonl`);

  // ---- 5. quiesce (an operator switch down), the books against the venue ----
  const acct = await quiesce(node, venue);
  const whole = compareFillsWithVenue(node, acct);
  ok(`live book == venue: ${whole.fills} fills, ${whole.settlements} settlements, PnL ${Number(whole.pnl) / 1e6}`);
  await checkHistoryExport();
  await node.stop();
}

/// SIGKILLs the node once the venue has a buy of the current session (the
/// session's one market, surely counted in it: not just after its start) with at
/// least a third of the session left, and starts it again on the same data
/// directory. Returns the session.
async function killMidSession() {
  // A session's first market is counted as soon as the session starts (markets
  // wait for it), so its order may go out in the session's first second, or have
  // been counted just before the boundary. What says "counted in this session" is
  // the node's own count: tdmaker_phase_trades_used is 1 in a snapshot taken at
  // least COUNT_SLACK_MS into the session (bidding publishes it every second).
  const { session } = await eventually(async () => {
    const s = sessionOf(Date.now());
    const into = Date.now() - s * SESSION_MS;
    if (into < COUNT_SLACK_MS + 1000 || (s + 1) * SESSION_MS - Date.now() <= SESSION_MS / 3) return false;
    const used = (await node.metrics()).tdmaker_phase_trades_used;
    if (used !== 1 || sessionOf(Date.now()) !== s) return false;
    const traded = (await venue.account()).orders.some((o) => o.side === "BUY" && sessionOf(o.created_s * 1000) >= s - 1
                                                          && o.created_s * 1000 >= s * SESSION_MS - COUNT_SLACK_MS);
    return traded && { session: s };
  }, "a session's market counted and on the venue with time left in the session", 4 * SESSION_MS);
  await node.kill();
  node = new NodeProcess(bin, work, config, nodeEnv);
  await node.ready();
  ok(`SIGKILL in session ${session} after its market went out; restarted ${Math.round(((session + 1) * SESSION_MS - Date.now()) / 1000)} s before its end on the same data`);
  return session;
}

/// The venue's buys since the upgrade, grouped by market: no two markets may have
/// been counted in one session. A market's time is its first order's (the node's
/// audit line, else the venue's creation second).
function checkOneMarketPerSession(acct, fromMs, killedSession) {
  const placing = new Map(auditLog().filter((a) => a.kind === "order" && a.event === "placing").map((a) => [a.order_id, a.ts_ms]));
  const firstOf = new Map();
  for (const o of acct.orders.filter((x) => x.side === "BUY")) {
    const t = placing.get(o.id) ?? o.created_s * 1000;
    if (t < fromMs) continue;
    if (!firstOf.has(o.market) || t < firstOf.get(o.market)) firstOf.set(o.market, t);
  }
  const times = [...firstOf.values()].sort((a, b) => a - b);
  const perSession = {};
  for (const t of times) perSession[sessionOf(t)] = (perSession[sessionOf(t)] ?? 0) + 1;
  for (let i = 1; i < times.length; ++i) {
    const [a, b] = [times[i - 1], times[i]];
    const start = sessionOf(a) * SESSION_MS;
    // Both surely counted in the same session: a well after its start, b well before its end.
    const same = sessionOf(a) === sessionOf(b) && a - start >= COUNT_SLACK_MS && b + 1000 <= start + SESSION_MS;
    assert.ok(!same, `two new markets in session ${sessionOf(a)}: first orders at +${a - start} ms and +${b - start} ms`);
  }
  for (const [s, n] of Object.entries(perSession)) assert.ok(n <= 2, `session ${s}: ${n} new markets`);
  assert.ok(perSession[killedSession] >= 1, `the killed session ${killedSession} traded a market`);
  return perSession;
}

/// `tdmaker phase history` (read-only, beside the running node): JSONL equal to the
/// file line by line, CSV with the same rows, every kind of this run present.
async function checkHistoryExport() {
  const file = history();
  const kinds = new Set(file.map((h) => h.kind));
  for (const k of ["proposal", "upgrade", "refusal", "override", "switch"]) assert.ok(kinds.has(k), `a ${k} in the history (${[...kinds]})`);
  const jsonl = await node.run("phase", "history", "--format", "jsonl", "--config", node.cfgPath);
  assert.equal(jsonl.status, 0, `phase history --format jsonl: ${jsonl.stderr}`);
  const exported = jsonl.stdout.split("\n").filter((l) => l);
  assert.deepEqual(exported.map((l) => JSON.parse(l)), file, "phase history --format jsonl == phase-history.jsonl, line by line");
  const csv = await node.run("phase", "history", "--format", "csv", "--config", node.cfgPath);
  assert.equal(csv.status, 0, `phase history --format csv: ${csv.stderr}`);
  const [header, ...rows] = parseCsv(csv.stdout);
  assert.equal(rows.length, file.length, `CSV rows ${rows.length} == JSONL lines ${file.length}`);
  const col = (name) => {
    const i = header.indexOf(name);
    assert.ok(i >= 0, `CSV column ${name} in ${header}`);
    return i;
  };
  const cols = ["ts_ms", "kind", "from", "to", "source", "reason", "trigger"].map((n) => [n, col(n)]);
  const figureCols = ["trades", "wins", "losses", "pnl"].map((n) => [n, col(n)]);
  rows.forEach((row, i) => {
    for (const [name, c] of cols) assert.equal(row[c], String(file[i][name]), `CSV row ${i + 1} ${name}`);
    for (const [name, c] of figureCols) assert.equal(row[c], String(file[i].figures[name]), `CSV row ${i + 1} figures.${name}`);
  });
  // --from: a window of the history.
  const upgrade = file.find((h) => h.kind === "upgrade");
  const windowed = await node.run("phase", "history", "--format", "jsonl", "--from", String(Math.floor(upgrade.ts_ms / 1000)),
                                  "--config", node.cfgPath);
  assert.equal(windowed.status, 0, windowed.stderr);
  const inWindow = windowed.stdout.split("\n").filter((l) => l).map((l) => JSON.parse(l));
  assert.deepEqual(inWindow, file.filter((h) => h.ts_ms >= Math.floor(upgrade.ts_ms / 1000) * 1000), "--from keeps the later rows");
  ok(`phase history: ${rows.length} transitions (${file.map((h) => h.kind).join(", ")}), CSV and JSONL == phase-history.jsonl; --from keeps ${inWindow.length}`);
}

/// RFC 4180: quoted fields may hold commas, quotes ("") and newlines.
function parseCsv(text) {
  const rows = [];
  let row = [], field = "", quoted = false;
  for (let i = 0; i < text.length; ++i) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; ++i; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") { row.push(field); field = ""; }
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") ++i;
      row.push(field); rows.push(row); row = []; field = "";
    } else field += ch;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

await runCheck(main, { current: () => node, work, cleanup: async () => {
  await receiver.close();
  rmSync(work, { recursive: true, force: true });
} });
