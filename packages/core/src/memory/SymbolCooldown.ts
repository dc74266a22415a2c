/**
 * Rule 4a: a symbol with `losses` or more consecutive losses is cooled down for `hours` from the close of the
 * losing trade; only that symbol is blocked. A further loss on it re-arms from its own close. Defaults:
 * 2 losses, 24 hours.
 */
import { HOUR_MS } from "../model/Time.ts";
import { emptySymbol } from "./MemoryState.ts";
import { arm, type Rule, unchanged } from "./Rule.ts";

export interface SymbolCooldownConfig {
  /** MEMORY_SYMBOL_LOSS_STREAK: consecutive losses on one symbol that cool it down. */
  readonly losses: number;
  /** MEMORY_SYMBOL_COOLDOWN_HOURS. */
  readonly hours: number;
}

export const SYMBOL_COOLDOWN: SymbolCooldownConfig = { losses: 2, hours: 24 };

export const symbolCooldown: Rule<SymbolCooldownConfig> = (book, closed, now, config) => {
  const symbol = closed.trade.symbol;
  const streak = (book.state.symbols[symbol] ?? emptySymbol).lossStreak;
  if (closed.outcome !== "loss" || streak < config.losses) return unchanged(book);
  const until = closed.closedAt + config.hours * HOUR_MS;
  const step = arm(
    book,
    {
      scope: "symbol",
      target: symbol,
      rule: "symbolCooldown",
      until,
      reason: `${streak} consecutive losses on ${symbol}`,
      createdAt: closed.closedAt,
    },
    {
      rule: "symbolCooldown",
      action: "fired",
      time: now,
      scope: symbol,
      until,
      data: { losses: streak, tradeId: closed.trade.id },
    },
  );
  return step ?? unchanged(book);
};
