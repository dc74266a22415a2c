/**
 * Rule 2: three or more consecutive losses (break-evens neither break nor extend the streak) pause every
 * new signal for 12 hours from the close of the losing trade. Each further loss re-arms the pause from its
 * own close; an expired pause never re-arms without a new loss.
 */
import { HOUR_MS } from "../model/Time.ts";
import { arm, type Rule, unchanged } from "./Rule.ts";

export const LOSS_STREAK_PAUSE_LOSSES = 3;
export const LOSS_STREAK_PAUSE_HOURS = 12;

export const lossStreakPause: Rule = (book, closed, now) => {
  const streak = book.state.lossStreak;
  if (closed.outcome !== "loss" || streak < LOSS_STREAK_PAUSE_LOSSES) return unchanged(book);
  const until = closed.closedAt + LOSS_STREAK_PAUSE_HOURS * HOUR_MS;
  const step = arm(
    book,
    {
      scope: "global",
      rule: "lossStreakPause",
      until,
      reason: `${streak} consecutive losses`,
      createdAt: closed.closedAt,
    },
    now,
    { losses: streak, tradeId: closed.trade.id },
  );
  return step ?? unchanged(book);
};
