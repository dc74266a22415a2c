/**
 * The candles of symbols that rotated out, kept so that one rotating back in fetches only the candles it lacks —
 * a few per timeframe, one weight-1 request each — instead of 3 × 499 again. Packed, one Float64Array per
 * timeframe with six numbers a candle (its close time is the open time plus the timeframe, less 1 ms, as on
 * Binance): 3 × 499 candles are 71.9 KB per symbol. At most `capacity` symbols. When it is full a leaving symbol is
 * not kept: the rotation walks the top-volume list in a cycle, so the symbols already kept come back before it
 * (evicting the oldest instead would throw each one out just before its turn, and keep nothing useful).
 */
import { type Candle, TIMEFRAME_MS, TIMEFRAMES, type Timeframe } from "@signalbot/core";

/** Numbers stored per candle: open time, open, high, low, close, volume. */
const FIELDS = 6;

export type TimeframeCandles = Readonly<Record<Timeframe, readonly Candle[]>>;

export type Packed = Readonly<Record<Timeframe, Float64Array>>;

const pack = (timeframe: Timeframe, candles: readonly Candle[]): Float64Array | undefined => {
  const out = new Float64Array(candles.length * FIELDS);
  const step = TIMEFRAME_MS[timeframe];
  for (let i = 0; i < candles.length; i++) {
    const c = candles[i]!;
    // A candle the layout cannot restore exactly is not kept (the symbol is then warmed up afresh).
    if (c.closeTime !== c.openTime + step - 1) return undefined;
    const k = i * FIELDS;
    out[k] = c.openTime;
    out[k + 1] = c.open;
    out[k + 2] = c.high;
    out[k + 3] = c.low;
    out[k + 4] = c.close;
    out[k + 5] = c.volume;
  }
  return out;
};

const unpack = (timeframe: Timeframe, packed: Float64Array): Candle[] => {
  const step = TIMEFRAME_MS[timeframe];
  const out = new Array<Candle>(packed.length / FIELDS);
  for (let i = 0, k = 0; k < packed.length; i++, k += FIELDS) {
    const openTime = packed[k]!;
    out[i] = {
      openTime,
      open: packed[k + 1]!,
      high: packed[k + 2]!,
      low: packed[k + 3]!,
      close: packed[k + 4]!,
      volume: packed[k + 5]!,
      closeTime: openTime + step - 1,
    };
  }
  return out;
};

const wellFormed = (timeframe: Timeframe, packed: Float64Array): boolean => {
  if (packed.length % FIELDS !== 0) return false;
  const step = TIMEFRAME_MS[timeframe];
  let previous = -Infinity;
  for (let k = 0; k < packed.length; k += FIELDS) {
    const openTime = packed[k]!;
    if (!(openTime > previous) || openTime % step !== 0) return false;
    for (let f = 1; f < FIELDS; f++) if (!Number.isFinite(packed[k + f]!)) return false;
    previous = openTime;
  }
  return true;
};

/**
 * Whether a symbol entering at `now` can use any of `packed`: some timeframe's newest kept candle is inside the
 * window a fresh warm-up of `count` candles would fetch (`resumeWindow`). An entry that cannot is stale.
 */
export const usable = (packed: Packed, now: number, count: number): boolean =>
  TIMEFRAMES.some((tf) => {
    const a = packed[tf];
    if (a.length === 0) return false;
    const step = TIMEFRAME_MS[tf];
    const oldest = Math.floor((now - 1) / step) * step - (count - 1) * step;
    return a[a.length - FIELDS]! >= oldest;
  });

export class WarmupCache {
  private readonly entries = new Map<string, Packed>();

  /** `capacity`: WARMUP_CACHE_SYMBOLS (0: nothing is kept). */
  constructor(readonly capacity: number) {}

  /** Keeps `symbol`'s candles (closed, ascending, per timeframe) unless the cache is full. */
  keep(symbol: string, candles: TimeframeCandles): boolean {
    this.entries.delete(symbol);
    if (this.entries.size >= this.capacity) return false;
    const packed = {} as Record<Timeframe, Float64Array>;
    for (const tf of TIMEFRAMES) {
      const p = pack(tf, candles[tf]);
      if (p === undefined) return false;
      packed[tf] = p;
    }
    this.entries.set(symbol, packed);
    return true;
  }

  /**
   * Puts back an entry read from storage (`keep`'s packing), unless the cache is full or the entry is not what
   * `keep` writes: whole candles, open times on the timeframe's grid, ascending, finite numbers.
   */
  restore(symbol: string, packed: Packed): boolean {
    if (this.entries.size >= this.capacity || this.entries.has(symbol)) return false;
    for (const tf of TIMEFRAMES) if (!wellFormed(tf, packed[tf])) return false;
    this.entries.set(symbol, packed);
    return true;
  }

  /** `symbol`'s entry as it is held (for storage; not to be modified). */
  packed(symbol: string): Packed | undefined {
    return this.entries.get(symbol);
  }

  /** The symbols kept. */
  symbols(): Set<string> {
    return new Set(this.entries.keys());
  }

  /** `symbol`'s kept candles (a copy; the entry stays until `forget`). */
  get(symbol: string): Record<Timeframe, Candle[]> | undefined {
    const packed = this.entries.get(symbol);
    if (packed === undefined) return undefined;
    const out = {} as Record<Timeframe, Candle[]>;
    for (const tf of TIMEFRAMES) out[tf] = unpack(tf, packed[tf]);
    return out;
  }

  /** Drops `symbol` (tracked again: its live candles are newer). */
  forget(symbol: string): void {
    this.entries.delete(symbol);
  }

  /** Forgets every symbol not in `symbols` (no longer in the universe: it will not rotate back in). */
  retain(symbols: ReadonlySet<string>): void {
    for (const symbol of [...this.entries.keys()]) if (!symbols.has(symbol)) this.entries.delete(symbol);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Bytes of candle data held (the arrays' contents). */
  get bytes(): number {
    let n = 0;
    for (const packed of this.entries.values()) for (const tf of TIMEFRAMES) n += packed[tf].byteLength;
    return n;
  }
}

/**
 * What a symbol re-entering at `now` needs on top of its kept candles of one timeframe for its history to be what
 * a fresh warm-up — the latest `count` rows, the one still forming dropped — would give: the kept candles inside
 * that window, and the open times [from, to] of the closed candles after them (none when `from > to`). Undefined
 * when nothing kept is inside the window: fetch afresh.
 */
export const resumeWindow = (
  candles: readonly Candle[],
  timeframe: Timeframe,
  now: number,
  count: number,
): { readonly kept: readonly Candle[]; readonly from: number; readonly to: number } | undefined => {
  const step = TIMEFRAME_MS[timeframe];
  const newest = Math.floor((now - 1) / step) * step;
  const oldest = newest - (count - 1) * step;
  const kept = candles.filter((c) => c.openTime >= oldest);
  const last = kept.at(-1);
  if (last === undefined) return undefined;
  return { kept, from: last.openTime + step, to: Math.floor(now / step) * step - step };
};
