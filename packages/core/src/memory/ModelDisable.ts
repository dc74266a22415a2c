/**
 * Rule 5a: when the reversal model's win rate over its last 20 decisive trades is below 45 % (with at least
 * 10 of them), reversal setups are disabled for 48 hours from the close of the trade that showed it. Its
 * window is emptied at that moment, so after re-enabling it is judged on new results only (at least 10
 * again): the same evidence can never disable it twice.
 */
import type { ModelName } from "../model/Signal.ts";
import { HOUR_MS } from "../model/Time.ts";
import { windowWinRate } from "./MemoryState.ts";
import { arm, type Rule, unchanged } from "./Rule.ts";

export const DISABLED_MODEL: ModelName = "reversal";
export const MODEL_DISABLE_MIN_TRADES = 10;
export const MODEL_DISABLE_FLOOR = 0.45;
export const MODEL_DISABLE_HOURS = 48;

export const modelDisable: Rule = (book, closed, now) => {
  if (closed.trade.model !== DISABLED_MODEL || closed.outcome === "breakeven") return unchanged(book);
  const window = book.state.models[DISABLED_MODEL].results;
  const wr = windowWinRate(window);
  if (wr === null || window.length < MODEL_DISABLE_MIN_TRADES || wr >= MODEL_DISABLE_FLOOR)
    return unchanged(book);
  const step = arm(
    book,
    {
      scope: "model",
      target: DISABLED_MODEL,
      rule: "modelDisable",
      until: closed.closedAt + MODEL_DISABLE_HOURS * HOUR_MS,
      reason: `${DISABLED_MODEL} win rate ${(wr * 100).toFixed(0)}% over ${window.length} trades`,
      createdAt: closed.closedAt,
    },
    now,
    { winRate: wr, trades: window.length, tradeId: closed.trade.id },
  );
  if (step === undefined) return unchanged(book);
  const s = step.book.state;
  return {
    book: { ...step.book, state: { ...s, models: { ...s.models, [DISABLED_MODEL]: { results: [] } } } },
    events: step.events,
  };
};
