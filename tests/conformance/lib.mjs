// Helpers shared by the scripts that drive the real node against tdmaker-venue:
// the venue's admin API, polling, and a node process with its HTTP endpoints.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

// Hardhat test key #0: public, holds nothing anywhere real.
export const KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
export const ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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
    const r = await fetch(`${this.url}/control/phase`, {
      method: "POST",
      headers: { Authorization: "Bearer t", "Content-Type": "application/json" },
      body: JSON.stringify({ phase: name, reason }),
    });
    assert.equal(r.status, 200, await r.text());
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
