/**
 * "Signals today" for the whole project: the signals emitted in the current UTC day of event time (Clock).
 * The daily cap counts them, /status and the daily status message show them.
 */
import { Clock, Effect } from "effect";
import { DAY_MS, utcDayStart } from "../model/Time.ts";
import { SignalStore } from "../port/SignalStore.ts";

/** Emitted signals whose `createdAt` falls in today's UTC day (blocked ones never count). */
export const signalsToday = Effect.gen(function* () {
  const day = utcDayStart(yield* Clock.currentTimeMillis);
  return yield* (yield* SignalStore).countEmitted(day, day + DAY_MS);
});
