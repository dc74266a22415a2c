/**
 * Rule 5b: when the watched model's win rate over its last decisive trades is above `winRate` (with at least
 * `minTrades` of them), it is the preferred model; it stops being preferred at `winRate` or less.
 * `applyModelPreference` is what "preferred" means for the pipeline, on the setups of one candle close.
 * Defaults: the continuation model (the original product's rule 5: "prioritize continuation setups"), above
 * 65 %, 10 trades.
 */
import type { MemoryReason } from "../model/MemoryEvent.ts";
import type { ModelName } from "../model/Signal.ts";
import { type Competing, compareSetups } from "../risk/SetupOrder.ts";
import { type MemoryState, modelResults, windowWinRate } from "./MemoryState.ts";
import { type Rule, toggle, unchanged } from "./Rule.ts";

export interface ModelPreferenceConfig {
  /** MEMORY_PREFERRED_MODEL: the model this rule may prefer (default continuation). */
  readonly model: ModelName;
  /** MEMORY_CONTINUATION_MIN_TRADES. */
  readonly minTrades: number;
  /** MEMORY_CONTINUATION_PREFER_ABOVE_PERCENT as a fraction. */
  readonly winRate: number;
}

export const MODEL_PREFERENCE: ModelPreferenceConfig = {
  model: "continuation",
  minTrades: 10,
  winRate: 0.65,
};

/**
 * The model preferred now: the state's, while it is the one the rule watches (a preference recorded for
 * another model — the setting changed across a restart — no longer counts, and is relaxed on the next trade).
 */
export const preferredModelOf = (state: MemoryState, config: ModelPreferenceConfig): ModelName | undefined =>
  state.preferredModel !== null && state.preferredModel === config.model ? state.preferredModel : undefined;

export const modelPreference: Rule<ModelPreferenceConfig> = (book, _closed, now, config) => {
  const s = book.state;
  const window = modelResults(s, config.model);
  const wr = windowWinRate(window);
  if (s.preferredModel !== null && s.preferredModel !== config.model) {
    const before = modelResults(s, s.preferredModel);
    return {
      book: { ...book, state: { ...s, preferredModel: null } },
      events: [
        {
          rule: "modelPreference",
          action: "relaxed",
          time: now,
          scope: s.preferredModel,
          data: { winRate: windowWinRate(before) ?? 0, trades: before.length },
        },
      ],
    };
  }
  if (wr === null) return unchanged(book);
  const preferred = s.preferredModel === config.model;
  const fire = !preferred && window.length >= config.minTrades && wr > config.winRate;
  const relax = preferred && wr <= config.winRate;
  if (!fire && !relax) return unchanged(book);
  return {
    book: { ...book, state: { ...s, preferredModel: fire ? config.model : null } },
    events: [
      {
        rule: "modelPreference",
        action: toggle(fire),
        time: now,
        scope: config.model,
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

/**
 * The reason codes of a preference for `model`, its name capitalised: "preferContinuation" and
 * "slotReservedForContinuation" for the continuation model, "preferDonchian"... for a model "donchian".
 */
export const preferenceCodes = (
  model: ModelName,
): { readonly prefer: `prefer${string}`; readonly slotReserved: `slotReservedFor${string}` } => {
  const title = model.charAt(0).toUpperCase() + model.slice(1);
  return { prefer: `prefer${title}`, slotReserved: `slotReservedFor${title}` };
};

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
  const codes = preferenceCodes(preferred);
  const preferredFiredOn = new Set<string>();
  for (const s of setups) if (s.setup.model === preferred) preferredFiredOn.add(s.setup.symbol);
  const allowed: S[] = [];
  const rejected: { setup: S; reason: MemoryReason }[] = [];
  for (const s of setups) {
    const { model, symbol } = s.setup;
    if (model === preferred) allowed.push(s);
    else if (preferredFiredOn.has(symbol))
      rejected.push({ setup: s, reason: { code: codes.prefer, data: { model } } });
    else if (slotsLeft === 1)
      rejected.push({ setup: s, reason: { code: codes.slotReserved, data: { slotsLeft } } });
    else allowed.push(s);
  }
  return { allowed: allowed.sort(order), rejected };
};
