/**
 * The chart's arithmetic: "nice" price-axis ticks (1, 2, 2.5, 5 × 10^k, the steps people read) and spreading
 * level tags apart so two close levels stay readable. Plain functions on numbers, tested beside.
 */

/** Round tick values inside [lo, hi], about `target` of them, on a 1/2/2.5/5 × 10^k step. */
export const niceTicks = (
  lo: number,
  hi: number,
  target = 6,
): { readonly step: number; readonly ticks: number[] } => {
  if (!(hi > lo)) return { step: 0, ticks: [lo] };
  const raw = (hi - lo) / Math.max(1, target);
  const power = 10 ** Math.floor(Math.log10(raw));
  // The round step nearest to the raw one (in ratio), so the axis gets about `target` ticks.
  const step = [1, 2, 2.5, 5, 10]
    .map((m) => m * power)
    .reduce((best, c) => (Math.abs(Math.log(c / raw)) < Math.abs(Math.log(best / raw)) ? c : best));
  const ticks: number[] = [];
  // Integer multiples of the step, so 0.1 + 0.2 never prints as 0.30000000000000004.
  for (let k = Math.ceil(lo / step); k * step <= hi + step * 1e-9; k++)
    ticks.push(Number((k * step).toPrecision(12)));
  return { step, ticks };
};

/** Decimals that show `step` exactly (0.25 → 2, 50 → 0). */
export const decimalsFor = (step: number): number => {
  for (let d = 0; d <= 10; d++) if (Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-6) return d;
  return 10;
};

/**
 * Vertical positions for tags of height `gap` wanted at `ys`, moved as little as needed so none overlap and all
 * stay in [min, max]. Returns the positions in the input order.
 */
export const spreadApart = (ys: readonly number[], gap: number, min: number, max: number): number[] => {
  const order = ys.map((y, i) => ({ y, i })).sort((a, b) => a.y - b.y);
  const placed = order.map((o) => o.y);
  for (let k = 0; k < placed.length; k++) {
    placed[k] = Math.max(placed[k]!, min, k > 0 ? placed[k - 1]! + gap : min);
  }
  // Pushed past the bottom: slide the stack back up from the end.
  for (let k = placed.length - 1; k >= 0; k--) {
    placed[k] = Math.min(placed[k]!, k < placed.length - 1 ? placed[k + 1]! - gap : max);
  }
  const out = new Array<number>(ys.length);
  order.forEach((o, k) => {
    out[o.i] = placed[k]!;
  });
  return out;
};
