// The official client's order build + sign + JSON serialisation rate, for
// bench/run_link_bench.sh to compare with the node's. Prints one JSON line.
// Usage: node sign_bench.mjs [orders]
import { Wallet } from "@ethersproject/wallet";
import { OrderBuilder, OrderType, Side, orderToJsonV2 } from "@polymarket/clob-client-v2";

const n = Number(process.argv[2] ?? 2000);
const wallet = new Wallet("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"); // Hardhat #0
const token = "71321045679252212594626385532706912750332728571942532289631379312455583992563";
const owner = "5f8b2a4e-1c3d-4e5f-8a9b-0c1d2e3f4a5b";
const builder = new OrderBuilder(wallet, 137, 0);
const one = async (i) => {
  const price = 0.01 + (i % 97) / 100;
  const order = await builder.buildOrder({ tokenID: token, price: Math.min(price, 0.99), size: 5 + (i % 50), side: i % 2 ? Side.SELL : Side.BUY },
    { tickSize: "0.01", negRisk: false }, 2);
  return JSON.stringify(orderToJsonV2(order, owner, OrderType.GTC, true, false));
};
for (let i = 0; i < 200; ++i) await one(i); // warm-up (JIT)
const t0 = process.hrtime.bigint();
let bytes = 0;
for (let i = 0; i < n; ++i) bytes += (await one(i)).length;
const s = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(JSON.stringify({ orders: n, seconds: s, orders_per_s: n / s, bytes }));
