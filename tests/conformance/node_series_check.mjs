// Every series (issue 19): tdmaker-venue lists 7 coins x {5m, 15m, 1h, 4h}, scaled
// down (20, 30, 40, 60 s slots), with the real slug shapes (the hourly one by its
// Eastern hour). The node is configured with 27 of the 28 series (hype-4h left out):
// it must discover every market of each configured series inside its window and no
// other - judged against the venue's own Gamma listings, read here independently.
//
// Usage: node node_series_check.mjs CLOB GAMMA WS RTDS ADMIN (the ctest entry passes
// the venue's --series flag). Env: TDMAKER_BIN, TDMAKER_VENUE_ADMIN_TOKEN.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeProcess, eventually, nodeConfig, ok, runCheck } from "./lib.mjs";

const [clobUrl, gammaUrl, wsUrl, rtdsUrl] = process.argv.slice(2);
const bin = process.env.TDMAKER_BIN;
assert.ok(bin, "usage: TDMAKER_BIN=... node node_series_check.mjs CLOB GAMMA WS RTDS ADMIN");
const work = mkdtempSync(join(tmpdir(), "tdmaker-series-"));
const COINS = ["btc", "eth", "sol", "xrp", "doge", "bnb", "hype"];
const LENGTHS = { "5m": 20, "15m": 30, "1h": 40, "4h": 60 };
const configured = [];
for (const c of COINS)
  for (const [d, s] of Object.entries(LENGTHS))
    if (!(c === "hype" && d === "4h")) configured.push({ asset: c, duration: d, slot_seconds: s });

let node = null;
const config = nodeConfig({ clobUrl, gammaUrl, wsUrl, rtdsUrl, work }, {
  node: { mode: "paper" },
  markets: { max_live: 400 },
  discovery: { slot_seconds: undefined, series: configured, lookahead_slots: 1 },
});
delete config.discovery.slot_seconds; // the series replace the legacy keys
config.entry.max_entry_s = 60;

/// The venue's listing of a series: slugs of slots not ended, starting within one slot.
async function venueWindow(series, slot, nowS) {
  const events = await (await fetch(`${gammaUrl}/events?series_slug=${series}&closed=false&order=endDate&ascending=true&limit=10`)).json();
  return events.map((e) => e.markets[0])
    .filter((m) => Date.parse(m.endDate) / 1000 > nowS && Date.parse(m.eventStartTime) / 1000 <= nowS + slot)
    .map((m) => m.slug);
}

async function main() {
  // The venue names its scaled hourly slots by an Eastern hour, and lists hype-4h too.
  const hourly = await (await fetch(`${gammaUrl}/events?series_slug=btc-up-or-down-1h&closed=false&limit=1`)).json();
  assert.match(hourly[0].slug, /^bitcoin-up-or-down-[a-z]+-\d{1,2}-\d{1,2}(am|pm)-et$/, "an hourly slug");
  const hype4h = await (await fetch(`${gammaUrl}/events?series_slug=hype-up-or-down-4h&closed=false&limit=1`)).json();
  assert.equal(hype4h.length, 1, "the venue lists hype-4h");
  ok(`venue: hourly slug ${hourly[0].slug}; hype-4h listed (${hype4h[0].slug}) but not configured`);

  node = new NodeProcess(bin, work, config);
  await node.ready();
  // Every market the venue has in a configured series' window is one of the node's,
  // at one instant (retried across slot boundaries until a pass sees both agree).
  let missing = [];
  await eventually(async () => {
    const nowS = Date.now() / 1000;
    const want = [];
    for (const c of configured) want.push(...await venueWindow(`${c.asset}-up-or-down-${c.duration}`, c.slot_seconds, nowS));
    const st = await node.status();
    const mine = new Set(st.markets.filter((m) => m.status !== "retired").map((m) => m.slug));
    missing = want.filter((slug) => !mine.has(slug));
    return want.length >= configured.length && missing.length === 0;
  }, "the node streams every market of every configured series", 60000).catch((e) => {
    throw new Error(`${e.message}; missing ${missing.slice(0, 8).join(" ")}`);
  });
  // No other: every market the node holds is of a configured series (hype-4h never).
  const st = await node.status();
  const keys = new Set(configured.map((s) => `${s.asset}-${s.duration}`));
  const coinOf = { bitcoin: "btc", ethereum: "eth", solana: "sol", xrp: "xrp", dogecoin: "doge", bnb: "bnb", hyperliquid: "hype" };
  for (const m of st.markets) {
    let key;
    const t = /^([a-z]+)-updown-([0-9]+[smh])-\d+$/.exec(m.slug);
    const h = /^([a-z]+)-up-or-down-[a-z]+-\d+-\d+(am|pm)-et$/.exec(m.slug);
    if (t) key = `${t[1]}-${t[2]}`;
    else if (h) key = `${coinOf[h[1]]}-1h`;
    assert.ok(key && keys.has(key), `market ${m.slug} is of a configured series`);
  }
  const series = new Set(st.markets.map((m) => m.slug.replace(/-\d+$/, "")));
  ok(`the node holds ${st.markets.length} markets of ${keys.size} configured series, every one the venue lists in their windows, none of hype-4h (${series.size} slug stems)`);
  await node.stop();
}

await runCheck(main, { current: () => node, work, cleanup: async () => { if (node) await node.stop().catch(() => {}); } });
