/**
 * The model plug-in interface: what the analyzer runs on every closed trigger candle of a symbol. A model reads
 * the multi-timeframe snapshot (and, if it wants, indicators of its own fed every closed candle) and answers
 * with a `Setup` or a `NoSetup` and its reason. The two built-in models are plain `Model`s like any other;
 * everything downstream (gates, memory, trades, reports, messages) knows a model only by its `name`.
 */
import type { Candle, Timeframe } from "../model/Candle.ts";
import type { Evaluation, ModelName, Reason } from "../model/Signal.ts";
import type { StrategyParams } from "./Params.ts";
import type { Snapshot } from "./Snapshot.ts";

/** The languages people read the bot in: the Telegram messages are Vietnamese, the dashboard vi or en. */
export type Language = "vi" | "en";

/** A name shown to people: one text for every language, or one per language. */
export type Label = string | { readonly vi: string; readonly en: string };

/** `label` in `language`. */
export const labelText = (label: Label, language: Language = "vi"): string =>
  typeof label === "string" ? label : label[language];

/** A line a model draws on its signal charts, aligned with the candles it was computed from. */
export interface ChartLine {
  /** Legend text; "" = not in the legend (e.g. the second and third line of a band). */
  readonly name: Label;
  /** One value per candle (NaN while undefined, e.g. during an indicator's warm-up). */
  readonly values: readonly number[];
  readonly dashed?: boolean;
  /** A CSS colour; absent = the chart's palette picks one. */
  readonly color?: string;
}

/** What a model is given for each symbol it analyses. */
export interface ModelContext {
  readonly symbol: string;
  /**
   * The analyzer's strategy parameters: the periods of the snapshot's indicators and the built-in models'
   * rules. A custom model normally brings its own settings (e.g. in a factory's arguments).
   */
  readonly params: StrategyParams;
}

/** One symbol's instance of a model: created by `Model.create`, owned by that symbol's analyzer. */
export interface ModelInstance {
  /**
   * Closed candles needed per timeframe before `evaluate` is asked (a timeframe left out needs none): until
   * then the analyzer answers `NoSetup` "warmup" {timeframe, need} for the model. Include what the snapshot
   * values you read need (`warmupCandles(params)` covers all of them) and what your own indicators need. At
   * most the series capacity (500 by default). A timeframe the model needs is also checked for freshness:
   * `NoSetup` "staleTimeframe" when its last 4h (1d) candle closed more than two periods before the trigger.
   */
  readonly warmup: Partial<Readonly<Record<Timeframe, number>>>;
  /**
   * Optional: called after the analyzer took a closed candle of any timeframe, for the model's own
   * incremental state. `replacing` is true when the candle corrects the last one (same open time, e.g. the
   * exchange's 4h candle replacing the bot's own aggregate): undo-and-redo it (`replace` on the streaming
   * indicators), never count it twice. Candles come in event-time order; a 4h/1d candle only once closed.
   */
  readonly update?: (timeframe: Timeframe, candle: Candle, replacing: boolean) => void;
  /**
   * Optional: `"trendClose"` for a model that can only find a setup on a trigger candle closing a 4h candle
   * (`onTrendClose(snapshot)`), as the built-in models: on the seven trigger candles of eight that close none,
   * the analyzer answers `NoSetup` "betweenTrendCloses" itself, without asking `evaluate` (after the warm-up
   * and freshness checks, as always). Default `"trigger"`: asked on every trigger candle.
   */
  readonly cadence?: "trigger" | "trendClose";
  /**
   * The model's answer for the trigger candle that just closed (`snapshot.trigger.candle`), from data up to
   * it only. A `Setup` is best built with `buildSetup` (levels from `placeLevels`/`trendLevels`, score from
   * `component`/`totalScore`); a `NoSetup` with `noSetup`. The analyzer checks every setup (`setupProblem`)
   * and turns a malformed one into `NoSetup` "invalidSetup" {problem}: it never reaches the gates.
   */
  readonly evaluate: (snapshot: Snapshot) => Evaluation;
}

/**
 * A model, registered in the analyzer's configuration (`new SymbolAnalyzer(symbol, { models })`,
 * `new SymbolState(symbol, info, { models })`, the backtest's `--models`, the bot's MODELS).
 */
export interface Model {
  /**
   * Unique among the registered models: a letter, then letters and digits ("donchian", "rsi2"). It keys the
   * model's signals (`signalKey`), trades, memory statistics and report rows, so keep it once it has traded.
   */
  readonly name: ModelName;
  /** How messages and the dashboard name it (default: `name`). */
  readonly label?: Label;
  /** A fresh instance for one symbol (its own state, if it keeps any). */
  readonly create: (context: ModelContext) => ModelInstance;
  /**
   * Optional: sentences for the model's own reason codes (in a `Setup`'s reasons or a `NoSetup`), by code, in
   * the language asked (Vietnamese in the Telegram messages). Codes the bot already phrases (the built-in
   * models' `ReasonCode`s, the gates') keep their sentence; a code phrased nowhere is quoted as a code.
   */
  readonly phrases?: Readonly<Record<string, (data: Reason["data"], language: Language) => string>>;
  /**
   * Optional: the lines a signal's chart draws over the setup-timeframe candles (4h, `SETUP_TIMEFRAME`), oldest
   * first; the chart shows the last 80 of them, the ones before warm the lines up.
   */
  readonly chartLines?: (candles: readonly Candle[]) => readonly ChartLine[];
}

const NAME = /^[a-z][a-zA-Z0-9]*$/;

/** Whether `name` can name a model: a lowercase letter, then letters and digits ("donchian", "rsi2"). */
export const isModelName = (name: string): boolean => NAME.test(name);

/** Whether `value` has a model's shape (a name and a `create` function): what a module must export. */
export const isModel = (value: unknown): value is Model =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as Model).name === "string" &&
  typeof (value as Model).create === "function";

/**
 * Throws a RangeError naming the problem when a models list cannot be registered: a name that is not an
 * identifier starting with a lowercase letter, or two models with one name. A configuration bug, caught at
 * start-up.
 */
export const checkModels = (models: readonly Model[]): void => {
  const seen = new Set<string>();
  for (const m of models) {
    if (!isModel(m))
      throw new RangeError(`not a model (expected an object with a name and create): ${String(m)}`);
    if (!isModelName(m.name))
      throw new RangeError(
        `model name "${m.name}" must be a lowercase letter followed by letters and digits (e.g. "donchian")`,
      );
    if (seen.has(m.name)) throw new RangeError(`two models are named "${m.name}"`);
    seen.add(m.name);
  }
};

/** How people see the model `name`: its label among `models` in `language`, else the name itself. */
export const modelLabel = (models: readonly Model[], name: ModelName, language: Language = "vi"): string => {
  const label = models.find((m) => m.name === name)?.label;
  return label === undefined ? name : labelText(label, language);
};

/**
 * The models a report lists, in order: the registered ones (even without trades), then any other name found
 * in `seen` (trades of a model no longer registered, restored from the database), in the order first seen.
 */
export const reportedModels = (
  models: readonly (Model | ModelName)[],
  seen: Iterable<{ readonly model: ModelName }> = [],
): ModelName[] => {
  const out = models.map((m) => (typeof m === "string" ? m : m.name));
  const known = new Set(out);
  for (const { model } of seen)
    if (!known.has(model)) {
      known.add(model);
      out.push(model);
    }
  return out;
};

/** The sentence for the reason `code` that one of `models` supplies (`Model.phrases`), if any. */
export const modelPhrase = (
  models: readonly Model[],
  reason: Reason,
  language: Language = "vi",
): string | undefined => {
  for (const m of models) {
    const f = m.phrases?.[reason.code];
    if (f !== undefined) return f(reason.data, language);
  }
  return undefined;
};
