// Polymarket's official client (@polymarket/clob-client-v2, unmodified) against a
// freshly started tdmaker-venue, used as a trader would. Exits non-zero on the
// first failed expectation. Usage: node clob_conformance.mjs CLOB_URL GAMMA_URL
import assert from "node:assert/strict";
import { Wallet } from "@ethersproject/wallet";
import { ClobClient, OrderType, Side, AssetType, createL2Headers, orderToJsonV2 } from "@polymarket/clob-client-v2";

const [clobUrl, gammaUrl] = process.argv.slice(2);
assert.ok(clobUrl && gammaUrl, "usage: node clob_conformance.mjs CLOB_URL GAMMA_URL");

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
const event = series.find((e) => e.markets[0].acceptingOrders);
const mkt = event.markets[0];
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

console.log(`# ${step} checks passed`);
process.exit(0);
