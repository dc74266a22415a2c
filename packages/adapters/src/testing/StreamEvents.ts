/**
 * Reading a `MarketStream`'s events in a test, one at a time through the test's own `take` (which may record
 * them or move a clock): `next` takes events until one matches, `until` until a condition on what was seen holds.
 */
import type { StreamEvent } from "@signalbot/core";
import { Effect } from "effect";

export const streamEventReader = <R>(take: Effect.Effect<StreamEvent, never, R>) => ({
  /** Takes events until one satisfies `predicate` and returns it. */
  next: <E extends StreamEvent>(predicate: (e: StreamEvent) => e is E) =>
    Effect.gen(function* () {
      for (;;) {
        const e = yield* take;
        if (predicate(e)) return e;
      }
    }),
  /** Takes events until `condition` holds (at once if it already does). */
  until: (condition: () => boolean) =>
    Effect.gen(function* () {
      while (!condition()) yield* take;
    }),
});
