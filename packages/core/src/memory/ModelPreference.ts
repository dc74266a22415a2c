/**
 * Rule 5b: when the continuation model's win rate over its last 20 decisive trades is above 65 % (with at
 * least 10 of them), continuation is the preferred model; it stops being preferred at 65 % or less.
 * `applyModelPreference` is what "preferred" means for the pipeline, on the setups of one symbol/candle.
 */
import type { ModelName, Reason } from "../model/Signal.ts";
import { windowWinRate } from "./MemoryState.ts";
import { type Rule, toggled, unchanged } from "./Rule.ts";

export const PREFERRED_MODEL: ModelName = "continuation";
export const PREFERENCE_MIN_TRADES = 10;
export const PREFERENCE_WIN_RATE = 0.65;

export const modelPreference: Rule = (book, _closed, now) => {
  const s = book.state;
  const window = s.models[PREFERRED_MODEL].results;
  const wr = windowWinRate(window);
  if (wr === null) return unchanged(book);
  const fire = !s.continuationPreferred && window.length >= PREFERENCE_MIN_TRADES && wr > PREFERENCE_WIN_RATE;
  const relax = s.continuationPreferred && wr <= PREFERENCE_WIN_RATE;
  if (!fire && !relax) return unchanged(book);
  return {
    book: { ...book, state: { ...s, continuationPreferred: fire } },
    events: [toggled("modelPreference", fire, now, { winRate: wr, trades: window.length }, PREFERRED_MODEL)],
  };
};

export interface PreferenceInput<S extends { readonly model: ModelName; readonly score: number }> {
  /** Setups on ONE symbol and ONE trigger candle that passed every other gate. */
  readonly setups: readonly S[];
  /** Signals still allowed today (max signals per day − signals emitted today). */
  readonly slotsLeft: number;
  /** `EffectiveParameters.preferredModel`; absent = no preference. */
  readonly preferred?: ModelName | undefined;
}

export interface PreferenceResult<S> {
  /** May be emitted, best first: the preferred model first, then by score. */
  readonly allowed: readonly S[];
  readonly rejected: readonly { readonly setup: S; readonly reason: Reason }[];
}

const title = (m: ModelName): string => m.charAt(0).toUpperCase() + m.slice(1);

/**
 * While a model is preferred:
 * - when the preferred model and another model both fire on the same symbol/candle, only the preferred
 *   model's setups go on; the others are rejected with `prefer<Model>` (e.g. "preferContinuation");
 * - when exactly one daily slot is left, it is reserved for the preferred model: another model's setup is
 *   rejected with `slotReservedFor<Model>` (e.g. "slotReservedForContinuation") even if it fired alone.
 * With 0 slots left nothing is decided here (the daily cap blocks everything); with no preference every
 * setup is allowed. Allowed setups come back preferred first, then by descending score.
 */
export const applyModelPreference = <S extends { readonly model: ModelName; readonly score: number }>(
  input: PreferenceInput<S>,
): PreferenceResult<S> => {
  const { setups, slotsLeft, preferred } = input;
  const rank = (s: S): number => (preferred !== undefined && s.model === preferred ? 0 : 1);
  const order = (a: S, b: S): number => rank(a) - rank(b) || b.score - a.score;
  if (preferred === undefined) return { allowed: [...setups].sort(order), rejected: [] };
  const preferredFired = setups.some((s) => s.model === preferred);
  const allowed: S[] = [];
  const rejected: { setup: S; reason: Reason }[] = [];
  for (const setup of setups) {
    if (setup.model === preferred) allowed.push(setup);
    else if (preferredFired)
      rejected.push({ setup, reason: { code: `prefer${title(preferred)}`, data: { model: setup.model } } });
    else if (slotsLeft === 1)
      rejected.push({ setup, reason: { code: `slotReservedFor${title(preferred)}`, data: { slotsLeft } } });
    else allowed.push(setup);
  }
  return { allowed: allowed.sort(order), rejected };
};
