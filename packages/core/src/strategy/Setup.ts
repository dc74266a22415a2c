/**
 * Building a model's answer: `NoSetup` with a reason code (constant objects for the built-in models' codes
 * that carry no data, so the common "nothing here" path does not allocate) or a `Setup` from the trigger
 * candle, levels and score; and the check every setup passes before it reaches the gates.
 */
import { type Candle, TIMEFRAME_MS, TRIGGER_TIMEFRAME } from "../model/Candle.ts";
import type { Evaluation, ModelName, Reason, ScoreComponent, Setup, Side } from "../model/Signal.ts";
import type { Levels } from "./Levels.ts";
import type { NoSetupCode } from "./Reasons.ts";
import type { Snapshot } from "./Snapshot.ts";

export const round2 = (x: number): number => Math.round(x * 100) / 100;

export type NoSetup = Extract<Evaluation, { _tag: "NoSetup" }>;

const PLAIN: readonly NoSetupCode[] = [
  "betweenTrendCloses",
  "noBias",
  "noTrigger",
  "noReentry",
  "invalidAtr",
];
const plain = (model: ModelName): ReadonlyMap<string, NoSetup> =>
  new Map(
    PLAIN.map((code) => [code, Object.freeze({ _tag: "NoSetup", model, reason: Object.freeze({ code }) })]),
  );
const PLAIN_BY_MODEL: ReadonlyMap<ModelName, ReadonlyMap<string, NoSetup>> = new Map([
  ["continuation", plain("continuation")],
  ["reversal", plain("reversal")],
]);

/**
 * `model` found no setup, because of `code` (a `NoSetupCode`, or a code of the model's own) and its `data`.
 * A custom model that answers the same data-less reason on most candles can keep that answer in a constant.
 */
export const noSetup = (
  model: ModelName,
  code: NoSetupCode | (string & {}),
  data?: Readonly<Record<string, number | string>>,
): NoSetup => {
  if (data === undefined) {
    const cached = PLAIN_BY_MODEL.get(model)?.get(code);
    if (cached !== undefined) return cached;
    return { _tag: "NoSetup", model, reason: { code } };
  }
  return { _tag: "NoSetup", model, reason: { code, data } };
};

/**
 * The `Setup` of `model` entering at the close of the snapshot's trigger candle (its key, time and entry),
 * with `levels` (from `placeLevels` or `trendLevels`), the score and its components, and the reasons in its
 * favour. `atr` is the 4h ATR the stop was measured in (override it when the levels used another).
 */
export const buildSetup = (
  snap: Snapshot,
  model: ModelName,
  side: Side,
  levels: Extract<Levels, { _tag: "Levels" }>,
  score: number,
  components: readonly ScoreComponent[],
  reasons: readonly Reason[],
  atr: number = snap.trend.atr,
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
      atr,
      score,
      components,
      reasons,
    },
  };
};

const finite = (x: number): boolean => Number.isFinite(x);

/**
 * What is wrong with a model's setup for the trigger candle `trigger` of `symbol`, or undefined: the analyzer
 * turns any such setup into `NoSetup` "invalidSetup", so the gates, the sizing and the virtual trades only
 * ever see an entry above 0, a stop strictly on the losing side, three targets strictly ordered on the
 * winning side, a positive reward/risk and a score from 0 to 100, keyed to the trigger candle.
 */
export const setupProblem = (
  setup: Setup,
  model: ModelName,
  symbol: string,
  trigger: Candle,
): string | undefined => {
  if (setup.model !== model) return `model is "${setup.model}", expected "${model}"`;
  if (setup.symbol !== symbol) return `symbol is "${setup.symbol}", expected "${symbol}"`;
  if (setup.timeframe !== TRIGGER_TIMEFRAME || setup.candleOpenTime !== trigger.openTime)
    return `not keyed to the trigger candle (${TRIGGER_TIMEFRAME} opening at ${trigger.openTime})`;
  if (setup.side !== "LONG" && setup.side !== "SHORT") return `side is "${String(setup.side)}"`;
  const { entry, stop, targets } = setup;
  if (!(finite(entry) && entry > 0)) return `entry ${entry} is not a positive price`;
  const s = setup.side === "LONG" ? 1 : -1;
  if (!(finite(stop) && s * (entry - stop) > 0)) return `stop ${stop} is not on the losing side of ${entry}`;
  if (targets.length !== 3 || !targets.every(finite)) return "expected three finite targets";
  const [t1, t2, t3] = targets;
  if (!(s * (t1 - entry) > 0 && s * (t2 - t1) > 0 && s * (t3 - t2) > 0))
    return `targets ${targets.join(", ")} are not strictly ordered on the winning side of ${entry}`;
  if (!(finite(setup.rr) && setup.rr > 0)) return `reward/risk ${setup.rr} is not positive`;
  if (!(setup.score >= 0 && setup.score <= 100)) return `score ${setup.score} is outside 0–100`;
  if (!finite(setup.atr)) return `atr ${setup.atr} is not a number`;
  return undefined;
};
