/**
 * Rule 4b: a symbol whose win rate over its last decisive trades is below `floor` (with at least `minTrades`
 * of them) needs `points` more score. Removed once its win rate is back at the floor or more. Defaults:
 * 50 %, 5 trades, +5 points.
 */
import { emptySymbol, windowWinRate } from "./MemoryState.ts";
import { type Rule, toggle, unchanged } from "./Rule.ts";

export interface SymbolScorePenaltyConfig {
  /** MEMORY_SYMBOL_MIN_TRADES. */
  readonly minTrades: number;
  /** MEMORY_SYMBOL_WIN_RATE_FLOOR_PERCENT as a fraction. */
  readonly floor: number;
  /** MEMORY_SYMBOL_PENALTY_POINTS. */
  readonly points: number;
}

export const SYMBOL_SCORE_PENALTY: SymbolScorePenaltyConfig = { minTrades: 5, floor: 0.5, points: 5 };

export const symbolScorePenalty: Rule<SymbolScorePenaltyConfig> = (book, closed, now, config) => {
  const symbol = closed.trade.symbol;
  const mem = book.state.symbols[symbol] ?? emptySymbol;
  const wr = windowWinRate(mem.results);
  if (wr === null) return unchanged(book);
  const fire = !mem.penalty && mem.results.length >= config.minTrades && wr < config.floor;
  const relax = mem.penalty && wr >= config.floor;
  if (!fire && !relax) return unchanged(book);
  return {
    book: {
      ...book,
      state: { ...book.state, symbols: { ...book.state.symbols, [symbol]: { ...mem, penalty: fire } } },
    },
    events: [
      {
        rule: "symbolScorePenalty",
        action: toggle(fire),
        time: now,
        scope: symbol,
        data: { winRate: wr, trades: mem.results.length, points: config.points },
      },
    ],
  };
};
