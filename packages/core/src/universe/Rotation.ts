/**
 * Which symbols the bot watches right now, and on which closes a rotating window is analysed. Fixed symbols are
 * always on; the remaining slots walk through the top-volume list, one window per rotation slot; a symbol with
 * an open virtual trade stays tracked until the trade closes. The window is a function of event time, so a
 * restart picks up the same rotation.
 */
import { TIMEFRAME_MS } from "../model/Candle.ts";

const TRIGGER_MS = TIMEFRAME_MS["30m"];
/** The built-in models set up on 4h closes: the rotation's order is keyed to them (`windowIndex`). */
const SETUP_PERIOD_MS = TIMEFRAME_MS["4h"];

/**
 * Which window of the ranking rotation slot `slot` takes (window w = ranking positions w·size … (w+1)·size − 1,
 * wrapping). With slots that divide a 4h period (30 min, 1 h, 15 min ...), the slot opening at each 4h close takes
 * the next window after the one that opened the previous period, and the other slots of the period the windows
 * after it. So the windows watched at consecutive 4h closes — where the models set up — walk the whole ranking,
 * one window per period. (Plain consecutive slots would put nearly the same symbols at every 4h close whenever the
 * slots per period times the window size is close to the ranking's length: 8 × 37 ≈ 297 at the defaults.) Other
 * slot lengths take consecutive windows.
 */
export const windowIndex = (slot: number, slotMs: number): number => {
  if (slotMs >= SETUP_PERIOD_MS || SETUP_PERIOD_MS % slotMs !== 0) return slot;
  const perPeriod = SETUP_PERIOD_MS / slotMs;
  const period = Math.floor(slot / perPeriod);
  return period + (slot - period * perPeriod);
};

export interface RotationInput {
  /** Always watched, in this order (e.g. BTCUSDT, ETHUSDT, BNBUSDT). */
  readonly fixed: readonly string[];
  /** The top-volume list, best first (fixed symbols may appear in it: they are skipped). */
  readonly ranked: readonly string[];
  /** MAX_SYMBOLS_SUBSCRIBED. */
  readonly maxSymbols: number;
  /** ROTATION_SLOT_SECONDS in ms. */
  readonly slotMs: number;
  /** Event time (ms UTC). */
  readonly time: number;
  /** Symbols with an open virtual trade: they stay tracked whatever the rotation says. */
  readonly pinned: readonly string[];
}

export interface ActiveSet {
  /** Everything to subscribe: fixed, then pinned, then the rotating window. */
  readonly symbols: readonly string[];
  /** The rotating part alone. */
  readonly rotating: readonly string[];
  /** Index of the rotation slot (floor(time / slotMs)). */
  readonly slot: number;
}

/**
 * The active set for one rotation slot. The rotating capacity is `maxSymbols − fixed − pinned` (pinned
 * symbols outside the fixed list use rotating slots), so the subscription count never exceeds `maxSymbols`
 * unless more symbols are pinned than there are slots. Slots take windows of the ranked list in the order of
 * `windowIndex`, wrapping around, so every ranked symbol gets its turn — at a 4h close too.
 */
export const activeSet = (input: RotationInput): ActiveSet => {
  const slot = Math.floor(input.time / input.slotMs);
  const chosen = new Set<string>();
  const symbols: string[] = [];
  const take = (s: string): void => {
    if (!chosen.has(s)) {
      chosen.add(s);
      symbols.push(s);
    }
  };
  for (const s of input.fixed) take(s);
  for (const s of input.pinned) take(s);
  const pool = input.ranked.filter((s) => !chosen.has(s));
  const capacity = Math.max(0, Math.min(pool.length, input.maxSymbols - symbols.length));
  const rotating: string[] = [];
  if (capacity > 0) {
    const start = (windowIndex(slot, input.slotMs) * capacity) % pool.length;
    for (let i = 0; i < capacity; i++) rotating.push(pool[(start + i) % pool.length]!);
  }
  for (const s of rotating) take(s);
  return { symbols, rotating, slot };
};

/** What changes between two active sets: symbols to subscribe (and warm up) and symbols to drop. */
export const diffActive = (
  previous: readonly string[],
  next: readonly string[],
): { readonly entering: readonly string[]; readonly leaving: readonly string[] } => {
  const before = new Set(previous);
  const after = new Set(next);
  return {
    entering: next.filter((s) => !before.has(s)),
    leaving: previous.filter((s) => !after.has(s)),
  };
};

// ---- timing: which closes a rotating window is analysed on --------------------------------------------------

/** Start and end (ms UTC) of rotation slot `slot`. */
export const slotBounds = (
  slot: number,
  slotMs: number,
): { readonly start: number; readonly end: number } => ({
  start: slot * slotMs,
  end: (slot + 1) * slotMs,
});

/** The start of the rotation slot `time` is in: the last boundary at or before it. */
export const slotStartAt = (time: number, slotMs: number): number => Math.floor(time / slotMs) * slotMs;

/** The 30m trigger close at or before `time` (ms UTC). */
export const lastTriggerClose = (time: number): number => Math.floor(time / TRIGGER_MS) * TRIGGER_MS;

/**
 * The trigger closes a rotating window is analysed on: every 30m close from its slot's start to its end, both
 * included. A boundary close is analysed by the window leaving there (its last candle: the leaving symbols stay
 * subscribed until they have it, `drainClose`) and by the window entering there (the candle its warm-up fetched,
 * `analysedOnEntry`) — so no closed candle is lost at a boundary, whatever the slot length. At the default 1800 s
 * a window is analysed on 2 closes, at 3600 s on 3, at 900 s on 1; a slot shorter than 30 min that holds no close
 * is analysed on none.
 */
export const slotCloses = (slot: number, slotMs: number): number[] => {
  const { start, end } = slotBounds(slot, slotMs);
  const out: number[] = [];
  for (let c = Math.ceil(start / TRIGGER_MS) * TRIGGER_MS; c <= end; c += TRIGGER_MS) out.push(c);
  return out;
};

/**
 * Whether a symbol entering the rotating window at the boundary `slotStart` analyses a candle closing at `close`
 * that its warm-up fetched: yes when the candle closed in its slot (at the boundary or after — a warm-up that ran
 * late), subject to the late-candle rule like any other candle. A candle closed before the slot belongs to the
 * previous window. (At start-up there is no boundary: the warm-up is history, the first close after it is the
 * first analysed.)
 */
export const analysedOnEntry = (close: number, slotStart: number): boolean => close >= slotStart;

/**
 * The last close a symbol leaving the window at `boundary` must still be stepped with before it is unsubscribed:
 * the trigger close at or before the boundary (for a slot length that is a multiple of 30 min, the boundary
 * itself; between closes, one it already has).
 */
export const drainClose = (boundary: number): number => lastTriggerClose(boundary);

/**
 * Per symbol, the trigger closes in (`from`, `to`] on which it is analysed under the rotation alone — the fixed
 * symbols on every close, each rotating window on its `slotCloses` (symbols with open trades aside, which are
 * analysed on every close while pinned). What the live loop must do, and the figure the documentation quotes.
 */
export const rotationCoverage = (
  input: Omit<RotationInput, "time" | "pinned"> & { readonly from: number; readonly to: number },
): Map<string, number[]> => {
  const seen = new Map<string, Set<number>>();
  const add = (symbol: string, close: number) => {
    if (close <= input.from || close > input.to) return;
    let closes = seen.get(symbol);
    if (closes === undefined) seen.set(symbol, (closes = new Set()));
    closes.add(close);
  };
  for (let slot = Math.floor(input.from / input.slotMs); slot * input.slotMs <= input.to; slot++) {
    const set = activeSet({ ...input, time: slot * input.slotMs, pinned: [] });
    const closes = slotCloses(slot, input.slotMs);
    for (const symbol of set.rotating) for (const c of closes) add(symbol, c);
  }
  for (const symbol of input.fixed)
    for (let c = lastTriggerClose(input.from) + TRIGGER_MS; c <= input.to; c += TRIGGER_MS) add(symbol, c);
  const out = new Map<string, number[]>();
  for (const [symbol, closes] of seen)
    out.set(
      symbol,
      [...closes].sort((a, b) => a - b),
    );
  return out;
};
