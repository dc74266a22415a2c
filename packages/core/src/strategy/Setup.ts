/**
 * Building a model's answer: `NoSetup` with a reason code (constant objects when the reason carries no data,
 * so the common "nothing here" path does not allocate) or a `Setup` from the trigger candle, levels and score.
 */
import { TIMEFRAME_MS, TRIGGER_TIMEFRAME } from "../model/Candle.ts";
import type { Evaluation, ModelName, Reason, ScoreComponent, Side } from "../model/Signal.ts";
import type { Levels } from "./Levels.ts";
import type { NoSetupCode } from "./Reasons.ts";
import type { Snapshot } from "./Snapshot.ts";

export const round2 = (x: number): number => Math.round(x * 100) / 100;

type NoSetup = Extract<Evaluation, { _tag: "NoSetup" }>;

const PLAIN: readonly NoSetupCode[] = [
  "betweenTrendCloses",
  "noBias",
  "noTrigger",
  "noReentry",
  "invalidAtr",
];
const plain = (model: ModelName): ReadonlyMap<NoSetupCode, NoSetup> =>
  new Map(
    PLAIN.map((code) => [code, Object.freeze({ _tag: "NoSetup", model, reason: Object.freeze({ code }) })]),
  );
const PLAIN_BY_MODEL: Readonly<Record<ModelName, ReadonlyMap<NoSetupCode, NoSetup>>> = {
  continuation: plain("continuation"),
  reversal: plain("reversal"),
};

export const noSetup = (
  model: ModelName,
  code: NoSetupCode,
  data?: Readonly<Record<string, number | string>>,
): NoSetup => {
  if (data === undefined) {
    const cached = PLAIN_BY_MODEL[model].get(code);
    if (cached !== undefined) return cached;
    return { _tag: "NoSetup", model, reason: { code } };
  }
  return { _tag: "NoSetup", model, reason: { code, data } };
};

export const buildSetup = (
  snap: Snapshot,
  model: ModelName,
  side: Side,
  levels: Extract<Levels, { _tag: "Levels" }>,
  score: number,
  components: readonly ScoreComponent[],
  reasons: readonly Reason[],
): Evaluation => {
  const c = snap.trigger.candle;
  return {
    _tag: "Setup",
    setup: {
      symbol: snap.symbol,
      model,
      side,
      timeframe: TRIGGER_TIMEFRAME,
      candleOpenTime: c.openTime,
      time: c.openTime + TIMEFRAME_MS[TRIGGER_TIMEFRAME],
      entry: c.close,
      stop: levels.stop,
      targets: levels.targets,
      rr: levels.rr,
      atr: snap.trend.atr,
      score,
      components,
      reasons,
    },
  };
};
