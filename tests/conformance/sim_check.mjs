// Simulated traders keep the venue's books alive: both outcomes show bids and
// asks that mirror each other, trades happen, and a client's resting bid at the
// best bid gets filled. Usage: node sim_check.mjs CLOB GAMMA WS RTDS ADMIN
import assert from "node:assert/strict";
import { Wallet } from "@ethersproject/wallet";
import { ClobClient, OrderType, Side } from "@polymarket/clob-client-v2";

const [clobUrl, gammaUrl, , , adminUrl] = process.argv.slice(2);
let step = 0;
const ok = (what) => console.log(`ok ${++step} - ${what}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const eventually = async (pred, what, ms = 20000) => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timeout: ${what}`);
    await sleep(200);
  }
};

const series = await (await fetch(`${gammaUrl}/events?series_slug=btc-up-or-down-1m&closed=false&order=endDate&ascending=true&limit=5`)).json();
// Simulated traders work every listed market until its end: take the one that ends
// last, so that the fill waited for below cannot be cut short by the end of a slot.
const mkt = series.map((e) => e.markets[0]).filter((m) => m.acceptingOrders).sort((x, y) => Date.parse(x.endDate) - Date.parse(y.endDate)).pop();
assert.ok(mkt && Date.parse(mkt.endDate) - Date.now() > 70000, `a slot with more than the fill wait left: ${mkt?.endDate}`);
const [up, down] = JSON.parse(mkt.clobTokenIds);
const anon = new ClobClient({ host: clobUrl, chain: 137 });
const books = await eventually(async () => {
  // One request (POST /books): both books from the same moment, so the mirror must hold exactly.
  const both = await anon.getOrderBooks([{ token_id: up }, { token_id: down }]);
  const u = both.find((b) => b.asset_id === up), d = both.find((b) => b.asset_id === down);
  return u.bids.length && u.asks.length && d.bids.length && d.asks.length ? [u, d] : null;
}, "two-sided books");
const best = (levels) => levels[levels.length - 1].price; // best price last
const [u, d] = books;
assert.equal(Math.round((Number(best(u.bids)) + Number(best(d.asks))) * 100), 100, `Up bid mirrors Down ask: ${JSON.stringify(books)}`);
assert.ok(Number(best(u.bids)) < Number(best(u.asks)), `Up book does not cross: ${JSON.stringify(u)}`);
ok(`books alive: Up ${best(u.bids)} / ${best(u.asks)}, Down ${best(d.bids)} / ${best(d.asks)}`);

await eventually(async () => /venue_trades_total [1-9]/.test(await (await fetch(`${adminUrl}/metrics`)).text()), "simulated trades");
ok("simulated takers trade");

const alice = new Wallet("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const creds = await new ClobClient({ host: clobUrl, chain: 137, signer: alice }).createOrDeriveApiKey();
const a = new ClobClient({ host: clobUrl, chain: 137, signer: alice, creds, signatureType: 0 });
// A post-only bid at the best bid crosses when the simulated maker re-quotes lower
// between the book read and the post (fair moved by two half-spreads): the venue
// refuses it with the real error, and a maker re-prices (protocol ref §8). Any
// other refusal fails the test.
const placeAtBestBid = async () => {
  for (let attempt = 1; ; ++attempt) {
    const px = Number(best((await a.getOrderBook(up)).bids));
    const r = await a.createAndPostOrder({ tokenID: up, price: px, size: 5, side: Side.BUY }, { tickSize: "0.01", negRisk: false }, OrderType.GTC, true);
    if (r.status === "live") return [r, px];
    assert.equal(r.error, "invalid post-only order: order crosses book", `bid at ${px}: ${JSON.stringify(r)}`);
    assert.ok(attempt < 10, `the book moved under ${attempt} post-only bids in a row`);
    console.log(`# bid at ${px} crossed a re-quoted book: re-pricing`);
  }
};
const [bid, px] = await placeAtBestBid();
const filled = await eventually(async () => {
  const o = await a.getOrder(bid.orderID);
  return Number(o.size_matched) > 0 ? o : null;
}, "the resting bid to be filled", 40000);
ok(`a resting maker bid at ${px} was filled by a simulated taker (${filled.size_matched} shares)`);
console.log(`# ${step} checks passed`);
process.exit(0);
