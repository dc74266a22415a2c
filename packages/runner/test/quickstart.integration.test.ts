/**
 * The README's quick start, run on a fresh copy of the committed tree (`git archive HEAD`, what a clone
 * checks out) in a temporary directory with no `../shared` beside it: `bun install --frozen-lockfile` (offline,
 * from the package cache the checkout's own install filled), `bun run demo` (one market day), `bun run start`
 * (against a loopback fake Binance and Telegram, until the start message, then SIGTERM), a part of `bun test`,
 * and, as root, `deploy/install.sh` into temporary unit and configuration paths. Catches what a working tree
 * hides: files never committed, paths outside the repository, a lockfile out of step.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeExchange, startFakeBotApi } from "@signalbot/adapters/testing";
import { FIXTURE_KLINES_DIR } from "../../../fixtures/index.ts";

const REPO = new URL("../../../", import.meta.url).pathname;
const inGit =
  Bun.spawnSync(["git", "-C", REPO, "rev-parse", "--is-inside-work-tree"], { stderr: "ignore" })
    .stdout.toString()
    .trim() === "true";
const asRoot = process.getuid?.() === 0;

let base: string;
let clone: string;

const sh = (cmd: readonly string[], env: Record<string, string> = {}, timeoutMs = 120_000) => {
  const p = Bun.spawnSync(cmd as string[], {
    cwd: clone,
    env: { ...process.env, ...env },
    stdout: "pipe",
    stderr: "pipe",
    timeout: timeoutMs,
  });
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
};

describe.skipIf(!inGit)("quick start from a fresh clone", () => {
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), "signalbot-clone-"));
    clone = join(base, "signalbot");
    const tar = Bun.spawnSync([
      "sh",
      "-c",
      `mkdir -p "${clone}" && git -C "${REPO}" archive HEAD | tar -x -C "${clone}"`,
    ]);
    if (tar.exitCode !== 0) throw new Error(`git archive failed: ${tar.stderr.toString()}`);
    const install = sh(["bun", "install", "--frozen-lockfile", "--offline"]);
    if (install.code !== 0) throw new Error(`bun install failed in the clone:\n${install.out}${install.err}`);
  }, 120_000);
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  test("the clone has no ../shared to lean on", () => {
    expect(existsSync(join(base, "shared"))).toBe(false);
    expect(existsSync(join(clone, "LICENSE"))).toBe(true);
  });

  test("bun run demo: a signal with its chart, saved under ./demo-output/", () => {
    const r = sh(["bun", "run", "demo", "--", "--days", "1"]);
    expect({ code: r.code, err: r.err.replace(/^\$ .*\n/gm, "") }).toEqual({ code: 0, err: "" });
    expect(r.out).toMatch(/Biểu đồ đã lưu: demo-output\/01-[A-Z0-9]+-(LONG|SHORT)\.png/);
    const charts = readdirSync(join(clone, "demo-output")).filter((f) => f.endsWith(".png"));
    expect(charts.length).toBeGreaterThanOrEqual(1);
    expect(existsSync(join(clone, "demo-output", "telegram.html"))).toBe(true);
  }, 120_000);

  test("bun run start: builds, starts, says so in Telegram, and stops cleanly on SIGTERM", async () => {
    const HALF_HOUR = 1_800_000;
    const now = Math.floor(Date.now() / HALF_HOUR) * HALF_HOUR;
    const exchange = new FakeExchange({
      dataDir: FIXTURE_KLINES_DIR,
      dataShiftMs: Math.floor((now - Date.UTC(2025, 0, 6)) / 86_400_000) * 86_400_000,
      generatedSymbols: 0,
      startTime: now,
      updateIntervalMs: 60_000,
    });
    const telegram = startFakeBotApi();
    try {
      const bot = Bun.spawn(["bun", "run", "start"], {
        cwd: clone,
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          HOME: process.env.HOME ?? base,
          BINANCE_REST_URL: exchange.restUrl,
          BINANCE_WS_URL: exchange.wsUrl,
          TELEGRAM_BOT_TOKEN: telegram.token,
          TELEGRAM_CHAT_ID: "777",
          TELEGRAM_API_ROOT: telegram.apiRoot,
          MAX_SYMBOLS_SUBSCRIBED: "4",
          HTTP_PORT: "0",
          LOG_FORMAT: "json",
        },
        stdout: "pipe",
        stderr: "pipe",
      });
      const texts = () => telegram.delivered().map((r) => String(r.params.text ?? r.params.caption ?? ""));
      const deadline = Date.now() + 60_000;
      while (!texts().some((t) => t.includes("Bot đã khởi động")) && Date.now() < deadline)
        await Bun.sleep(20);
      expect(texts().some((t) => t.includes("Bot đã khởi động"))).toBe(true);
      expect(telegram.received.some((r) => r.method === "setMyCommands" && r.status === 200)).toBe(true);
      bot.kill("SIGTERM");
      expect(await bot.exited).toBe(0);
      expect(texts().some((t) => t.includes("Bot đang dừng"))).toBe(true);
      const log = await new Response(bot.stdout).text();
      expect(log).toContain('"msg":"signalbot 0.1.0 starting"');
      expect(existsSync(join(clone, "data", "signalbot.db"))).toBe(true);
    } finally {
      exchange.stop();
      await telegram.stop();
    }
  }, 120_000);

  test("bun test runs in the clone (the indicator suite against the committed TA-Lib references)", () => {
    const r = sh(["bun", "test", "packages/core/src/indicator"]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/\n\s*0 fail\n/);
  }, 120_000);

  test.skipIf(!asRoot)(
    "deploy/install.sh builds and writes a verified unit for the clone",
    () => {
      const r = sh([
        "bash",
        "deploy/install.sh",
        "--unit-dir",
        join(base, "units"),
        "--env-file",
        join(base, "etc", "signalbot.env"),
        "--no-enable",
      ]);
      expect({ code: r.code, err: r.err.replace(/^\$ .*\n/gm, "") }).toEqual({ code: 0, err: "" });
      const unit = readFileSync(join(base, "units", "signalbot.service"), "utf8");
      expect(unit).toContain(`/dist/signalbot.js`);
      expect(unit).toContain(`ExecStart=${Bun.which("bun")} ${clone}/dist/signalbot.js`);
      expect(readFileSync(join(base, "etc", "signalbot.env"), "utf8")).toBe(
        readFileSync(join(clone, ".env.example"), "utf8"),
      );
    },
    120_000,
  );
});
