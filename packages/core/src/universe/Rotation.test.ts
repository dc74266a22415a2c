import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { activeSet, diffActive } from "./Rotation.ts";

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

  test("the next slot takes the next window, wrapping around the ranked list", () => {
    const a = activeSet({ fixed, ranked, maxSymbols: 40, slotMs, time: slotMs, pinned: [] });
    expect(a.rotating[0]).toBe("S37USDT");
    const wrap = activeSet({ fixed, ranked, maxSymbols: 40, slotMs, time: 8 * slotMs, pinned: [] });
    expect(wrap.rotating[0]).toBe(ranked[(8 * 37) % 300]);
    expect(wrap.rotating.at(-1)).toBe(ranked[(8 * 37 + 36) % 300]);
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
