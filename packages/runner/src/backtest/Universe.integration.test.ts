/**
 * The backtest applies the live universe filter from its data: a stablecoin-like contract — BTCUSDT's real 2025
 * candles squeezed to a peg, moving 0.4 % as much — is left out, by its name (USDCUSDT) or by its range
 * (PEGUSDT); with the filter off its setups still never become signals (the cost gate blocks them), and BTCUSDT
 * beside them is decided exactly alike.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Candle, DAY_MS } from "@signalbot/core";
import { loadKlinesFile } from "@signalbot/core/testing";
import { Effect } from "effect";
import { FIXTURE_KLINES_DIR } from "../../../../fixtures/index.ts";
import { describeSkip } from "../live/Describe.ts";
import type { BacktestArgs } from "./Args.ts";
import { runBacktest } from "./Backtest.ts";

const dir = mkdtempSync(join(tmpdir(), "backtest-peg-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `candles` moved `k` as much around their first open, centred on 1 USDT. */
const pegged = (candles: readonly Candle[], k: number): Candle[] => {
  const p0 = candles[0]!.open;
  const peg = (p: number) => Number((1 + (p / p0 - 1) * k).toFixed(8));
  return candles.map((c) => ({
    ...c,
    open: peg(c.open),
    high: peg(c.high),
    low: peg(c.low),
    close: peg(c.close),
  }));
};
const csv = (candles: readonly Candle[]) =>
  [
    "open_time,open,high,low,close,volume,close_time",
    ...candles.map((c) => [c.openTime, c.open, c.high, c.low, c.close, c.volume, c.closeTime].join(",")),
  ].join("\n");

for (const tf of ["30m", "4h", "1d"] as const) {
  const file = `BTCUSDT-${tf}.csv.gz`;
  copyFileSync(join(FIXTURE_KLINES_DIR, file), join(dir, file));
  const btc = loadKlinesFile(join(FIXTURE_KLINES_DIR, file));
  for (const symbol of ["USDCUSDT", "PEGUSDT"])
    writeFileSync(join(dir, `${symbol}-${tf}.csv`), csv(pegged(btc, 0.004)));
}

const args = (over: Partial<BacktestArgs> = {}): BacktestArgs => ({
  dataDir: dir,
  symbols: [],
  from: Date.UTC(2025, 2, 1),
  to: Date.UTC(2025, 4, 31),
  memory: true,
  costs: { takerFeeRate: 0.0005, slippageRate: 0.0002 },
  fundingRate: 0.0001,
  progress: "never",
  ...over,
});
const run = (a: BacktestArgs) => Effect.runPromise(runBacktest(a)).then((o) => o.report);
const of = (symbol: string, signals: Awaited<ReturnType<typeof run>>["signals"]) =>
  signals.filter((s) => s.setup.symbol === symbol);

describe("a stablecoin-like series in the backtest", async () => {
  const filtered = await run(args());
  const unfiltered = await run(args({ universeFilter: false }));

  test("is left out for the whole period, by its base asset or by its 7-day range, and says so", () => {
    const days = (p: { from: number; to: number }) => (p.to - p.from) / DAY_MS;
    const peg = filtered.universe.skipped.filter((p) => p.symbol !== "BTCUSDT");
    expect(peg.map((p) => [p.symbol, p.skip.code, days(p)])).toEqual([
      ["PEGUSDT", "narrowRange", 92],
      ["USDCUSDT", "pegged", 92],
    ]);
    const range = peg[0]!.skip;
    expect(range.code === "narrowRange" && range.rangePercent).toBeLessThan(0.2);
    expect(describeSkip(range)).toMatch(/^7-day range 0\.\d+ % < 2 %$/);
    expect(of("USDCUSDT", filtered.signals)).toEqual([]);
    expect(of("PEGUSDT", filtered.signals)).toEqual([]);
    expect(filtered.universe.skipped.some((p) => p.symbol === "BTCUSDT")).toBe(false);
  });

  test("with the filter off it makes setups, but not one becomes a signal: fees cost tens of R there", () => {
    expect(unfiltered.universe).toEqual({ filter: null, skipped: [] });
    const setups = [...of("USDCUSDT", unfiltered.signals), ...of("PEGUSDT", unfiltered.signals)];
    const scored = setups.filter((s) => s.blockedBy?.code !== "scoreBelowThreshold");
    expect(scored.length).toBeGreaterThan(0);
    expect(setups.filter((s) => s.status === "emitted")).toEqual([]);
    for (const s of scored) {
      expect(s.blockedBy?.code).toBe("costAboveRisk");
      expect(Number(s.blockedBy?.data?.costR)).toBeGreaterThan(5);
    }
  });

  test("the real coin beside it is decided exactly alike either way", () => {
    const btc = (r: typeof filtered) =>
      of("BTCUSDT", r.signals).map((s) => `${s.key}:${s.status}:${s.blockedBy?.code ?? ""}`);
    expect(btc(filtered).some((s) => s.includes(":emitted:"))).toBe(true);
    expect(btc(unfiltered)).toEqual(btc(filtered));
  });
});
