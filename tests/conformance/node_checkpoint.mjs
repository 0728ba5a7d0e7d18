// Seed 004's checkpoint (issue 18 item 6): the node runs against the venue for
// CHECKPOINT_MINUTES (paper, candles on) while /health and /metrics are read every
// few seconds. It passes when:
//   uptime        every read answered and the process never exited: 100 %
//   streams       every channel (market, user, RTDS) connected at every read, or back
//                 within CHECKPOINT_RECONNECT_S (its reconnect budget)
//   ticks         the market and RTDS channels and every reference symbol counted
//                 ticks (the user channel carries only the account's own orders)
//   candles       every reference symbol completed candles
//   durability    at shutdown, candles persisted == candles completed (its log line)
// It prints one report line per check and PASS or FAIL; the exit code says which.
//
// Usage: node node_checkpoint.mjs CLOB GAMMA WS RTDS ADMIN
// Env: TDMAKER_BIN, CHECKPOINT_MINUTES (default 2), CHECKPOINT_RECONNECT_S (default 60),
//      CHECKPOINT_SLOT_SECONDS (the venue's --slot-seconds, default 60)
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeConfig, NodeProcess, scriptEnv, sleep } from "./lib.mjs";

const env = scriptEnv("node_checkpoint.mjs");
const MINUTES = Number(process.env.CHECKPOINT_MINUTES ?? 2);
const BUDGET_S = Number(process.env.CHECKPOINT_RECONNECT_S ?? 60);
const SLOT = Number(process.env.CHECKPOINT_SLOT_SECONDS ?? 60);
const EVERY_MS = 2000;
const CHANNELS = ["market", "user", "rtds"];
const work = mkdtempSync(join(tmpdir(), "tdmaker-checkpoint-"));

const node = new NodeProcess(env.bin, work, nodeConfig({ ...env, work, slot: SLOT }, {
  node: { mode: "paper" }, candles: { enabled: true }, status: { interval_ms: 60000 },
}));
let exited = null;
node.exited.then((code) => { exited = code; });

const checks = [];
const check = (name, pass, detail) => checks.push({ name, pass, detail });

try {
  await node.ready();
} catch (e) {
  check("start", false, String(e));
}
const reads = { ok: 0, failed: 0 };
const down = Object.fromEntries(CHANNELS.map((c) => [c, { since: null, longest: 0 }]));
let last = {};
const end = Date.now() + MINUTES * 60_000;
while (node.url && exited === null && Date.now() < end) {
  const t = Date.now();
  try {
    const health = await fetch(`${node.url}/health`);
    last = await node.metrics();
    reads[health.ok ? "ok" : "failed"]++;
    for (const c of CHANNELS) {
      const d = down[c];
      const up = last[`tdmaker_feed_connected{channel="${c}"}`] === 1;
      if (up) d.since = null;
      else d.since ??= t;
      if (d.since !== null) d.longest = Math.max(d.longest, (t - d.since) / 1000);
    }
  } catch {
    reads.failed++;
  }
  await sleep(Math.max(0, EVERY_MS - (Date.now() - t)));
}
const ranS = Math.round((Date.now() - (end - MINUTES * 60_000)) / 1000);
check("uptime", exited === null && reads.failed === 0 && reads.ok > 0,
      `${reads.ok} of ${reads.ok + reads.failed} reads answered over ${ranS} s${exited !== null ? `; the node exited (${exited})` : ""}`);
for (const c of CHANNELS)
  check(`stream ${c} connected`, down[c].longest <= BUDGET_S && last[`tdmaker_feed_connected{channel="${c}"}`] === 1,
        `longest down ${down[c].longest.toFixed(1)} s (budget ${BUDGET_S} s), reconnects ${last[`tdmaker_feed_reconnects_total{channel="${c}"}`] ?? "?"}`);
const streamValue = (family, stream) => last[`${family}{stream="${stream}"}`];
const symbols = Object.keys(last).map((k) => k.match(/^tdmaker_stream_ticks_total\{stream="([^"]+)"\}$/)?.[1])
  .filter((s) => s && !CHANNELS.includes(s));
for (const s of ["market", "rtds", ...symbols])
  check(`ticks ${s}`, streamValue("tdmaker_stream_ticks_total", s) > 0, `${streamValue("tdmaker_stream_ticks_total", s) ?? 0} ticks`);
check("reference symbols", symbols.length > 0, symbols.join(", ") || "none");
for (const s of symbols)
  check(`candles ${s}`, streamValue("tdmaker_stream_candles_total", s) > 0,
        `${streamValue("tdmaker_stream_candles_total", s) ?? 0} completed`);
if (exited === null) await node.stop();
const closed = node.log.match(/candles: closed: (\d+) completed .*?, (\d+) persisted/);
check("candles persisted == completed", closed !== null && closed[1] === closed[2] && Number(closed[1]) > 0,
      closed ? `${closed[1]} completed, ${closed[2]} persisted` : "no closing line in the node's log");

for (const c of checks) console.log(`${c.pass ? "ok  " : "FAIL"} ${c.name}: ${c.detail}`);
const pass = checks.every((c) => c.pass);
console.log(`checkpoint ${pass ? "PASS" : "FAIL"}: ${MINUTES} min against the venue, ${checks.length} checks`);
if (!pass) {
  node.save("node-checkpoint.log");
  console.log(`node log: ${join(work, "node-checkpoint.log")}`);
}
process.exit(pass ? 0 : 1);
