/**
 * `download` against the loopback fake exchange (real BTCUSDT/ETHUSDT candles from fixtures/klines, Binance's
 * formats and limits): files equal the exchange's truth, a rerun fetches only what is missing, an interrupted
 * file resumes without duplicates, bad files are left alone, and the backtest reads the result.
 */
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { BinanceRest } from "@signalbot/adapters/binance";
import { candleAt, parseFundingCsv, parseKlineCsv } from "@signalbot/adapters/csv";
import { FakeExchange, type FakeExchangeOptions } from "@signalbot/adapters/testing";
import { type Candle, TIMEFRAMES, type Timeframe } from "@signalbot/core";
import { type DownloadPlan, missingRanges, runDownload } from "./Download.ts";

const FIXTURES = new URL("../../../../fixtures/klines", import.meta.url).pathname;
const CLI = new URL("../cli/download.ts", import.meta.url).pathname;
const DAY = 86_400_000;
const M30 = 1_800_000;
const D = (month: number, day: number) => Date.UTC(2025, month - 1, day);
const tmp = mkdtempSync(join(tmpdir(), "download-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let fake: FakeExchange | undefined;
afterEach(() => fake?.stop());
const exchange = (options: FakeExchangeOptions = {}) => {
  fake = new FakeExchange({ dataDir: FIXTURES, generatedSymbols: 3, ...options });
  return { fake, rest: new BinanceRest({ restUrl: fake.restUrl, retries: 0 }) };
};

let dirs = 0;
const plan = (over: Partial<DownloadPlan> = {}): DownloadPlan => ({
  dataDir: join(tmp, `d${++dirs}`),
  symbols: ["BTCUSDT", "ETHUSDT"],
  intervals: TIMEFRAMES,
  funding: true,
  from: D(5, 1),
  to: D(5, 11),
  ...over,
});

const klinesIn = (dir: string, symbol: string, tf: Timeframe): Candle[] => {
  const path = join(dir, `${symbol}-${tf}.csv.gz`);
  const parsed = parseKlineCsv(new Uint8Array(gunzipSync(readFileSync(path))), path, tf);
  if (parsed._tag !== "Parsed") throw new Error(`${path}:${parsed.problem.line}: ${parsed.problem.message}`);
  return Array.from({ length: parsed.columns.length }, (_, i) => candleAt(parsed.columns, i));
};
const fundingIn = (dir: string, symbol: string) => {
  const parsed = parseFundingCsv(
    gunzipSync(readFileSync(join(dir, `${symbol}-funding.csv.gz`))).toString("utf8"),
  );
  if (parsed._tag !== "Parsed") throw new Error(parsed.message);
  return parsed.rows;
};
const klineRequests = (f: FakeExchange) => f.stats.byPath["/fapi/v1/klines"] ?? 0;

describe("missingRanges", () => {
  test("what a file holding first..last lacks of from..to: the head, the tail, or nothing", () => {
    expect(missingRanges(0, 90, undefined, 10)).toEqual([[0, 90]]);
    expect(missingRanges(0, 90, { first: 30, last: 60 }, 10)).toEqual([
      [0, 20],
      [70, 90],
    ]);
    expect(missingRanges(30, 60, { first: 0, last: 90 }, 10)).toEqual([]);
    expect(missingRanges(50, 90, { first: 0, last: 60 }, 10)).toEqual([[70, 90]]);
    expect(missingRanges(90, 0, undefined, 10)).toEqual([]);
  });
});

describe("runDownload", () => {
  test("fresh: every file equals the exchange's closed candles, with a header; funding every 8 h", async () => {
    const { fake, rest } = exchange();
    const p = plan();
    const outcomes = await runDownload(rest, p);
    expect(outcomes.map((o) => `${o.symbol} ${o.series} ${o.added}`)).toEqual([
      "BTCUSDT 30m 480",
      "BTCUSDT 4h 60",
      "BTCUSDT 1d 10",
      "BTCUSDT funding 30",
      "ETHUSDT 30m 480",
      "ETHUSDT 4h 60",
      "ETHUSDT 1d 10",
      "ETHUSDT funding 30",
    ]);
    for (const symbol of p.symbols) {
      for (const tf of TIMEFRAMES)
        expect(klinesIn(p.dataDir, symbol, tf)).toEqual(fake.closedCandles(symbol, tf, p.from, p.to - 1));
      const funding = fundingIn(p.dataDir, symbol);
      expect(funding.map((r) => Math.floor(r.time / (8 * 3_600_000)) * 8 * 3_600_000)).toEqual(
        Array.from({ length: 30 }, (_, i) => p.from + i * 8 * 3_600_000),
      );
      expect(funding.every((r) => r.markPrice! > 0)).toBe(true);
    }
    const header = gunzipSync(readFileSync(join(p.dataDir, "BTCUSDT-30m.csv.gz")))
      .toString("utf8")
      .split("\n")[0];
    expect(header).toBe("open_time,open,high,low,close,volume,close_time");
    // exchangeInfo first (weight 1), then one request per series at the cheapest weight: 480 candles
    // (weight 2), 60 and 10 (weight 1), and the funding.
    expect(klineRequests(fake)).toBe(6);
    expect(fake.stats.weight).toBe(1 + 2 * (2 + 1 + 1) + 2);
  });

  test("an IP the exchange allows less than the configured budget: the budget follows exchangeInfo first", async () => {
    fake = new FakeExchange({ dataDir: FIXTURES, generatedSymbols: 3, weightLimit: 100 });
    const events: string[] = [];
    const rest = new BinanceRest({
      restUrl: fake.restUrl,
      retries: 0,
      weightBudget: 1000,
      onEvent: (e) => void events.push(e._tag),
    });
    const outcomes = await runDownload(rest, plan());
    expect(outcomes.every((o) => o.error === undefined)).toBe(true);
    expect(fake.stats.byPath["/fapi/v1/exchangeInfo"]).toBe(1);
    expect(events[0]).toBe("BudgetLimited");
    expect(rest.governor.budget).toBe(80); // 0.8 × 100
    expect(events).not.toContain("RateLimited");
  });

  test("a rerun appends only what is missing, and a third run fetches nothing", async () => {
    const { fake, rest } = exchange();
    const p = plan();
    await runDownload(rest, p);
    const before = klineRequests(fake);
    const longer = { ...p, to: D(5, 21) };
    const second = await runDownload(rest, longer);
    expect(second.map((o) => o.added)).toEqual([480, 60, 10, 30, 480, 60, 10, 30]);
    expect(second.map((o) => o.had)).toEqual([480, 60, 10, 30, 480, 60, 10, 30]);
    expect(klineRequests(fake) - before).toBe(6);
    for (const symbol of p.symbols)
      for (const tf of TIMEFRAMES)
        expect(klinesIn(p.dataDir, symbol, tf)).toEqual(
          fake.closedCandles(symbol, tf, longer.from, longer.to - 1),
        );
    const third = await runDownload(rest, longer);
    expect(third.every((o) => o.added === 0)).toBe(true);
    expect(klineRequests(fake) - before).toBe(6);
    expect(fake.stats.byPath["/fapi/v1/fundingRate"]).toBe(4);
  });

  test("an interrupted file (cut after 100 rows) resumes from its last row: no duplicate, no hole", async () => {
    const { fake, rest } = exchange();
    const p = plan({ symbols: ["BTCUSDT"], intervals: ["30m"], funding: false });
    await runDownload(rest, p);
    const path = join(p.dataDir, "BTCUSDT-30m.csv.gz");
    const lines = gunzipSync(readFileSync(path)).toString("utf8").split("\n");
    writeFileSync(path, gzipSync(lines.slice(0, 101).join("\n")));
    const before = klineRequests(fake);
    const [outcome] = await runDownload(rest, p);
    expect(outcome).toMatchObject({ had: 100, added: 380 });
    expect(klineRequests(fake) - before).toBe(1);
    expect(klinesIn(p.dataDir, "BTCUSDT", "30m")).toEqual(
      fake.closedCandles("BTCUSDT", "30m", p.from, p.to - 1),
    );
  });

  test("an earlier --from prepends the missing head", async () => {
    const { fake, rest } = exchange();
    const p = plan({ symbols: ["ETHUSDT"], intervals: ["4h"] });
    await runDownload(rest, p);
    const earlier = { ...p, from: D(4, 25) };
    const outcomes = await runDownload(rest, earlier);
    expect(outcomes.map((o) => o.added)).toEqual([36, 18]);
    expect(klinesIn(p.dataDir, "ETHUSDT", "4h")).toEqual(
      fake.closedCandles("ETHUSDT", "4h", earlier.from, p.to - 1),
    );
    expect(fundingIn(p.dataDir, "ETHUSDT")).toHaveLength(48);
  });

  test("only closed candles: the forming one is left for the next run", async () => {
    // The market clock at 2025-06-01 00:10: the 00:00 candle is still forming.
    const { fake, rest } = exchange({ startTime: D(6, 1) + 10 * 60_000, updateIntervalMs: 60_000 });
    const p = plan({ symbols: ["BTCUSDT"], intervals: ["30m"], funding: false, from: D(5, 31), to: D(6, 3) });
    await runDownload(rest, p);
    expect(klinesIn(p.dataDir, "BTCUSDT", "30m").at(-1)!.openTime).toBe(D(6, 1) - M30);
    fake.advance(DAY);
    const [later] = await runDownload(rest, p);
    expect(later!.added).toBe(48);
    expect(klinesIn(p.dataDir, "BTCUSDT", "30m")).toEqual(
      fake.closedCandles("BTCUSDT", "30m", D(5, 31), D(6, 2)),
    );
  });

  test("a malformed existing file is left untouched and named; an unknown symbol is reported; the rest completes", async () => {
    const { fake, rest } = exchange();
    const p = plan({ symbols: ["BTCUSDT", "ETHUSDT", "NOPEUSDT"], intervals: ["1d"], funding: false });
    await runDownload(rest, { ...p, symbols: ["ETHUSDT"] });
    const path = join(p.dataDir, "ETHUSDT-1d.csv.gz");
    const text = gunzipSync(readFileSync(path))
      .toString("utf8")
      .replace(/\n(\d+),[^,]+,/, "\n$1,oops,");
    writeFileSync(path, gzipSync(text));
    const before = readFileSync(path);
    const outcomes = await runDownload(rest, { ...p, to: D(5, 21) });
    const by = Object.fromEntries(outcomes.map((o) => [o.symbol, o]));
    expect(by.ETHUSDT!.error).toBe(`${path}:2: open is not a number: "oops" (not touched)`);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(by.NOPEUSDT!.error).toContain("Invalid symbol");
    expect(by.BTCUSDT).toMatchObject({ added: 20 });
    expect(by.BTCUSDT!.error).toBeUndefined();
    expect(klinesIn(p.dataDir, "BTCUSDT", "1d")).toEqual(
      fake.closedCandles("BTCUSDT", "1d", p.from, D(5, 21) - 1),
    );
  });

  test("progress: an upper estimate first, then rows as they arrive, ending at the estimate", async () => {
    const { rest } = exchange();
    const seen: [number, number, string][] = [];
    await runDownload(rest, plan({ symbols: ["BTCUSDT"], funding: true }), {
      onProgress: (done, total, label) => seen.push([done, total, label]),
    });
    expect(new Set(seen.map((s) => s[1]))).toEqual(new Set([480 + 60 + 10 + 30]));
    expect(seen.at(-1)).toEqual([580, 580, "BTCUSDT funding"]);
    for (let i = 1; i < seen.length; i++) expect(seen[i]![0]).toBeGreaterThanOrEqual(seen[i - 1]![0]);
  });
});

describe("download CLI", () => {
  const run = async (args: readonly string[], restUrl: string) => {
    const proc = Bun.spawn([process.execPath, CLI, ...args], {
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, BINANCE_REST_URL: restUrl },
    });
    const [stdout, stderr, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ]);
    return { code, stdout, stderr };
  };

  test("downloads into DIR with a progress bar on stderr; the backtest reads the result", async () => {
    const { fake } = exchange();
    const dir = join(tmp, "cli");
    const r = await run(
      [
        "--symbols",
        "btcusdt",
        "--from",
        "2025-05-01",
        "--to",
        "2025-05-10",
        "--data",
        dir,
        "--progress",
        "always",
      ],
      fake.restUrl,
    );
    expect(r.stderr).toContain(
      `download: BTCUSDT · 30m, 4h, 1d, funding · 2025-05-01 → 2025-05-10 from ${fake.restUrl}`,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^BTCUSDT +30m +\+ +480 \(had 0\) 2025-05-01 00:00 → 2025-05-10 23:30 +.*BTCUSDT-30m\.csv\.gz$/m,
    );
    // exchangeInfo, then one request per series.
    expect(r.stdout).toContain("580 rows added, 5 requests · backtest with: bun run backtest -- --data");
    const backtest = Bun.spawnSync([
      process.execPath,
      new URL("../cli/backtest.ts", import.meta.url).pathname,
      "--data",
      dir,
    ]);
    expect(backtest.exitCode).toBe(0);
    expect(backtest.stdout.toString()).toContain("funding recorded for BTCUSDT");
  }, 30_000);

  test("bad arguments exit 2 with one line per problem", async () => {
    const r = await run(
      ["--symbols", "BTC-USDT", "--intervals", "1h", "--to", "2025-02-30"],
      "http://127.0.0.1:9",
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      [
        'download: --symbols: not a symbol: "BTC-USDT"',
        "download: --from YYYY-MM-DD is required",
        'download: --to: not a calendar date: "2025-02-30"',
        'download: --intervals: "1h" is not one of 30m, 4h, 1d',
        "download: see --help",
        "",
      ].join("\n"),
    );
  }, 30_000);
});
