/**
 * The reversal model (Bollinger mean reversion with confirmation, on 4h): after a 4h close outside a band, the
 * 4h candle closing with the trigger closes back inside in the opposite direction, and the 4h RSI reached an
 * extreme in the window. Its targets respect the opposing 4h structure (a reversion returns into a range), so
 * a setup whose main target would sit beyond it is capped or rejected (RR_MIN). Rules in order, then levels
 * and the score.
 */
import { bollinger } from "../indicator/Bollinger.ts";
import type { Evaluation, Reason, Side } from "../model/Signal.ts";
import { candleStrength, volatilityFraction } from "./Continuation.ts";
import { trendLevels } from "./Levels.ts";
import type { Model } from "./Model.ts";
import { DEFAULT_PARAMS, type StrategyParams } from "./Params.ts";
import { component, ramp, totalScore } from "./Score.ts";
import { buildSetup, noSetup, round2 } from "./Setup.ts";
import { onTrendClose, type Snapshot, warmupCandles } from "./Snapshot.ts";

const MODEL = "reversal" as const;

/** The answer on every 30m candle that does not close a 4h one (most of them): one constant, no lookup. */
const BETWEEN_TREND_CLOSES = noSetup(MODEL, "betweenTrendCloses");

export const reversal = (snap: Snapshot, p: StrategyParams): Evaluation => {
  if (!onTrendClose(snap)) return BETWEEN_TREND_CLOSES;
  const { trend: t, bias } = snap;
  const c = t.candle;

  // The most recent 4h close outside a band, before the trigger candle, within the window.
  const below = t.barsSinceCloseBelowLower;
  const above = t.barsSinceCloseAboveUpper;
  const longOk = below >= 1 && below <= p.pierceWindow;
  const shortOk = above >= 1 && above <= p.pierceWindow;
  if (!longOk && !shortOk) return noSetup(MODEL, "noBandPierce", { window: p.pierceWindow });
  const side: Side = longOk && (!shortOk || below <= above) ? "LONG" : "SHORT";
  const s = side === "LONG" ? 1 : -1;

  const band = s > 0 ? t.bbLower : t.bbUpper;
  if (!(s * (c.close - band) > 0 && s * (c.close - c.open) > 0)) return noSetup(MODEL, "noReentry");

  const extreme = s > 0 ? t.windowRsiMin : t.windowRsiMax;
  const limit = s > 0 ? p.rsiOversold : 100 - p.rsiOversold;
  if (!(s * (limit - extreme) >= 0)) return noSetup(MODEL, "rsiNotExtreme", { rsi: round2(extreme), limit });

  const levels = trendLevels(snap, side, p, true);
  if (levels._tag === "Rejected") return { _tag: "NoSetup", model: MODEL, reason: levels.reason };

  const w = p.reversalWeights;
  const depthAtr = s > 0 ? t.maxPierceBelowAtr : t.maxPierceAboveAtr;
  const extremeDepth = s > 0 ? extreme : 100 - extreme; // how low the RSI went, seen from the trade side
  const biasAtr = (s * (bias.close - bias.ema)) / bias.atr;
  const components = [
    component("stretch", ramp(depthAtr, 0, 1.2), w.stretch),
    component("rsiExtreme", ramp(extremeDepth, p.rsiOversold, p.rsiOversold - 12), w.rsiExtreme),
    component("confirmation", candleStrength(side, c.open, c.high, c.low, c.close), w.confirmation),
    component("dailyBias", ramp(biasAtr, -1, 1), w.dailyBias),
    component("volume", ramp(t.windowVolumeRatioMax, 1, 2.5), w.volume),
    component("volatility", volatilityFraction(t.atr, c.close), w.volatility),
    component("riskReward", ramp(levels.rr, p.rrMin, p.rrFull), w.riskReward),
  ];

  const bandName = s > 0 ? "lower" : "upper";
  const reasons: Reason[] = [
    { code: "bandPierced", data: { band: bandName, depthAtr: round2(depthAtr), timeframe: "4h" } },
    { code: "closedBackInside", data: { band: bandName } },
    { code: "rsiTurn", data: { rsi: round2(t.rsi), extreme: round2(extreme) } },
  ];
  if (t.windowVolumeRatioMax > 1) {
    reasons.push({ code: "volumeAboveAverage", data: { ratio: round2(t.windowVolumeRatioMax) } });
  }
  if (levels.structure !== undefined)
    reasons.push({ code: "targetAtStructure", data: { level: levels.structure } });

  return buildSetup(snap, MODEL, side, levels, totalScore(components), components, reasons);
};

/** The reversal model as a plug-in: it reads the snapshot only; its chart lines are the Bollinger bands. */
export const reversalModel: Model = {
  name: MODEL,
  label: { vi: "Đảo chiều Bollinger", en: "Bollinger reversal" },
  create: ({ params }) => ({
    warmup: warmupCandles(params),
    cadence: "trendClose",
    evaluate: (snap) => reversal(snap, params),
  }),
  chartLines: (candles) => {
    const { bbPeriod: n, bbK: k } = DEFAULT_PARAMS;
    const b = bollinger(
      candles.map((c) => c.close),
      n,
      k,
    );
    const color = "#ba68c8";
    return [
      { name: { vi: `Dải Bollinger (${n}, ${k})`, en: `Bollinger (${n}, ${k})` }, color, values: b.upper },
      { name: "", color, values: b.middle, dashed: true },
      { name: "", color, values: b.lower },
    ];
  },
};
