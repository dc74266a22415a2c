/** Binary search over ascending numbers (open times, close times, timestamps). */

/** Index of the first element of ascending `sorted` that is ≥ `value` (`sorted.length` when none is). */
export const lowerBound = (sorted: ArrayLike<number>, value: number): number => {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};
