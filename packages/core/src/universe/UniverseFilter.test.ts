import { describe, expect, test } from "bun:test";
import { FIXTURE_KLINES_DIR } from "../../../../fixtures/index.ts";
import type { Candle } from "../model/Candle.ts";
import { DAY_MS } from "../model/Time.ts";
import { loadKlinesFile } from "../testing/klines.ts";
import {
  DEFAULT_UNIVERSE_FILTER,
  rangePercent,
  screenSymbol,
  type UniverseFilterConfig,
} from "./UniverseFilter.ts";

const CONFIG: UniverseFilterConfig = { ...DEFAULT_UNIVERSE_FILTER, minAgeDays: 50 };
const NOW = Date.UTC(2025, 6, 1);
const OLD = Date.UTC(2020, 0, 1);

/** Daily candles ending the day before NOW, each spanning [low, high]. */
const days = (ranges: readonly (readonly [number, number])[]): Candle[] =>
  ranges.map(([low, high], i) => {
    const openTime = NOW - (ranges.length - i) * DAY_MS;
    return { openTime, open: low, high, low, close: high, volume: 1, closeTime: openTime + DAY_MS - 1 };
  });
/** A stablecoin's week: 0.9995 – 1.0007 at most. */
const pegWeek = days(
  Array.from({ length: 7 }, (_, i) => [0.9995 + i * 0.00001, 1.0007 - i * 0.00001] as const),
);

describe("screenSymbol", () => {
  test("a known stablecoin base is left out whatever its volume or range", () => {
    expect(screenSymbol({ symbol: "USDCUSDT", baseAsset: "USDC", listedAt: OLD }, CONFIG, NOW)).toEqual({
      _tag: "Skipped",
      skip: { code: "pegged", asset: "USDC" },
    });
    // Without exchangeInfo's baseAsset the symbol's own name says it.
    expect(screenSymbol({ symbol: "FDUSDUSDT" }, CONFIG, NOW)._tag).toBe("Skipped");
  });

  test("a contract listed fewer days ago than the models need to warm up is left out", () => {
    expect(screenSymbol({ symbol: "NEWUSDT", listedAt: NOW - 12.5 * DAY_MS }, CONFIG, NOW)).toEqual({
      _tag: "Skipped",
      skip: { code: "tooYoung", ageDays: 12, minDays: 50, from: "listing" },
    });
    expect(
      screenSymbol({ symbol: "NEWUSDT", listedAt: NOW - 50 * DAY_MS, daily: days([[1, 2]]) }, CONFIG, NOW),
    ).toEqual({
      _tag: "Kept",
    });
    expect(
      screenSymbol({ symbol: "NEWUSDT", listedAt: NOW - DAY_MS }, { ...CONFIG, minAgeDays: 0 }, NOW)._tag,
    ).toBe("NeedsDaily");
  });

  test("a pegged series the list does not know is caught by its 7-day range", () => {
    expect(screenSymbol({ symbol: "PEGUSDT", listedAt: OLD }, CONFIG, NOW)).toEqual({
      _tag: "NeedsDaily",
      days: 7,
    });
    expect(screenSymbol({ symbol: "PEGUSDT", listedAt: OLD, daily: pegWeek }, CONFIG, NOW)).toEqual({
      _tag: "Skipped",
      skip: { code: "narrowRange", days: 7, rangePercent: 0.12, minPercent: 2 },
    });
  });

  test("a 24 h ticker range that reaches the minimum keeps the symbol without its daily candles", () => {
    expect(
      screenSymbol({ symbol: "SOLUSDT", listedAt: OLD, high24h: 153, low24h: 148 }, CONFIG, NOW),
    ).toEqual({
      _tag: "Kept",
    });
    // A quiet day says nothing about the week: the daily candles decide.
    expect(
      screenSymbol({ symbol: "BTCUSDT", listedAt: OLD, high24h: 100.5, low24h: 100 }, CONFIG, NOW)._tag,
    ).toBe("NeedsDaily");
  });

  test("only the last rangeDays daily candles count; the range threshold is configuration", () => {
    const wideThenFlat = days([[50, 150], ...pegWeek.map((c) => [c.low, c.high] as const)]);
    const facts = { symbol: "XUSDT", listedAt: OLD, daily: wideThenFlat };
    expect(screenSymbol(facts, CONFIG, NOW)._tag).toBe("Skipped");
    expect(screenSymbol(facts, { ...CONFIG, rangeDays: 8 }, NOW)._tag).toBe("Kept");
    expect(screenSymbol(facts, { ...CONFIG, minRangePercent: 0.1 }, NOW)._tag).toBe("Kept");
    expect(screenSymbol(facts, { ...CONFIG, minRangePercent: 0 }, NOW)._tag).toBe("Kept");
  });

  test("on the committed fixtures no real coin's quietest week of 2024–2025 falls below the 2 % default", () => {
    const quietest: Record<string, number> = {};
    for (const symbol of ["BTCUSDT", "BNBUSDT", "TRXUSDT", "ETHUSDT", "XRPUSDT", "LTCUSDT"]) {
      const daily = loadKlinesFile(`${FIXTURE_KLINES_DIR}${symbol}-1d.csv.gz`);
      let min = Number.POSITIVE_INFINITY;
      for (let i = 7; i <= daily.length; i++) {
        const verdict = screenSymbol({ symbol, listedAt: OLD, daily: daily.slice(0, i) }, CONFIG, NOW);
        expect([symbol, i, verdict._tag]).toEqual([symbol, i, "Kept"]);
        min = Math.min(min, rangePercent(daily.slice(i - 7, i)));
      }
      quietest[symbol] = Math.round(min * 10) / 10;
    }
    // The quietest weeks (TRX 2.9 %, BTC 3.1 %, BNB 3.3 %) stay well above a stablecoin's ~0.1 %.
    expect(Math.min(...Object.values(quietest))).toBeGreaterThan(2.5);
  });
});
