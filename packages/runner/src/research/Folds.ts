/**
 * The rolling windows of a walk-forward: a training window, then the test window right after it; the next
 * fold moves on by one test length, so the test windows tile the period without overlap or hole. Lengths are
 * whole days, weeks, calendar months or years (`90d`, `2w`, `6m`, `1y`), counted in UTC.
 */
import { DAY_MS } from "@signalbot/core";

export interface Span {
  readonly unit: "d" | "w" | "m" | "y";
  readonly count: number;
  /** As written: "6m". */
  readonly text: string;
}

export interface Fold {
  readonly index: number;
  /** Training window [trainFrom, trainTo) and test window [trainTo, testTo), ms UTC. */
  readonly trainFrom: number;
  readonly trainTo: number;
  readonly testTo: number;
  /** The last fold's test window was cut short by the end of the data. */
  readonly partial: boolean;
}

/** "6m" → 6 calendar months; undefined when it is not a length. */
export const parseSpan = (raw: string): Span | undefined => {
  const m = /^(\d{1,4})([dwmy])$/.exec(raw.trim());
  if (m === null || Number(m[1]) === 0) return undefined;
  return { unit: m[2] as Span["unit"], count: Number(m[1]), text: raw.trim() };
};

/**
 * `time` moved on by `times` × `span`. Months and years keep the day of the month, clamped to the month's
 * last day (31 Jan + 1m = 28 Feb), and are counted from `time` each call, so folds do not drift.
 */
export const addSpan = (time: number, span: Span, times = 1): number => {
  if (span.unit === "d") return time + span.count * times * DAY_MS;
  if (span.unit === "w") return time + 7 * span.count * times * DAY_MS;
  const d = new Date(time);
  const months = (span.unit === "y" ? 12 : 1) * span.count * times;
  const y = d.getUTCFullYear();
  const target = d.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, target + 1, 0)).getUTCDate();
  return Date.UTC(
    y,
    target,
    Math.min(d.getUTCDate(), lastDay),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCMilliseconds(),
  );
};

/**
 * The folds between `start` and `end`. The test windows tile the period after the first training window:
 * fold k tests on [b(k), b(k+1)) where b(k) = start + train + k·test, and trains on the `train` length before
 * b(k). A last test window the data ends inside is kept, marked partial, when it holds at least one day.
 */
export const foldsOf = (start: number, end: number, train: Span, test: Span): Fold[] => {
  const folds: Fold[] = [];
  const monthly = (s: Span) => s.unit === "m" || s.unit === "y";
  const months = (s: Span) => (s.unit === "y" ? 12 : 1) * s.count;
  // b(k), from `start` in one step when both lengths are in months (31 Jan + 3m + 1m is 31 May, not 30 May).
  const boundary = (k: number): number =>
    monthly(train) && monthly(test)
      ? addSpan(start, { unit: "m", count: months(train) + k * months(test), text: "" })
      : addSpan(addSpan(start, train), test, k);
  for (let k = 0; ; k++) {
    const trainTo = boundary(k);
    const nominal = boundary(k + 1);
    if (trainTo + DAY_MS > end) break;
    const trainFrom = k === 0 ? start : addSpan(trainTo, train, -1);
    folds.push({ index: k, trainFrom, trainTo, testTo: Math.min(nominal, end), partial: nominal > end });
    if (nominal >= end) break;
  }
  return folds;
};
