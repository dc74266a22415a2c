/**
 * Test kit for the indicator tests: the shared streaming contract every indicator runs, and the committed
 * TA-Lib reference files (`fixtures/talib/*.talib.json.gz`) with a relative-error comparison.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

/** A streaming indicator seen through one input shape: a bar is [high, low, close]. */
export interface ContractSubject {
  add(bar: readonly [number, number, number]): number;
  replace(bar: readonly [number, number, number]): number;
  readonly value: number;
  readonly ready: boolean;
}

export interface TalibReference {
  readonly name: string;
  readonly high: number[];
  readonly low: number[];
  readonly close: number[];
  readonly indicators: Readonly<Record<string, ReadonlyArray<number | null>>>;
}

const REFERENCE_FILES = ["BTCUSDT-4h", "DOGEUSDT-1d", "ETHUSDT-30m"];

let cache: TalibReference[] | undefined;

/** The three committed TA-Lib references (BTCUSDT 4h, DOGEUSDT 1d, ETHUSDT 30m), parsed once. */
export const talibReferences = (): TalibReference[] => {
  cache ??= REFERENCE_FILES.map((name) => {
    const url = new URL(`../../../../fixtures/talib/${name}.talib.json.gz`, import.meta.url);
    const raw = gunzipSync(readFileSync(url));
    const json = JSON.parse(new TextDecoder().decode(raw)) as Omit<TalibReference, "name">;
    return { name, high: json.high, low: json.low, close: json.close, indicators: json.indicators };
  });
  return cache;
};

/** Asserts `actual` matches TA-Lib's `expected`: same definedness (null ↔ NaN), ≤ 1e-9 relative error. */
export const expectMatchesTalib = (
  label: string,
  actual: readonly number[],
  expected: ReadonlyArray<number | null>,
): void => {
  expect(actual.length).toBe(expected.length);
  let defined = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const a = actual[i]!;
    if (e === null || e === undefined) {
      if (!Number.isNaN(a)) throw new Error(`${label}[${i}]: expected NaN (TA-Lib null), got ${a}`);
      continue;
    }
    defined++;
    const err = Math.abs(a - e) / Math.max(Math.abs(e), 1e-12);
    if (!(err <= 1e-9)) throw new Error(`${label}[${i}]: expected ${e}, got ${a} (relative error ${err})`);
  }
  expect(defined).toBeGreaterThan(0);
};

/** Real bars from the first reference, for contract and incremental-vs-batch tests. */
export const realBars = (): Array<readonly [number, number, number]> => {
  const ref = talibReferences()[0]!;
  return ref.close.map((c, i) => [ref.high[i]!, ref.low[i]!, c] as const);
};

/**
 * The streaming contract: `NaN` (and not ready) for exactly `warmup` − 1 bars, then defined and ready;
 * `replace(x)` after `add(x)` is a no-op; `add(a); replace(b)` equals `add(b)`; replace before add acts as add.
 */
export const runIndicatorContract = (name: string, make: () => ContractSubject, warmup: number): void => {
  const bars = realBars().slice(0, 400);

  test(`${name}: NaN and not ready before bar ${warmup}, defined after`, () => {
    const ind = make();
    expect(ind.ready).toBe(false);
    expect(ind.value).toBeNaN();
    bars.forEach((bar, i) => {
      const v = ind.add(bar);
      expect(v === ind.value || (Number.isNaN(v) && Number.isNaN(ind.value))).toBe(true);
      if (i < warmup - 1) {
        expect(v).toBeNaN();
        expect(ind.ready).toBe(false);
      } else {
        expect(Number.isFinite(v)).toBe(true);
        expect(ind.ready).toBe(true);
      }
    });
  });

  test(`${name}: replace with the same value is a no-op`, () => {
    const plain = make();
    const replaced = make();
    for (const bar of bars) {
      const expected = plain.add(bar);
      replaced.add(bar);
      expect(replaced.replace(bar)).toBe(expected);
      expect(replaced.replace(bar)).toBe(expected);
    }
  });

  test(`${name}: add(a) then replace(b) equals add(b)`, () => {
    const plain = make();
    const forming = make();
    for (let i = 0; i < bars.length; i++) {
      const bar = bars[i]!;
      const other = bars[(i * 7 + 3) % bars.length]!;
      const expected = plain.add(bar);
      forming.add(other);
      forming.replace([other[0] * 1.01, other[1] * 0.99, other[2] * 1.005]);
      const got = forming.replace(bar);
      if (Number.isNaN(expected)) expect(got).toBeNaN();
      else expect(Math.abs(got - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
    }
  });

  test(`${name}: replace before any add acts as add`, () => {
    const a = make();
    const b = make();
    const first = bars[0]!;
    const x = a.add(first);
    const y = b.replace(first);
    expect(Number.isNaN(x) ? Number.isNaN(y) : x === y).toBe(true);
    expect(b.ready).toBe(a.ready);
  });
};

/** Adapts a close-only indicator to the contract's bar shape. */
export const onClose = (ind: {
  add(v: number): number;
  replace(v: number): number;
  readonly value: number;
  readonly ready: boolean;
}): ContractSubject => ({
  add: (bar) => ind.add(bar[2]),
  replace: (bar) => ind.replace(bar[2]),
  get value() {
    return ind.value;
  },
  get ready() {
    return ind.ready;
  },
});

/** Adapts a candle indicator to the contract's bar shape. */
export const onBar = (ind: {
  add(h: number, l: number, c: number): number;
  replace(h: number, l: number, c: number): number;
  readonly value: number;
  readonly ready: boolean;
}): ContractSubject => ({
  add: (bar) => ind.add(bar[0], bar[1], bar[2]),
  replace: (bar) => ind.replace(bar[0], bar[1], bar[2]),
  get value() {
    return ind.value;
  },
  get ready() {
    return ind.ready;
  },
});
