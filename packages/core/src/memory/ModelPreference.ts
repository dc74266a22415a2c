/**
 * Rule 5b: when the continuation model's win rate over its last decisive trades is above `winRate` (with at
 * least `minTrades` of them), continuation is the preferred model; it stops being preferred at `winRate` or
 * less. `applyModelPreference` is what "preferred" means for the pipeline, on the setups of one candle close.
 * Defaults: above 65 %, 10 trades.
 */
import type { MemoryReason } from "../model/MemoryEvent.ts";
import type { ModelName } from "../model/Signal.ts";
import { type Competing, compareSetups } from "../risk/SetupOrder.ts";
import { windowWinRate } from "./MemoryState.ts";
import { type Rule, toggle, unchanged } from "./Rule.ts";

/** The model this rule may prefer (the original product's rule 5: "prioritize continuation setups"). */
export const PREFERRED_MODEL: ModelName = "continuation";

export interface ModelPreferenceConfig {
  /** MEMORY_CONTINUATION_MIN_TRADES. */
  readonly minTrades: number;
  /** MEMORY_CONTINUATION_PREFER_ABOVE_PERCENT as a fraction. */
  readonly winRate: number;
}

export const MODEL_PREFERENCE: ModelPreferenceConfig = { minTrades: 10, winRate: 0.65 };

export const modelPreference: Rule<ModelPreferenceConfig> = (book, _closed, now, config) => {
  const s = book.state;
  const window = s.models[PREFERRED_MODEL].results;
  const wr = windowWinRate(window);
  if (wr === null) return unchanged(book);
  const fire = !s.continuationPreferred && window.length >= config.minTrades && wr > config.winRate;
  const relax = s.continuationPreferred && wr <= config.winRate;
  if (!fire && !relax) return unchanged(book);
  return {
    book: { ...book, state: { ...s, continuationPreferred: fire } },
    events: [
      {
        rule: "modelPreference",
        action: toggle(fire),
        time: now,
        scope: PREFERRED_MODEL,
        data: { winRate: wr, trades: window.length },
      },
    ],
  };
};

export interface PreferenceInput<S extends { readonly setup: Competing }> {
  /** Setups of ONE candle close (one or several symbols) that passed every other gate. */
  readonly setups: readonly S[];
  /** Signals still allowed today (max signals per day − signals emitted today). */
  readonly slotsLeft: number;
  /** `EffectiveParameters.preferredModel`; absent = no preference. */
  readonly preferred?: ModelName | undefined;
}

export interface PreferenceResult<S> {
  /** May be emitted, best first: the preferred model first, then in `compareSetups` order (score first). */
  readonly allowed: readonly S[];
  readonly rejected: readonly { readonly setup: S; readonly reason: MemoryReason }[];
}

const title = (m: ModelName): Capitalize<ModelName> => (m === "continuation" ? "Continuation" : "Reversal");

/**
 * While a model is preferred:
 * - when the preferred model and another model both fire on the same symbol and candle, only the preferred
 *   model's setups go on; the others are rejected with `prefer<Model>` (e.g. "preferContinuation");
 * - when exactly one daily slot is left, it is reserved for the preferred model: another model's setup is
 *   rejected with `slotReservedFor<Model>` (e.g. "slotReservedForContinuation") even if it fired alone.
 * With 0 slots left nothing is decided here (the daily cap blocks everything); with no preference every
 * setup is allowed. Allowed setups come back preferred first, then in `compareSetups` order.
 */
export const applyModelPreference = <S extends { readonly setup: Competing }>(
  input: PreferenceInput<S>,
): PreferenceResult<S> => {
  const { setups, slotsLeft, preferred } = input;
  const rank = (s: S): number => (preferred !== undefined && s.setup.model === preferred ? 0 : 1);
  const order = (a: S, b: S): number => rank(a) - rank(b) || compareSetups(a.setup, b.setup);
  if (preferred === undefined) return { allowed: [...setups].sort(order), rejected: [] };
  const preferredFiredOn = new Set<string>();
  for (const s of setups) if (s.setup.model === preferred) preferredFiredOn.add(s.setup.symbol);
  const allowed: S[] = [];
  const rejected: { setup: S; reason: MemoryReason }[] = [];
  for (const s of setups) {
    const { model, symbol } = s.setup;
    if (model === preferred) allowed.push(s);
    else if (preferredFiredOn.has(symbol))
      rejected.push({ setup: s, reason: { code: `prefer${title(preferred)}`, data: { model } } });
    else if (slotsLeft === 1)
      rejected.push({
        setup: s,
        reason: { code: `slotReservedFor${title(preferred)}`, data: { slotsLeft } },
      });
    else allowed.push(s);
  }
  return { allowed: allowed.sort(order), rejected };
};
