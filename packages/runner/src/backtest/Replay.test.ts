import { expect, test } from "bun:test";
import { type KlineColumns, parseKlineCsv } from "@signalbot/adapters/csv";
import { TIMEFRAME_MS, type Timeframe } from "@signalbot/core";
import fc from "fast-check";
import { ReplayCursor, type ReplaySeries } from "./Replay.ts";

const T0 = Date.UTC(2025, 0, 1);

/** A series of `count` candles of `timeframe` from `T0`, skipping the indices in `holes`. */
const columns = (
  timeframe: Timeframe,
  count: number,
  holes: ReadonlySet<number> = new Set(),
): KlineColumns => {
  const ms = TIMEFRAME_MS[timeframe];
  const rows: string[] = [];
  for (let i = 0; i < count; i++) {
    if (!holes.has(i)) rows.push(`${T0 + i * ms},1,2,0.5,1.5,10,${T0 + (i + 1) * ms - 1}`);
  }
  const r = parseKlineCsv(new TextEncoder().encode(rows.join("\n")), `${timeframe}.csv`, timeframe);
  if (r._tag !== "Parsed") throw new Error(r.problem.message);
  return r.columns;
};

const series = (
  symbol: string,
  symbolIndex: number,
  timeframe: Timeframe,
  c: KlineColumns,
): ReplaySeries => ({
  symbol,
  symbolIndex,
  timeframe,
  columns: c,
  warmupStart: 0,
  start: 0,
  end: c.length,
});

const drain = (all: readonly ReplaySeries[]) => {
  const cursor = new ReplayCursor(all);
  const out: { series: number; close: number; tf: Timeframe }[] = [];
  while (cursor.next()) {
    const s = all[cursor.series]!;
    out.push({ series: cursor.series, close: s.columns.closeTime[cursor.row]! + 1, tf: s.timeframe });
  }
  return out;
};

test("one chronological stream; at equal close 1d, then 4h, then 30m, then by symbol", () => {
  const all = [
    series("A", 0, "30m", columns("30m", 48)),
    series("A", 0, "4h", columns("4h", 6)),
    series("A", 0, "1d", columns("1d", 1)),
    series("B", 1, "30m", columns("30m", 48)),
  ];
  const out = drain(all);
  expect(out.length).toBe(48 + 6 + 1 + 48);
  expect(ReplayCursor.count(all)).toBe(out.length);
  // The first 4h candle closes at 04:00 together with the 8th 30m candles of A and B.
  const at4 = out.filter((e) => e.close === T0 + 4 * 3_600_000).map((e) => e.series);
  expect(at4).toEqual([1, 0, 3]);
  const atMidnight = out.filter((e) => e.close === T0 + 86_400_000).map((e) => e.series);
  expect(atMidnight).toEqual([2, 1, 0, 3]);
});

test("property: the merge is a sorted permutation of every series, gaps and all", () => {
  const tfs: Timeframe[] = ["30m", "4h", "1d"];
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          tf: fc.constantFrom(...tfs),
          count: fc.integer({ min: 0, max: 60 }),
          holes: fc.uniqueArray(fc.integer({ min: 1, max: 58 }), { maxLength: 10 }),
        }),
        { maxLength: 8 },
      ),
      (specs) => {
        const all = specs.map((s, i) => series(`S${i}`, i, s.tf, columns(s.tf, s.count, new Set(s.holes))));
        const out = drain(all);
        expect(out.length).toBe(all.reduce((n, s) => n + s.columns.length, 0));
        const rank = { "1d": 0, "4h": 1, "30m": 2 } as const;
        for (let i = 1; i < out.length; i++) {
          const a = out[i - 1]!;
          const b = out[i]!;
          const ordered =
            a.close < b.close ||
            (a.close === b.close &&
              (rank[a.tf] < rank[b.tf] || (rank[a.tf] === rank[b.tf] && a.series < b.series)));
          expect(ordered).toBe(true);
        }
      },
    ),
    { numRuns: 200 },
  );
});

test("starts at the warm-up or at the period start, stops at the period end", () => {
  const c = columns("30m", 10);
  const s: ReplaySeries = { ...series("A", 0, "30m", c), warmupStart: 2, start: 4, end: 7 };
  const withWarmup = new ReplayCursor([s]);
  const rows: number[] = [];
  while (withWarmup.next()) rows.push(withWarmup.row);
  expect(rows).toEqual([2, 3, 4, 5, 6]);
  const periodOnly = new ReplayCursor([s], false);
  rows.length = 0;
  while (periodOnly.next()) rows.push(periodOnly.row);
  expect(rows).toEqual([4, 5, 6]);
});

test("a series marked history-only delivers its warm-up and none of its period; the others are untouched", () => {
  const m30: ReplaySeries = {
    ...series("A", 0, "30m", columns("30m", 48)),
    warmupStart: 0,
    start: 16,
    end: 48,
  };
  const h4: ReplaySeries = { ...series("A", 0, "4h", columns("4h", 6)), warmupStart: 0, start: 2, end: 6 };
  const all = [m30, h4];
  const cursor = new ReplayCursor(all, true, [false, true]);
  const got: [number, number][] = [];
  while (cursor.next()) got.push([cursor.series, cursor.row]);
  const full = new ReplayCursor(all);
  const expected: [number, number][] = [];
  while (full.next()) if (full.series === 0 || full.row < h4.start) expected.push([full.series, full.row]);
  expect(got).toEqual(expected);
  expect(got.filter(([s]) => s === 1).map(([, r]) => r)).toEqual([0, 1]);
  expect(got.filter(([s]) => s === 0)).toHaveLength(48);
});
