// Helpers shared by the scripts that drive the real node against tdmaker-venue:
// the venue's admin API, polling, and a node process with its HTTP endpoints.
import assert from "node:assert/strict";
import { execFile, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";

// Hardhat test key #0: public, holds nothing anywhere real.
export const KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
export const ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/// The venue's opening balance per address, micro-units.
export const STARTING_USDC = 1_000_000_000_000n;

/// A decimal string ("12.5", "-0.000001") as exact micro-units.
export const micros = (text) => {
  const s = String(text);
  const neg = s.startsWith("-");
  const [i, f = ""] = (neg ? s.slice(1) : s).split(".");
  const v = BigInt(i || "0") * 1_000_000n + BigInt((f + "000000").slice(0, 6));
  return neg ? -v : v;
};
/// size x price in micro-units (floored, as the venue books cash).
export const cash = (size, px) => (micros(size) * micros(px)) / 1_000_000n;

/// An exit model that always says "sell" (P(win) 0.5 < 1): every fill is followed by a
/// stop-loss exit at the best bid, a taker that pays the venue's fee, so it nearly always loses.
export const ALWAYS_SELL_EXIT_MODEL = { intercept: 0, weights: {}, exit_threshold: 1 };
export function writeAlwaysSellModel(work) {
  const path = join(work, "exit-always.json");
  writeFileSync(path, JSON.stringify(ALWAYS_SELL_EXIT_MODEL));
  return path;
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
/// `base` with `over` merged in: objects key by key, anything else replaced; an
/// `undefined` in `over` removes the key.
export function deepMerge(base, over) {
  const out = { ...base };
  for (const [k, v] of Object.entries(over ?? {})) {
    if (v === undefined) delete out[k];
    else out[k] = isObject(v) && isObject(out[k]) ? deepMerge(out[k], v) : v;
  }
  return out;
}

/// The phase the scripts that test trading (not phases) run in: live, every market
/// traded (no trade limit a session), never downgraded by their losses, as before
/// phases moved by themselves (issue 16).
export const TRADING_PHASE = { initial: "ProofOfConcept", limits: { ProofOfConcept: { max_trades_per_session: 0 } },
                               downgrade: { enabled: false } };

/// Runs a check script's `main`; on success `cleanup()`, on failure the running
/// node's log (`current()`) is kept in the work dir and its tail printed, exit 1.
export async function runCheck(main, { current, work, cleanup = async () => {} }) {
  try {
    await main();
    await cleanup();
  } catch (e) {
    console.error(e);
    const node = current();
    if (node) {
      node.save("node-failed.log");
      console.error(`node log: ${join(work, "node-failed.log")}\n--- last lines\n${node.log.split("\n").slice(-40).join("\n")}`);
    }
    process.exit(1);
  }
}

/// The live-node config the venue scripts share (short slots, fast reconciliation
/// and settlement), `overrides` deep-merged. `env`: { clobUrl, gammaUrl, wsUrl, rtdsUrl, work, slot }.
export function nodeConfig(env, overrides = {}) {
  const { clobUrl, gammaUrl, wsUrl, rtdsUrl, work, slot = 20 } = env;
  return deepMerge({
    node: { data_dir: join(work, "data"), log_dir: join(work, "logs"), mode: "live" },
    http: { listen: "127.0.0.1:0" },
    phase: TRADING_PHASE,
    venue: { clob_url: clobUrl, gamma_url: gammaUrl, market_ws_url: `${wsUrl}/ws/market`, user_ws_url: `${wsUrl}/ws/user`,
             rtds_url: rtdsUrl, request_timeout_ms: 3000 },
    discovery: { slot_seconds: slot, interval_ms: 1000, retire_after_end_s: 60 },
    entry: { target_bid: "0.55", max_bid: "0.95", max_entry_s: slot, max_move_ppm: 1000000 },
    ladder: { rungs: 3, spacing_ticks: 2, shares_per_rung: 5, sequential: false },
    budget: { max_exposure: "40", max_per_market: "12" },
    orders: { cancel_before_end_ms: 3000, placement_timeout_ms: 5000 },
    fills: { reconcile_interval_ms: 5000 },
    settlement: { grace_s: 2, interval_ms: 1000 },
    feed: { reconnect_min_ms: 200, reconnect_max_ms: 1000 },
    status: { interval_ms: 5000 },
  }, overrides);
}

/// The script's arguments (run_with_venue.sh) and environment, checked once.
export function scriptEnv(script, prefix) {
  const [clobUrl, gammaUrl, wsUrl, rtdsUrl, adminUrl] = process.argv.slice(2);
  const bin = process.env.TDMAKER_BIN;
  assert.ok(bin && process.env.TDMAKER_VENUE_ADMIN_TOKEN && adminUrl,
            `usage: TDMAKER_BIN=... node ${script} CLOB GAMMA WS RTDS ADMIN`);
  return { clobUrl, gammaUrl, wsUrl, rtdsUrl, adminUrl, bin, venue: venueAdmin(adminUrl, process.env.TDMAKER_VENUE_ADMIN_TOKEN), prefix };
}

/// A JSON-lines file read while its writer runs: a line that does not parse is left
/// out (the last one still being written, or one a SIGKILLed writer left half-written).
export function readJsonl(path) {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8").split("\n").filter((l) => l).flatMap((l) => {
    try { return [JSON.parse(l)]; } catch { return []; }
  });
}

/// A Telegram Bot API stand-in: records every sendMessage the notifier makes.
export async function webhookReceiver() {
  const received = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      let parsed = null;
      try { parsed = body ? JSON.parse(body) : null; } catch { parsed = { unparsed: body }; }
      received.push({ path: req.url, body: parsed });
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ ok: true, result: { message_id: received.length } }));
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}`, received, texts: () => received.map((r) => r.body?.text ?? ""),
           close: () => new Promise((r) => server.close(r)) };
}

/// The node's fills, settlements and total PnL against the venue's ground truth for
/// one account (`acct`, from venue.account()), after a quiesce: every venue fill once
/// in the node's live ledger with its size, price, token and side, no node fill the
/// venue lacks, each venue payout equal to the node's settlement, and the node's total
/// live PnL == the venue's fills and payouts == the balance change. Returns the figures.
export function compareFillsWithVenue(node, acct, { startingUsdc = STARTING_USDC } = {}) {
  const trades = node.exportLedger("trades").filter((f) => f.source !== "paper");
  const nodeFills = new Map();
  for (const f of trades) {
    const k = `${f.trade_id}:${f.order_id}`;
    assert.ok(!nodeFills.has(k), `fill ${k} twice in the node's ledger`);
    nodeFills.set(k, f);
  }
  const venueFills = new Map(acct.fills.map((f) => [`${f.trade_id}:${f.order_id}`, f]));
  for (const [k, v] of venueFills) {
    const f = nodeFills.get(k);
    assert.ok(f, `venue fill ${k} (${v.role} ${v.side} ${v.size} @ ${v.price}) is missing from the node`);
    assert.equal(micros(f.size), micros(v.size), `fill ${k}: size`);
    assert.equal(micros(f.price), micros(v.price), `fill ${k}: price`);
    assert.equal(f.token, v.asset_id, `fill ${k}: token`);
    assert.equal(f.side, v.side, `fill ${k}: side`);
    assert.equal(f.reversed, false, `fill ${k}: reversed`);
  }
  for (const k of nodeFills.keys()) assert.ok(venueFills.has(k), `node fill ${k} does not exist on the venue`);

  const settlements = node.exportLedger("settlements").filter((x) => !x.paper);
  const nodeSettled = new Map(settlements.map((s) => [s.market, s]));
  assert.equal(nodeSettled.size, settlements.length, "no market settled twice");
  const venuePayout = new Map();
  for (const s of acct.settlements) venuePayout.set(s.market, (venuePayout.get(s.market) ?? 0n) + micros(s.payout));
  for (const [market, payout] of venuePayout) {
    const s = nodeSettled.get(market);
    assert.ok(s, `market ${market} settled by the venue (payout ${payout}) but not by the node`);
    assert.equal(micros(s.payout), payout, `market ${market}: payout`);
  }
  for (const s of settlements)
    assert.ok(venuePayout.has(s.market) || micros(s.held) === 0n, `node settled ${s.market} the venue has no position in`);
  const pnl = settlements.reduce((a, s) => a + micros(s.pnl), 0n);
  let venuePnl = 0n;
  for (const f of acct.fills) venuePnl += (f.side === "BUY" ? -1n : 1n) * cash(f.size, f.price) - micros(f.fee);
  for (const p of venuePayout.values()) venuePnl += p;
  assert.equal(pnl, venuePnl, `total PnL: node ${pnl} vs venue fills and payouts ${venuePnl}`);
  const balanceDelta = micros(acct.usdc) - startingUsdc;
  assert.equal(pnl, balanceDelta, `total PnL: node ${pnl} vs venue balance change ${balanceDelta}`);
  return { fills: nodeFills.size, settlements: settlements.length, pnl, trades, settlementRecords: settlements };
}

/// Stops new venue orders (an operator switch to Experience: paper), waits until
/// nothing of `address` rests on the venue, the venue resolved every market it holds
/// and the node settled each; returns the venue account then.
export async function quiesce(node, venue, address = ADDRESS) {
  await node.phase("Experience", "test: stop sending orders");
  await eventually(async () => (await venue.account(address)).open_orders.length === 0
                               && (await node.status()).trading.open_orders === 0, "no order rests and the node knows it", 60000);
  await eventually(async () => Object.keys((await venue.account(address)).positions).length === 0,
                   "the venue resolved every market the account holds", 90000);
  const acct = await venue.account(address);
  const venueMarkets = new Set(acct.settlements.map((s) => s.market));
  await eventually(async () => {
    const st = (await node.status()).trading;
    return st.open_positions === 0 && st.settlements >= venueMarkets.size;
  }, "the node settled every position", 60000);
  return acct;
}

let step = 0;
export const ok = (what) => console.log(`ok ${++step} - ${what}`);

export const eventually = async (pred, what, ms = 15000) => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timeout: ${what}`);
    await sleep(100);
  }
};

export function venueAdmin(adminUrl, token) {
  const auth = { Authorization: `Bearer ${token}` };
  return {
    async setFaults(plan) {
      const res = await fetch(`${adminUrl}/admin/faults`, { method: "POST", headers: auth, body: JSON.stringify(plan) });
      assert.equal(res.status, 200, await res.text());
    },
    /// Pauses (or resumes) the simulated takers; makers keep quoting.
    async pauseTakers(paused = true) {
      const res = await fetch(`${adminUrl}/admin/sim`, { method: "POST", headers: auth, body: JSON.stringify({ takers_paused: paused }) });
      const text = await res.text();
      assert.equal(res.status, 200, text);
      assert.equal(JSON.parse(text).takers_paused, paused, text);
    },
    async injected() {
      return (await (await fetch(`${adminUrl}/admin/faults`, { headers: auth })).json()).injected;
    },
    /// Whether the venue has an account for the address (the node creates its API key at start).
    async knows(address = ADDRESS) {
      return (await fetch(`${adminUrl}/admin/account/${address}`, { headers: auth })).status === 200;
    },
    /// Registers a proxy / safe / deposit wallet of `owner` (the venue has no chain).
    async registerWallet(wallet, owner, type) {
      const res = await fetch(`${adminUrl}/admin/wallets`, { method: "POST", headers: auth, body: JSON.stringify({ wallet, owner, type }) });
      assert.equal(res.status, 200, await res.text());
    },
    /// Flags `owner` so that its EOA orders are refused (the deposit wallet flow).
    async depositWalletOnly(owner, on = true) {
      const res = await fetch(`${adminUrl}/admin/deposit-wallet-only`, { method: "POST", headers: auth, body: JSON.stringify({ owner, on }) });
      assert.equal(res.status, 200, await res.text());
    },
    async account(address = ADDRESS) {
      const res = await fetch(`${adminUrl}/admin/account/${address}`, { headers: auth });
      assert.equal(res.status, 200, "the venue knows the node's account");
      return res.json();
    },
  };
}

/// The node binary with a JSON config written to `work`, its output kept in memory.
export class NodeProcess {
  constructor(bin, work, cfg, env = {}) {
    this.bin = bin;
    this.work = work;
    this.cfgPath = join(work, "node.json");
    writeFileSync(this.cfgPath, JSON.stringify(cfg));
    this.log = "";
    this.startedMs = Date.now();
    this.proc = spawn(bin, ["--config", this.cfgPath], { env: { ...process.env, TDMAKER_PRIVATE_KEY: KEY, TDMAKER_CONTROL_TOKEN: "t", ...env } });
    this.proc.stdout.on("data", (d) => (this.log += d));
    this.proc.stderr.on("data", (d) => (this.log += d));
    this.exited = new Promise((res) => this.proc.on("exit", (code, signal) => res(code ?? signal)));
  }
  async ready() {
    const m = await eventually(() => this.log.match(/listening on 127\.0\.0\.1:(\d+)/), "node HTTP listening");
    this.url = `http://127.0.0.1:${m[1]}`;
  }
  async metrics() {
    const text = await (await fetch(`${this.url}/metrics`)).text();
    const out = {};
    for (const line of text.split("\n")) {
      const mm = line.match(/^([a-z_]+(?:\{[^}]*\})?) (-?[0-9.e+]+)$/);
      if (mm) out[mm[1]] = Number(mm[2]);
    }
    return out;
  }
  async status() {
    return (await fetch(`${this.url}/status`)).json();
  }
  async health() {
    const r = await fetch(`${this.url}/health`);
    return { status: r.status, body: await r.text() };
  }
  async phase(name, reason) {
    const r = await this.switchPhase(name, reason);
    assert.equal(r.status, 200, r.text);
    return r.body;
  }
  /// POST /control/phase without judging the answer: { status, text, body (parsed JSON or null) }.
  async switchPhase(name, reason, force = undefined) {
    const r = await fetch(`${this.url}/control/phase`, {
      method: "POST",
      headers: { Authorization: "Bearer t", "Content-Type": "application/json" },
      body: JSON.stringify(force === undefined ? { phase: name, reason } : { phase: name, reason, force }),
    });
    const text = await r.text();
    let body = null;
    try { body = JSON.parse(text); } catch { /* judged by the caller */ }
    return { status: r.status, text, body };
  }
  /// GET /phase: the phase manager's status (gate, downgrade watch, session).
  async phaseStatus() {
    const r = await fetch(`${this.url}/phase`);
    const text = await r.text();
    assert.equal(r.status, 200, `GET /phase: ${text}`);
    return JSON.parse(text);
  }
  /// A tdmaker subcommand (`phase history`, `ctl phase`, ...) with the node's control token, asynchronous
  /// so the node's output keeps draining meanwhile: { status, stdout, stderr }.
  run(...args) {
    return new Promise((resolve) => {
      execFile(this.bin, args, { maxBuffer: 64 << 20, env: { ...process.env, TDMAKER_CONTROL_TOKEN: "t" } },
               (err, stdout, stderr) => resolve({ status: err ? err.code ?? err.signal : 0, stdout, stderr }));
    });
  }
  save(name = "node.log") {
    writeFileSync(join(this.work, name), this.log);
  }
  async stop() {
    this.proc.kill("SIGTERM");
    const code = await Promise.race([this.exited, sleep(10000).then(() => "hung")]);
    this.save();
    assert.equal(code, 0, "node exits 0 on SIGTERM");
  }
  async kill() {
    this.proc.kill("SIGKILL");
    await this.exited;
    this.save("node-killed.log");
  }
  /// The ledger as `tdmaker export orders|trades|settlements` prints it (read-only: it works while the node runs).
  exportLedger(kind, ...args) {
    const r = spawnSync(this.bin, ["export", kind, "--config", this.cfgPath, ...args], { encoding: "utf8" });
    assert.equal(r.status, 0, `export ${kind} failed: ${r.stderr}`);
    return args.includes("csv") ? r.stdout : r.stdout.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
  }
  exportOrders() {
    return this.exportLedger("orders");
  }
}
