/**
 * The runner's clock is injectable: live it is the wall clock (Effect's default); the demo and the end-to-end
 * tests run it on the fake exchange's market time, which they move forward by hand. `SteppedTime` is that
 * manual time: `now()` reads the market clock and sleepers wake when `release()` sees their deadline passed.
 */
import { type Clock, Duration, Effect } from "effect";

export interface TimeSource {
  readonly now: () => number;
  /** Resolves once `now()` has reached `deadline`; rejected/ignored when `signal` aborts. */
  readonly sleepUntil: (deadline: number, signal: AbortSignal) => Promise<void>;
}

/** An Effect `Clock` over a time source: every `Clock.currentTimeMillis` and `Effect.sleep` go through it. */
export const clockFrom = (source: TimeSource): Clock.Clock => {
  const nanos = () => BigInt(Math.round(source.now())) * 1_000_000n;
  return {
    currentTimeMillisUnsafe: () => source.now(),
    currentTimeMillis: Effect.sync(() => source.now()),
    currentTimeNanosUnsafe: nanos,
    currentTimeNanos: Effect.sync(nanos),
    monotonicTimeNanosUnsafe: nanos,
    monotonicTimeNanos: Effect.sync(nanos),
    sleep: (duration) => {
      const ms = Duration.toMillis(duration);
      return Effect.promise((signal) => source.sleepUntil(source.now() + ms, signal));
    },
  };
};

/** Time that moves only when its owner moves it (e.g. `FakeExchange.advance`) and then calls `release()`. */
export class SteppedTime implements TimeSource {
  private sleepers: { deadline: number; resolve: () => void }[] = [];
  constructor(readonly now: () => number) {}

  sleepUntil = (deadline: number, signal: AbortSignal): Promise<void> => {
    if (this.now() >= deadline) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const entry = { deadline, resolve };
      this.sleepers.push(entry);
      signal.addEventListener("abort", () => {
        this.sleepers = this.sleepers.filter((s) => s !== entry);
      });
    });
  };

  /** Wakes every sleeper whose deadline has passed; returns how many woke. */
  release(): number {
    const t = this.now();
    const due = this.sleepers.filter((s) => s.deadline <= t);
    this.sleepers = this.sleepers.filter((s) => s.deadline > t);
    for (const s of due) s.resolve();
    return due.length;
  }
}
