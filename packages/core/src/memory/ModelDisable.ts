/**
 * Rule 5a: when a watched model's win rate over its last decisive trades is below `floor` (with at least
 * `minTrades` of them), that model's setups are disabled for `hours` from the close of the trade that showed
 * it. Its window is emptied at that moment, so after re-enabling it is judged on new results only (at
 * least `minTrades` again): the same evidence can never disable it twice. Defaults: the reversal model (the
 * original product's rule 5: "if reversal model winrate < 45 %"), 45 %, 10 trades, 48 h.
 */
import type { ModelName } from "../model/Signal.ts";
import { HOUR_MS } from "../model/Time.ts";
import { modelResults, windowWinRate } from "./MemoryState.ts";
import { arm, type Rule, unchanged } from "./Rule.ts";

export interface ModelDisableConfig {
  /** MEMORY_DISABLE_MODELS: the models this rule watches, each judged on its own window (default reversal). */
  readonly models: readonly ModelName[];
  /** MEMORY_REVERSAL_MIN_TRADES. */
  readonly minTrades: number;
  /** MEMORY_REVERSAL_DISABLE_BELOW_PERCENT as a fraction. */
  readonly floor: number;
  /** MEMORY_REVERSAL_DISABLE_HOURS. */
  readonly hours: number;
}

export const MODEL_DISABLE: ModelDisableConfig = {
  models: ["reversal"],
  minTrades: 10,
  floor: 0.45,
  hours: 48,
};

export const modelDisable: Rule<ModelDisableConfig> = (book, closed, now, config) => {
  const model = closed.trade.model;
  if (!config.models.includes(model) || closed.outcome === "breakeven") return unchanged(book);
  const window = modelResults(book.state, model);
  const wr = windowWinRate(window);
  if (wr === null || window.length < config.minTrades || wr >= config.floor) return unchanged(book);
  const until = closed.closedAt + config.hours * HOUR_MS;
  const step = arm(
    book,
    {
      scope: "model",
      target: model,
      rule: "modelDisable",
      until,
      reason: `${model} win rate ${(wr * 100).toFixed(0)}% over ${window.length} trades`,
      createdAt: closed.closedAt,
    },
    {
      rule: "modelDisable",
      action: "fired",
      time: now,
      scope: model,
      until,
      data: { winRate: wr, trades: window.length, tradeId: closed.trade.id },
    },
  );
  if (step === undefined) return unchanged(book);
  const s = step.book.state;
  return {
    book: { ...step.book, state: { ...s, models: { ...s.models, [model]: { results: [] } } } },
    events: step.events,
  };
};
