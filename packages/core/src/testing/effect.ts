/**
 * Runs an Effect in a test with the TestClock in place of the wall clock (starting at `at`, default 0),
 * so every time-dependent rule is driven by the test, never by the machine it runs on.
 */
import { Effect, Layer } from "effect";
import { TestClock } from "effect/testing";

export const runTest = <A, E, R, E2 = never>(
  effect: Effect.Effect<A, E, R>,
  layer: Layer.Layer<R, E2, never> = Layer.empty as unknown as Layer.Layer<R, E2, never>,
  options: { readonly at?: number } = {},
): Promise<A> =>
  Effect.runPromise(
    Effect.gen(function* () {
      if (options.at !== undefined) yield* TestClock.setTime(options.at);
      return yield* effect;
    }).pipe(Effect.provide(Layer.merge(layer, TestClock.layer()))) as Effect.Effect<A, E | E2, never>,
  );
