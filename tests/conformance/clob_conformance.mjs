// Polymarket's official client (@polymarket/clob-client-v2, unmodified) against a
// freshly started tdmaker-venue, used as a trader would, plus the market, user and
// RTDS WebSockets. Exits non-zero on the first failed expectation.
// Usage: node clob_conformance.mjs CLOB_URL GAMMA_URL WS_URL RTDS_URL
import assert from "node:assert/strict";
import { Wallet } from "@ethersproject/wallet";
import WebSocket from "ws";
import { ClobClient, OrderType, Side, AssetType, createL2Headers, orderToJsonV2 } from "@polymarket/clob-client-v2";

const [clobUrl, gammaUrl, wsUrl, rtdsUrl] = process.argv.slice(2);
assert.ok(clobUrl && gammaUrl && wsUrl && rtdsUrl, "usage: node clob_conformance.mjs CLOB GAMMA WS RTDS");

// A WebSocket that records every frame; waitFor resolves on the first match.
class Feed {
  constructor(url) {
    this.frames = [];
    this.waiters = [];
    this.ws = new WebSocket(url);
    this.opened = new Promise((res, rej) => { this.ws.on("open", res); this.ws.on("error", rej); });
    this.closed = new Promise((res) => this.ws.on("close", (code, reason) => res({ code, reason: reason.toString() })));
    this.ws.on("message", (data) => {
      const text = data.toString();
      let msg = text;
      try { msg = JSON.parse(text); } catch {}
      this.frames.push(msg);
      for (const w of this.waiters) w();
    });
  }
  send(x) { this.ws.send(typeof x === "string" ? x : JSON.stringify(x)); }
  waitFor(pred, what, ms = 5000) {
    return new Promise((res, rej) => {
      const check = () => { const hit = this.frames.find(pred); if (hit) { clearTimeout(t); res(hit); return true; } return false; };
      const t = setTimeout(() => rej(new Error(`timeout waiting for ${what}; got ${JSON.stringify(this.frames).slice(0, 800)}`)), ms);
      if (!check()) this.waiters.push(check);
    });
  }
  close() { this.ws.close(); }
}
const events = (frame) => (Array.isArray(frame) ? frame : [frame]);

// Hardhat test keys #0 and #1: public, never funded anywhere real.
const alice = new Wallet("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const bob = new Wallet("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const CHAIN = 137;
const opts = { tickSize: "0.01", negRisk: false };
let step = 0;
const ok = (what) => console.log(`ok ${++step} - ${what}`);

// ---- discovery (Gamma): the current slot of the btc series
const series = await (await fetch(`${gammaUrl}/events?series_slug=btc-up-or-down-1m&closed=false&order=endDate&ascending=true&limit=5`)).json();
assert.ok(Array.isArray(series) && series.length > 0, "Gamma lists open btc slots");
// The slot that ends last: the run's orders must rest in an open market from start
// to finish, whatever the moment within the 60 s slots the venue was started.
const event = series.filter((e) => e.markets[0].acceptingOrders).sort((x, y) => Date.parse(x.markets[0].endDate) - Date.parse(y.markets[0].endDate)).pop();
assert.ok(event, "Gamma lists a slot accepting orders");
const mkt = event.markets[0];
assert.ok(Date.parse(mkt.endDate) - Date.now() > 60000, `slot ${event.slug} stays open for the whole run`);
const [up, down] = JSON.parse(mkt.clobTokenIds);
assert.deepEqual(JSON.parse(mkt.outcomes), ["Up", "Down"]);
assert.match(up, /^\d{77,78}$/);
const bySlug = await (await fetch(`${gammaUrl}/events?slug=${event.slug}`)).json();
assert.equal(bySlug[0].markets[0].conditionId, mkt.conditionId);
ok(`gamma: ${event.slug} with string-encoded clobTokenIds`);

// ---- L1: create, then derive the same credentials
const anon = new ClobClient({ host: clobUrl, chain: CHAIN, signer: alice });
const aliceCreds = await anon.createOrDeriveApiKey();
assert.ok(aliceCreds.key && aliceCreds.secret && aliceCreds.passphrase, "create returns credentials");
const derived = await anon.deriveApiKey();
assert.deepEqual(derived, aliceCreds);
ok("L1: createOrDeriveApiKey / deriveApiKey");
const bobCreds = await new ClobClient({ host: clobUrl, chain: CHAIN, signer: bob }).createOrDeriveApiKey();

const a = new ClobClient({ host: clobUrl, chain: CHAIN, signer: alice, creds: aliceCreds, signatureType: 0 });
const b = new ClobClient({ host: clobUrl, chain: CHAIN, signer: bob, creds: bobCreds, signatureType: 0 });

// ---- public market data
const serverTime = await a.getServerTime();
assert.ok(Math.abs(serverTime - Date.now() / 1000) < 5, "server time is now");
assert.equal(await a.getOk(), "OK");
const market = await a.getMarket(mkt.conditionId);
assert.equal(market.condition_id, mkt.conditionId);
assert.equal(market.tokens[0].token_id, up);
const book0 = await a.getOrderBook(up);
assert.equal(book0.asset_id, up);
assert.equal(book0.tick_size, "0.01");
assert.equal(await a.getTickSize(up), "0.01");
assert.equal(await a.getNegRisk(up), false);
ok("public: time, ok, market, book, tick size, neg risk");

const usdc = async (c) => (await c.getBalanceAllowance({ asset_type: AssetType.COLLATERAL })).balance;
const shares = async (c, tok) => (await c.getBalanceAllowance({ asset_type: AssetType.CONDITIONAL, token_id: tok })).balance;
const aliceStart = await usdc(a);
assert.equal(aliceStart, "1000000000000");

// ---- a resting GTC BUY: open orders, then cancel
const rest = await a.createAndPostOrder({ tokenID: up, price: 0.40, size: 10, side: Side.BUY }, opts, OrderType.GTC);
assert.equal(rest.success, true);
assert.equal(rest.status, "live");
assert.match(rest.orderID, /^0x[0-9a-f]{64}$/);
let open = await a.getOpenOrders({ market: mkt.conditionId });
assert.equal(open.length, 1);
assert.equal(open[0].id, rest.orderID);
assert.equal(open[0].price, "0.4");
assert.equal(open[0].original_size, "10");
assert.equal((await a.getOrder(rest.orderID)).status, "LIVE");
const bookWithBid = await a.getOrderBook(up);
assert.deepEqual(bookWithBid.bids, [{ price: "0.4", size: "10" }]);
ok("GTC BUY rests: live, in open orders and on the book");
const canceled = await a.cancelOrder({ orderID: rest.orderID });
assert.deepEqual(canceled.canceled, [rest.orderID]);
open = await a.getOpenOrders({ market: mkt.conditionId });
assert.equal(open.length, 0);
assert.equal(await usdc(a), aliceStart);
ok("cancel: canceled, gone from open orders, nothing reserved");

// ---- WebSockets: market channel (array dump, PING/PONG), user channels, RTDS
const marketWs = new Feed(`${wsUrl}/ws/market`);
await marketWs.opened;
marketWs.send({ assets_ids: [up, down], type: "market", custom_feature_enabled: true, initial_dump: true });
const dump = await marketWs.waitFor((f) => Array.isArray(f), "initial dump");
assert.deepEqual(dump.map((e) => e.event_type), ["book", "book"]);
marketWs.send("PING");
await marketWs.waitFor((f) => f === "PONG", "PONG");
ok("market ws: initial dump is an array of book events; PING -> PONG");
const aliceWs = new Feed(`${wsUrl}/ws/user`);
const bobWs = new Feed(`${wsUrl}/ws/user`);
await Promise.all([aliceWs.opened, bobWs.opened]);
aliceWs.send({ auth: { apiKey: aliceCreds.key, secret: aliceCreds.secret, passphrase: aliceCreds.passphrase }, type: "user", markets: [mkt.conditionId] });
bobWs.send({ auth: { apiKey: bobCreds.key, secret: bobCreds.secret, passphrase: bobCreds.passphrase }, type: "user" });
// The user channel acknowledges no subscription, but answers PING only once it is
// authenticated: a PONG means the venue has the subscription before any order is sent.
for (const f of [aliceWs, bobWs]) f.send("PING");
await Promise.all([aliceWs, bobWs].map((f) => f.waitFor((x) => x === "PONG", "user channel PONG")));
const rtds = new Feed(rtdsUrl);
await rtds.opened;
rtds.send({ action: "subscribe", subscriptions: [{ topic: "crypto_prices_chainlink", type: "*", filters: JSON.stringify({ symbol: "btc/usd" }) }] });
const backfill = await rtds.waitFor((f) => f.type === "subscribe", "RTDS backfill");
assert.equal(backfill.payload.symbol, "btc/usd");
// The backfill is what the venue has: empty in its first second, which this run may be in.
assert.ok(Array.isArray(backfill.payload.data), "backfill data is an array");
for (const p of backfill.payload.data) assert.ok(Number.isInteger(p.timestamp) && typeof p.value === "number", JSON.stringify(p));
const update = await rtds.waitFor((f) => f.type === "update", "RTDS update");
assert.equal(typeof update.payload.value, "number");
assert.match(update.payload.full_accuracy_value, /^\d+$/);
ok(`rtds: backfill of ${backfill.payload.data.length} and live update btc/usd ${update.payload.value}`);

// ---- a crossing order fills: Alice bids Up 0.45, Bob bids Down 0.55 (complementary match)
const maker = await a.createAndPostOrder({ tokenID: up, price: 0.45, size: 10, side: Side.BUY }, opts, OrderType.GTC, true);
assert.equal(maker.status, "live");
const taker = await b.createAndPostOrder({ tokenID: down, price: 0.55, size: 10, side: Side.BUY }, opts, OrderType.GTC);
assert.equal(taker.status, "matched");
assert.equal(taker.tradeIDs.length, 1);
// The client waits for the trade to be mined and reports its transaction hash.
assert.equal(taker.transactionsHashes.length, 1);
assert.match(taker.transactionsHashes[0], /^0x[0-9a-f]{64}$/);
const tradeId = taker.tradeIDs[0];
ok("crossing BUY Down 0.55 matches resting BUY Up 0.45");

const aliceTrades = await a.getTrades({ market: mkt.conditionId });
assert.equal(aliceTrades.length, 1);
assert.equal(aliceTrades[0].id, tradeId);
const mine = aliceTrades[0].maker_orders.find((m) => m.order_id === maker.orderID);
assert.ok(mine, "Alice's order is in maker_orders");
assert.equal(mine.matched_amount, "10");
assert.equal(mine.price, "0.45");
assert.equal(mine.asset_id, up);
const bobTrades = await b.getTrades({ id: tradeId });
assert.equal(bobTrades[0].taker_order_id, taker.orderID);
assert.equal(bobTrades[0].size, "10");
ok("trade visible to maker and taker in /data/trades");

const placed = await aliceWs.waitFor((f) => f.event_type === "order" && f.type === "PLACEMENT" && f.id === maker.orderID, "order PLACEMENT");
assert.equal(placed.original_size, "10");
const pc = await marketWs.waitFor((f) => events(f).some((e) => e.event_type === "price_change" && e.price_changes.some((c) => c.asset_id === up && c.price === "0.45" && c.size === "10")), "price_change bid 0.45 x 10");
assert.ok(pc);
const makerTrade = await aliceWs.waitFor((f) => f.event_type === "trade" && f.id === tradeId && f.status === "MATCHED", "maker trade MATCHED");
assert.equal(makerTrade.trader_side, "MAKER");
assert.equal(makerTrade.maker_orders.find((m) => m.order_id === maker.orderID).matched_amount, "10");
await aliceWs.waitFor((f) => f.event_type === "trade" && f.id === tradeId && f.status === "CONFIRMED", "maker trade CONFIRMED", 6000);
const takerTrade = await bobWs.waitFor((f) => f.event_type === "trade" && f.id === tradeId, "taker trade");
assert.equal(takerTrade.trader_side, "TAKER");
await aliceWs.waitFor((f) => f.event_type === "order" && f.type === "UPDATE" && f.id === maker.orderID && f.size_matched === "10", "order UPDATE");
await marketWs.waitFor((f) => events(f).some((e) => e.event_type === "last_trade_price" && e.asset_id === down), "last_trade_price");
await marketWs.waitFor((f) => events(f).some((e) => e.event_type === "price_change" && e.price_changes.some((c) => c.asset_id === up && c.price === "0.45" && c.size === "0")), "bid level removed");
ok("user ws: PLACEMENT, trade MATCHED -> CONFIRMED for maker, TAKER for taker, order UPDATE; market ws: price_change and last_trade_price");

// Maker: paid 10 x 0.45, no fee. Taker: 10 x 0.55 plus fee 10 x 0.07 x 0.55 x 0.45 = 0.17325.
assert.equal(await usdc(a), "999995500000");
assert.equal(await shares(a, up), "10000000");
assert.equal(await usdc(b), "999994326750");
assert.equal(await shares(b, down), "10000000");
ok("balances to the micro-unit: maker 999995.5, taker 999994.32675 pUSD, 10 shares each");

// ---- rejections: each leaves orders and balances as they were
const snapshot = async () => JSON.stringify([await usdc(a), await shares(a, up), await a.getOpenOrders({})]);
const before = await snapshot();

const signedRaw = async (client, creds, signer, method, path, body) => {
  const headers = await createL2Headers(signer, creds, { method, requestPath: path, body });
  return fetch(clobUrl + path, { method, headers: { ...headers, "Content-Type": "application/json" }, body });
};
const expectError = async (res, status, pattern, what) => {
  const body = await res.json();
  assert.equal(res.status, status, `${what}: HTTP ${res.status} ${JSON.stringify(body)}`);
  assert.match(body.error, pattern, what);
  assert.equal(await snapshot(), before, `${what} changed state`);
  ok(`rejected: ${what} -> ${status} ${body.error}`);
};

// tampered signature
const good = await a.createOrder({ tokenID: up, price: 0.30, size: 10, side: Side.BUY }, opts);
const tampered = { ...good, signature: good.signature.slice(0, 10) + (good.signature[10] === "a" ? "b" : "a") + good.signature.slice(11) };
let body = JSON.stringify(orderToJsonV2(tampered, aliceCreds.key, OrderType.GTC));
await expectError(await signedRaw(a, aliceCreds, alice, "POST", "/order", body), 400, /invalid signature/, "tampered signature");

// bad HMAC: a valid order whose L2 signature is for another body
body = JSON.stringify(orderToJsonV2(good, aliceCreds.key, OrderType.GTC));
const hdr = await createL2Headers(alice, aliceCreds, { method: "POST", requestPath: "/order", body: body + " " });
let res = await fetch(clobUrl + "/order", { method: "POST", headers: { ...hdr, "Content-Type": "application/json" }, body });
await expectError(res, 401, /Unauthorized\/Invalid api key/, "bad HMAC");

// off-tick price: 0.4005 signed with a finer tick than the market's 0.01
const offTick = await a.orderBuilder.buildOrder({ tokenID: up, price: 0.4005, size: 10, side: Side.BUY }, { tickSize: "0.0001", negRisk: false }, 2);
body = JSON.stringify(orderToJsonV2(offTick, aliceCreds.key, OrderType.GTC));
await expectError(await signedRaw(a, aliceCreds, alice, "POST", "/order", body), 400, /breaks minimum tick size rule: 0.01/, "off-tick price");

// too small: 2 shares < 5
const small = await a.createOrder({ tokenID: up, price: 0.30, size: 2, side: Side.BUY }, opts);
body = JSON.stringify(orderToJsonV2(small, aliceCreds.key, OrderType.GTC));
await expectError(await signedRaw(a, aliceCreds, alice, "POST", "/order", body), 400, /lower than the minimum: 5/, "size below minimum");

// post-only that crosses: Bob rests BUY Down 0.65, Alice's post-only BUY Up 0.40 would match it (1 - 0.65 = 0.35 <= 0.40)
const bobRest = await b.createAndPostOrder({ tokenID: down, price: 0.65, size: 10, side: Side.BUY }, opts, OrderType.GTC, true);
assert.equal(bobRest.status, "live");
const cross = await a.createOrder({ tokenID: up, price: 0.40, size: 10, side: Side.BUY }, opts);
body = JSON.stringify(orderToJsonV2(cross, aliceCreds.key, OrderType.GTC, true));
await expectError(await signedRaw(a, aliceCreds, alice, "POST", "/order", body), 400, /invalid post-only order: order crosses book/, "post-only crossing");

// malformed JSON, correctly authenticated
body = '{"order": {"salt": 1,';
await expectError(await signedRaw(a, aliceCreds, alice, "POST", "/order", body), 400, /Invalid order payload/, "malformed JSON");

// duplicate: the same signed order twice
const dupFirst = await a.postOrder(good, OrderType.GTC);
assert.equal(dupFirst.status, "live");
const dupAgain = await a.postOrder(good, OrderType.GTC);
assert.match(dupAgain.error, /Duplicated/);
ok("duplicate order rejected");

// A market order (FOK, pUSD amount): 3.5 pUSD of Up at the best offer, 0.35 =
// the mirror of Bob's resting BUY Down 0.65.
const upBook = await a.getOrderBook(up);
assert.deepEqual(upBook.asks[upBook.asks.length - 1], { price: "0.35", size: "10" });
const mo = await a.createAndPostMarketOrder({ tokenID: up, amount: 3.5, side: Side.BUY, orderType: OrderType.FOK }, opts, OrderType.FOK);
assert.equal(mo.status, "matched", JSON.stringify(mo));
assert.equal((await b.getOrder(bobRest.orderID)).status, "MATCHED");
ok("market order: FOK BUY for 3.5 pUSD fills 10 Up against the complementary bid");

// Heartbeats: a series of ids; a wrong id is refused; a lapsed series cancels all orders.
const hb1 = await a.postHeartbeat("");
assert.match(hb1.heartbeat_id, /^[0-9a-f-]{36}$/);
const hb2 = await a.postHeartbeat(hb1.heartbeat_id);
assert.notEqual(hb2.heartbeat_id, hb1.heartbeat_id);
// Right after a valid heartbeat: the series is well inside its --heartbeat-timeout-ms.
assert.ok((await a.getOpenOrders({})).length > 0, "orders rest while heartbeats flow");
const hbBad = await a.postHeartbeat("not-the-last-id");
assert.equal(hbBad.error, "Invalid Heartbeat ID");
const lapseStart = Date.now();
while ((await a.getOpenOrders({})).length > 0 && Date.now() - lapseStart < 8000) await new Promise((r) => setTimeout(r, 200));
assert.equal((await a.getOpenOrders({})).length, 0, "a lapsed heartbeat cancels all orders");
ok("heartbeats: id series, wrong id -> Invalid Heartbeat ID, lapse cancels all orders");

// A user channel that never subscribes correctly is closed with 1008.
const rogue = new Feed(`${wsUrl}/ws/user`);
await rogue.opened;
rogue.send("PING");
const closed = await rogue.closed;
assert.equal(closed.code, 1008);
ok(`ws: PING before a valid subscription -> close ${closed.code} "${closed.reason}"`);

for (const f of [marketWs, aliceWs, bobWs, rtds]) f.close();
console.log(`# ${step} checks passed`);
process.exit(0);
