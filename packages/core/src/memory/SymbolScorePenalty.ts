/**
 * Rule 4b: a symbol whose win rate over its last 10 decisive trades is below 50 % (with at least 5 of them)
 * needs 5 more score points. Removed once its win rate is 50 % or more again.
 */
import { emptySymbol, windowWinRate } from "./MemoryState.ts";
import { type Rule, toggled, unchanged } from "./Rule.ts";

export const SYMBOL_PENALTY_MIN_TRADES = 5;
export const SYMBOL_PENALTY_FLOOR = 0.5;
export const SYMBOL_PENALTY_POINTS = 5;

export const symbolScorePenalty: Rule = (book, closed, now) => {
  const symbol = closed.trade.symbol;
  const mem = book.state.symbols[symbol] ?? emptySymbol;
  const wr = windowWinRate(mem.results);
  if (wr === null) return unchanged(book);
  const fire = !mem.penalty && mem.results.length >= SYMBOL_PENALTY_MIN_TRADES && wr < SYMBOL_PENALTY_FLOOR;
  const relax = mem.penalty && wr >= SYMBOL_PENALTY_FLOOR;
  if (!fire && !relax) return unchanged(book);
  return {
    book: {
      ...book,
      state: { ...book.state, symbols: { ...book.state.symbols, [symbol]: { ...mem, penalty: fire } } },
    },
    events: [
      toggled(
        "symbolScorePenalty",
        fire,
        now,
        { winRate: wr, trades: mem.results.length, points: SYMBOL_PENALTY_POINTS },
        symbol,
      ),
    ],
  };
};
