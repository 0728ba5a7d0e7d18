// Deposit wallets (POLY_1271, issue 15): Polymarket's official client, unmodified,
// trades against tdmaker-venue through a deposit wallet registered to its key, and an
// EOA maker of a "deposit wallet only" account gets Polymarket's exact refusal.
// Usage: node deposit_wallet_check.mjs CLOB GAMMA WS RTDS ADMIN (env TDMAKER_VENUE_ADMIN_TOKEN)
import assert from "node:assert/strict";
import { Wallet } from "@ethersproject/wallet";
import { AssetType, ClobClient, OrderType, Side, createL2Headers, orderToJsonV2 } from "@polymarket/clob-client-v2";
import { ok, venueAdmin } from "./lib.mjs";

const [clobUrl, gammaUrl, , , adminUrl] = process.argv.slice(2);
assert.ok(clobUrl && gammaUrl && adminUrl && process.env.TDMAKER_VENUE_ADMIN_TOKEN, "usage: node deposit_wallet_check.mjs CLOB GAMMA WS RTDS ADMIN");
const venue = venueAdmin(adminUrl, process.env.TDMAKER_VENUE_ADMIN_TOKEN);
const CHAIN = 137;
const opts = { tickSize: "0.01", negRisk: false };
// Hardhat keys #0 and #1 (public, never funded anywhere real); #2's address stands for the wallet.
const alice = new Wallet("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const bob = new Wallet("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const WALLET = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const REFUSAL = "maker address not allowed, please use the deposit wallet flow";

// The slot that ends last, so the orders rest in an open market for the whole run.
const series = await (await fetch(`${gammaUrl}/events?series_slug=btc-up-or-down-1m&closed=false&order=endDate&ascending=true&limit=5`)).json();
const event = series.filter((e) => e.markets[0].acceptingOrders).sort((x, y) => Date.parse(x.markets[0].endDate) - Date.parse(y.markets[0].endDate)).pop();
assert.ok(event && Date.parse(event.markets[0].endDate) - Date.now() > 30000, "an open btc slot for the whole run");
const [up, down] = JSON.parse(event.markets[0].clobTokenIds);

// ---- the venue learns the wallet and the account's rule (the real one reads the chain)
await venue.registerWallet(WALLET, alice.address, "POLY_1271");
await venue.depositWalletOnly(alice.address);
ok(`admin: deposit wallet ${WALLET} registered to ${alice.address}, the owner flagged deposit-wallet-only`);

// ---- L1 is the owner key's, whatever the wallet type
const aliceCreds = await new ClobClient({ host: clobUrl, chain: CHAIN, signer: alice }).createOrDeriveApiKey();
const bobCreds = await new ClobClient({ host: clobUrl, chain: CHAIN, signer: bob }).createOrDeriveApiKey();
assert.ok(aliceCreds.key && bobCreds.key);
const eoa = new ClobClient({ host: clobUrl, chain: CHAIN, signer: alice, creds: aliceCreds, signatureType: 0 });
const dw = new ClobClient({ host: clobUrl, chain: CHAIN, signer: alice, creds: aliceCreds, signatureType: 3, funderAddress: WALLET });
const b = new ClobClient({ host: clobUrl, chain: CHAIN, signer: bob, creds: bobCreds, signatureType: 0 });
ok("L1: createOrDeriveApiKey for the owner key and a counterparty");

const usdc = async (c) => (await c.getBalanceAllowance({ asset_type: AssetType.COLLATERAL })).balance;
const shares = async (c, tok) => (await c.getBalanceAllowance({ asset_type: AssetType.CONDITIONAL, token_id: tok })).balance;

// ---- the EOA maker is refused with Polymarket's exact text, and nothing changes
const eoaStart = await usdc(eoa);
const refused = await eoa.createAndPostOrder({ tokenID: up, price: 0.40, size: 10, side: Side.BUY }, opts, OrderType.GTC);
assert.equal(refused.status, 400, JSON.stringify(refused));
assert.equal(refused.error, REFUSAL);
assert.equal((await venue.account(alice.address)).orders.length, 0);
assert.equal(await usdc(eoa), eoaStart);
ok(`EOA maker on a deposit-wallet-only account -> 400 "${refused.error}"`);

// ---- type-3 orders: signed by the owner key, maker = signer = the wallet
const walletStart = await usdc(dw);
assert.equal(walletStart, "1000000000000", "the wallet's own balance (signature_type=3)");
const maker = await dw.createAndPostOrder({ tokenID: up, price: 0.45, size: 10, side: Side.BUY }, opts, OrderType.GTC, true);
assert.equal(maker.success, true, JSON.stringify(maker));
assert.equal(maker.status, "live");
const open = await dw.getOpenOrders({ id: maker.orderID });
assert.equal(open.length, 1);
assert.equal(open[0].maker_address.toLowerCase(), WALLET.toLowerCase());
assert.equal(await usdc(eoa), eoaStart, "the owner's own funds are not reserved");
ok("POLY_1271 GTC BUY Up 0.45 x 10 rests, maker_address = the deposit wallet");

const taker = await b.createAndPostOrder({ tokenID: down, price: 0.55, size: 10, side: Side.BUY }, opts, OrderType.GTC);
assert.equal(taker.status, "matched", JSON.stringify(taker));
const trades = await dw.getTrades({ id: taker.tradeIDs[0] });
assert.equal(trades[0].maker_orders.find((m) => m.order_id === maker.orderID).matched_amount, "10");
assert.equal(await usdc(dw), "999995500000");
assert.equal(await shares(dw, up), "10000000");
assert.equal(await usdc(eoa), eoaStart);
assert.equal(await shares(eoa, up), "0");
const ground = await venue.account(WALLET);
assert.equal(ground.fills.length, 1);
assert.equal(ground.fills[0].role, "MAKER");
ok("fill: the wallet paid 4.5 pUSD and holds 10 Up; the owner EOA's balance and positions are untouched");

// ---- a market order (FOK) of type 3 takes a resting ask
const ask = await b.createAndPostOrder({ tokenID: down, price: 0.60, size: 5, side: Side.SELL }, opts, OrderType.GTC);
assert.equal(ask.status, "live", JSON.stringify(ask));
const fok = await dw.createAndPostMarketOrder({ tokenID: down, amount: 3, side: Side.BUY, price: 0.60 }, opts, OrderType.FOK);
assert.equal(fok.status, "matched", JSON.stringify(fok));
assert.equal(await shares(dw, down), "5000000");
ok("POLY_1271 FOK market BUY Down for 3 pUSD matches the resting ask: 5 shares to the wallet");

// ---- refusals of type-3 orders, each leaving the wallet as it was
const before = JSON.stringify([await usdc(dw), await dw.getOpenOrders({})]);
const post = async (signer, creds, order) => {
  const body = JSON.stringify(orderToJsonV2(order, creds.key, OrderType.GTC));
  const headers = await createL2Headers(signer, creds, { method: "POST", requestPath: "/order", body });
  const res = await fetch(`${clobUrl}/order`, { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body });
  return { status: res.status, body: await res.json() };
};
const good = await dw.createOrder({ tokenID: up, price: 0.30, size: 10, side: Side.BUY }, opts);
assert.equal(good.signature.length, 2 + 2 * 317, "65-byte inner signature + 252 bytes of ERC-7739 wrapping");
for (const [what, at] of [["inner signature", 10], ["app domain separator", 2 + 130 + 10], ["contents hash", 2 + 130 + 64 + 10], ["type string", 2 + 130 + 128 + 20]]) {
  const s = good.signature;
  const bad = { ...good, signature: s.slice(0, at) + (s[at] === "a" ? "b" : "a") + s.slice(at + 1) };
  const r = await post(alice, aliceCreds, bad);
  assert.equal(r.status, 400, `${what}: ${JSON.stringify(r)}`);
  assert.equal(r.body.error, "invalid signature", what);
}
const intruder = new ClobClient({ host: clobUrl, chain: CHAIN, signer: bob, creds: bobCreds, signatureType: 3, funderAddress: WALLET });
const stolen = await intruder.createAndPostOrder({ tokenID: up, price: 0.30, size: 10, side: Side.BUY }, opts, OrderType.GTC);
assert.equal(stolen.status, 400, JSON.stringify(stolen));
assert.equal(JSON.stringify([await usdc(dw), await dw.getOpenOrders({})]), before);
ok(`refused, nothing changed: a tampered byte in each part of the wrapping ("invalid signature"); another key for the wallet ("${stolen.error}")`);
