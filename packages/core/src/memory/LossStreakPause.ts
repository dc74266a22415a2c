/**
 * Rule 2: `losses` or more consecutive losses (break-evens neither break nor extend the streak) pause every
 * new signal for `hours` from the close of the losing trade. Each further loss re-arms the pause from its
 * own close; an expired pause never re-arms without a new loss. Defaults: 3 losses, 12 hours.
 */
import { HOUR_MS } from "../model/Time.ts";
import { arm, type Rule, unchanged } from "./Rule.ts";

export interface LossStreakPauseConfig {
  /** MEMORY_LOSS_STREAK: consecutive losses that pause. */
  readonly losses: number;
  /** MEMORY_LOSS_STREAK_PAUSE_HOURS. */
  readonly hours: number;
}

export const LOSS_STREAK_PAUSE: LossStreakPauseConfig = { losses: 3, hours: 12 };

export const lossStreakPause: Rule<LossStreakPauseConfig> = (book, closed, now, config) => {
  const streak = book.state.lossStreak;
  if (closed.outcome !== "loss" || streak < config.losses) return unchanged(book);
  const until = closed.closedAt + config.hours * HOUR_MS;
  const step = arm(
    book,
    {
      scope: "global",
      rule: "lossStreakPause",
      until,
      reason: `${streak} consecutive losses`,
      createdAt: closed.closedAt,
    },
    {
      rule: "lossStreakPause",
      action: "fired",
      time: now,
      until,
      data: { losses: streak, tradeId: closed.trade.id },
    },
  );
  return step ?? unchanged(book);
};
