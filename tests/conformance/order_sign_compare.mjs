// `tdmaker order-sign` against the official client, byte for byte, over parameter
// sets covering sides, prices near 0 and 1, sizes with many decimals, tick sizes
// 0.1/0.01/0.001/0.0001, neg-risk on and off, signature types 0/1/2/3 and
// GTC/GTD/FOK/FAK; type 3 (POLY_1271, deposit wallet: the ERC-7739 wrapped
// signature) over every combination of side, tick, neg-risk and order type. The client picks salt and timestamp; we pass them on so both
// sign the same order. Usage: node order_sign_compare.mjs TDMAKER_BIN
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { Wallet } from "@ethersproject/wallet";
import { OrderBuilder, OrderType, Side, orderToJsonV2, createL1Headers, createL2Headers } from "@polymarket/clob-client-v2";

const [bin] = process.argv.slice(2);
assert.ok(bin, "usage: node order_sign_compare.mjs TDMAKER_BIN");
const key = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"; // Hardhat #0, public
const wallet = new Wallet(key);
const funder = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"; // Hardhat #1 address as a proxy funder
const depositWallet = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"; // Hardhat #2 address as a deposit wallet
const token = "71321045679252212594626385532706912750332728571942532289631379312455583992563";
const owner = "5f8b2a4e-1c3d-4e5f-8a9b-0c1d2e3f4a5b";

const cases = [
  // limit orders: [side, price, size, tick, negRisk, sigType, orderType]
  ["BUY", 0.53, 10, "0.01", false, 0, "GTC"],
  ["SELL", 0.53, 10, "0.01", false, 0, "GTC"],
  ["BUY", 0.01, 5, "0.01", false, 0, "GTC"],
  ["BUY", 0.99, 123.456789, "0.01", false, 0, "GTC"],
  ["SELL", 0.02, 1000000.129, "0.01", true, 0, "GTC"],
  ["BUY", 0.5, 7.777777, "0.1", false, 0, "GTC"],
  ["SELL", 0.9, 12.3456, "0.1", true, 1, "GTC"],
  ["BUY", 0.001, 10000, "0.001", false, 0, "GTC"],
  ["SELL", 0.999, 5.55, "0.001", false, 2, "GTD"],
  ["BUY", 0.9715, 20.2, "0.0001", true, 0, "GTC"],
  ["SELL", 0.0001, 99999.99, "0.0001", false, 1, "GTC"],
  ["BUY", 0.4567, 15.015, "0.0001", false, 2, "GTD"],
  ["BUY", 0.535, 10, "0.01", false, 0, "GTC"],   // half-up rounding of the price
  ["SELL", 0.285, 33.333, "0.01", true, 2, "GTC"],
  ["BUY", 0.97, 5.01, "0.001", true, 1, "GTD"],
  ["SELL", 0.04, 250.75, "0.001", false, 0, "GTC"],
  // market orders: [side, price, amount, tick, negRisk, sigType, orderType]
  ["BUY", 0.35, 3.5, "0.01", false, 0, "FOK"],
  ["BUY", 0.53, 100, "0.01", false, 0, "FOK"],
  ["BUY", 0.33, 10, "0.01", true, 1, "FAK"],
  ["SELL", 0.47, 12.349, "0.01", false, 0, "FOK"],
  ["BUY", 0.123, 7.77, "0.001", false, 2, "FOK"],
  ["SELL", 0.9991, 50.5, "0.0001", true, 0, "FAK"],
  ["BUY", 0.9, 1.01, "0.1", false, 0, "FOK"],
  ["BUY", 0.53, 10, "0.01", false, 3, "GTC"],
  ["SELL", 0.47, 12.349, "0.01", true, 3, "FOK"],
];
// Type 3: both sides x every tick x neg-risk x GTC/GTD/FOK/FAK, prices near the
// edges of each tick's range and odd sizes.
const type3Prices = { "0.1": [0.1, 0.5, 0.9], "0.01": [0.01, 0.535, 0.99], "0.001": [0.001, 0.287, 0.999], "0.0001": [0.0001, 0.4567, 0.9999] };
for (const tick of ["0.1", "0.01", "0.001", "0.0001"])
  for (const side of ["BUY", "SELL"])
    for (const negRisk of [false, true])
      for (const orderType of ["GTC", "GTD", "FOK", "FAK"])
        type3Prices[tick].forEach((price, i) => cases.push([side, price, [5, 123.456789, 1000.5][i], tick, negRisk, 3, orderType]));

let matched = 0;
for (const [side, price, qty, tickSize, negRisk, sigType, orderType] of cases) {
  const maker = sigType === 3 ? depositWallet : funder;
  const builder = new OrderBuilder(wallet, 137, sigType, sigType === 0 ? undefined : maker);
  const market = orderType === "FOK" || orderType === "FAK";
  const expiration = orderType === "GTD" ? 1900000000 : undefined;
  const order = market
    ? await builder.buildMarketOrder({ tokenID: token, price, amount: qty, side: side === "BUY" ? Side.BUY : Side.SELL, orderType }, { tickSize, negRisk }, 2)
    : await builder.buildOrder({ tokenID: token, price, size: qty, side: side === "BUY" ? Side.BUY : Side.SELL, expiration }, { tickSize, negRisk }, 2);
  const theirs = JSON.stringify(orderToJsonV2(order, owner, OrderType[orderType], false, false));
  const params = {
    tokenID: token, price, [market ? "amount" : "size"]: qty, side, tickSize, negRisk, orderType,
    signatureType: sigType, owner, salt: Number(order.salt), timestamp: order.timestamp,
    ...(sigType === 0 ? {} : { funder: maker }), ...(expiration ? { expiration } : {}),
  };
  const ours = execFileSync(bin, ["order-sign"], { input: JSON.stringify(params), env: { ...process.env, TDMAKER_PRIVATE_KEY: key } }).toString().trim();
  assert.equal(ours, theirs, `case ${JSON.stringify(params)}`);
  matched++;
  console.log(`ok ${matched} - ${orderType} ${side} ${qty} @ ${price} tick ${tickSize} negRisk ${negRisk} sigType ${sigType}: maker ${order.makerAmount} taker ${order.takerAmount}`);
}
console.log(`# ${matched} parameter sets identical to clob-client-v2`);

// tdmaker auth-headers against createL1Headers / createL2Headers.
const creds = { key: owner, secret: "c2VjcmV0LWtleS1mb3ItdGVzdGluZy0xMjM0NTY3OA==", passphrase: "0f1e2d3c4b5a69788796a5b4c3d2e1f0" };
const env = { ...process.env, TDMAKER_PRIVATE_KEY: key, TDMAKER_API_KEY: creds.key, TDMAKER_API_SECRET: creds.secret, TDMAKER_API_PASSPHRASE: creds.passphrase };
const run = (args) => JSON.parse(execFileSync(bin, ["auth-headers", ...args], { env }).toString());
let headers = 0;
for (const [ts, nonce] of [[1700000000, 0], [1764460800, 7], [1800000123, 123456]]) {
  assert.deepEqual(run(["l1", "--timestamp", String(ts), "--nonce", String(nonce)]), await createL1Headers(wallet, 137, nonce, ts));
  headers++;
}
for (const [method, path, body] of [["GET", "/data/orders", undefined], ["POST", "/order", '{"order":{"salt":1}}'], ["DELETE", "/order", '{"orderID":"0xabc"}'], ["DELETE", "/cancel-all", undefined]]) {
  const ours = run(["l2", "--method", method, "--path", path, "--timestamp", "1764460800", ...(body ? ["--body", body] : [])]);
  assert.deepEqual(ours, await createL2Headers(wallet, creds, { method, requestPath: path, body }, 1764460800));
  headers++;
}
console.log(`# ${headers} header sets identical to createL1Headers / createL2Headers`);
