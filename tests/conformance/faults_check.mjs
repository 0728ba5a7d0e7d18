// Every fault kind of tdmaker-venue, switched on through the admin API one at a
// time, seen happening to a client and counted in /admin/faults and /metrics.
// Usage: node faults_check.mjs CLOB GAMMA WS RTDS ADMIN  (TDMAKER_VENUE_ADMIN_TOKEN set)
import assert from "node:assert/strict";
import WebSocket from "ws";
import { Wallet } from "@ethersproject/wallet";
import { ClobClient, OrderType, Side, createL2Headers, orderToJsonV2 } from "@polymarket/clob-client-v2";

const [clobUrl, gammaUrl, wsUrl, rtdsUrl, adminUrl] = process.argv.slice(2);
const token = process.env.TDMAKER_VENUE_ADMIN_TOKEN;
assert.ok(clobUrl && gammaUrl && wsUrl && rtdsUrl && adminUrl && token, "usage: node faults_check.mjs CLOB GAMMA WS RTDS ADMIN");
let step = 0;
const ok = (what) => console.log(`ok ${++step} - ${what}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const base = { late_resolution: 1, late_resolution_s: 4 }; // stays on for the whole run
const setFaults = async (extra) => {
  const res = await fetch(`${adminUrl}/admin/faults`, { method: "POST", headers: { Authorization: `Bearer ${token}` }, body: JSON.stringify({ ...base, ...extra }) });
  assert.equal(res.status, 200, await res.text());
};
const injected = async () => (await (await fetch(`${adminUrl}/admin/faults`, { headers: { Authorization: `Bearer ${token}` } })).json()).injected;
const eventually = async (pred, what, ms = 8000) => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timeout: ${what}`);
    await sleep(100);
  }
};

class Feed {
  constructor(url) {
    this.frames = [];
    this.ws = new WebSocket(url);
    this.opened = new Promise((res, rej) => { this.ws.on("open", res); this.ws.on("error", rej); });
    this.closed = new Promise((res) => this.ws.on("close", (code) => res(code)));
    this.ws.on("message", (d) => { const t = d.toString(); try { this.frames.push(JSON.parse(t)); } catch { this.frames.push(t); } });
  }
  send(x) { this.ws.send(typeof x === "string" ? x : JSON.stringify(x)); }
}

// Bad plans are refused with the path of the problem and change nothing.
let res = await fetch(`${adminUrl}/admin/faults`, { method: "POST", headers: { Authorization: `Bearer ${token}` }, body: '{"http_500": 2}' });
assert.equal(res.status, 400);
assert.match((await res.json()).error, /\$\.http_500: expected a probability/);
res = await fetch(`${adminUrl}/admin/faults`, { method: "POST", body: "{}" });
assert.equal(res.status, 401);
ok("admin: invalid plan -> 400 naming the key; no token -> 401");
await setFaults({});

const alice = new Wallet("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const bob = new Wallet("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const aCreds = await new ClobClient({ host: clobUrl, chain: 137, signer: alice }).createOrDeriveApiKey();
const bCreds = await new ClobClient({ host: clobUrl, chain: 137, signer: bob }).createOrDeriveApiKey();
const a = new ClobClient({ host: clobUrl, chain: 137, signer: alice, creds: aCreds, signatureType: 0 });
const b = new ClobClient({ host: clobUrl, chain: 137, signer: bob, creds: bCreds, signatureType: 0 });
const opts = { tickSize: "0.01", negRisk: false };

// The listed slot that ends last (10 s slots, 6 listed ahead): it stays open for a
// minute from the moment it is looked up.
const lastSlot = async () => {
  const series = await (await fetch(`${gammaUrl}/events?series_slug=btc-up-or-down-10s&closed=false&order=endDate&ascending=true&limit=10`)).json();
  const m = series[series.length - 1].markets[0];
  assert.ok(Date.parse(m.endDate) - Date.now() > 50000, `slot ${m.slug} ends later than the checks that use it`);
  return m;
};
const mkt = await lastSlot();
const [up, down] = JSON.parse(mkt.clobTokenIds);
const buy = (c, tok, price, postOnly = false) => c.createAndPostOrder({ tokenID: tok, price, size: 5, side: Side.BUY }, opts, OrderType.GTC, postOnly);

// HTTP 500 / 429 / 425 on the order path
for (const [kind, status] of [["http_500", 500], ["http_429", 429], ["http_425", 425]]) {
  await setFaults({ [kind]: 1 });
  const r = await buy(a, up, 0.10);
  assert.equal(r.status, status, JSON.stringify(r));
  assert.equal((await injected())[kind], 1);
  ok(`${kind}: order refused with HTTP ${status} and counted`);
}
// engine-restart window: 425 for its duration
await setFaults({ http_425_windows: [{ in_s: 0, for_s: 30 }] });
assert.equal((await buy(a, up, 0.10)).status, 425);
assert.equal((await injected()).http_425, 2);
ok("http_425 window: order endpoints answer 425 during the restart window");

// post-only mode window
await setFaults({ post_only_windows: [{ in_s: 0, for_s: 30 }] });
const refused = await buy(a, up, 0.10);
assert.equal(refused.status, 503);
assert.equal(refused.code, "post_only_mode");
assert.ok(refused.retry_after_seconds >= 1);
const allowed = await buy(a, up, 0.10, true);
assert.equal(allowed.status, "live");
assert.equal((await injected()).post_only_mode, 1);
ok("post_only_mode: non-post-only refused with 503 post_only_mode, post-only accepted");

// ghost order: it rests, but the reply never comes
await setFaults({ ghost_order: 1 });
const ghost = await a.createOrder({ tokenID: up, price: 0.11, size: 5, side: Side.BUY }, opts);
const body = JSON.stringify(orderToJsonV2(ghost, aCreds.key, OrderType.GTC));
const headers = await createL2Headers(alice, aCreds, { method: "POST", requestPath: "/order", body });
await assert.rejects(fetch(`${clobUrl}/order`, { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body }));
await setFaults({});
const open = await a.getOpenOrders({ market: mkt.conditionId });
assert.ok(open.some((o) => o.price === "0.11"), "the ghost order rests on the book");
assert.equal((await injected()).ghost_order, 1);
ok("ghost_order: HTTP reply lost, order found resting in /data/orders");

// user-channel trade events: dropped, then duplicated
const userWs = new Feed(`${wsUrl}/ws/user`);
await userWs.opened;
userWs.send({ auth: { apiKey: aCreds.key, secret: aCreds.secret, passphrase: aCreds.passphrase }, type: "user" });
// PONG comes only once the subscription is in (the channel acknowledges nothing else).
userWs.send("PING");
await eventually(() => userWs.frames.includes("PONG"), "user channel PONG");
for (const [kind, expected] of [["user_trade_drop", 0], ["user_trade_duplicate", 2]]) {
  await setFaults({ [kind]: 1 });
  const maker = await buy(a, up, 0.40, true);
  const taker = await buy(b, down, 0.60);
  assert.equal(taker.status, "matched");
  const tradeId = taker.tradeIDs[0];
  // The order UPDATE is sent after the trade frames of the same match.
  await eventually(() => userWs.frames.some((f) => f.event_type === "order" && f.type === "UPDATE" && f.id === maker.orderID), "order UPDATE");
  const seen = userWs.frames.filter((f) => f.event_type === "trade" && f.id === tradeId && f.status === "MATCHED").length;
  assert.equal(seen, expected, `${kind}: ${seen} MATCHED frames`);
  assert.ok((await injected())[kind] >= 1);
  await setFaults({});
  ok(`${kind}: ${expected} MATCHED trade frames where 1 was due; trade still in /data/trades: ${(await b.getTrades({ id: tradeId })).length === 1}`);
}

// delayed trade event: it arrives, but after the order UPDATE that normally follows it
await setFaults({ user_trade_delay: 1, user_trade_delay_ms: 700 });
{
  const maker = await buy(a, up, 0.40, true);
  const taker = await buy(b, down, 0.60);
  const tradeId = taker.tradeIDs[0];
  await eventually(() => userWs.frames.some((f) => f.event_type === "order" && f.type === "UPDATE" && f.id === maker.orderID), "order UPDATE");
  const updateAt = userWs.frames.findIndex((f) => f.event_type === "order" && f.type === "UPDATE" && f.id === maker.orderID);
  await eventually(() => userWs.frames.some((f) => f.event_type === "trade" && f.id === tradeId), "delayed trade frame");
  const tradeAt = userWs.frames.findIndex((f) => f.event_type === "trade" && f.id === tradeId);
  assert.ok(tradeAt > updateAt, "the trade frame came after the order UPDATE");
  assert.ok((await injected()).user_trade_delay >= 1);
  await setFaults({});
  ok("user_trade_delay: the trade frame arrives late (after the order UPDATE) and is counted");
}

// WS drop: the connection is cut without a close frame. The victim is the only
// market-channel connection, and the drop is limited to that path.
userWs.ws.close();
// A slot looked up now: the one above may have ended by this point of the run.
const [wsUp] = JSON.parse((await lastSlot()).clobTokenIds);
const victim = new Feed(`${wsUrl}/ws/market`);
await victim.opened;
victim.send({ assets_ids: [wsUp], type: "market" });
await eventually(() => victim.frames.length > 0, "initial dump");
await setFaults({ ws_drop_every_s: 1, ws_fault_path: "/ws/market" });
const code = await victim.closed;
assert.equal(code, 1006);
await setFaults({});
assert.ok((await injected()).ws_drop >= 1);
ok("ws_drop: connection cut (close code 1006) and counted");

// WS stall: stays open, answers nothing. It is the only market connection when the
// stall is picked; a second one, opened after, shows what the stalled one misses.
const stalled = new Feed(`${wsUrl}/ws/market`);
await stalled.opened;
stalled.send({ assets_ids: [wsUp], type: "market" });
await eventually(() => stalled.frames.length > 0, "initial dump");
await setFaults({ ws_stall_every_s: 1, ws_fault_path: "/ws/market" });
await eventually(async () => (await injected()).ws_stall >= 1, "ws_stall counted");
await setFaults({});
const control = new Feed(`${wsUrl}/ws/market`);
await control.opened;
control.send({ assets_ids: [wsUp], type: "market" });
await eventually(() => control.frames.length > 0, "control initial dump");
const before = stalled.frames.length;
stalled.send("PING");
// A new bid is a price_change for both subscribers, sent in the same turn of the
// venue; the control's PONG after it means the venue has long sent everything.
await buy(a, wsUp, 0.12, true);
await eventually(() => control.frames.some((f) => f.event_type === "price_change"), "control price_change");
control.send("PING");
await eventually(() => control.frames.includes("PONG"), "control PONG");
assert.equal(stalled.frames.length, before, `a stalled connection sends nothing: ${JSON.stringify(stalled.frames.slice(before)).slice(0, 300)}`);
assert.equal(stalled.ws.readyState, WebSocket.OPEN);
stalled.ws.close();
control.ws.close();
ok("ws_stall: connection stays open and silent (no PONG, no price_change) and counted");

// RTDS freeze: no price is published (nor kept for a backfill) during the window.
// A subscribe is answered in order on its socket, so its reply marks everything
// the venue sent before it.
const rtds = new Feed(rtdsUrl);
await rtds.opened;
const subscribe = (symbol) => rtds.send({ action: "subscribe", subscriptions: [{ topic: "crypto_prices_chainlink", type: "*", filters: JSON.stringify({ symbol }) }] });
const mark = async (symbol) => {
  const from = rtds.frames.length;
  subscribe(symbol);
  await eventually(() => rtds.frames.slice(from).some((f) => f.type === "subscribe" && f.payload?.symbol === symbol), `${symbol} backfill`);
  return from + rtds.frames.slice(from).findIndex((f) => f.type === "subscribe" && f.payload?.symbol === symbol) + 1;
};
await mark("btc/usd");
await eventually(() => rtds.frames.some((f) => f.type === "update"), "RTDS update");
await setFaults({ rtds_freeze_windows: [{ in_s: 0, for_s: 60 }] });
await eventually(async () => (await injected()).rtds_freeze >= 1, "a price held back");
const frozenFrom = await mark("eth/usd");
const held = (await injected()).rtds_freeze;
await eventually(async () => (await injected()).rtds_freeze >= held + 8, "two more frozen seconds (4 assets)");
const frozenTo = await mark("sol/usd");
const during = rtds.frames.slice(frozenFrom, frozenTo).filter((f) => f.type === "update");
assert.equal(during.length, 0, `no update while frozen: ${JSON.stringify(during).slice(0, 300)}`);
await setFaults({});
await eventually(() => rtds.frames.slice(frozenTo).some((f) => f.type === "update"), "updates after the freeze");
rtds.ws.close();
ok(`rtds_freeze: no update while frozen (${(await injected()).rtds_freeze} prices held back), updates again after, counted`);

// late resolution: the plan in force since start makes every slot resolve 4 s late
// The next slot to end (still in the future), fetched now.
const upcoming = await (await fetch(`${gammaUrl}/events?series_slug=btc-up-or-down-10s&closed=false&order=endDate&ascending=true&limit=10`)).json();
const ending = upcoming.map((e) => e.markets[0]).find((m) => Date.parse(m.endDate) > Date.now() + 500);
// Judged by the venue's own times (endDate, closedTime), not by when this script looks.
const closed = await eventually(async () => {
  const m = (await (await fetch(`${gammaUrl}/events?slug=${ending.slug}`)).json())[0].markets[0];
  return m.closed ? m : null;
}, "late resolution", 30000);
const lateS = (Date.parse(closed.closedTime) - Date.parse(closed.endDate)) / 1000;
assert.ok(lateS >= base.late_resolution_s, `resolved ${lateS} s after its end (resolution delay 0, late by ${base.late_resolution_s} s)`);
assert.ok((await injected()).late_resolution >= 1);
ok(`late_resolution: the slot resolved ${lateS} s after its end instead of at once (closedTime), counted`);

const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
for (const kind of ["http_500", "http_429", "http_425", "post_only_mode", "ghost_order", "user_trade_drop", "user_trade_duplicate", "user_trade_delay", "ws_drop", "ws_stall", "rtds_freeze", "late_resolution"])
  assert.match(metrics, new RegExp(`venue_faults_injected_total\\{kind="${kind}"\\} [1-9]`), kind);
ok("metrics: venue_faults_injected_total counts every kind");
console.log(`# ${step} checks passed`);
process.exit(0);
