/**
 * Start the real backend for the browser tests: a fresh PAPERTRADE_VAR_DIR (embedded default:
 * SQLite, in-memory channel layer, feed and tasks in the web process), migrate + seed_demo, then
 * daphne on a free port serving the built SPA from frontend/dist. Returns the teardown.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..", "..");
const PYTHON = join(ROOT, ".venv", "bin", "python");
const DAPHNE = join(ROOT, ".venv", "bin", "daphne");

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`daphne exited early with code ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`backend did not answer ${url} within ${timeoutMs} ms`);
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (process.env.E2E_BASE_URL) return async () => undefined;
  if (!existsSync(join(ROOT, "frontend", "dist", "index.html"))) {
    throw new Error("frontend/dist is missing: run `npm run build` first (make test-frontend does)");
  }
  const varDir = mkdtempSync(join(tmpdir(), "papertrade-e2e-"));
  // The practice clock starts at 10:00 of the next trading day, in continuous trading, so orders
  // fill and prices move while the tests run (its default, 08:50, is the pre-open call).
  const nextDay = spawnSync(
    PYTHON,
    ["-c", "import datetime as d; from market import timetable as t; print(t.next_trading_day(d.datetime.now(t.SEOUL).date()))"],
    { cwd: ROOT, encoding: "utf8" },
  );
  if (nextDay.status !== 0) throw new Error(`could not find the next trading day: ${nextDay.stderr}`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PAPERTRADE_MARKET_CLOCK: "practice",
    PAPERTRADE_CLOCK_START: process.env.PAPERTRADE_CLOCK_START ?? `${nextDay.stdout.trim()}T10:00:00+09:00`,
    DJANGO_SETTINGS_MODULE: "config.settings.local",
    DJANGO_DEBUG: "0",
    PAPERTRADE_VAR_DIR: varDir,
    PAPERTRADE_FEED_RATE: process.env.PAPERTRADE_FEED_RATE ?? "25",
    PAPERTRADE_FEED_SEED: "7",
    PAPERTRADE_THROTTLE_LOGIN: "1000/min",
    PYTHONUNBUFFERED: "1",
  };
  // The embedded default: no services.
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  for (const args of [["manage.py", "migrate", "--noinput"], ["manage.py", "seed_demo"]]) {
    const result = spawnSync(PYTHON, args, { cwd: ROOT, env, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
  }
  const port = await freePort();
  const log = openSync(join(varDir, "daphne.log"), "a");
  const daphne = spawn(DAPHNE, ["-b", "127.0.0.1", "-p", String(port), "config.asgi:application"], {
    cwd: ROOT,
    env,
    stdio: ["ignore", log, log],
    detached: true,
  });
  const baseURL = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(`${baseURL}/api/v1/health`, daphne, 60_000);
  } catch (error) {
    if (daphne.pid) process.kill(-daphne.pid, "SIGKILL");
    throw new Error(`${(error as Error).message}; see ${join(varDir, "daphne.log")}`);
  }
  process.env.E2E_BASE_URL = baseURL;
  process.env.E2E_VAR_DIR = varDir;
  return async () => {
    if (daphne.pid && daphne.exitCode === null) {
      process.kill(-daphne.pid, "SIGTERM");
      await new Promise((r) => setTimeout(r, 500));
      if (daphne.exitCode === null) process.kill(-daphne.pid, "SIGKILL");
    }
    if (!process.env.E2E_KEEP_VAR_DIR) rmSync(varDir, { recursive: true, force: true });
  };
}
