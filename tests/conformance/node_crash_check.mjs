// Supervision (issue 13): the real node against tdmaker-venue, with
// debug.fault_injection on, loses one singleton actor after another
// (POST /debug/crash?kind=K) while orders rest and fills come in. A kind peers
// hold must stop the node cleanly with exit code 70, its log naming the kind
// (and /health, while it still answers); the node is then started again on the
// same data directory, as the service manager would. A restartable kind must be
// respawned with the node running on. At the end the node's orders, fills,
// settlements and PnL must equal the venue's ground truth: nothing lost across
// any of the deaths.
//
// Usage: node node_crash_check.mjs CLOB GAMMA WS RTDS ADMIN
// Env: TDMAKER_BIN, TDMAKER_VENUE_ADMIN_TOKEN, CRASH_KINDS (comma-separated, in
//      order), CRASH_SLOT_SECONDS (must match the venue's --slot-seconds, default 20).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeProcess, compareFillsWithVenue, eventually, micros, nodeConfig, ok, quiesce, sleep, venueAdmin } from "./lib.mjs";

const [clobUrl, gammaUrl, wsUrl, rtdsUrl, adminUrl] = process.argv.slice(2);
const bin = process.env.TDMAKER_BIN;
assert.ok(bin && process.env.TDMAKER_VENUE_ADMIN_TOKEN && process.env.CRASH_KINDS,
          "usage: TDMAKER_BIN=... CRASH_KINDS=order,fill node node_crash_check.mjs CLOB GAMMA WS RTDS ADMIN");
const venue = venueAdmin(adminUrl, process.env.TDMAKER_VENUE_ADMIN_TOKEN);
const SLOT = Number(process.env.CRASH_SLOT_SECONDS ?? 20);
const KINDS = process.env.CRASH_KINDS.split(",");
const RESTARTED_IN_PLACE = new Set(["settlement", "discovery"]); // docs/architecture.md, "Supervision"
const work = mkdtempSync(join(tmpdir(), "tdmaker-crash-"));

const config = () => nodeConfig({ clobUrl, gammaUrl, wsUrl, rtdsUrl, work, slot: SLOT }, { debug: { fault_injection: true } });
let current = null; // the running node, whose log is kept if the check fails


/// `stops`: the node may go down before its 202 reaches us (a closed connection).
async function crash(node, kind, stops) {
  let r;
  try {
    r = await fetch(`${node.url}/debug/crash?kind=${kind}`, { method: "POST", headers: { Authorization: "Bearer t" } });
  } catch (e) {
    if (stops && e instanceof TypeError) return;
    throw e;
  }
  assert.equal(r.status, 202, `POST /debug/crash?kind=${kind}: ${await r.text()}`);
}

/// /health until the listener closes or the node exits: every 503 body it gave.
async function healthUntilGone(node) {
  const bodies = [];
  let gone = false;
  node.exited.then(() => (gone = true));
  while (!gone) {
    try {
      const h = await node.health();
      if (h.status === 503) bodies.push(h.body);
    } catch {
      break; // closed: the stop has begun
    }
    await sleep(10);
  }
  return bodies;
}

/// A kind peers hold: exit 70, named in the log (and in /health while it answered);
/// nothing the venue accepted before the crash is missing from the ledger.
async function crashAndRestart(node, kind) {
  const before = await venue.account();
  const snapshotS = Math.floor(Date.now() / 1000);
  await crash(node, kind, true);
  const health = await healthUntilGone(node);
  const code = await Promise.race([node.exited, sleep(15000).then(() => "hung")]);
  node.save(`node-${kind}.log`);
  assert.equal(code, 70, `the node exits 70 when the ${kind} actor dies (got ${code})`);
  assert.match(node.log, new RegExp(`supervisor: the ${kind} actor died \\(.*injected fault.*\\): stopping the node`), `the log names ${kind}`);
  assert.match(node.log, /node: stopping: the \w+ actor died .*; exit code 70/, "the log gives the exit code");
  assert.match(node.log, /node: stopped/, "the node stopped cleanly");
  const named = kind === "telemetry" ? "telemetry unavailable" : `actor down: ${kind}`;
  for (const b of health) assert.ok(b.includes(named) || !b.includes("actor down"), `/health named another kind than ${kind}: ${b}`);
  const sawIt = health.some((b) => b.includes(named));
  const ledger = node.exportOrders();
  const ids = new Set(ledger.map((o) => o.order_id));
  const settled = before.orders.filter((o) => o.created_s <= snapshotS - 2);
  for (const o of settled) assert.ok(ids.has(o.id), `venue order ${o.id} (${o.status}), accepted before the ${kind} crash, is missing from the ledger`);
  const again = (current = new NodeProcess(bin, work, config()));
  await again.ready();
  ok(`${kind}: exit 70, named in the log${sawIt ? " and in /health" : ""}; ${settled.length} venue orders all in the ledger; restarted on the same data`);
  return again;
}

/// A restartable kind: respawned in place, counted, /health whole again.
async function crashInPlace(node, kind) {
  await crash(node, kind, false);
  await eventually(() => new RegExp(`supervisor: the ${kind} actor died \\(.*injected fault.*\\); restarted`).test(node.log),
                   `the log says ${kind} was restarted`);
  await eventually(async () => {
    const a = (await node.status()).actors[kind];
    return a && a.live === 1 && a.restarts >= 1;
  }, `/status shows one live ${kind} actor and its restart`);
  await eventually(async () => (await node.health()).status === 200, "/health is 200 again");
  const m = await node.metrics();
  assert.ok(m[`tdmaker_actor_restarts_total{kind="${kind}"}`] >= 1, `restart counted in /metrics`);
  ok(`${kind}: restarted in place, the node ran on (/status, /metrics, /health 200)`);
  return node;
}

async function main() {
  let node = (current = new NodeProcess(bin, work, config()));
  await node.ready();
  let fillsBefore = 0;
  for (const kind of KINDS) {
    // Mid-run: orders resting on the venue at the moment of the crash, some of
    // them long enough that the node has certainly recorded the venue's answer.
    const acct = await eventually(async () => {
      const a = await venue.account();
      return a.open_orders.some((o) => o.created_s <= Date.now() / 1000 - 2) && a;
    }, "orders rest on the venue", 60000);
    fillsBefore ||= acct.fills.length;
    node = RESTARTED_IN_PLACE.has(kind) ? await crashInPlace(node, kind) : await crashAndRestart(node, kind);
  }
  ok(`${KINDS.length} kinds crashed; the venue had ${fillsBefore} fills of ours before the first`);
  // Carrying on: the last incarnation (and, last in its list, a respawned
  // discovery) finds a slot that began after the last crash and bids in it.
  const lastCrashS = Date.now() / 1000;
  const fresh = await eventually(async () => (await venue.account()).orders.find((o) => o.market_end_s - SLOT > lastCrashS),
                                 "an order in a slot that began after the last crash", 3 * SLOT * 1000);
  ok(`trading goes on: order ${fresh.id.slice(0, 10)}... in a slot that began ${Math.round(fresh.market_end_s - SLOT - lastCrashS)} s after the last crash`);
  await compareWithVenue(node);
}

/// Quiesce (no new venue orders, nothing resting, everything settled), then the
/// node's ledger against the venue: orders, fills, settlements and PnL.
async function compareWithVenue(node) {
  const acct = await quiesce(node, venue);
  await node.stop();

  const ledger = node.exportOrders().filter((o) => !o.paper && o.state !== "rejected");
  const ids = new Map();
  for (const o of ledger) {
    assert.ok(!ids.has(o.order_id), `order ${o.order_id} twice in the ledger`);
    ids.set(o.order_id, o);
  }
  for (const v of acct.orders) {
    const o = ids.get(v.id);
    assert.ok(o, `venue order ${v.id} (${v.status}) is missing from the node's ledger`);
    assert.equal(micros(o.matched), micros(v.size_matched), `order ${v.id}: matched size`);
  }
  const venueIds = new Set(acct.orders.map((o) => o.id));
  for (const id of ids.keys()) assert.ok(venueIds.has(id), `ledger order ${id} does not exist on the venue`);

  const whole = compareFillsWithVenue(node, acct);
  ok(`ledger == venue: ${ids.size} orders, ${whole.fills} fills, ${whole.settlements} settlements, PnL ${Number(whole.pnl) / 1e6}`);
}

try {
  await main();
  rmSync(work, { recursive: true, force: true });
} catch (e) {
  console.error(e);
  if (current) {
    current.save("node-failed.log");
    console.error(`node log: ${join(work, "node-failed.log")}\n--- last lines\n${current.log.split("\n").slice(-40).join("\n")}`);
  }
  process.exit(1);
}
