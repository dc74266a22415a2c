/**
 * The continuation model (trend-following, time-series momentum): trade in the direction of the 1d trend when
 * the 4h trend agrees, after a 4h pullback to the fast EMA, on the close of the 4h candle that resumes the trend
 * with momentum. Rules in order (the first that fails is the `NoSetup` reason), then levels and the score.
 * Targets are pure risk multiples: a trend is expected to make new extremes, so no structure caps them.
 */
import { ema } from "../indicator/Ema.ts";
import type { Evaluation, Reason, Side } from "../model/Signal.ts";
import { trendLevels } from "./Levels.ts";
import type { Model } from "./Model.ts";
import { DEFAULT_PARAMS, type StrategyParams } from "./Params.ts";
import { component, ramp, totalScore } from "./Score.ts";
import { buildSetup, noSetup, round2 } from "./Setup.ts";
import { onTrendClose, type Snapshot, warmupCandles } from "./Snapshot.ts";

const MODEL = "continuation" as const;

/** The answer on every 30m candle that does not close a 4h one (most of them): one constant, no lookup. */
const BETWEEN_TREND_CLOSES = noSetup(MODEL, "betweenTrendCloses");

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

/** 4h ATR as a share of the price, scored from 0.5 % (costs weigh) to 3 %. */
export const volatilityFraction = (atr: number, price: number): number => ramp((100 * atr) / price, 0.5, 3);

export const continuation = (snap: Snapshot, p: StrategyParams): Evaluation => {
  if (!onTrendClose(snap)) return BETWEEN_TREND_CLOSES;
  const { trend: t, bias } = snap;
  const c = t.candle;

  const up = bias.close > bias.ema && bias.emaFast > bias.ema;
  const down = bias.close < bias.ema && bias.emaFast < bias.ema;
  if (!up && !down) return noSetup(MODEL, "noBias");
  const side: Side = up ? "LONG" : "SHORT";
  const s = up ? 1 : -1;

  if (!(s * (t.emaFast - t.emaSlow) > 0 && s * (t.close - t.emaSlow) > 0)) {
    return noSetup(MODEL, "trendNotAligned", { timeframe: "4h" });
  }

  // A touch of the fast EMA on the trigger candle or one of the `pullbackWindow` before it.
  const sinceTouch = s > 0 ? t.barsSinceTouchFromAbove : t.barsSinceTouchFromBelow;
  if (!(sinceTouch <= p.pullbackWindow)) return noSetup(MODEL, "noPullback", { window: p.pullbackWindow });

  const prevExtreme = t.previous === undefined ? Number.NaN : s > 0 ? t.previous.high : t.previous.low;
  if (!(s * (c.close - t.emaFast) > 0 && s * (c.close - prevExtreme) > 0 && s * (c.close - c.open) > 0)) {
    return noSetup(MODEL, "noTrigger");
  }

  const rsi = s > 0 ? t.rsi : 100 - t.rsi; // RSI seen from the trade side
  if (!(rsi >= p.rsiMomentumMin) || !(s * t.roc > 0)) {
    return noSetup(MODEL, "momentumWeak", { rsi: round2(t.rsi), min: p.rsiMomentumMin });
  }
  if (rsi > p.rsiMomentumMax)
    return noSetup(MODEL, "overextended", { rsi: round2(t.rsi), max: p.rsiMomentumMax });

  const levels = trendLevels(snap, side, p, false);
  if (levels._tag === "Rejected") return { _tag: "NoSetup", model: MODEL, reason: levels.reason };

  const w = p.continuationWeights;
  const biasAtr = (s * (bias.close - bias.ema)) / bias.atr;
  const spreadAtr = (s * (t.emaFast - t.emaSlow)) / t.atr;
  const diAligned = s * (t.plusDi - t.minusDi) > 0;
  const rocAtr = (s * t.roc * c.close) / 100 / t.atr;
  const volumeRatio = c.volume / t.volumeAverage;
  const components = [
    component("dailyBias", ramp(biasAtr, 0, 2), w.dailyBias),
    component(
      "trendAlignment",
      0.5 * ramp(spreadAtr, 0, 1.5) + 0.5 * ramp((s * (c.close - t.emaFast)) / t.atr, 0, 1),
      w.trendAlignment,
    ),
    component("trendStrength", ramp(t.adx, p.adxMin, p.adxFull) * (diAligned ? 1 : 0.5), w.trendStrength),
    component(
      "momentum",
      0.5 * ramp(rsi, p.rsiMomentumMin, (p.rsiMomentumMin + p.rsiMomentumMax) / 2) + 0.5 * ramp(rocAtr, 0, 2),
      w.momentum,
    ),
    component("trigger", candleStrength(side, c.open, c.high, c.low, c.close), w.trigger),
    component("volume", ramp(volumeRatio, 0.8, 2), w.volume),
    component("volatility", volatilityFraction(t.atr, c.close), w.volatility),
  ];

  const reasons: Reason[] = [
    { code: "dailyBias", data: { timeframe: "1d", ema: p.biasEma, distanceAtr: round2(biasAtr) } },
    { code: "trendAligned", data: { timeframe: "4h", adx: round2(t.adx) } },
    { code: "pullbackResumed", data: { ema: p.trendEmaFast, timeframe: "4h" } },
    { code: "momentum", data: { rsi: round2(t.rsi), roc: round2(t.roc), timeframe: "4h" } },
  ];
  if (volumeRatio > 1) reasons.push({ code: "volumeAboveAverage", data: { ratio: round2(volumeRatio) } });

  return buildSetup(snap, MODEL, side, levels, totalScore(components), components, reasons);
};

/** The continuation model as a plug-in: it reads the snapshot only; its chart line is the pullback EMA. */
export const continuationModel: Model = {
  name: MODEL,
  label: { vi: "Tiếp diễn xu hướng", en: "Trend continuation" },
  create: ({ params }) => ({
    warmup: warmupCandles(params),
    cadence: "trendClose",
    evaluate: (snap) => continuation(snap, params),
  }),
  chartLines: (candles) => {
    const n = DEFAULT_PARAMS.trendEmaFast;
    return [
      {
        name: { vi: `EMA${n} (đường hồi về)`, en: `EMA${n}` },
        color: "#ffb74d",
        values: ema(
          candles.map((c) => c.close),
          n,
        ),
      },
    ];
  },
};
