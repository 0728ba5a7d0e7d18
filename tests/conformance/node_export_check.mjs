// `tdmaker export` while the node runs (issue 13): the real node trades live against
// tdmaker-venue with 20 s slots while the test exports orders, trades and settlements
// (JSON lines and CSV) over and over. Every export must succeed, and none may lose a
// record an earlier one had. Then the node is brought to a quiescent point it cannot
// leave on its own: Gamma (through a proxy in this script) stops listing new slots,
// the known slots end, their orders close and their positions settle. An export at
// that point must equal, byte for byte, the export after the node has stopped; and
// every record seen during the run must be in that final ledger, unchanged where it
// cannot change.
//
// Usage: node node_export_check.mjs CLOB GAMMA WS RTDS ADMIN
// Env: TDMAKER_BIN, TDMAKER_VENUE_ADMIN_TOKEN, EXPORT_SLOT_SECONDS (must match the
//      venue's --slot-seconds, default 20).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventually, nodeConfig, NodeProcess, ok, sleep } from "./lib.mjs";

const [clobUrl, gammaUrl, wsUrl, rtdsUrl] = process.argv.slice(2);
const bin = process.env.TDMAKER_BIN;
assert.ok(bin, "usage: TDMAKER_BIN=... node node_export_check.mjs CLOB GAMMA WS RTDS ADMIN");
const SLOT = Number(process.env.EXPORT_SLOT_SECONDS ?? 20);
const work = mkdtempSync(join(tmpdir(), "tdmaker-export-"));
const KINDS = ["orders", "trades", "settlements"];
const FORMATS = ["jsonl", "csv"];

// Gamma through a proxy: once `frozen`, a slot that was never listed before is
// left out (of a series listing, as discovery asks; "not listed" for a slug), so
// the node discovers nothing new; slots it already knows still resolve
// (settlement asks Gamma who won).
let frozen = false;
const listed = new Set();
const proxy = createServer(async (req, res) => {
  const query = new URL(req.url, "http://x").searchParams;
  const slug = query.get("slug");
  if (frozen && slug && !listed.has(slug)) {
    res.writeHead(200, { "Content-Type": "application/json" });
    return res.end("[]");
  }
  try {
    const up = await fetch(gammaUrl + req.url);
    let body = await up.text();
    if (up.status === 200 && query.get("series_slug")) {
      const events = JSON.parse(body);
      if (frozen) body = JSON.stringify(events.filter((e) => listed.has(e.slug)));
      else for (const e of events) listed.add(e.slug);
    } else if (slug && up.status === 200 && body.trim() !== "[]") listed.add(slug);
    res.writeHead(up.status, { "Content-Type": up.headers.get("content-type") ?? "application/json" });
    res.end(body);
  } catch (e) {
    res.writeHead(502);
    res.end(String(e));
  }
});
await new Promise((r) => proxy.listen(0, "127.0.0.1", r));
const proxyUrl = `http://127.0.0.1:${proxy.address().port}`;

// Gamma through the proxy; markets retire soon after their end (the proxy sees them go).
const config = nodeConfig({ clobUrl, gammaUrl: proxyUrl, wsUrl, rtdsUrl, work, slot: SLOT },
                          { discovery: { retire_after_end_s: 2 }, feed: undefined });
let node = null;

/// One `tdmaker export`, asynchronous so the node's output keeps draining meanwhile.
function exportOnce(kind, format) {
  return new Promise((resolve) => {
    execFile(bin, ["export", kind, "--format", format, "--config", node.cfgPath], { maxBuffer: 64 << 20 },
             (err, stdout, stderr) => resolve({ code: err ? err.code ?? err.signal : 0, stdout, stderr }));
  });
}

/// Every kind in both formats; each must exit 0 and parse.
async function exportAll(when) {
  const out = {};
  for (const kind of KINDS)
    for (const format of FORMATS) {
      const r = await exportOnce(kind, format);
      assert.equal(r.code, 0, `export ${kind} --format ${format} ${when} exited ${r.code}: ${r.stderr}`);
      out[`${kind}.${format}`] = r.stdout;
    }
  for (const kind of KINDS) {
    const rows = out[`${kind}.jsonl`].split("\n").filter((l) => l);
    out[kind] = rows.map((l) => JSON.parse(l));
    const csv = out[`${kind}.csv`].split("\n").filter((l) => l);
    assert.ok(csv.length >= 1 && /^[a-z_,]+$/.test(csv[0]), `${kind} csv ${when} has its header`);
  }
  return out;
}

const keyOf = {
  orders: (o) => o.order_id,
  trades: (f) => f.key,
  settlements: (s) => `${s.market}${s.paper ? "/paper" : ""}`,
};
// What a later write may not change: an order's identity and terms, a fill's trade,
// a settlement entirely.
const fixedOf = {
  orders: (o) => JSON.stringify([o.client_id, o.market, o.token, o.side, o.price, o.size, o.created_ms, o.paper]),
  trades: (f) => JSON.stringify([f.trade_id, f.order_id, f.market, f.token, f.side, f.price, f.size, f.ts_ms, f.source]),
  settlements: (s) => JSON.stringify(s),
};

/// Every record of `earlier` is in `later` (by key), its fixed part unchanged.
function assertContained(earlier, later, what) {
  for (const kind of KINDS) {
    const byKey = new Map(later[kind].map((r) => [keyOf[kind](r), r]));
    assert.equal(byKey.size, later[kind].length, `${what}: a ${kind} key twice`);
    for (const r of earlier[kind]) {
      const k = keyOf[kind](r);
      const l = byKey.get(k);
      assert.ok(l, `${what}: ${kind} ${k} vanished`);
      assert.equal(fixedOf[kind](l), fixedOf[kind](r), `${what}: ${kind} ${k} changed`);
    }
  }
}

const live = (x) => x.filter((r) => !r.paper && r.source !== "paper");

async function main() {
  node = new NodeProcess(bin, work, config);
  await node.ready();

  // ---- during the run: export until the ledger has orders, fills and a settlement ----
  const during = [];
  // Polled every half second (the exports are processes: spare the shared CPU).
  const deadline = Date.now() + 150000;
  for (;;) {
    const e = await exportAll(`during the run (#${during.length + 1})`);
    if (during.length) assertContained(during[during.length - 1], e, `export #${during.length + 1} vs #${during.length}`);
    during.push(e);
    if (live(e.orders).length > 0 && live(e.trades).length > 0 && live(e.settlements).length > 0) break;
    if (Date.now() > deadline) throw new Error("timeout: the ledger has live orders, fills and settlements");
    await sleep(500);
  }
  assert.ok(during.length >= 2, "exported more than once while the node ran");
  const last = during[during.length - 1];
  ok(`${during.length} rounds of 6 exports while the node traded, all exit 0, none lost a record; the last had ${last.orders.length} orders, ${last.trades.length} fills, ${last.settlements.length} settlements`);

  // ---- the quiescent point: nothing new listed, everything known ended and settled ----
  frozen = true;
  await eventually(async () => {
    const st = await node.status();
    const t = st.trading;
    return st.markets.every((m) => m.status === "retired") && t.open_orders === 0 && t.paper_open_orders === 0
           && t.open_positions === 0 && t.paper_open_positions === 0;
  }, "every known market retired, no order open, no position held", 150000);
  // /status comes from telemetry, a flush behind: the ledger itself must also be still.
  let quiet = await exportAll("at the quiescent point");
  await eventually(async () => {
    const again = await exportAll("at the quiescent point");
    const same = FORMATS.every((f) => KINDS.every((k) => again[`${k}.${f}`] === quiet[`${k}.${f}`]));
    quiet = again;
    return same;
  }, "two exports in a row are equal", 30000);
  assertContained(last, quiet, "quiescent export vs the last during the run");
  ok(`quiescent: ${quiet.orders.length} orders, ${quiet.trades.length} fills, ${quiet.settlements.length} settlements`);

  // ---- after the stop ----
  await node.stop();
  const after = await exportAll("after the stop");
  for (const kind of KINDS)
    for (const format of FORMATS)
      assert.equal(after[`${kind}.${format}`], quiet[`${kind}.${format}`], `export ${kind} --format ${format}: the quiescent export during the run differs from the one after the stop`);
  during.forEach((e, i) => assertContained(e, after, `export #${i + 1} during the run vs after the stop`));
  assert.ok(live(after.trades).length > 0 && live(after.settlements).length > 0, "the run left live fills and settlements");
  ok(`after the stop: every format of every kind equals the quiescent export byte for byte; all ${during.length} during-run exports are contained`);
}

main()
  .then(() => proxy.close())
  .catch((e) => {
    console.error(e);
    if (node) {
      node.save("node-failed.log");
      console.error(`node log: ${join(work, "node-failed.log")}`);
      console.error(node.log.split("\n").slice(-40).join("\n"));
    }
    process.exit(1);
  });
