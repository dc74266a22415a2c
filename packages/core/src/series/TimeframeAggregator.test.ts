import { describe, expect, test } from "bun:test";
import { FIXTURE_KLINES_DIR } from "../../../../fixtures/index.ts";
import { type Candle, TIMEFRAME_MS } from "../model/Candle.ts";
import { loadKlines } from "../testing/klines.ts";
import {
  type AggregatedCandle,
  type AggregateTimeframe,
  TimeframeAggregator,
} from "./TimeframeAggregator.ts";

const M30 = TIMEFRAME_MS["30m"];
const DAY = TIMEFRAME_MS["1d"];
const T0 = 1_735_689_600_000; // 2025-01-01T00:00Z

const sub = (openTime: number, close: number): Candle => ({
  openTime,
  open: close - 0.5,
  high: close + 1,
  low: close - 1,
  close,
  volume: 2,
  closeTime: openTime + M30 - 1,
});

const sameCandle = (a: Candle, b: Candle): boolean =>
  a.openTime === b.openTime &&
  a.closeTime === b.closeTime &&
  a.open === b.open &&
  a.high === b.high &&
  a.low === b.low &&
  a.close === b.close &&
  Math.abs(a.volume - b.volume) <= 1e-6 * Math.max(1, b.volume);

/** Aggregates the whole BTCUSDT 30m fixture and compares with the native klines over the same buckets. */
const compareWithNative = (target: AggregateTimeframe, symbol = "BTCUSDT") => {
  const agg = new TimeframeAggregator(target);
  const built: AggregatedCandle[] = [];
  for (const c of loadKlines(symbol, "30m", FIXTURE_KLINES_DIR)) {
    const r = agg.add(c);
    if (r !== undefined) built.push(r);
  }
  const native = new Map(loadKlines(symbol, target, FIXTURE_KLINES_DIR).map((c) => [c.openTime, c]));
  const complete = built.filter((b) => b.complete);
  const differing = complete.filter((b) => {
    const n = native.get(b.candle.openTime);
    return n === undefined || !sameCandle(b.candle, n);
  });
  return { built, complete, differing };
};

describe("TimeframeAggregator", () => {
  test("emits a complete 4h candle when its 8th 30m candle arrives", () => {
    const agg = new TimeframeAggregator("4h");
    const results = Array.from({ length: 8 }, (_, i) => agg.add(sub(T0 + i * M30, 100 + i)));
    expect(results.slice(0, 7).every((r) => r === undefined)).toBe(true);
    expect(results[7]).toEqual({
      candle: {
        openTime: T0,
        open: 99.5,
        high: 108,
        low: 99,
        close: 107,
        volume: 16,
        closeTime: T0 + 4 * 3_600_000 - 1,
      },
      complete: true,
    });
  });

  test("a bucket with a missing sub-candle is emitted incomplete when its closing candle arrives", () => {
    const agg = new TimeframeAggregator("4h");
    for (const i of [0, 1, 2, 4, 5, 6]) expect(agg.add(sub(T0 + i * M30, 100))).toBeUndefined();
    const r = agg.add(sub(T0 + 7 * M30, 100));
    expect(r?.complete).toBe(false);
    expect(r?.candle.openTime).toBe(T0);
  });

  test("a bucket left unfinished is emitted (incomplete) when the next bucket's first candle arrives", () => {
    const agg = new TimeframeAggregator("1d");
    for (let i = 0; i < 30; i++) agg.add(sub(T0 + i * M30, 100 + i));
    const r = agg.add(sub(T0 + DAY + 2 * M30, 50));
    expect(r?.complete).toBe(false);
    expect(r?.candle).toMatchObject({ openTime: T0, close: 129, high: 130, volume: 60 });
    // The new bucket carries on from the jump.
    let last: AggregatedCandle | undefined;
    for (let i = 3; i < 48; i++) last = agg.add(sub(T0 + DAY + i * M30, 60));
    expect(last?.candle.openTime).toBe(T0 + DAY);
    expect(last?.candle.open).toBe(49.5);
    expect(last?.complete).toBe(false);
  });

  test("duplicates, older and off-grid candles are ignored", () => {
    const agg = new TimeframeAggregator("4h");
    agg.add(sub(T0, 100));
    expect(agg.add(sub(T0, 200))).toBeUndefined();
    expect(agg.add(sub(T0 + 60_000, 200))).toBeUndefined();
    for (let i = 1; i < 7; i++) agg.add(sub(T0 + i * M30, 100));
    const r = agg.add(sub(T0 + 7 * M30, 100));
    expect(r?.complete).toBe(true);
    expect(r?.candle.high).toBe(101);
  });

  for (const target of ["4h", "1d"] as const) {
    test(`aggregated BTCUSDT 30m equals native ${target} on (almost) every complete bar`, () => {
      const { built, complete, differing } = compareWithNative(target);
      console.info(
        `BTCUSDT ${target}: ${built.length} built, ${complete.length} complete, ${differing.length} differ from native` +
          (differing.length > 0
            ? ` (${differing.map((d) => new Date(d.candle.openTime).toISOString()).join(", ")})`
            : ""),
      );
      expect(complete.length).toBeGreaterThan(target === "4h" ? 2000 : 300);
      expect(differing.length).toBeLessThanOrEqual(2);
    });
  }

  test("across ADAUSDT's real 30m hole: the cut buckets are emitted incomplete, complete ones equal native 4h", () => {
    const { built, complete, differing } = compareWithNative("4h", "ADAUSDT");
    const incomplete = built.filter((b) => !b.complete);
    console.info(
      `ADAUSDT 4h: ${built.length} built, ${complete.length} complete, ${incomplete.length} incomplete, ${differing.length} differ from native`,
    );
    expect(incomplete.length).toBeGreaterThanOrEqual(1);
    expect(incomplete.length).toBeLessThanOrEqual(2);
    expect(differing.length).toBeLessThanOrEqual(2);
  });
});
