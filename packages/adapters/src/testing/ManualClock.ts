/**
 * A `GovernorClock` that moves only when the test moves it: sleepers (deadlines, pauses, bans) wake when
 * `advance` passes their time, so a test drives a 10-second request deadline without waiting 10 seconds.
 */
import type { GovernorClock } from "../binance/WeightGovernor.ts";

interface Sleeper {
  readonly at: number;
  readonly wake: () => void;
  /** Cancellable sleeps are request deadlines (a request is in flight); plain ones are waits. */
  readonly cancellable: boolean;
}

export class ManualClock implements GovernorClock {
  private t: number;
  private sleepers: Sleeper[] = [];
  private idleWaiters: (() => void)[] = [];

  constructor(start = Date.UTC(2025, 5, 1)) {
    this.t = start;
  }

  readonly now = (): number => this.t;

  readonly sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
    if (ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const entry: Sleeper = { at: this.t + ms, wake: resolve, cancellable: signal !== undefined };
      this.sleepers.push(entry);
      signal?.addEventListener("abort", () => {
        this.sleepers = this.sleepers.filter((s) => s !== entry);
        resolve();
        this.checkIdle();
      });
      this.checkIdle();
    });
  };

  /** Sleepers waiting now (what a test waits for before it advances). */
  pending(): number {
    return this.sleepers.length;
  }

  /**
   * Resolves once nothing is in flight (no deadline pending) and something waits for time to pass (a pause, a
   * ban, a full window): the moment a test can advance knowing the client has done all it would do now.
   */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.checkIdle();
    });
  }

  /** Moves time forward by `ms` and wakes every sleeper whose time has come, earliest first. */
  advance(ms: number): void {
    this.t += ms;
    const due = this.sleepers.filter((s) => s.at <= this.t).sort((a, b) => a.at - b.at);
    this.sleepers = this.sleepers.filter((s) => s.at > this.t);
    for (const s of due) s.wake();
  }

  private isIdle(): boolean {
    return !this.sleepers.some((s) => s.cancellable) && this.sleepers.some((s) => !s.cancellable);
  }

  /** Confirmed a macrotask later, so an answer just received (its deadline dropped) is handled first. */
  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    setImmediate(() => {
      if (this.idleWaiters.length === 0 || !this.isIdle()) return;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    });
  }
}
