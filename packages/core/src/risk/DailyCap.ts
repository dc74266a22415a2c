/**
 * The daily signal cap: at most `max` signals are emitted per UTC day (MAX_SIGNALS_PER_DAY), counted in
 * event time so a backtest caps exactly like the live bot.
 */
import type { Reason } from "../model/Signal.ts";

/** `dailyCap` {count, max} once `emittedToday ≥ max`; undefined while there is room. */
export const dailyCapReached = (emittedToday: number, max: number): Reason | undefined =>
  emittedToday >= max ? { code: "dailyCap", data: { count: emittedToday, max } } : undefined;
