import { defineConfig } from "@playwright/test";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

// The server binary built by `cargo test` / `cargo build`, started directly (it reads
// ../Leptos.toml) on a fresh demo database of its own.
const port = Number(process.env.E2E_PORT ?? 3300);
const instantSandbox = Object.fromEntries(
  ["SIRENE_UNIT", "SIRENE_ESTABLISHMENTS", "BODACC", "OPEN_BANKING", "ACCOUNTING", "FILED_ACCOUNTS"].flatMap((source) => [
    [`AVAL_SOURCES__SANDBOX__LATENCY__${source}__MEDIAN_MS`, "0"],
    [`AVAL_SOURCES__SANDBOX__LATENCY__${source}__P99_MS`, "0"],
  ]),
);
const server = process.env.E2E_SERVER_BIN ?? path.resolve(__dirname, "../target/debug/server");
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "aval-e2e-"));

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [["list"]],
  // One server for the whole run: the specs that count what the demo data holds (an empty
  // queue, six accounts, one delivery) run first, the forms exercised in both modes and the
  // credit lines' journey after.
  projects: [
    { name: "workspace", testIgnore: /(forms|credit_lines)\.spec\.ts/ },
    { name: "forms", testMatch: /(forms|credit_lines)\.spec\.ts/, dependencies: ["workspace"] },
  ],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    command: server,
    cwd: path.resolve(__dirname, ".."),
    url: `http://127.0.0.1:${port}/readyz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      AVAL_MODE: "demo",
      AVAL_LISTEN: `127.0.0.1:${port}`,
      AVAL_PUBLIC_URL: `http://127.0.0.1:${port}`,
      AVAL_DATA_DIR: dataDir,
      AVAL_LOG__LEVEL: "warn",
      // The sandbox's sources answer at once, as in the Rust tests that decide many companies.
      // Their realistic latencies (a bank's 99th percentile at 220 ms) sit within 80 ms of the
      // 300 ms gathering deadline: beside Chromium and a debug build on two cores, a check that
      // should find a company's inflows growing could find its bank late instead.
      ...instantSandbox,
    },
  },
});
