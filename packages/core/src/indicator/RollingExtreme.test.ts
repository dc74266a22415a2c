import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { onBar, runIndicatorContract, talibReferences } from "./IndicatorContract.testkit.ts";
import { RollingMax, RollingMin, rollingMax, rollingMin } from "./RollingExtreme.ts";

/** The obvious O(n) definition the deque must agree with. */
const naive = (values: readonly number[], n: number, pick: (...xs: number[]) => number): number[] =>
  values.map((_, i) => (i < n - 1 ? Number.NaN : pick(...values.slice(i - n + 1, i + 1))));

describe("RollingMax / RollingMin", () => {
  runIndicatorContract("RollingMax(20) of highs", () => onBar(highOnly(new RollingMax(20))), 20);
  runIndicatorContract("RollingMin(20) of lows", () => onBar(lowOnly(new RollingMin(20))), 20);

  test("equal the naive window extreme on real highs and lows", () => {
    for (const ref of talibReferences()) {
      for (const n of [1, 5, 20, 55]) {
        expect(rollingMax(ref.high, n)).toEqual(naive(ref.high, n, Math.max));
        expect(rollingMin(ref.low, n)).toEqual(naive(ref.low, n, Math.min));
      }
    }
  });

  test("property: any add/replace sequence equals the naive extreme of the final inputs", () => {
    const op = fc.record({ replace: fc.boolean(), x: fc.integer({ min: -50, max: 50 }) });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(op, { maxLength: 200 }), (n, ops) => {
        const max = new RollingMax(n);
        const min = new RollingMin(n);
        const inputs: number[] = [];
        for (const { replace, x } of ops) {
          if (replace && inputs.length > 0) {
            inputs[inputs.length - 1] = x;
            max.replace(x);
            min.replace(x);
          } else {
            inputs.push(x);
            max.add(x);
            min.add(x);
          }
          const expMax = naive(inputs, n, Math.max).at(-1);
          const expMin = naive(inputs, n, Math.min).at(-1);
          if (expMax === undefined || Number.isNaN(expMax)) expect(max.value).toBeNaN();
          else {
            expect(max.value).toBe(expMax);
            expect(min.value).toBe(expMin!);
          }
        }
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  test("validates the period", () => {
    expect(() => new RollingMax(0)).toThrow(RangeError);
    expect(() => rollingMin([1], 1.5)).toThrow(RangeError);
  });
});

function highOnly(ind: RollingMax) {
  return {
    add: (h: number, _l: number, _c: number) => ind.add(h),
    replace: (h: number, _l: number, _c: number) => ind.replace(h),
    get value() {
      return ind.value;
    },
    get ready() {
      return ind.ready;
    },
  };
}

function lowOnly(ind: RollingMin) {
  return {
    add: (_h: number, l: number, _c: number) => ind.add(l),
    replace: (_h: number, l: number, _c: number) => ind.replace(l),
    get value() {
      return ind.value;
    },
    get ready() {
      return ind.ready;
    },
  };
}
