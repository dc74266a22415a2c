/**
 * Entry, stop and targets for a setup. The stop goes beyond recent structure (swing low for a long,
 * swing high for a short) plus an ATR buffer, and at least `stopAtrMult` ATRs away. Targets are risk
 * multiples (1R/2R/3R by default) adjusted to the nearest opposing 4h structure: a level before TP2 caps TP2
 * just in front of it, a level between TP2 and TP3 pulls TP3 in front of it. Reward/risk is measured to TP2.
 */
import type { Reason, Side } from "../model/Signal.ts";
import type { StrategyParams } from "./Params.ts";
import { round2 } from "./Setup.ts";
import type { Snapshot } from "./Snapshot.ts";

export interface LevelInput {
  readonly side: Side;
  readonly entry: number;
  /** ATR of the trigger timeframe. */
  readonly atr: number;
  /** Structure on the losing side: lowest low (long) / highest high (short) over the lookback. */
  readonly swing: number;
  /** Structure on the winning side: highest 4h high (long) / lowest 4h low (short); NaN when unknown. */
  readonly obstacle: number;
}

export type Levels =
  | {
      readonly _tag: "Levels";
      readonly stop: number;
      readonly targets: readonly [number, number, number];
      /** Reward/risk to TP2. */
      readonly rr: number;
      /** The structure level a target was placed in front of, when one was. */
      readonly structure?: number;
    }
  | { readonly _tag: "Rejected"; readonly reason: Reason };

type LevelParams = Pick<
  StrategyParams,
  "stopBufferAtr" | "stopAtrMult" | "maxStopAtr" | "targetR" | "targetBufferAtr" | "rrMin"
>;

/**
 * Places stop and targets. Guarantees for every `Levels` result: the stop is strictly on the losing side of
 * the entry, the targets strictly on the winning side and strictly ordered (TP1 < TP2 < TP3 for a long),
 * and `rr ≥ rrMin`. Rejections: `invalidAtr`, `stopTooWide` {stopAtr, max}, `rrBelowMin` {rr, min}.
 */
export const placeLevels = (input: LevelInput, p: LevelParams): Levels => {
  const { side, entry, atr, swing, obstacle } = input;
  if (!(atr > 0) || !Number.isFinite(atr) || !(entry > 0)) {
    return { _tag: "Rejected", reason: { code: "invalidAtr", data: { atr } } };
  }
  const s = side === "LONG" ? 1 : -1;
  const structural = swing - s * p.stopBufferAtr * atr;
  const minimal = entry - s * p.stopAtrMult * atr;
  // The further of the two from the entry (NaN swing → the ATR stop).
  const stop = Number.isNaN(structural)
    ? minimal
    : s > 0
      ? Math.min(structural, minimal)
      : Math.max(structural, minimal);
  const risk = s * (entry - stop);
  if (risk > p.maxStopAtr * atr) {
    return {
      _tag: "Rejected",
      reason: { code: "stopTooWide", data: { stopAtr: round2(risk / atr), max: p.maxStopAtr } },
    };
  }
  const [r1, r2, r3] = p.targetR;
  let tp1 = entry + s * r1 * risk;
  let tp2 = entry + s * r2 * risk;
  let tp3 = entry + s * r3 * risk;
  let structure: number | undefined;
  if (s * (obstacle - entry) > 0) {
    const level = obstacle - s * p.targetBufferAtr * atr;
    const reach = s * (level - entry);
    if (reach <= r2 * risk) {
      tp2 = level;
      structure = obstacle;
    } else if (reach < r3 * risk) {
      tp3 = level;
      structure = obstacle;
    }
  }
  const rr = (s * (tp2 - entry)) / risk;
  if (!(rr >= p.rrMin)) {
    return { _tag: "Rejected", reason: { code: "rrBelowMin", data: { rr: round2(rr), min: p.rrMin } } };
  }
  if (s * (tp2 - tp1) <= 0) tp1 = entry + (tp2 - entry) / 2;
  return structure === undefined
    ? { _tag: "Levels", stop, targets: [tp1, tp2, tp3], rr }
    : { _tag: "Levels", stop, targets: [tp1, tp2, tp3], rr, structure };
};

/**
 * Levels for a setup entering at the close of the trigger candle, measured on the 4h timeframe: the stop goes
 * beyond the 4h swing on the losing side (at least `stopAtrMult` 4h ATRs away); with `capByStructure` the 4h
 * range on the winning side is the structure the targets respect.
 */
export const trendLevels = (snap: Snapshot, side: Side, p: LevelParams, capByStructure: boolean): Levels => {
  const { trigger, trend: t } = snap;
  const long = side === "LONG";
  return placeLevels(
    {
      side,
      entry: trigger.candle.close,
      atr: t.atr,
      swing: long ? t.swingLow : t.swingHigh,
      obstacle: capByStructure ? (long ? t.rangeHigh : t.rangeLow) : Number.NaN,
    },
    p,
  );
};
