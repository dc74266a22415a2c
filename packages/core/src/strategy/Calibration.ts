/**
 * Fitting a model's component weights to outcomes, so that a higher score means a better expected trade: a
 * logistic regression of "the trade won" (R > 0) on the components' values (each in 0..1), with the
 * coefficients held non-negative (a component may only add to a score, never subtract) and scaled to sum to
 * 100 points. A component whose value does not predict the outcome gets no points. Deterministic: the same
 * samples give the same weights (plain gradient descent, fixed iterations, no randomness).
 * @see https://en.wikipedia.org/wiki/Logistic_regression
 */

/** One past setup of a model: its components' values by name and the R multiple its trade realised. */
export interface CalibrationSample {
  readonly values: Readonly<Record<string, number>>;
  readonly r: number;
}

export interface CalibrationOptions {
  /** L2 penalty on the coefficients (default 1, in units of samples): keeps small samples from extreme weights. */
  readonly l2?: number;
  /** Gradient steps (default 3000). */
  readonly iterations?: number;
}

export interface CalibrationResult {
  /** Integer points per component, summing to 100 (equal points when no component predicts). */
  readonly weights: Readonly<Record<string, number>>;
  /** The non-negative logistic coefficients behind them, and the intercept. */
  readonly coefficients: Readonly<Record<string, number>>;
  readonly intercept: number;
  readonly samples: number;
  /** False when every coefficient came out 0 (or there were no samples): the weights are the equal split. */
  readonly informative: boolean;
}

/** Integer points proportional to `shares` (≥ 0, not all 0) summing exactly to `total` (largest remainders). */
export const apportion = (shares: readonly number[], total = 100): number[] => {
  const sum = shares.reduce((a, b) => a + b, 0);
  const exact = shares.map((s) => (s / sum) * total);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact
    .map((x, i) => [x - Math.floor(x), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    out[i]!++;
    left--;
  }
  return out;
};

/** Weights for the components `names` from `samples` (values missing from a sample count as 0). */
export const fitComponentWeights = (
  names: readonly string[],
  samples: readonly CalibrationSample[],
  options: CalibrationOptions = {},
): CalibrationResult => {
  const d = names.length;
  const n = samples.length;
  const equal = () => Object.fromEntries(names.map((k, i) => [k, apportion(names.map(() => 1))[i]!]));
  if (n === 0 || d === 0)
    return {
      weights: equal(),
      coefficients: Object.fromEntries(names.map((k) => [k, 0])),
      intercept: 0,
      samples: n,
      informative: false,
    };
  const x = new Float64Array(n * d);
  const y = new Float64Array(n);
  samples.forEach((s, i) => {
    for (let k = 0; k < d; k++) {
      const v = s.values[names[k]!];
      x[i * d + k] = v === undefined || !Number.isFinite(v) ? 0 : Math.min(1, Math.max(0, v));
    }
    y[i] = s.r > 0 ? 1 : 0;
  });
  const l2 = options.l2 ?? 1;
  const iterations = options.iterations ?? 3000;
  const w = new Float64Array(d);
  let b = 0;
  const g = new Float64Array(d);
  // Features are in 0..1, so a fixed step of 4 (the inverse of the logistic loss's curvature bound) converges.
  const step = 4;
  for (let it = 0; it < iterations; it++) {
    g.fill(0);
    let gb = 0;
    for (let i = 0; i < n; i++) {
      let z = b;
      for (let k = 0; k < d; k++) z += w[k]! * x[i * d + k]!;
      const e = 1 / (1 + Math.exp(-z)) - y[i]!;
      gb += e;
      for (let k = 0; k < d; k++) g[k]! += e * x[i * d + k]!;
    }
    b -= (step * gb) / n;
    for (let k = 0; k < d; k++) w[k] = Math.max(0, w[k]! - (step * (g[k]! + l2 * w[k]!)) / n);
  }
  const coefficients = Object.fromEntries(names.map((k, i) => [k, w[i]!]));
  const informative = w.some((v) => v > 1e-6);
  const points = informative ? apportion(Array.from(w, (v) => (v > 1e-6 ? v : 0))) : names.map(() => 0);
  return {
    weights: informative ? Object.fromEntries(names.map((k, i) => [k, points[i]!])) : equal(),
    coefficients,
    intercept: b,
    samples: n,
    informative,
  };
};
