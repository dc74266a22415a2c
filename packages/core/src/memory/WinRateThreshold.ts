/**
 * Rule 1: when the global win rate over the last 20 decisive trades falls below 55 % (with at least 10 of
 * them), the score threshold rises by 5 points. It is removed when the win rate is back at 55 % or more,
 * and is a flag, so it is never applied twice.
 */
import { windowWinRate } from "./MemoryState.ts";
import { type Rule, toggled, unchanged } from "./Rule.ts";

export const WIN_RATE_MIN_TRADES = 10;
export const WIN_RATE_FLOOR = 0.55;
export const WIN_RATE_THRESHOLD_POINTS = 5;

export const winRateThreshold: Rule = (book, _closed, now) => {
  const s = book.state;
  const wr = windowWinRate(s.results);
  if (wr === null) return unchanged(book);
  const fire = !s.thresholdRaised && s.results.length >= WIN_RATE_MIN_TRADES && wr < WIN_RATE_FLOOR;
  const relax = s.thresholdRaised && wr >= WIN_RATE_FLOOR;
  if (!fire && !relax) return unchanged(book);
  return {
    book: { ...book, state: { ...s, thresholdRaised: fire } },
    events: [
      toggled("winRateThreshold", fire, now, {
        winRate: wr,
        trades: s.results.length,
        points: WIN_RATE_THRESHOLD_POINTS,
      }),
    ],
  };
};
