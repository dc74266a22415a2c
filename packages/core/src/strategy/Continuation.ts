/**
 * The continuation model (trend-following): trade in the direction of the 1d bias when the 4h trend is
 * aligned and strong, after a 30m pullback to its EMA, on the closed 30m candle that resumes the trend with
 * momentum. Rules in order (the first that fails is the `NoSetup` reason), then levels and the score.
 */
import type { Evaluation, Reason, Side } from "../model/Signal.ts";
import { triggerLevels } from "./Levels.ts";
import type { StrategyParams } from "./Params.ts";
import { component, ramp, totalScore } from "./Score.ts";
import { buildSetup, noSetup, round2 } from "./Setup.ts";
import type { Snapshot } from "./Snapshot.ts";

const MODEL = "continuation" as const;

/** Candle shape in the trade direction: half body/range, half where the close sits in the range. */
export const candleStrength = (
  side: Side,
  open: number,
  high: number,
  low: number,
  close: number,
): number => {
  const range = high - low;
  if (!(range > 0)) return 0;
  const s = side === "LONG" ? 1 : -1;
  const body = (s * (close - open)) / range;
  const location = side === "LONG" ? (close - low) / range : (high - close) / range;
  return 0.5 * ramp(body, 0.2, 0.7) + 0.5 * ramp(location, 0.5, 0.9);
};

export const continuation = (snap: Snapshot, p: StrategyParams): Evaluation => {
  const { trigger: t, trend, bias } = snap;
  const c = t.candle;

  if (bias.close === bias.ema) return noSetup(MODEL, "noBias");
  const side: Side = bias.close > bias.ema ? "LONG" : "SHORT";
  const s = side === "LONG" ? 1 : -1;

  if (!(s * (trend.emaFast - trend.emaSlow) > 0 && s * (trend.close - trend.emaSlow) > 0)) {
    return noSetup(MODEL, "trendNotAligned", { timeframe: "4h" });
  }
  if (!(trend.adx >= p.adxMin)) return noSetup(MODEL, "trendWeak", { adx: round2(trend.adx), min: p.adxMin });

  const sinceTouch = s > 0 ? t.barsSinceTouchFromAbove : t.barsSinceTouchFromBelow;
  if (!(sinceTouch < p.pullbackWindow)) return noSetup(MODEL, "noPullback", { window: p.pullbackWindow });

  const prevExtreme = t.previous === undefined ? Number.NaN : s > 0 ? t.previous.high : t.previous.low;
  if (!(s * (c.close - t.ema) > 0 && s * (c.close - prevExtreme) > 0 && s * (c.close - c.open) > 0)) {
    return noSetup(MODEL, "noTrigger");
  }

  const rsi = s > 0 ? t.rsi : 100 - t.rsi; // RSI seen from the trade side
  if (!(rsi >= p.rsiMomentumMin) || !(s * t.roc > 0)) {
    return noSetup(MODEL, "momentumWeak", { rsi: round2(t.rsi), min: p.rsiMomentumMin });
  }
  if (rsi > p.rsiMomentumMax)
    return noSetup(MODEL, "overextended", { rsi: round2(t.rsi), max: p.rsiMomentumMax });

  const levels = triggerLevels(snap, side, p);
  if (levels._tag === "Rejected") return { _tag: "NoSetup", model: MODEL, reason: levels.reason };

  const w = p.continuationWeights;
  const biasAtr = (s * (bias.close - bias.ema)) / bias.atr;
  const spreadAtr = (s * (trend.emaFast - trend.emaSlow)) / trend.atr;
  const diAligned = s * (trend.plusDi - trend.minusDi) > 0;
  const rocAtr = (s * t.roc * c.close) / 100 / t.atr;
  const volumeRatio = c.volume / t.volumeAverage;
  const components = [
    component("dailyBias", ramp(biasAtr, 0, 1.5), w.dailyBias),
    component(
      "trendAlignment",
      0.4 + (s * (trend.close - trend.emaFast) > 0 ? 0.3 : 0) + 0.3 * ramp(spreadAtr, 0, 1.5),
      w.trendAlignment,
    ),
    component("trendStrength", ramp(trend.adx, p.adxMin, p.adxFull) * (diAligned ? 1 : 0.5), w.trendStrength),
    component(
      "momentum",
      0.5 * ramp(rsi, p.rsiMomentumMin, (p.rsiMomentumMin + p.rsiMomentumMax) / 2) + 0.5 * ramp(rocAtr, 0, 2),
      w.momentum,
    ),
    component("trigger", candleStrength(side, c.open, c.high, c.low, c.close), w.trigger),
    component("volume", ramp(volumeRatio, 0.8, 2), w.volume),
    component("riskReward", ramp(levels.rr, p.rrMin, p.rrFull), w.riskReward),
  ];

  const reasons: Reason[] = [
    { code: "dailyBias", data: { timeframe: "1d", ema: p.biasEma, distanceAtr: round2(biasAtr) } },
    { code: "trendAligned", data: { timeframe: "4h", adx: round2(trend.adx) } },
    { code: "pullbackResumed", data: { ema: p.pullbackEma } },
    { code: "momentum", data: { rsi: round2(t.rsi), roc: round2(t.roc) } },
  ];
  if (volumeRatio > 1) reasons.push({ code: "volumeAboveAverage", data: { ratio: round2(volumeRatio) } });
  if (levels.structure !== undefined)
    reasons.push({ code: "targetAtStructure", data: { level: levels.structure } });

  return buildSetup(snap, MODEL, side, levels, totalScore(components), components, reasons);
};
