// Replay (issue 18): the node records a paper session against the venue (several
// slots, 4 assets), then `tdmaker replay` runs it twice on the recording: the two
// replays give byte-identical audit logs, reports and exports (determinism), and
// the paper orders the replay places are compared with the live session's.
// Look-ahead: the recording is dumped, a poisoned frame far in the future is
// appended in two versions, and every decision before that frame's time is the
// same in both replays (and the same as the replay without it).
// Training: a second session is recorded on the same data dir after the first;
// `tdmaker train entry` fits on the first session and judges on the later one (a
// market in both is judged, not fitted); the model file loads in a live node.
//
// Usage: node node_replay_check.mjs CLOB GAMMA WS RTDS ADMIN
// Env: TDMAKER_BIN, REPLAY_SLOT_SECONDS (the venue's --slot-seconds, default 20), REPLAY_SLOTS (default 4).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventually, nodeConfig, NodeProcess, ok, readJsonl, runCheck, scriptEnv } from "./lib.mjs";

const env = scriptEnv("node_replay_check.mjs");
const SLOT = Number(process.env.REPLAY_SLOT_SECONDS ?? 20);
const SLOTS = Number(process.env.REPLAY_SLOTS ?? 4);
const work = mkdtempSync(join(tmpdir(), "tdmaker-replay-"));
let node = null;

await runCheck(main, { current: () => node, work });

async function main() {
  const cfg = nodeConfig({ ...env, work, slot: SLOT }, {
    node: { mode: "paper" },
    record: { enabled: true, flush_ms: 200 },
    discovery: { retire_after_end_s: 5 },
  });
  node = new NodeProcess(env.bin, work, cfg);
  await node.ready();
  const started = Date.now();
  // Several slots end and settle: the recording holds discovery, books, references and resolutions.
  await eventually(() => node.exportLedger("settlements").length >= 4 * (SLOTS - 1),
                   `${4 * (SLOTS - 1)} paper settlements`, (SLOTS + 2) * SLOT * 1000);
  await node.stop();
  const recording = join(work, "data", "recording");
  const live = readJsonl(join(work, "logs", "audit.jsonl"));
  ok(`recorded a paper session of ${Math.round((Date.now() - started) / 1000)} s (${live.length} audit lines)`);

  const r1 = replay(["--recording", recording], "r1");
  const r2 = replay(["--recording", recording], "r2");
  for (const f of ["logs/audit.jsonl", "report.json", "orders.csv", "trades.csv", "settlements.csv"])
    assert.ok(readFileSync(join(r1.out, f)).equals(readFileSync(join(r2.out, f))), `replays differ in ${f}`);
  const report = JSON.parse(readFileSync(join(r1.out, "report.json"), "utf8"));
  assert.ok(report.markets > 0, "the replay settled markets");
  ok(`two replays: byte-identical audit logs (${lines(r1).length} lines), reports and exports; PnL ${report.pnl}, ` +
     `${report.fills} fills, ${report.markets} settlements, max drawdown ${report.max_drawdown}`);
  compareOrders(live, lines(r1));
  lookAhead(recording, r1);
  await training(recording, cfg);
}

/// Entry model fitted on the first session, judged on a later one; then a node loads it.
async function training(recording, cfg) {
  const settled = node.exportLedger("settlements").length;
  const secondMs = Date.now();
  node = new NodeProcess(env.bin, work, cfg); // the same data dir: its frames join the recording
  await node.ready();
  await eventually(() => node.exportLedger("settlements").length >= settled + 8, "8 more paper settlements",
                   5 * SLOT * 1000);
  await node.stop();
  const dump = spawnSync(env.bin, ["recording", "--dir", recording, "--format", "jsonl"], { encoding: "utf8", maxBuffer: 256 << 20 });
  assert.equal(dump.status, 0, `recording dump: ${dump.stderr}`);
  const times = dump.stdout.split("\n").filter((l) => l).map((l) => JSON.parse(l).recv_ms);
  // --from/--to take Unix seconds: the fit's range is the first session, the test the second.
  const first = Math.floor(Math.min(...times) / 1000), middle = Math.floor(secondMs / 1000);
  const model = join(work, "entry-model.json");
  const t = spawnSync(env.bin, ["train", "entry", "--recording", recording, "--from", String(first), "--to", String(middle),
                                "--config", node.cfgPath, "--out", model], { encoding: "utf8", maxBuffer: 64 << 20 });
  assert.equal(t.status, 0, `train failed (${t.status}): ${t.stderr}\n${t.stdout}`);
  const m = t.stdout.match(/(\d+) samples \((\d+) markets\) to fit, (\d+) \((\d+) markets\) to test/);
  assert.ok(m && Number(m[2]) > 0 && Number(m[4]) > 0, `train: markets to fit and to test: ${t.stdout}`);
  const test = t.stdout.match(/test\s+samples\s+(\d+)\s+log loss ([0-9.]+)\s+accuracy ([0-9.]+)/);
  assert.ok(test && Number(test[1]) > 0, `train: a held-out judgement: ${t.stdout}`);
  // Every row is one market, outcome and second; each outcome's label is its market's winner.
  const rows = readJsonl(`${model}.samples.jsonl`);
  const winners = new Map();
  for (const r of rows) {
    const key = `${r.market}:${r.side}`;
    if (!winners.has(key)) winners.set(key, r.won);
    assert.equal(r.won, winners.get(key), `one label per market and outcome (${key})`);
  }
  for (const [key, won] of winners) {
    const other = key.endsWith(":up") ? key.replace(/:up$/, ":down") : key.replace(/:down$/, ":up");
    if (winners.has(other)) assert.notEqual(won, winners.get(other), `exactly one outcome of ${key.split(":")[0]} won`);
  }
  ok(`train entry: ${m[1]} samples of ${m[2]} markets of the first session fitted, ${test[1]} of ${m[4]} markets of the second judged: ` +
     `log loss ${test[2]}, accuracy ${test[3]}`);

  mkdirSync(join(work, "with-model"));
  const withModel = new NodeProcess(env.bin, join(work, "with-model"), { ...cfg, entry: { ...cfg.entry, model_file: model },
    record: { enabled: false }, node: { ...cfg.node, data_dir: join(work, "with-model", "data"), log_dir: join(work, "with-model", "logs") } });
  node = withModel;
  await withModel.ready();
  assert.match(withModel.log, /entry\.model_file .*entry-model\.json loaded/, "the node loaded the trained model");
  await withModel.stop();
  ok("a live node started with the trained model as entry.model_file");
}

/// One `tdmaker replay` into a fresh directory; its output and audit log.
function replay(args, name, extra = []) {
  const out = join(work, name);
  const t0 = Date.now();
  const r = spawnSync(env.bin, ["replay", ...args, "--config", node.cfgPath, "--out", out, ...extra],
                      { encoding: "utf8", maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `replay ${name} failed (${r.status}): ${r.stderr}\n${r.stdout}`);
  assert.ok(existsSync(join(out, "report.json")), "the replay wrote its report");
  return { out, stdout: r.stdout, ms: Date.now() - t0 };
}

function lines(r) { return readFileSync(join(r.out, "logs", "audit.jsonl"), "utf8").split("\n").filter((l) => l); }

/// The paper orders placed, as (market, outcome, side, price, size), live vs replay.
function compareOrders(live, replayed) {
  const key = (o) => `${o.market.slice(0, 10)} ${o.outcome} ${o.side} ${o.price} x${o.size} rung ${o.rung}`;
  const placed = (ls) => ls.filter((o) => o.kind === "order" && o.event === "paper_placed").map(key);
  const a = placed(live), b = placed(replayed.map((l) => JSON.parse(l)));
  assert.ok(a.length > 0, "the live session placed paper orders");
  assert.ok(b.length > 0, "the replay placed paper orders");
  const left = [...b];
  const missing = a.filter((k) => { const i = left.indexOf(k); if (i < 0) return true; left.splice(i, 1); return false; });
  ok(`paper orders: live ${a.length}, replay ${b.length}, the same ${a.length - missing.length}; ` +
     `live only ${missing.length}${missing.length ? ` (${missing.slice(0, 5).join("; ")})` : ""}, ` +
     `replay only ${left.length}${left.length ? ` (${left.slice(0, 5).join("; ")})` : ""}`);
}

/// A frame far past the recording's end, in two versions: nothing before its time may differ.
function lookAhead(recording, r1) {
  const dump = spawnSync(env.bin, ["recording", "--dir", recording, "--format", "jsonl"], { encoding: "utf8", maxBuffer: 256 << 20 });
  assert.equal(dump.status, 0, `recording dump: ${dump.stderr}`);
  const frames = dump.stdout.split("\n").filter((l) => l);
  const last = Math.max(...frames.map((l) => JSON.parse(l).recv_ms));
  const book = frames.map((l) => JSON.parse(l)).find((f) => f.channel === "market_ws" && f.text.includes('"event_type":"book"'));
  assert.ok(book, "a market book frame to poison");
  const poisonMs = last + 600_000;
  const poisoned = (px) => JSON.stringify({ channel: "market_ws", recv_ms: poisonMs, recv_ns: 0,
                                            text: book.text.replace(/"price":"[0-9.]+"/g, `"price":"${px}"`) });
  const files = ["0.01", "0.99"].map((px, i) => {
    const f = join(work, `poisoned-${i}.jsonl`);
    writeFileSync(f, frames.join("\n") + "\n" + poisoned(px) + "\n");
    return f;
  });
  const [a, b] = files.map((f, i) => replay(["--recording", f], `poisoned-${i}`, ["--tail-s", "0"]));
  const before = (r) => lines(r).filter((l) => JSON.parse(l).ts_ms < poisonMs);
  assert.deepEqual(before(a), before(b), "a decision before the poisoned frame's time changed with the frame");
  const plain = lines(r1); // it ends 60 s after the last frame, long before the poisoned one
  assert.deepEqual(before(a).slice(0, plain.length), plain,
                   "the poisoned replays differ from the plain replay before the poisoned frame");
  ok(`look-ahead: a frame ${poisonMs - last} ms past the end, in two versions: the ${before(a).length} audit lines ` +
     `before its time are identical in both (and to the plain replay's)`);
}
