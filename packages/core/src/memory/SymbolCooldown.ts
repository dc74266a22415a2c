/**
 * Rule 4a: a symbol with two or more consecutive losses is cooled down for 24 hours from the close of the
 * losing trade; only that symbol is blocked. A further loss on it re-arms from its own close.
 */

import { HOUR_MS } from "../model/Time.ts";
import { emptySymbol } from "./MemoryState.ts";
import { arm, type Rule, unchanged } from "./Rule.ts";

export const SYMBOL_COOLDOWN_LOSSES = 2;
export const SYMBOL_COOLDOWN_HOURS = 24;

export const symbolCooldown: Rule = (book, closed, now) => {
  const symbol = closed.trade.symbol;
  const streak = (book.state.symbols[symbol] ?? emptySymbol).lossStreak;
  if (closed.outcome !== "loss" || streak < SYMBOL_COOLDOWN_LOSSES) return unchanged(book);
  const step = arm(
    book,
    {
      scope: "symbol",
      target: symbol,
      rule: "symbolCooldown",
      until: closed.closedAt + SYMBOL_COOLDOWN_HOURS * HOUR_MS,
      reason: `${streak} consecutive losses on ${symbol}`,
      createdAt: closed.closedAt,
    },
    now,
    { losses: streak, tradeId: closed.trade.id },
  );
  return step ?? unchanged(book);
};
