import { describe, expect, test } from "bun:test";
import type { KlineColumns } from "@signalbot/adapters/csv";
import { windowIndex } from "@signalbot/core";
import type { ReplayData } from "./Replay.ts";
import { ReplayRotation } from "./Rotation.ts";

const M30 = 30 * 60_000;
const T0 = Date.UTC(2025, 0, 1);
const H = 3_600_000;

/** 30m candles from `from` for `n` periods, at price `price`, with `volume(i)`. */
const columns = (from: number, n: number, price: number, volume: (i: number) => number): KlineColumns => {
  const f = (g: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => g(i));
  return {
    source: "test",
    timeframe: "30m",
    length: n,
    openTime: f((i) => from + i * M30),
    open: f(() => price),
    high: f(() => price),
    low: f(() => price),
    close: f(() => price),
    volume: f(volume),
    closeTime: f((i) => from + (i + 1) * M30 - 1),
    missing: 0,
    gaps: [],
  };
};

const dataOf = (series: Record<string, KlineColumns>): ReplayData => {
  const symbols = Object.keys(series).sort();
  return {
    symbols,
    series: symbols.map((symbol, symbolIndex) => ({
      symbol,
      symbolIndex,
      timeframe: "30m",
      columns: series[symbol]!,
      warmupStart: 0,
      start: 0,
      end: series[symbol]!.length,
    })),
    warnings: [],
  };
};

const DAYS = 4 * 48;
// Quote volumes over 24 h: AAA 100 × 1 = 100, BBB 10 × 50 = 500, CCC 1 × 300 = 300, DDD 2 × 200 = 400 — until
// DDD's volume jumps tenfold on the fourth day. EEE has no candle after the first 12 h (delisted, say).
const data = dataOf({
  AAAUSDT: columns(T0, DAYS, 100, () => 1),
  BBBUSDT: columns(T0, DAYS, 10, () => 50),
  CCCUSDT: columns(T0, DAYS, 1, () => 300),
  DDDUSDT: columns(T0, DAYS, 2, (i) => (i >= 3 * 48 ? 2000 : 200)),
  EEEUSDT: columns(T0, 24, 1, () => 1e9),
});
const watched = (r: ReplayRotation) => data.symbols.filter((_, i) => r.isWatched(i));
const options = { maxSymbols: 3, fixed: ["AAAUSDT"], slotMs: M30, refreshMs: 6 * H };

describe("the replayed rotation", () => {
  test("fixed + a window of the 24 h quote-volume ranking that moves one window per slot", () => {
    const r = new ReplayRotation(data, options);
    const at = T0 + 40 * H; // EEE has no candle in the last 24 h: not listed
    const seen: string[][] = [];
    const within: string[][] = [];
    for (let k = 0; k < 4; k++) {
      r.advance(at + k * M30, () => []);
      seen.push(watched(r));
      // A moment after the boundary (a later candle of the same slot), only the slot's own window.
      r.advance(at + k * M30 + 1, () => []);
      within.push(watched(r));
    }
    // Ranked without the fixed AAA: BBB 500, DDD 400, CCC 300 — two rotating places, windows in core's order.
    const slot = Math.floor(at / M30);
    const pool = ["BBBUSDT", "DDDUSDT", "CCCUSDT"];
    const windowOf = (k: number) => {
      const start = (windowIndex(slot + k, M30) * 2) % 3;
      return [pool[start]!, pool[(start + 1) % 3]!];
    };
    within.forEach((w, k) => {
      expect(w).toEqual(["AAAUSDT", ...windowOf(k)].sort());
    });
    // At a boundary the window leaving there still has the candle closing there (core's slotCloses); the first
    // advance has no window before it.
    seen.forEach((w, k) => {
      expect(w).toEqual([...new Set(["AAAUSDT", ...windowOf(k), ...(k > 0 ? windowOf(k - 1) : [])])].sort());
    });
    for (const w of seen) expect(w).not.toContain("EEEUSDT");
  });

  test("a symbol with an open trade stays watched, within the same number of places", () => {
    const r = new ReplayRotation(data, options);
    const at = T0 + 40 * H;
    for (let k = 0; k < 3; k++) {
      r.advance(at + k * M30 + 1, () => ["CCCUSDT"]);
      const w = watched(r);
      expect(w).toContain("AAAUSDT");
      expect(w).toContain("CCCUSDT");
      expect(w.length).toBe(3);
    }
  });

  test("the ranking is redone at each universe refresh from the last 24 h only", () => {
    const r = new ReplayRotation(data, { ...options, maxSymbols: 2 });
    // Before DDD's jump: one rotating place goes round BBB, DDD, CCC.
    const before = new Set<string>();
    for (let k = 0; k < 3; k++) {
      r.advance(T0 + 40 * H + k * M30, () => []);
      for (const s of watched(r)) before.add(s);
    }
    expect([...before].sort()).toEqual(["AAAUSDT", "BBBUSDT", "CCCUSDT", "DDDUSDT"]);
    // 48 h later DDD's last 24 h hold its jump: the head of the list, where BBB stood.
    const slotOf = (t: number) => Math.floor(t / M30);
    // A slot whose window starts at the list's head (its window × 1 place ≡ 0 mod 3), before and 48 h after.
    const head = (t: number) => windowIndex(slotOf(t), M30) % 3;
    let day2 = T0 + 40 * H;
    while (head(day2) !== 0) day2 += M30;
    const day4 = day2 + 2 * 24 * H;
    expect(head(day4)).toBe(0);
    const r2 = new ReplayRotation(data, { ...options, maxSymbols: 2 });
    r2.advance(day2, () => []);
    const first = watched(r2);
    r2.advance(day4, () => []);
    expect(first).toContain("BBBUSDT");
    expect(watched(r2)).toEqual(["AAAUSDT", "DDDUSDT"]);
  });

  test("a fixed symbol the data does not list (no recent candle) is skipped, as live skips an unlisted one", () => {
    const r = new ReplayRotation(data, { ...options, fixed: ["EEEUSDT"], maxSymbols: 2 });
    r.advance(T0 + 40 * H, () => []);
    expect(watched(r)).not.toContain("EEEUSDT");
    expect(watched(r).length).toBe(2);
  });
});
