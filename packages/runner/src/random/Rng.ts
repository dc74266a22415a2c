/**
 * A small seeded random generator (mulberry32): the same seed replays the chaos soak's faults in the same
 * order, and draws the walk-forward's random search the same way, so a run can be repeated exactly.
 * @see https://gist.github.com/tommyettinger/46a874533244883189143505d203312c
 */

export interface Rng {
  /** Uniform in [0, 1). */
  readonly next: () => number;
  /** Uniform integer in [min, max]. */
  readonly int: (min: number, max: number) => number;
  /** One element of a non-empty list. */
  readonly pick: <A>(items: readonly A[]) => A;
}

export const makeRng = (seed: number): Rng => {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <A>(items: readonly A[]): A => {
    const item = items[Math.floor(next() * items.length)];
    if (item === undefined) throw new RangeError("pick: empty list");
    return item;
  };
  return { next, int, pick };
};
