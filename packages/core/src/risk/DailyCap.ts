/**
 * The daily signal cap: at most `max` signals are emitted per UTC day (MAX_SIGNALS_PER_DAY), counted in
 * event time so a backtest caps exactly like the live bot.
 */
import type { Reason } from "../model/Signal.ts";

const DAY_MS = 86_400_000;

/** 00:00 UTC of the day containing `time` (ms UTC). */
export const utcDayStart = (time: number): number => Math.floor(time / DAY_MS) * DAY_MS;

/** How many of `times` fall on the same UTC day as `now`. */
export const countInUtcDay = (times: readonly number[], now: number): number => {
  const start = utcDayStart(now);
  let n = 0;
  for (const t of times) if (t >= start && t < start + DAY_MS) n++;
  return n;
};

/** `dailyCap` {count, max} once `emittedToday ≥ max`; undefined while there is room. */
export const dailyCapReached = (emittedToday: number, max: number): Reason | undefined =>
  emittedToday >= max ? { code: "dailyCap", data: { count: emittedToday, max } } : undefined;
