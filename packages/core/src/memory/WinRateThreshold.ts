/**
 * Rule 1: when the global win rate over the last decisive trades falls below the floor (with at least
 * `minTrades` of them), the score threshold rises by `points`. It is removed when the win rate is back at
 * the floor or more, and is a flag, so it is never applied twice. Defaults: 45 %, 10 trades, +5 points.
 * The original product's floor was 55 %; with the v2 models (natural win rate ≈ 56–60 %) that kept the rule on
 * most of the time, and the walk-forward chose 45 % on 7 of 9 training windows (docs/memory.md).
 */
import { windowWinRate } from "./MemoryState.ts";
import { type Rule, toggle, unchanged } from "./Rule.ts";

export interface WinRateThresholdConfig {
  /** MEMORY_WIN_RATE_MIN_TRADES: decisive trades in the window before the rule may fire. */
  readonly minTrades: number;
  /** MEMORY_WIN_RATE_FLOOR_PERCENT as a fraction: below it the threshold rises. */
  readonly floor: number;
  /** MEMORY_WIN_RATE_THRESHOLD_POINTS: how much it rises. */
  readonly points: number;
}

export const WIN_RATE_THRESHOLD: WinRateThresholdConfig = { minTrades: 10, floor: 0.45, points: 5 };

export const winRateThreshold: Rule<WinRateThresholdConfig> = (book, _closed, now, config) => {
  const s = book.state;
  const wr = windowWinRate(s.results);
  if (wr === null) return unchanged(book);
  const fire = !s.thresholdRaised && s.results.length >= config.minTrades && wr < config.floor;
  const relax = s.thresholdRaised && wr >= config.floor;
  if (!fire && !relax) return unchanged(book);
  return {
    book: { ...book, state: { ...s, thresholdRaised: fire } },
    events: [
      {
        rule: "winRateThreshold",
        action: toggle(fire),
        time: now,
        data: { winRate: wr, trades: s.results.length, points: config.points },
      },
    ],
  };
};
