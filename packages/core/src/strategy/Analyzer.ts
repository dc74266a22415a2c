/**
 * One symbol's multi-timeframe analysis: a candle series and an incremental indicator frame per timeframe
 * (1d bias, 4h structure and setups, 30m trigger = the stream's closed candle), updated in O(1) without
 * allocation on every closed candle — the snapshot every model reads — and the registered models (by default
 * the two built-in ones, which fire when the 30m candle completes a 4h candle) evaluated on the just-closed
 * 30m candle. The hot path of live scanning and of the backtest.
 */

import { Adx } from "../indicator/Adx.ts";
import { Atr } from "../indicator/Atr.ts";
import { Bollinger } from "../indicator/Bollinger.ts";
import { Ema } from "../indicator/Ema.ts";
import { Roc } from "../indicator/Roc.ts";
import { RollingMax, RollingMin } from "../indicator/RollingExtreme.ts";
import { Rsi } from "../indicator/Rsi.ts";
import { Sma } from "../indicator/Sma.ts";
import { type Candle, TIMEFRAME_MS, type Timeframe } from "../model/Candle.ts";
import type { Evaluation, ModelName } from "../model/Signal.ts";
import { CandleSeries, DEFAULT_SERIES_CAPACITY, type PushResult } from "../series/CandleSeries.ts";
import { DEFAULT_MODELS } from "./BuiltInModels.ts";
import { checkModels, type Model, type ModelInstance } from "./Model.ts";
import { makeParams, type StrategyParams } from "./Params.ts";
import { type NoSetup, noSetup, setupProblem } from "./Setup.ts";
import { type BiasView, onTrendClose, type Snapshot, type TrendView, type TriggerView } from "./Snapshot.ts";

// Each indicator is called at its own site (`replacing ? x.replace(v) : x.add(v)`), not through one shared
// helper: one helper called with a dozen indicator classes makes its call megamorphic (slow dispatch, no
// inlining) on the hottest path of the backtest.

/** "Never happened" for the bars-since counters. */
const NEVER = 1e9;

const NO_ANSWERS: readonly Evaluation[] = [];

const EMPTY_CANDLE: Candle = { openTime: 0, open: 0, high: 0, low: 0, close: 0, volume: 0, closeTime: 0 };

/** 30m: the candle the decision is taken on, and its ATR. */
class TriggerFrame implements TriggerView {
  candle: Candle = EMPTY_CANDLE;
  previous: Candle | undefined = undefined;
  count = 0;
  private readonly atrI: Atr;

  constructor(p: StrategyParams) {
    this.atrI = new Atr(p.atrPeriod);
  }

  get atr(): number {
    return this.atrI.value;
  }

  update(c: Candle, replacing: boolean): void {
    if (!replacing) {
      this.previous = this.count === 0 ? undefined : this.candle;
      this.count++;
    }
    this.candle = c;
    if (replacing) this.atrI.replace(c.high, c.low, c.close);
    else this.atrI.add(c.high, c.low, c.close);
  }
}

/** 4h: trend structure, the setups' indicators and the windows over them. */
class TrendFrame implements TrendView {
  candle: Candle = EMPTY_CANDLE;
  previous: Candle | undefined = undefined;
  count = 0;
  close = Number.NaN;
  barsSinceTouchFromAbove = NEVER;
  barsSinceTouchFromBelow = NEVER;
  barsSinceCloseBelowLower = NEVER;
  barsSinceCloseAboveUpper = NEVER;
  // Counter values before the last add, so a replacement can redo it.
  private saved = [NEVER, NEVER, NEVER, NEVER];
  private readonly fast: Ema;
  private readonly slow: Ema;
  private readonly atrI: Atr;
  private readonly adxI: Adx;
  private readonly rsiI: Rsi;
  private readonly rocI: Roc;
  private readonly bb: Bollinger;
  private readonly volume: Sma;
  private readonly swingHighI: RollingMax;
  private readonly swingLowI: RollingMin;
  private readonly rangeHighI: RollingMax;
  private readonly rangeLowI: RollingMin;
  private readonly pierceBelow: RollingMax;
  private readonly pierceAbove: RollingMax;
  private readonly rsiLow: RollingMin;
  private readonly rsiHigh: RollingMax;
  private readonly volumeRatio: RollingMax;
  private readonly touchAtr: number;

  constructor(p: StrategyParams) {
    this.fast = new Ema(p.trendEmaFast);
    this.slow = new Ema(p.trendEmaSlow);
    this.atrI = new Atr(p.atrPeriod);
    this.adxI = new Adx(p.adxPeriod);
    this.rsiI = new Rsi(p.rsiPeriod);
    this.rocI = new Roc(p.rocPeriod);
    this.bb = new Bollinger(p.bbPeriod, p.bbK);
    this.volume = new Sma(p.volumePeriod);
    this.swingHighI = new RollingMax(p.structureLookback);
    this.swingLowI = new RollingMin(p.structureLookback);
    this.rangeHighI = new RollingMax(p.targetLookback);
    this.rangeLowI = new RollingMin(p.targetLookback);
    const w = p.pierceWindow + 1;
    this.pierceBelow = new RollingMax(w);
    this.pierceAbove = new RollingMax(w);
    this.rsiLow = new RollingMin(w);
    this.rsiHigh = new RollingMax(w);
    this.volumeRatio = new RollingMax(w);
    this.touchAtr = p.pullbackTouchAtr;
  }

  get emaFast(): number {
    return this.fast.value;
  }
  get emaSlow(): number {
    return this.slow.value;
  }
  get atr(): number {
    return this.atrI.value;
  }
  get adx(): number {
    return this.adxI.value;
  }
  get plusDi(): number {
    return this.adxI.plusDi;
  }
  get minusDi(): number {
    return this.adxI.minusDi;
  }
  get rsi(): number {
    return this.rsiI.value;
  }
  get roc(): number {
    return this.rocI.value;
  }
  get bbUpper(): number {
    return this.bb.upper;
  }
  get bbMiddle(): number {
    return this.bb.middle;
  }
  get bbLower(): number {
    return this.bb.lower;
  }
  get volumeAverage(): number {
    return this.volume.value;
  }
  get swingHigh(): number {
    return this.swingHighI.value;
  }
  get swingLow(): number {
    return this.swingLowI.value;
  }
  get rangeHigh(): number {
    return this.rangeHighI.value;
  }
  get rangeLow(): number {
    return this.rangeLowI.value;
  }
  get maxPierceBelowAtr(): number {
    return this.pierceBelow.value;
  }
  get maxPierceAboveAtr(): number {
    return this.pierceAbove.value;
  }
  get windowRsiMin(): number {
    return this.rsiLow.value;
  }
  get windowRsiMax(): number {
    return this.rsiHigh.value;
  }
  get windowVolumeRatioMax(): number {
    return this.volumeRatio.value;
  }

  update(c: Candle, replacing: boolean): void {
    const s = this.saved;
    if (!replacing) {
      this.previous = this.count === 0 ? undefined : this.candle;
      s[0] = this.barsSinceTouchFromAbove;
      s[1] = this.barsSinceTouchFromBelow;
      s[2] = this.barsSinceCloseBelowLower;
      s[3] = this.barsSinceCloseAboveUpper;
      this.count++;
    }
    this.candle = c;
    this.close = c.close;
    const { high, low, close, volume } = c;
    let ema: number;
    let atr: number;
    let rsi: number;
    let avgVolume: number;
    if (replacing) {
      ema = this.fast.replace(close);
      this.slow.replace(close);
      atr = this.atrI.replace(high, low, close);
      this.adxI.replace(high, low, close);
      rsi = this.rsiI.replace(close);
      this.rocI.replace(close);
      this.bb.replace(close);
      avgVolume = this.volume.replace(volume);
      this.swingHighI.replace(high);
      this.swingLowI.replace(low);
      this.rangeHighI.replace(high);
      this.rangeLowI.replace(low);
    } else {
      ema = this.fast.add(close);
      this.slow.add(close);
      atr = this.atrI.add(high, low, close);
      this.adxI.add(high, low, close);
      rsi = this.rsiI.add(close);
      this.rocI.add(close);
      this.bb.add(close);
      avgVolume = this.volume.add(volume);
      this.swingHighI.add(high);
      this.swingLowI.add(low);
      this.rangeHighI.add(high);
      this.rangeLowI.add(low);
    }
    const lower = this.bb.lower;
    const upper = this.bb.upper;
    const touch = this.touchAtr * atr;
    this.barsSinceTouchFromAbove = low <= ema + touch ? 0 : s[0]! + 1;
    this.barsSinceTouchFromBelow = high >= ema - touch ? 0 : s[1]! + 1;
    this.barsSinceCloseBelowLower = close < lower ? 0 : s[2]! + 1;
    this.barsSinceCloseAboveUpper = close > upper ? 0 : s[3]! + 1;
    // NaN (not ready yet) compares false: such candles count as "no touch / no pierce" and feed neutral values.
    const pierceBelow = atr > 0 && lower > low ? (lower - low) / atr : 0;
    const pierceAbove = atr > 0 && high > upper ? (high - upper) / atr : 0;
    const r = Number.isNaN(rsi) ? 50 : rsi;
    const ratio = avgVolume > 0 ? volume / avgVolume : 0;
    if (replacing) {
      this.pierceBelow.replace(pierceBelow);
      this.pierceAbove.replace(pierceAbove);
      this.rsiLow.replace(r);
      this.rsiHigh.replace(r);
      this.volumeRatio.replace(ratio);
    } else {
      this.pierceBelow.add(pierceBelow);
      this.pierceAbove.add(pierceAbove);
      this.rsiLow.add(r);
      this.rsiHigh.add(r);
      this.volumeRatio.add(ratio);
    }
  }
}

/** 1d: the bias. */
class BiasFrame implements BiasView {
  count = 0;
  close = Number.NaN;
  private readonly emaI: Ema;
  private readonly emaFastI: Ema;
  private readonly atrI: Atr;

  constructor(p: StrategyParams) {
    this.emaI = new Ema(p.biasEma);
    this.emaFastI = new Ema(p.biasEmaFast);
    this.atrI = new Atr(p.atrPeriod);
  }

  get ema(): number {
    return this.emaI.value;
  }
  get emaFast(): number {
    return this.emaFastI.value;
  }
  get atr(): number {
    return this.atrI.value;
  }

  update(c: Candle, replacing: boolean): void {
    if (!replacing) this.count++;
    this.close = c.close;
    if (replacing) {
      this.emaI.replace(c.close);
      this.emaFastI.replace(c.close);
      this.atrI.replace(c.high, c.low, c.close);
    } else {
      this.emaI.add(c.close);
      this.emaFastI.add(c.close);
      this.atrI.add(c.high, c.low, c.close);
    }
  }
}

export interface AnalyzerOptions {
  /** Strategy parameters over `DEFAULT_PARAMS`: the snapshot's indicator periods and the built-in models' rules. */
  readonly params?: Partial<StrategyParams>;
  /**
   * The models evaluated on every closed trigger candle, in this order (their answers come back in it):
   * default `DEFAULT_MODELS` (continuation, reversal). `[...DEFAULT_MODELS, myModel]` adds one.
   */
  readonly models?: readonly Model[];
  /** Closed candles kept per timeframe (default 500). */
  readonly capacity?: number;
}

/** One registered model on this symbol: its instance, its warm-up and its constant answers. */
class ModelSlot {
  readonly name: ModelName;
  readonly instance: ModelInstance;
  readonly need30m: number;
  readonly need4h: number;
  readonly need1d: number;
  /** Every timeframe has had its warm-up (counts only grow, so it stays so). */
  warm = false;
  readonly warmup: Readonly<Record<Timeframe, NoSetup>>;
  readonly stale4h: NoSetup;
  readonly stale1d: NoSetup;
  /** The model answers only on trigger candles closing a 4h candle (`ModelInstance.cadence`). */
  readonly onTrendCloseOnly: boolean;
  readonly betweenTrendCloses: NoSetup;

  constructor(model: Model, instance: ModelInstance, capacity: number) {
    this.name = model.name;
    this.instance = instance;
    const need = (tf: Timeframe): number => {
      const n = instance.warmup[tf] ?? 0;
      if (!Number.isInteger(n) || n < 0 || n > capacity)
        throw new RangeError(
          `model "${model.name}": warm-up of ${n} ${tf} candles must be a whole number from 0 to the series capacity ${capacity}`,
        );
      return n;
    };
    this.need30m = need("30m");
    this.need4h = need("4h");
    this.need1d = need("1d");
    const warm = (timeframe: Timeframe, n: number) =>
      Object.freeze(noSetup(model.name, "warmup", Object.freeze({ timeframe, need: n })));
    this.warmup = {
      "30m": warm("30m", this.need30m),
      "4h": warm("4h", this.need4h),
      "1d": warm("1d", this.need1d),
    };
    const stale = (timeframe: Timeframe) =>
      Object.freeze(noSetup(model.name, "staleTimeframe", Object.freeze({ timeframe })));
    this.stale4h = stale("4h");
    this.stale1d = stale("1d");
    const cadence: unknown = instance.cadence;
    if (cadence !== undefined && cadence !== "trigger" && cadence !== "trendClose")
      throw new RangeError(
        `model "${model.name}": cadence must be "trigger" or "trendClose", got ${String(cadence)}`,
      );
    this.onTrendCloseOnly = cadence === "trendClose";
    this.betweenTrendCloses = Object.freeze(noSetup(model.name, "betweenTrendCloses"));
  }
}

/**
 * Feed it closed candles of the three timeframes in event-time order — a 4h or 1d candle only once it has
 * closed, i.e. not before the 30m candle that closes at the same instant — and call `evaluate()` after each
 * closed 30m candle. Every answer depends only on candles pushed so far (no look-ahead): pushing later
 * candles never changes an answer already given.
 */
export class SymbolAnalyzer implements Snapshot {
  readonly symbol: string;
  readonly params: StrategyParams;
  readonly trigger: TriggerFrame;
  readonly trend: TrendFrame;
  readonly bias: BiasFrame;
  /** The registered models' names, in evaluation order. */
  readonly models: readonly ModelName[];
  private readonly series30m: CandleSeries;
  private readonly series4h: CandleSeries;
  private readonly series1d: CandleSeries;
  private readonly slots: readonly ModelSlot[];
  /** The instances that keep state of their own (told about every candle pushed). */
  private readonly updating: readonly ModelInstance[];
  /** The last answers `evaluate()` returned, and where it collects the next ones. */
  private answers: readonly Evaluation[] = NO_ANSWERS;
  private readonly next: Evaluation[];

  /**
   * Throws a RangeError for invalid parameters (`makeParams`), an invalid models list (`checkModels`) or a
   * model whose warm-up exceeds the series capacity.
   */
  constructor(symbol: string, options: AnalyzerOptions = {}) {
    this.symbol = symbol;
    this.params = makeParams(options.params);
    const capacity = options.capacity ?? DEFAULT_SERIES_CAPACITY;
    this.trigger = new TriggerFrame(this.params);
    this.trend = new TrendFrame(this.params);
    this.bias = new BiasFrame(this.params);
    this.series30m = new CandleSeries("30m", capacity);
    this.series4h = new CandleSeries("4h", capacity);
    this.series1d = new CandleSeries("1d", capacity);
    const models = options.models ?? DEFAULT_MODELS;
    checkModels(models);
    this.models = models.map((m) => m.name);
    this.slots = models.map((m) => new ModelSlot(m, m.create({ symbol, params: this.params }), capacity));
    this.updating = this.slots.map((s) => s.instance).filter((i) => i.update !== undefined);
    this.next = new Array<Evaluation>(this.slots.length);
  }

  /**
   * Appends (or, same open time, replaces) a closed candle and updates that timeframe's indicators, then the
   * models' own state.
   */
  push(timeframe: Timeframe, candle: Candle): PushResult {
    const result = this.series(timeframe).push(candle);
    if (result._tag === "Rejected") return result;
    const replacing = result._tag === "Replaced";
    if (timeframe === "30m") this.trigger.update(candle, replacing);
    else if (timeframe === "4h") this.trend.update(candle, replacing);
    else this.bias.update(candle, replacing);
    const updating = this.updating;
    for (let i = 0; i < updating.length; i++) updating[i]!.update!(timeframe, candle, replacing);
    return result;
  }

  series(timeframe: Timeframe): CandleSeries {
    return timeframe === "30m" ? this.series30m : timeframe === "4h" ? this.series4h : this.series1d;
  }

  lastClosed(timeframe: Timeframe): Candle | undefined {
    return this.series(timeframe).last;
  }

  /**
   * One answer per registered model, in order, for the last closed 30m candle, from data up to and including
   * it. For each model: `NoSetup` "warmup" {timeframe, need} until every timeframe has its warm-up (checked
   * 1d, 4h, 30m); "staleTimeframe" {timeframe} when it needs 4h (1d) candles and the last one closed more than
   * two 4h (1d) periods ago; then the model's own answer, a malformed setup becoming "invalidSetup" {problem}.
   * When every answer is the very object of the last call (a constant "nothing here", as the built-in models
   * give on the seven 30m candles of eight that close no 4h candle), the last call's array is returned again:
   * the hot path allocates nothing for it. (Not frozen: a frozen array is several times slower to build and to
   * read in JavaScriptCore; it is read-only by its type.)
   */
  evaluate(): readonly Evaluation[] {
    const slots = this.slots;
    const next = this.next;
    const last = this.answers;
    let same = last.length === slots.length;
    for (let i = 0; i < slots.length; i++) {
      const e = this.answer(slots[i]!);
      next[i] = e;
      if (e !== last[i]) same = false;
    }
    if (same) return last;
    this.answers = next.slice();
    return this.answers;
  }

  private answer(m: ModelSlot): Evaluation {
    if (!m.warm) {
      if (this.bias.count < m.need1d) return m.warmup["1d"];
      if (this.trend.count < m.need4h) return m.warmup["4h"];
      if (this.trigger.count < m.need30m) return m.warmup["30m"];
      m.warm = true;
    }
    const now = this.trigger.candle.closeTime;
    if (m.need4h > 0 && now - this.series4h.last!.closeTime > 2 * TIMEFRAME_MS["4h"]) return m.stale4h;
    if (m.need1d > 0 && now - this.series1d.last!.closeTime > 2 * TIMEFRAME_MS["1d"]) return m.stale1d;
    if (m.onTrendCloseOnly && !onTrendClose(this)) return m.betweenTrendCloses;
    const e = m.instance.evaluate(this);
    if (e._tag === "NoSetup") return e.model === m.name ? e : this.invalid(m, `model is "${e.model}"`);
    const problem = setupProblem(e.setup, m.name, this.symbol, this.trigger.candle);
    return problem === undefined ? e : this.invalid(m, problem);
  }

  private invalid(m: ModelSlot, problem: string): Evaluation {
    return noSetup(m.name, "invalidSetup", { problem });
  }
}
