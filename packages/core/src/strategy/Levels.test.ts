import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { placeLevels } from "./Levels.ts";
import { DEFAULT_PARAMS } from "./Params.ts";

/** The worked numbers below use a 1-ATR minimum stop (the default is 2 ATRs of 4h). */
const p = { ...DEFAULT_PARAMS, stopAtrMult: 1 };

describe("placeLevels", () => {
  test("long: stop beyond the swing low with an ATR buffer, targets at 1R/2R/3R", () => {
    const r = placeLevels({ side: "LONG", entry: 100, atr: 2, swing: 97, obstacle: Number.NaN }, p);
    // structural 97 − 0.25×2 = 96.5, minimal 100 − 1×2 = 98 → 96.5; risk 3.5
    expect(r).toEqual({ _tag: "Levels", stop: 96.5, targets: [103.5, 107, 110.5], rr: 2 });
  });

  test("short mirrors the long", () => {
    const r = placeLevels({ side: "SHORT", entry: 100, atr: 2, swing: 103, obstacle: Number.NaN }, p);
    expect(r).toEqual({ _tag: "Levels", stop: 103.5, targets: [96.5, 93, 89.5], rr: 2 });
  });

  test("a swing too close to the entry still gets the minimum ATR distance", () => {
    const r = placeLevels({ side: "LONG", entry: 100, atr: 2, swing: 99.9, obstacle: Number.NaN }, p);
    expect(r._tag === "Levels" && r.stop).toBe(98);
  });

  test("an opposing level before TP2 caps TP2 in front of it", () => {
    // risk 3.5, raw TP2 107; 4h high at 106 → TP2 = 106 − 0.1×2 = 105.8, rr = 5.8/3.5 ≈ 1.66
    const r = placeLevels({ side: "LONG", entry: 100, atr: 2, swing: 97, obstacle: 106 }, p);
    expect(r._tag).toBe("Levels");
    if (r._tag !== "Levels") return;
    expect(r.targets[1]).toBeCloseTo(105.8, 12);
    expect(r.rr).toBeCloseTo(5.8 / 3.5, 12);
    expect(r.structure).toBe(106);
  });

  test("a level between TP2 and TP3 pulls TP3 in", () => {
    const r = placeLevels({ side: "SHORT", entry: 100, atr: 2, swing: 103, obstacle: 91 }, p);
    expect(r._tag === "Levels" && r.targets).toEqual([96.5, 93, 91.2]);
  });

  test("rejects when the structure leaves less than RR_MIN to TP2", () => {
    const r = placeLevels({ side: "LONG", entry: 100, atr: 2, swing: 97, obstacle: 104 }, p);
    expect(r).toEqual({ _tag: "Rejected", reason: { code: "rrBelowMin", data: { rr: 1.09, min: 1.5 } } });
  });

  test("rejects a stop too far away and an undefined ATR", () => {
    const wide = placeLevels({ side: "LONG", entry: 100, atr: 1, swing: 90, obstacle: Number.NaN }, p);
    expect(wide).toEqual({
      _tag: "Rejected",
      reason: { code: "stopTooWide", data: { stopAtr: 10.25, max: 4 } },
    });
    const flat = placeLevels({ side: "LONG", entry: 100, atr: 0, swing: 99, obstacle: Number.NaN }, p);
    expect(flat._tag === "Rejected" && flat.reason.code).toBe("invalidAtr");
  });

  test("property: stop on the losing side, targets on the winning side and strictly ordered, rr ≥ rrMin", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("LONG" as const, "SHORT" as const),
        fc.double({ min: 1e-4, max: 1e5, noNaN: true }),
        fc.double({ min: 1e-4, max: 0.1, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        fc.oneof(fc.constant(Number.NaN), fc.double({ min: -10, max: 10, noNaN: true })),
        fc.double({ min: 0.5, max: 3, noNaN: true }),
        (side, entry, atrFrac, swingAtr, obstacleAtr, rrMin) => {
          const atr = entry * atrFrac;
          const s = side === "LONG" ? 1 : -1;
          const r = placeLevels(
            { side, entry, atr, swing: entry - s * swingAtr * atr, obstacle: entry + s * obstacleAtr * atr },
            { ...p, rrMin },
          );
          if (r._tag === "Rejected") return ["stopTooWide", "rrBelowMin"].includes(r.reason.code);
          const [t1, t2, t3] = r.targets;
          return (
            s * (entry - r.stop) > 0 &&
            s * (t1 - entry) > 0 &&
            s * (t2 - t1) > 0 &&
            s * (t3 - t2) > 0 &&
            r.rr >= rrMin
          );
        },
      ),
      { seed: 7, numRuns: 5_000 },
    );
  });
});
