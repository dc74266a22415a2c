/**
 * Effect log lines captured for a test, and a way to wait for the next matching one. A loop that logs right
 * before it sleeps (a retry, a halt) tells the test exactly when moving the `TestClock` will wake it.
 */
import { Effect, type Layer, Logger } from "effect";

export interface LogCapture {
  /** Every message logged so far, in order. */
  readonly lines: readonly string[];
  readonly layer: Layer.Layer<never>;
  /** Resolves at the next line that passes `test`; arm it before the step that leads to the line. */
  readonly next: (test?: (line: string) => boolean) => Effect.Effect<void>;
}

export const captureLogs = (): LogCapture => {
  const lines: string[] = [];
  let waiter: { readonly test: (line: string) => boolean; readonly resolve: () => void } | undefined;
  const logger = Logger.make((o) => {
    const line = String(o.message);
    lines.push(line);
    if (waiter?.test(line)) {
      const w = waiter;
      waiter = undefined;
      w.resolve();
    }
  });
  return {
    lines,
    layer: Logger.layer([logger]),
    next: (test = () => true) => {
      const arrived = new Promise<void>((resolve) => {
        waiter = { test, resolve };
      });
      return Effect.promise(() => arrived);
    },
  };
};
