/**
 * A `GovernorClock` that moves only when the test moves it: sleepers (deadlines, pauses, bans) wake when
 * `advance` passes their time, so a test drives a 10-second request deadline without waiting 10 seconds.
 */
import type { GovernorClock } from "../binance/WeightGovernor.ts";

export class ManualClock implements GovernorClock {
  private t: number;
  private sleepers: { at: number; wake: () => void }[] = [];

  constructor(start = Date.UTC(2025, 5, 1)) {
    this.t = start;
  }

  readonly now = (): number => this.t;

  readonly sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
    if (ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const entry = { at: this.t + ms, wake: resolve };
      this.sleepers.push(entry);
      signal?.addEventListener("abort", () => {
        this.sleepers = this.sleepers.filter((s) => s !== entry);
        resolve();
      });
    });
  };

  /** Sleepers waiting now (what a test waits for before it advances). */
  pending(): number {
    return this.sleepers.length;
  }

  /** Moves time forward by `ms` and wakes every sleeper whose time has come, earliest first. */
  advance(ms: number): void {
    this.t += ms;
    const due = this.sleepers.filter((s) => s.at <= this.t).sort((a, b) => a.at - b.at);
    this.sleepers = this.sleepers.filter((s) => s.at > this.t);
    for (const s of due) s.wake();
  }
}
