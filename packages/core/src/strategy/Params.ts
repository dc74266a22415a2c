/**
 * Every tunable of the two models, the levels and the scoring, with its default, in one typed object.
 * The "Models" table in docs/models.md mirrors these defaults; change both together.
 */

/** Points per scoring component of the continuation model (sum = 100). */
export interface ContinuationWeights {
  /** 1d close vs its EMA, in daily ATRs. */
  readonly dailyBias: number;
  /** 4h close/EMA fast/EMA slow stacked in the trade direction. */
  readonly trendAlignment: number;
  /** 4h ADX and the directional index spread. */
  readonly trendStrength: number;
  /** 30m RSI in the momentum zone and ROC in the trade direction. */
  readonly momentum: number;
  /** Shape of the 30m trigger candle (body, close near the extreme). */
  readonly trigger: number;
  /** 30m trigger volume vs its average. */
  readonly volume: number;
  /** Reward/risk to TP2 beyond the minimum. */
  readonly riskReward: number;
}

/** Points per scoring component of the reversal model (sum = 100). */
export interface ReversalWeights {
  /** How far price pierced the Bollinger band, in ATRs. */
  readonly stretch: number;
  /** How extreme the recent RSI got. */
  readonly rsiExtreme: number;
  /** Shape of the 30m confirmation candle back inside the band. */
  readonly confirmation: number;
  /** 4h context: weak or favourable trend. */
  readonly higherTimeframe: number;
  /** 1d bias in the trade direction. */
  readonly dailyBias: number;
  /** Volume on the pierce/confirmation vs its average. */
  readonly volume: number;
  /** Reward/risk to TP2 beyond the minimum. */
  readonly riskReward: number;
}

export interface StrategyParams {
  // --- indicators ---------------------------------------------------------------------------------------
  /** 1d EMA giving the bias. */
  readonly biasEma: number;
  /** 4h EMAs giving the structure (fast above slow = up-trend). */
  readonly trendEmaFast: number;
  readonly trendEmaSlow: number;
  /** 30m EMA the continuation pullback must touch. */
  readonly pullbackEma: number;
  readonly rsiPeriod: number;
  readonly atrPeriod: number;
  readonly adxPeriod: number;
  readonly rocPeriod: number;
  readonly bbPeriod: number;
  readonly bbK: number;
  readonly volumePeriod: number;

  // --- continuation rules -------------------------------------------------------------------------------
  /** Minimum 4h ADX for a trend worth following. */
  readonly adxMin: number;
  /** 4h ADX at which the trend-strength component is full. */
  readonly adxFull: number;
  /** A 30m low within this many ATRs of the pullback EMA counts as a touch. */
  readonly pullbackTouchAtr: number;
  /** The touch must have happened within this many 30m candles (trigger included). */
  readonly pullbackWindow: number;
  /** 30m RSI must be at least this for a long (100 − it for a short)... */
  readonly rsiMomentumMin: number;
  /** ...and at most this (not overbought; 100 − it for a short). */
  readonly rsiMomentumMax: number;

  // --- reversal rules -----------------------------------------------------------------------------------
  /** The band pierce must have happened within this many 30m candles before the trigger. */
  readonly pierceWindow: number;
  /** Lowest RSI over the window must be ≤ this for a long (≥ 100 − it for a short). */
  readonly rsiOversold: number;
  /** 4h ADX above which an opposing 4h trend forbids a reversal. */
  readonly adxStrong: number;

  // --- levels -------------------------------------------------------------------------------------------
  /** 30m candles scanned for the swing low/high the stop goes beyond. */
  readonly structureLookback: number;
  /** 4h candles scanned for the opposing structure that caps the targets. */
  readonly targetLookback: number;
  /** Stop = swing extreme ∓ this many ATRs. */
  readonly stopBufferAtr: number;
  /** The stop is at least this many ATRs from the entry (the ATR stop multiplier). */
  readonly stopAtrMult: number;
  /** A stop further than this many ATRs is rejected (`stopTooWide`). */
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
  trendEmaFast: 20,
  trendEmaSlow: 50,
  pullbackEma: 20,
  rsiPeriod: 14,
  atrPeriod: 14,
  adxPeriod: 14,
  rocPeriod: 10,
  bbPeriod: 20,
  bbK: 2,
  volumePeriod: 20,

  adxMin: 18,
  adxFull: 35,
  pullbackTouchAtr: 0.25,
  pullbackWindow: 6,
  rsiMomentumMin: 50,
  rsiMomentumMax: 70,

  pierceWindow: 3,
  rsiOversold: 30,
  adxStrong: 30,

  structureLookback: 12,
  targetLookback: 30,
  stopBufferAtr: 0.25,
  stopAtrMult: 1,
  maxStopAtr: 4,
  targetR: [1, 2, 3],
  targetBufferAtr: 0.1,
  rrMin: 1.5,
  rrFull: 3,

  continuationWeights: {
    dailyBias: 15,
    trendAlignment: 15,
    trendStrength: 15,
    momentum: 15,
    trigger: 15,
    volume: 15,
    riskReward: 10,
  },
  reversalWeights: {
    stretch: 15,
    rsiExtreme: 15,
    confirmation: 15,
    higherTimeframe: 15,
    dailyBias: 15,
    volume: 15,
    riskReward: 10,
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
    p.trendEmaFast,
    p.trendEmaSlow,
    p.pullbackEma,
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
