/**
 * Memory books for rule tests: the state after recording closed trades (windows, streaks, equity) with no
 * rule run, and the last trade as a rule sees it — so a rule's test calls the rule alone, with its config.
 */
import { DEFAULT_MEMORY_RULES, type MemoryWindows } from "../memory/MemoryRulesConfig.ts";
import { initialState, type MemoryBook, recordTrade } from "../memory/MemoryState.ts";
import { outcomeOf } from "../memory/Outcome.ts";
import type { ClosedTrade } from "../memory/Rule.ts";
import type { ModelName } from "../model/Signal.ts";
import { HOUR_MS } from "../model/Time.ts";
import type { VirtualTrade } from "../model/Trade.ts";
import { aBreakevenTrade, aLosingTrade, aWinningTrade } from "./ClosedTradeBuilders.ts";

/** `trades` recorded in order into a fresh book (balance 1000, the default windows); the last as `closed`. */
export const bookAfter = (
  trades: readonly VirtualTrade[],
  windows: MemoryWindows = DEFAULT_MEMORY_RULES.windows,
): { readonly book: MemoryBook; readonly closed: ClosedTrade } => {
  let state = initialState(1000);
  for (const t of trades) state = recordTrade(state, t, outcomeOf(t), windows);
  const last = trades[trades.length - 1]!;
  return {
    book: { state, locks: [] },
    closed: { trade: last, outcome: outcomeOf(last), closedAt: last.closedAt ?? 0 },
  };
};

/** Trades of `pattern` ("W" win +2 R, "L" loss −1 R, "B" break-even), one hour apart from `start`. */
export const tradesOf = (
  pattern: string,
  over: { readonly symbol?: string; readonly model?: ModelName; readonly start?: number } = {},
): VirtualTrade[] =>
  [...pattern].map((r, i) => {
    const spec = {
      id: `${over.symbol ?? "BTCUSDT"}|${over.model ?? "continuation"}|${i}`,
      symbol: over.symbol ?? "BTCUSDT",
      model: over.model ?? "continuation",
      closedAt: (over.start ?? Date.UTC(2025, 5, 1)) + i * HOUR_MS,
    };
    return r === "W" ? aWinningTrade(spec) : r === "L" ? aLosingTrade(spec) : aBreakevenTrade(spec);
  });
