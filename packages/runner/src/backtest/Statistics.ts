/**
 * The statistics a strategy is judged by, as pure functions over plain lists — trade R multiples, an equity
 * series, daily returns — so the backtest report and the walk-forward folds compute them the same way.
 * Every function returns null where the figure is undefined (too few values, no losses, no variation).
 */

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: ~1e-15 relative). */
const logGamma = (x: number): number => {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
};

/** Continued fraction of the incomplete beta function (modified Lentz). */
const betaFraction = (a: number, b: number, x: number): number => {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
};

/** The regularised incomplete beta function I_x(a, b). */
const incompleteBeta = (x: number, a: number, b: number): number => {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2)
    ? (front * betaFraction(a, b, x)) / a
    : 1 - (front * betaFraction(b, a, 1 - x)) / b;
};

/** P(T ≤ t) for Student's t distribution with `df` degrees of freedom. */
export const studentTCdf = (t: number, df: number): number => {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
};

/** Density of Student's t with `df` degrees of freedom. */
const studentTPdf = (t: number, df: number): number =>
  Math.exp(
    logGamma((df + 1) / 2) -
      logGamma(df / 2) -
      0.5 * Math.log(df * Math.PI) -
      ((df + 1) / 2) * Math.log1p((t * t) / df),
  );

/**
 * The `p` quantile of Student's t with `df` degrees of freedom (p in (0.5, 1)): `studentTQuantile(0.975, 9)`
 * = 2.2622, the factor of a 95 % interval from 10 values. A Cornish–Fisher start from the normal quantile
 * (Abramowitz & Stegun 26.2.23), then Newton steps: the CDF is concave above 0, so they climb to the root
 * from below without overshooting.
 */
export const studentTQuantile = (p: number, df: number): number => {
  const w = Math.sqrt(-2 * Math.log(1 - p));
  const z =
    w -
    (2.515517 + 0.802853 * w + 0.010328 * w * w) / (1 + 1.432788 * w + 0.189269 * w * w + 0.001308 * w ** 3);
  let t = z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df * df);
  for (let i = 0; i < 100; i++) {
    const step = (studentTCdf(t, df) - p) / studentTPdf(t, df);
    t = Math.max(t / 2, t - step);
    if (Math.abs(step) <= 1e-13 * t) break;
  }
  return t;
};

export const sum = (xs: readonly number[]): number => {
  let s = 0;
  for (const x of xs) s += x;
  return s;
};

export const mean = (xs: readonly number[]): number | null => (xs.length === 0 ? null : sum(xs) / xs.length);

/** Sample standard deviation (n − 1 in the denominator); null below two values. */
export const sampleStdDev = (xs: readonly number[]): number | null => {
  if (xs.length < 2) return null;
  const m = sum(xs) / xs.length;
  let ss = 0;
  for (const x of xs) ss += (x - m) * (x - m);
  return Math.sqrt(ss / (xs.length - 1));
};

/** A mean with its uncertainty: how far the true expectancy may be from the observed one. */
export interface MeanEstimate {
  readonly n: number;
  readonly mean: number | null;
  readonly stdDev: number | null;
  /** stdDev / √n. */
  readonly stdErr: number | null;
  /** mean ± t(0.975, n − 1) × stdErr: Student's t interval, exact for normal values, fair for n ≥ 30. */
  readonly ci95: readonly [number, number] | null;
  /** mean / stdErr: how many standard errors the mean is away from zero (|t| > 2 ≈ unlikely to be luck). */
  readonly tStat: number | null;
}

/** Mean, standard error, 95 % confidence interval and t-statistic of `xs` (e.g. the R multiples of trades). */
export const meanEstimate = (xs: readonly number[]): MeanEstimate => {
  const n = xs.length;
  const m = mean(xs);
  const sd = sampleStdDev(xs);
  if (m === null || sd === null) return { n, mean: m, stdDev: null, stdErr: null, ci95: null, tStat: null };
  const se = sd / Math.sqrt(n);
  const half = studentTQuantile(0.975, n - 1) * se;
  return { n, mean: m, stdDev: sd, stdErr: se, ci95: [m - half, m + half], tStat: se > 0 ? m / se : null };
};

/** Gross gains / gross losses of `xs` (R multiples or money); null without a loss. */
export const profitFactor = (xs: readonly number[]): number | null => {
  let gains = 0;
  let losses = 0;
  for (const x of xs) {
    if (x > 0) gains += x;
    else losses -= x;
  }
  return losses > 0 ? gains / losses : null;
};

export interface Drawdown {
  /** Largest fall from a running peak, in % of that peak (0 when the series never falls). */
  readonly pct: number;
  /** The same fall in the series' own units. */
  readonly depth: number;
  /** Indices of the peak and of the trough of that fall (-1 when none). */
  readonly peak: number;
  readonly trough: number;
}

/**
 * Maximum drawdown of a series: the largest fall from a running peak, measured in % of the peak (`by: "pct"`,
 * for money equity) or in the series' own units (`by: "depth"`, e.g. cumulative R, where a % means nothing).
 */
export const maxDrawdown = (values: ArrayLike<number>, by: "pct" | "depth" = "pct"): Drawdown => {
  let peakValue = Number.NEGATIVE_INFINITY;
  let peakAt = -1;
  let best: Drawdown = { pct: 0, depth: 0, peak: -1, trough: -1 };
  let bestKey = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v > peakValue) {
      peakValue = v;
      peakAt = i;
      continue;
    }
    const depth = peakValue - v;
    const pct = peakValue > 0 ? (depth / peakValue) * 100 : 0;
    const key = by === "pct" ? pct : depth;
    if (key > bestKey) {
      bestKey = key;
      best = { pct, depth, peak: peakAt, trough: i };
    }
  }
  return best;
};

/** Period-over-period returns of an equity series (`values[i] / values[i − 1] − 1`). */
export const returnsOf = (values: readonly number[]): number[] => {
  const out: number[] = [];
  for (let i = 1; i < values.length; i++) {
    const prev = values[i - 1]!;
    out.push(prev > 0 ? values[i]! / prev - 1 : 0);
  }
  return out;
};

/** Crypto futures trade every day: daily figures annualise with 365 periods. */
export const DAYS_PER_YEAR = 365;

/** Annualised Sharpe ratio of periodic returns (risk-free rate 0): mean / sample std × √periods. */
export const sharpeRatio = (
  returns: readonly number[],
  periodsPerYear: number = DAYS_PER_YEAR,
): number | null => {
  const m = mean(returns);
  const sd = sampleStdDev(returns);
  return m === null || sd === null || sd === 0 ? null : (m / sd) * Math.sqrt(periodsPerYear);
};

/**
 * Annualised Sortino ratio (target 0): mean / downside deviation × √periods, the downside deviation being
 * √(Σ min(r, 0)² / n) over all n returns. Null without a losing period.
 */
export const sortinoRatio = (
  returns: readonly number[],
  periodsPerYear: number = DAYS_PER_YEAR,
): number | null => {
  const m = mean(returns);
  if (m === null) return null;
  let ss = 0;
  for (const r of returns) if (r < 0) ss += r * r;
  const downside = Math.sqrt(ss / returns.length);
  return downside === 0 ? null : (m / downside) * Math.sqrt(periodsPerYear);
};

/** Compound annual growth rate, in %: (end / start)^(1 / years) − 1; −100 when the equity is gone. */
export const cagrPct = (start: number, end: number, years: number): number | null => {
  if (!(start > 0) || !(years > 0)) return null;
  if (end <= 0) return -100;
  return ((end / start) ** (1 / years) - 1) * 100;
};

/** Calmar ratio: CAGR / maximum drawdown (both in %); null without a drawdown. */
export const calmarRatio = (cagr: number | null, maxDrawdownPct: number): number | null =>
  cagr === null || !(maxDrawdownPct > 0) ? null : cagr / maxDrawdownPct;
