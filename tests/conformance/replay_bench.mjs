// Replay speed (issue 18, a benchmark, never in CI: bench/run_replay_bench.sh): the
// node records a paper session of REPLAY_BENCH_MINUTES against the venue (4 assets),
// then `tdmaker replay` runs it at full speed; prints the recorded span, the frames and
// the replay's wall time, and the speed as a multiple of real time.
//
// Usage: node replay_bench.mjs CLOB GAMMA WS RTDS ADMIN   Env: TDMAKER_BIN, REPLAY_BENCH_MINUTES (10),
//        REPLAY_BENCH_SLOT_SECONDS (the venue's --slot-seconds, 60)
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeConfig, NodeProcess, runCheck, scriptEnv, sleep } from "./lib.mjs";

const env = scriptEnv("replay_bench.mjs");
const MINUTES = Number(process.env.REPLAY_BENCH_MINUTES ?? 10);
const SLOT = Number(process.env.REPLAY_BENCH_SLOT_SECONDS ?? 60);
const work = mkdtempSync(join(tmpdir(), "tdmaker-replay-bench-"));
let node = null;

await runCheck(async () => {
  node = new NodeProcess(env.bin, work, nodeConfig({ ...env, work, slot: SLOT }, {
    node: { mode: "paper" }, record: { enabled: true }, status: { interval_ms: 60000 },
  }));
  await node.ready();
  const t0 = Date.now();
  await sleep(MINUTES * 60_000); // the session's length is the benchmark's input, not an assertion
  await node.stop();
  const recorded = (Date.now() - t0) / 1000;
  const recording = join(work, "data", "recording");
  const listing = spawnSync(env.bin, ["recording", "--dir", recording], { encoding: "utf8" });
  const r0 = Date.now();
  const r = spawnSync(env.bin, ["replay", "--recording", recording, "--config", node.cfgPath, "--out", join(work, "replay"),
                                "--tail-s", "0"], { encoding: "utf8", maxBuffer: 64 << 20 });
  const replayed = (Date.now() - r0) / 1000;
  assert.equal(r.status, 0, r.stderr);
  const frames = Number((r.stdout.match(/replay of (\d+) frames/) ?? [])[1] ?? 0);
  console.log(listing.stdout.trim());
  console.log(JSON.stringify({ bench: "replay", assets: 4, recorded_s: Math.round(recorded), frames,
                               replay_s: Number(replayed.toFixed(2)), speed_x: Number((recorded / replayed).toFixed(1)) }));
}, { current: () => node, work });
