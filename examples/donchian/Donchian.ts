/**
 * An example third model, written against `@signalbot/core` only, as another bot would: a Donchian channel
 * breakout on 4h closes. A LONG when the 4h candle closing with the trigger closes above the highest high of
 * the `period` 4h candles before it (a SHORT below their lowest low), in the direction of the 1d bias. The
 * channel is the model's own state — two rolling extremes fed every closed 4h candle, a corrected candle
 * replacing the last one — while the 4h ATR, swing, ADX and volume average come from the analyzer's snapshot;
 * stops and targets are the built-in models' (`trendLevels`: beyond the 4h swing, ≥ 2 4h ATRs, 1R/2R/3R).
 *
 * Not a default model of the bot: register it (`MODELS=continuation,reversal,./examples/donchian/Donchian.ts`,
 * or the backtest's `--models`), or in code: `new SymbolAnalyzer(symbol, { models: [...DEFAULT_MODELS,
 * donchianBreakout()] })`.
 */
import {
  buildSetup,
  component,
  type Model,
  noSetup,
  type Reason,
  RollingMax,
  RollingMin,
  ramp,
  rollingMax,
  rollingMin,
  round2,
  type Side,
  totalScore,
  trendLevels,
  warmupCandles,
} from "@signalbot/core";

export interface DonchianOptions {
  /** 4h candles in the channel, the breakout candle excluded (default 20). */
  readonly period?: number;
  /** The model's name (default "donchian"): its signals, trades and statistics go by it. */
  readonly name?: string;
}

/** Points per component (sum 100): a first guess, to be fitted to outcomes like the built-ins' weights. */
const WEIGHTS = { breakout: 30, trendStrength: 30, volume: 20, dailyBias: 20 } as const;

/** A Donchian breakout model; `export default` below registers it with the defaults. */
export const donchianBreakout = (options: DonchianOptions = {}): Model => {
  const period = options.period ?? 20;
  const name = options.name ?? "donchian";
  if (!Number.isInteger(period) || period < 2)
    throw new RangeError(`period must be a whole number ≥ 2, got ${period}`);
  // The answers without data, built once (most trigger candles end in one of them).
  const inside = noSetup(name, "insideChannel", { period });
  const againstBias = noSetup(name, "againstDailyBias");
  return {
    name,
    label: { vi: "Phá vỡ kênh Donchian", en: "Donchian breakout" },
    create: ({ params }) => {
      const high = new RollingMax(period);
      const low = new RollingMin(period);
      // The channel of the `period` candles before the last 4h candle: what that candle broke out of.
      let upper = Number.NaN;
      let lower = Number.NaN;
      const snapshotNeeds = warmupCandles(params);
      return {
        warmup: { ...snapshotNeeds, "4h": Math.max(snapshotNeeds["4h"], period + 1) },
        update: (timeframe, candle, replacing) => {
          if (timeframe !== "4h") return;
          if (replacing) {
            // The same candle corrected: the channel before it is unchanged, only the candle is redone.
            high.replace(candle.high);
            low.replace(candle.low);
            return;
          }
          upper = high.value;
          lower = low.value;
          high.add(candle.high);
          low.add(candle.low);
        },
        // It can only fire on a 4h close: the analyzer answers the other trigger candles itself.
        cadence: "trendClose",
        evaluate: (snap) => {
          const { trend: t, bias } = snap;
          const c = t.candle;
          const side: Side | undefined = c.close > upper ? "LONG" : c.close < lower ? "SHORT" : undefined;
          if (side === undefined) return inside;
          const s = side === "LONG" ? 1 : -1;
          if (!(s * (bias.close - bias.ema) > 0)) return againstBias;
          const levels = trendLevels(snap, side, params, false);
          if (levels._tag === "Rejected") return { _tag: "NoSetup", model: name, reason: levels.reason };
          const level = s > 0 ? upper : lower;
          const depthAtr = (s * (c.close - level)) / t.atr;
          const volumeRatio = c.volume / t.volumeAverage;
          const biasAtr = (s * (bias.close - bias.ema)) / bias.atr;
          const components = [
            component("breakout", ramp(depthAtr, 0, 1), WEIGHTS.breakout),
            component("trendStrength", ramp(t.adx, params.adxMin, params.adxFull), WEIGHTS.trendStrength),
            component("volume", ramp(volumeRatio, 1, 2), WEIGHTS.volume),
            component("dailyBias", ramp(biasAtr, 0, 2), WEIGHTS.dailyBias),
          ];
          const reasons: Reason[] = [
            { code: "channelBreakout", data: { period, level, depthAtr: round2(depthAtr), timeframe: "4h" } },
            {
              code: "dailyBias",
              data: { timeframe: "1d", ema: params.biasEma, distanceAtr: round2(biasAtr) },
            },
          ];
          if (volumeRatio > 1)
            reasons.push({ code: "volumeAboveAverage", data: { ratio: round2(volumeRatio) } });
          return buildSetup(snap, name, side, levels, totalScore(components), components, reasons);
        },
      };
    },
    // Its own reason codes in words (the others, e.g. dailyBias, are the bot's).
    phrases: {
      channelBreakout: (d, language) =>
        language === "vi"
          ? `Nến 4h đóng cửa vượt kênh Donchian ${d?.period ?? period} nến (mức ${d?.level ?? "?"}, cách ${d?.depthAtr ?? "?"} ATR)`
          : `The 4h candle closed beyond the ${d?.period ?? period}-candle Donchian channel (level ${d?.level ?? "?"}, ${d?.depthAtr ?? "?"} ATR beyond)`,
      insideChannel: (d, language) =>
        language === "vi"
          ? `Nến 4h đóng cửa trong kênh Donchian ${d?.period ?? period} nến`
          : `The 4h candle closed inside the ${d?.period ?? period}-candle Donchian channel`,
      againstDailyBias: (_, language) =>
        language === "vi" ? "Hướng phá vỡ ngược xu hướng khung 1d" : "The breakout is against the 1d bias",
    },
    // The channel on the signal's chart: the highest high and lowest low of the `period` candles before each.
    chartLines: (candles) => {
      const before = (xs: readonly number[]) => [Number.NaN, ...xs.slice(0, -1)];
      const upper = before(
        rollingMax(
          candles.map((c) => c.high),
          period,
        ),
      );
      const lower = before(
        rollingMin(
          candles.map((c) => c.low),
          period,
        ),
      );
      const name = { vi: `Kênh Donchian (${period})`, en: `Donchian channel (${period})` };
      return [
        { name, values: upper, color: "#4dd0e1" },
        { name: "", values: lower, color: "#4dd0e1" },
      ];
    },
  };
};

export default donchianBreakout();
