import { describe, expect, test } from "bun:test";
import { FIXTURE_KLINES_DIR } from "../../../../fixtures/index.ts";
import { type Candle, TIMEFRAME_MS } from "../model/Candle.ts";
import { loadKlines } from "../testing/klines.ts";
import { CandleSeries } from "./CandleSeries.ts";

const M30 = TIMEFRAME_MS["30m"];
const T0 = 1_735_603_200_000; // 2024-12-31T00:00Z

const candle = (openTime: number, close = 100, ms = M30): Candle => ({
  openTime,
  open: close,
  high: close + 1,
  low: close - 1,
  close,
  volume: 10,
  closeTime: openTime + ms - 1,
});

describe("CandleSeries", () => {
  test("appends in order, exposes at/last/tail/toArray", () => {
    const s = new CandleSeries("30m", 5);
    for (let i = 0; i < 3; i++) expect(s.push(candle(T0 + i * M30, 100 + i))).toEqual({ _tag: "Appended" });
    expect(s.length).toBe(3);
    expect(s.capacity).toBe(5);
    expect(s.at(0)?.close).toBe(100);
    expect(s.at(-1)?.close).toBe(102);
    expect(s.at(3)).toBeUndefined();
    expect(s.last?.close).toBe(102);
    expect(s.lastOpenTime).toBe(T0 + 2 * M30);
    expect(s.tail(2).map((c) => c.close)).toEqual([101, 102]);
    expect(s.tail(10).map((c) => c.close)).toEqual([100, 101, 102]);
    expect(s.toArray().map((c) => c.close)).toEqual([100, 101, 102]);
  });

  test("a same-open-time candle replaces the last one", () => {
    const s = new CandleSeries("30m");
    s.push(candle(T0, 100));
    s.push(candle(T0 + M30, 101));
    expect(s.push(candle(T0 + M30, 105))).toEqual({ _tag: "Replaced" });
    expect(s.length).toBe(2);
    expect(s.last?.close).toBe(105);
  });

  test("older candles are rejected as out of order, misaligned ones as misaligned", () => {
    const s = new CandleSeries("30m");
    s.push(candle(T0, 100));
    s.push(candle(T0 + M30, 101));
    expect(s.push(candle(T0, 99))).toEqual({ _tag: "Rejected", reason: "outOfOrder", openTime: T0 });
    expect(s.push(candle(T0 - M30, 99))).toEqual({
      _tag: "Rejected",
      reason: "outOfOrder",
      openTime: T0 - M30,
    });
    expect(s.push(candle(T0 + 2 * M30 + 60_000))).toEqual({
      _tag: "Rejected",
      reason: "misaligned",
      openTime: T0 + 2 * M30 + 60_000,
    });
    expect(s.toArray().map((c) => c.close)).toEqual([100, 101]);
    const daily = new CandleSeries("1d");
    expect(daily.push(candle(T0 + 4 * 3_600_000, 1, TIMEFRAME_MS["1d"]))._tag).toBe("Rejected");
  });

  test("a gap is reported with the exact missing range, and the candle is still appended", () => {
    const s = new CandleSeries("30m");
    s.push(candle(T0));
    const next = candle(T0 + 4 * M30, 107);
    expect(s.gapBefore(next)).toEqual({ from: T0 + M30, count: 3 });
    expect(s.gapBefore(candle(T0 + M30))).toBeUndefined();
    expect(s.push(next)).toEqual({ _tag: "Gap", from: T0 + M30, count: 3 });
    expect(s.length).toBe(2);
    expect(s.last?.close).toBe(107);
    expect(new CandleSeries("4h").gapBefore(next)).toBeUndefined();
  });

  test("the real hole in ADAUSDT 30m is reported once, with its exact range", () => {
    const klines = loadKlines("ADAUSDT", "30m", FIXTURE_KLINES_DIR);
    const s = new CandleSeries("30m");
    const gaps: Array<{ from: number; count: number; before: number }> = [];
    let prev: Candle | undefined;
    for (const c of klines) {
      const r = s.push(c);
      if (r._tag === "Gap") gaps.push({ from: r.from, count: r.count, before: prev!.openTime });
      else expect(r._tag).toBe("Appended");
      prev = c;
    }
    expect(gaps).toHaveLength(1);
    const g = gaps[0]!;
    expect(g.from).toBe(g.before + M30);
    expect(g.count).toBe(1858);
    const span = (klines.at(-1)!.openTime - klines[0]!.openTime) / M30 + 1;
    expect(span - klines.length).toBe(g.count);
    expect(s.length).toBe(500);
  });

  test("capacity is respected and memory stays flat after 100k pushes", () => {
    const s = new CandleSeries("30m", 500);
    // biome-ignore lint/complexity/useLiteralKeys: reads the private ring to prove it never grows
    const storage = s["buffer"];
    expect(storage.length).toBe(500);
    for (let i = 0; i < 100_000; i++) {
      s.push(candle(T0 + i * M30, i));
      if (i % 3 === 0) s.push(candle(T0 + i * M30, i)); // forming update
    }
    expect(s.length).toBe(500);
    // biome-ignore lint/complexity/useLiteralKeys: same private ring, still the same array
    expect(s["buffer"]).toBe(storage);
    expect(storage.length).toBe(500);
    expect(s.at(0)?.close).toBe(100_000 - 500);
    expect(s.last?.close).toBe(99_999);
    const all = s.toArray();
    for (let i = 1; i < all.length; i++) expect(all[i]!.openTime - all[i - 1]!.openTime).toBe(M30);
  });

  test("rejects a bad capacity", () => {
    expect(() => new CandleSeries("30m", 0)).toThrow(RangeError);
  });
});
