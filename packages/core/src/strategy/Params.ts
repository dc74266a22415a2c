/**
 * Every tunable of the two models, the levels and the scoring, with its default, in one typed object.
 * The "Models" table in docs/models.md mirrors these defaults; change both together.
 */

/**
 * Points per scoring component of the continuation model (sum = 100). The defaults are fitted to outcomes by
 * `bun run calibrate` (a non-negative logistic fit of the components' fractions on training setups, scaled to
 * sum to 100): a component that does not predict the outcome earns no points.
 */
export interface ContinuationWeights {
  /** 1d close beyond its slow EMA, in daily ATRs. */
  readonly dailyBias: number;
  /** 4h EMA fast/slow spread in 4h ATRs, and the close beyond the fast EMA. */
  readonly trendAlignment: number;
  /** 4h ADX (from `adxMin` to `adxFull`) with the directional index in the trade direction. */
  readonly trendStrength: number;
  /** 4h RSI in the momentum zone and ROC in the trade direction. */
  readonly momentum: number;
  /** Shape of the 4h trigger candle (body, close near the extreme). */
  readonly trigger: number;
  /** 4h trigger volume vs its average. */
  readonly volume: number;
  /** 4h ATR as a share of the price (costs weigh less on a wider stop). */
  readonly volatility: number;
}

/** Points per scoring component of the reversal model (sum = 100), fitted like the continuation's. */
export interface ReversalWeights {
  /** How far price pierced the 4h Bollinger band, in 4h ATRs. */
  readonly stretch: number;
  /** How extreme the 4h RSI got in the window. */
  readonly rsiExtreme: number;
  /** Shape of the 4h confirmation candle back inside the band. */
  readonly confirmation: number;
  /** 1d bias in the trade direction. */
  readonly dailyBias: number;
  /** Highest 4h volume ratio over the pierce and the confirmation. */
  readonly volume: number;
  /** 4h ATR as a share of the price. */
  readonly volatility: number;
  /** Reward/risk to TP2 beyond the minimum (after the structure cap). */
  readonly riskReward: number;
}

/**
 * Every tunable of the two models, the levels and the scoring. Roles of the timeframes: 1d gives the bias,
 * 4h gives the setup and its trigger (both models fire on the close of a 4h candle, i.e. on the 30m close that
 * completes it), 30m is the stream the bot watches and the trades advance on. Stops are measured in 4h ATRs so
 * that fees, slippage and funding stay a small part of the risk.
 */
export interface StrategyParams {
  // --- indicators ---------------------------------------------------------------------------------------
  /** 1d EMAs giving the bias (the continuation needs close > slow and fast > slow for a long). */
  readonly biasEma: number;
  readonly biasEmaFast: number;
  /** 4h EMAs giving the structure (fast above slow = up-trend); the fast one is the pullback EMA. */
  readonly trendEmaFast: number;
  readonly trendEmaSlow: number;
  readonly rsiPeriod: number;
  readonly atrPeriod: number;
  readonly adxPeriod: number;
  readonly rocPeriod: number;
  readonly bbPeriod: number;
  readonly bbK: number;
  readonly volumePeriod: number;

  // --- continuation rules (4h) --------------------------------------------------------------------------
  /** 4h ADX where the trend-strength component starts to earn points... */
  readonly adxMin: number;
  /** ...and where it is full. */
  readonly adxFull: number;
  /** A 4h low (high for a short) within this many ATRs of the fast EMA counts as a pullback touch. */
  readonly pullbackTouchAtr: number;
  /** The touch must have happened within this many 4h candles before the trigger. */
  readonly pullbackWindow: number;
  /** 4h RSI must be at least this for a long (100 − it for a short)... */
  readonly rsiMomentumMin: number;
  /** ...and at most this (not overbought; 100 − it for a short). */
  readonly rsiMomentumMax: number;

  // --- reversal rules (4h) ------------------------------------------------------------------------------
  /** A 4h close outside the band must have happened within this many 4h candles before the trigger. */
  readonly pierceWindow: number;
  /** Lowest 4h RSI over the window (trigger included) must be ≤ this for a long (≥ 100 − it for a short). */
  readonly rsiOversold: number;

  // --- levels (4h ATR) ----------------------------------------------------------------------------------
  /** 4h candles scanned for the swing low/high the stop goes beyond. */
  readonly structureLookback: number;
  /** 4h candles scanned for the opposing structure that caps a reversal's targets. */
  readonly targetLookback: number;
  /** Stop = swing extreme ∓ this many 4h ATRs... */
  readonly stopBufferAtr: number;
  /** ...and at least this many 4h ATRs from the entry. */
  readonly stopAtrMult: number;
  /** A stop further than this many 4h ATRs is rejected (`stopTooWide`). */
  readonly maxStopAtr: number;
  /** Targets in multiples of the risk before structure adjustments. */
  readonly targetR: readonly [number, number, number];
  /** A target stops this many ATRs before an opposing structure level. */
  readonly targetBufferAtr: number;
  /** Minimum reward/risk to the main target (TP2); RR_MIN. */
  readonly rrMin: number;
  /** Reward/risk at which the riskReward component is full. */
  readonly rrFull: number;

  // --- scoring ------------------------------------------------------------------------------------------
  readonly continuationWeights: ContinuationWeights;
  readonly reversalWeights: ReversalWeights;
}

export const DEFAULT_PARAMS: StrategyParams = {
  biasEma: 50,
  biasEmaFast: 20,
  trendEmaFast: 20,
  trendEmaSlow: 50,
  rsiPeriod: 14,
  atrPeriod: 14,
  adxPeriod: 14,
  rocPeriod: 10,
  bbPeriod: 20,
  bbK: 2,
  volumePeriod: 20,

  adxMin: 15,
  adxFull: 35,
  pullbackTouchAtr: 0.25,
  pullbackWindow: 4,
  rsiMomentumMin: 50,
  rsiMomentumMax: 75,

  pierceWindow: 3,
  rsiOversold: 30,

  structureLookback: 6,
  targetLookback: 30,
  stopBufferAtr: 0.25,
  stopAtrMult: 2,
  maxStopAtr: 4,
  targetR: [1, 2, 3],
  targetBufferAtr: 0.1,
  rrMin: 1.5,
  rrFull: 3,

  // Fitted by `bun run calibrate` on the committed 2025 klines (every setup traded alone, default costs).
  continuationWeights: {
    dailyBias: 0,
    trendAlignment: 0,
    trendStrength: 100,
    momentum: 0,
    trigger: 0,
    volume: 0,
    volatility: 0,
  },
  reversalWeights: {
    stretch: 3,
    rsiExtreme: 0,
    confirmation: 0,
    dailyBias: 11,
    volume: 44,
    volatility: 42,
    riskReward: 0,
  },
};

const sum = (o: object): number => Object.values(o).reduce((a: number, v) => a + (v as number), 0);

/**
 * Defaults overridden by `overrides` (weights replaced as whole objects). Throws a RangeError when a weight
 * set does not sum to 100 or a period is not a positive integer: a configuration bug, caught at start-up.
 */
export const makeParams = (overrides: Partial<StrategyParams> = {}): StrategyParams => {
  const p: StrategyParams = { ...DEFAULT_PARAMS, ...overrides };
  for (const [name, w] of [
    ["continuationWeights", p.continuationWeights],
    ["reversalWeights", p.reversalWeights],
  ] as const) {
    if (Math.abs(sum(w) - 100) > 1e-9) throw new RangeError(`${name} must sum to 100, got ${sum(w)}`);
    if (Object.values(w).some((v) => !(v >= 0))) throw new RangeError(`${name} must be non-negative`);
  }
  const periods = [
    p.biasEma,
    p.biasEmaFast,
    p.trendEmaFast,
    p.trendEmaSlow,
    p.rsiPeriod,
    p.atrPeriod,
    p.adxPeriod,
    p.rocPeriod,
    p.bbPeriod,
    p.volumePeriod,
    p.structureLookback,
    p.targetLookback,
    p.pullbackWindow,
    p.pierceWindow,
  ];
  if (periods.some((n) => !Number.isInteger(n) || n < 1))
    throw new RangeError("periods must be positive integers");
  const [r1, r2, r3] = p.targetR;
  if (!(r1 > 0 && r2 > r1 && r3 > r2)) throw new RangeError("targetR must be positive and increasing");
  if (!(p.rrMin > 0 && p.rrFull > p.rrMin)) throw new RangeError("rrMin must be positive and below rrFull");
  if (!(p.stopAtrMult > 0 && p.maxStopAtr >= p.stopAtrMult))
    throw new RangeError("stopAtrMult must be in (0, maxStopAtr]");
  return p;
};
