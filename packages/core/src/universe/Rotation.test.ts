import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  activeSet,
  analysedOnEntry,
  diffActive,
  drainClose,
  lastTriggerClose,
  rotationCoverage,
  slotCloses,
  slotStartAt,
  windowIndex,
} from "./Rotation.ts";

const ranked = Array.from({ length: 300 }, (_, i) => `S${i}USDT`);
const fixed = ["BTCUSDT", "ETHUSDT", "BNBUSDT"];
const slotMs = 1_800_000;

describe("activeSet", () => {
  test("fixed symbols first, then a window of the ranked list filling up to the cap", () => {
    const a = activeSet({ fixed, ranked, maxSymbols: 40, slotMs, time: 0, pinned: [] });
    expect(a.symbols.length).toBe(40);
    expect(a.symbols.slice(0, 3)).toEqual(fixed);
    expect(a.rotating).toEqual(ranked.slice(0, 37));
  });

  test("within a 4h period the next slot takes the next window, wrapping around the ranked list", () => {
    const a = activeSet({ fixed, ranked, maxSymbols: 40, slotMs, time: slotMs, pinned: [] });
    expect(a.rotating[0]).toBe("S37USDT");
    const wrap = activeSet({ fixed, ranked, maxSymbols: 40, slotMs, time: 7 * slotMs, pinned: [] });
    expect(wrap.rotating[0]).toBe(ranked[(7 * 37) % 300]);
    expect(wrap.rotating.at(-1)).toBe(ranked[(7 * 37 + 36) % 300]);
  });

  test("the slot opening each 4h close takes the window after the previous period's opener", () => {
    const H4 = 4 * 3_600_000;
    const opener = (period: number) =>
      activeSet({ fixed, ranked, maxSymbols: 40, slotMs, time: period * H4, pinned: [] }).rotating[0];
    expect([0, 1, 2, 3].map(opener)).toEqual(["S0USDT", "S37USDT", "S74USDT", "S111USDT"]);
    expect(windowIndex(8, slotMs)).toBe(1);
    expect(windowIndex(15, slotMs)).toBe(8);
    // Slot lengths that do not divide 4 h take consecutive windows.
    expect(windowIndex(5, 7 * 60_000)).toBe(5);
    expect(windowIndex(5, 8 * 3_600_000)).toBe(5);
  });

  test("every ranked symbol is watched at a 4h close, about 1.5 times a day, at 900, 1800 and 3600 s", () => {
    const H4 = 4 * 3_600_000;
    for (const seconds of [900, 1800, 3600]) {
      const from = Date.UTC(2025, 5, 2);
      const cov = rotationCoverage({
        fixed,
        ranked,
        maxSymbols: 40,
        slotMs: seconds * 1000,
        from,
        to: from + 7 * 86_400_000,
      });
      const perDay = ranked.map((sym) => (cov.get(sym) ?? []).filter((c) => c % H4 === 0).length / 7);
      expect(Math.min(...perDay)).toBeGreaterThanOrEqual(1.4);
      expect(Math.max(...perDay)).toBeLessThanOrEqual(1.6);
    }
  });

  test("a symbol with an open trade stays although its window has passed, within the cap", () => {
    const a = activeSet({ fixed, ranked, maxSymbols: 40, slotMs, time: slotMs, pinned: ["S0USDT"] });
    expect(a.symbols).toContain("S0USDT");
    expect(a.symbols.length).toBe(40);
    const d = diffActive(
      activeSet({ fixed, ranked, maxSymbols: 40, slotMs, time: 0, pinned: [] }).symbols,
      a.symbols,
    );
    expect(d.leaving).not.toContain("S0USDT");
    expect(d.entering.length).toBe(d.leaving.length);
  });

  test("fixed symbols in the ranked list are not counted twice", () => {
    const a = activeSet({
      fixed,
      ranked: ["ETHUSDT", ...ranked],
      maxSymbols: 40,
      slotMs,
      time: 0,
      pinned: [],
    });
    expect(new Set(a.symbols).size).toBe(a.symbols.length);
    expect(a.symbols.length).toBe(40);
  });

  test("a short ranked list yields fewer symbols, never duplicates", () => {
    const a = activeSet({ fixed, ranked: ["X", "Y"], maxSymbols: 40, slotMs, time: 7 * slotMs, pinned: [] });
    expect([...a.symbols].sort()).toEqual([...fixed, "X", "Y"].sort());
  });

  test("property: never more than the cap (unless pinned exceed it), no duplicates, fixed always in", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 3, max: 60 }),
        fc.subarray(ranked.slice(0, 50), { maxLength: 8 }),
        (slot, max, pinned) => {
          const a = activeSet({ fixed, ranked, maxSymbols: max, slotMs, time: slot * slotMs, pinned });
          expect(new Set(a.symbols).size).toBe(a.symbols.length);
          expect(a.symbols.length).toBeLessThanOrEqual(Math.max(max, fixed.length + pinned.length));
          for (const s of [...fixed, ...pinned]) expect(a.symbols).toContain(s);
        },
      ),
    );
  });
});

describe("the timing rule: which closes a rotating window is analysed on", () => {
  const at = (h: number, m = 0) => Date.UTC(2025, 5, 2, h, m);

  test("every 30m close from the slot's start to its end, both included, whatever the slot length", () => {
    const slot = (ms: number, time: number) => Math.floor(time / ms);
    expect(slotCloses(slot(1_800_000, at(10)), 1_800_000)).toEqual([at(10), at(10, 30)]);
    expect(slotCloses(slot(3_600_000, at(10)), 3_600_000)).toEqual([at(10), at(10, 30), at(11)]);
    expect(slotCloses(slot(900_000, at(10)), 900_000)).toEqual([at(10)]);
    expect(slotCloses(slot(900_000, at(10, 15)), 900_000)).toEqual([at(10, 30)]);
    expect(slotCloses(slot(60_000, at(10, 7)), 60_000)).toEqual([]);
    expect(slotCloses(slot(60_000, at(10, 29)), 60_000)).toEqual([at(10, 30)]);
    expect(slotCloses(slot(5_400_000, at(9)), 5_400_000)).toEqual([at(9), at(9, 30), at(10), at(10, 30)]);
  });

  test("a leaving window still gets the boundary candle; an entering one analyses what closed in its slot", () => {
    expect(drainClose(at(10, 30))).toBe(at(10, 30));
    expect(drainClose(at(10, 15))).toBe(at(10));
    expect(analysedOnEntry(at(10, 30), at(10, 30))).toBe(true);
    expect(analysedOnEntry(at(10), at(10, 15))).toBe(false);
    expect(slotStartAt(at(10, 44), 900_000)).toBe(at(10, 30));
    expect(lastTriggerClose(at(10, 44))).toBe(at(10, 30));
    expect(lastTriggerClose(at(10, 30))).toBe(at(10, 30));
  });

  test("at the defaults (40 watched, 3 fixed, top 300, 1800 s) each ranked symbol is analysed about 12 times a day", () => {
    const day = (slotSeconds: number) => {
      const cov = rotationCoverage({
        fixed,
        ranked,
        maxSymbols: 40,
        slotMs: slotSeconds * 1000,
        from: Date.UTC(2025, 5, 2),
        to: Date.UTC(2025, 5, 3),
      });
      const counts = ranked.map((s) => cov.get(s)?.length ?? 0);
      return {
        fixed: cov.get("BTCUSDT")?.length,
        min: Math.min(...counts),
        max: Math.max(...counts),
        mean: Math.round((counts.reduce((a, b) => a + b, 0) / counts.length) * 100) / 100,
      };
    };
    // 48 slots × 37 rotating seats over 300 symbols ≈ 5.9 visits of 2 closes each (9–13 on a given day: the
    // windows are keyed to the 4h closes, see windowIndex).
    expect(day(1800)).toEqual({ fixed: 48, min: 9, max: 13, mean: 11.84 });
    // 24 slots × 37 ≈ 3 visits of 3 closes; 96 × 37 ≈ 11.8 visits of 1 close.
    expect(day(3600)).toEqual({ fixed: 48, min: 2, max: 12, mean: 8.88 });
    expect(day(900)).toEqual({ fixed: 48, min: 10, max: 13, mean: 11.84 });
    // Every close of the day is someone's: no boundary close is analysed by nobody.
    const cov = rotationCoverage({ fixed, ranked, maxSymbols: 40, slotMs, from: 0, to: 2 * slotMs });
    expect([...cov.values()].flat().filter((c) => c === slotMs).length).toBe(3 + 2 * 37);
  });
});
