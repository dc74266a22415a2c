import { describe, expect, test } from "bun:test";
import { FIXTURE_KLINES_DIR } from "../../../../fixtures/index.ts";
import { Ema } from "../indicator/Ema.ts";
import type { Candle, Timeframe } from "../model/Candle.ts";
import type { Evaluation } from "../model/Signal.ts";
import { loadSymbolKlines, replay } from "../testing/klines.ts";
import { SymbolState } from "../usecase/SymbolState.ts";
import { SymbolAnalyzer } from "./Analyzer.ts";
import { DEFAULT_MODELS } from "./BuiltInModels.ts";
import { continuation, continuationModel } from "./Continuation.ts";
import { placeLevels } from "./Levels.ts";
import { checkModels, type Model, modelLabel, reportedModels } from "./Model.ts";
import { makeParams } from "./Params.ts";
import { reversal, reversalModel } from "./Reversal.ts";
import { buildSetup, noSetup } from "./Setup.ts";
import { warmupCandles } from "./Snapshot.ts";

const btc = loadSymbolKlines("BTCUSDT", FIXTURE_KLINES_DIR);
const LIMIT = 4000;

/** Every answer after each closed 30m candle of BTCUSDT (the first `LIMIT`). */
const answers = (a: SymbolAnalyzer, limit = LIMIT): (readonly Evaluation[])[] => {
  const out: (readonly Evaluation[])[] = [];
  replay(a, btc, (i) => (out[i] = a.evaluate()), limit);
  return out;
};

/** A model that answers `answer(snapshot)`; warm-up as given. */
const modelOf = (
  name: string,
  warmup: Partial<Record<Timeframe, number>>,
  answer: (snap: SymbolAnalyzer) => Evaluation = () => noSetup(name, "nothing"),
): Model => ({ name, create: () => ({ warmup, evaluate: (snap) => answer(snap as SymbolAnalyzer) }) });

describe("the built-in models are plug-ins like any other", () => {
  test("the default analyzer runs continuation then reversal, answer for answer as the model functions", () => {
    const a = new SymbolAnalyzer("BTCUSDT");
    expect(a.models).toEqual(["continuation", "reversal"]);
    expect(DEFAULT_MODELS.map((m) => m.name)).toEqual(["continuation", "reversal"]);
    const need = warmupCandles(a.params);
    let setups = 0;
    replay(
      a,
      btc,
      () => {
        const [c, r] = a.evaluate();
        if (a.bias.count < need["1d"] || a.trend.count < need["4h"] || a.trigger.count < need["30m"]) return;
        expect(c).toEqual(continuation(a, a.params));
        expect(r).toEqual(reversal(a, a.params));
        if (c?._tag === "Setup") setups++;
        if (r?._tag === "Setup") setups++;
      },
      LIMIT,
    );
    expect(setups).toBeGreaterThan(10);
  });

  test("a model registered beside them changes none of their answers, and answers in its place", () => {
    const plain = answers(new SymbolAnalyzer("BTCUSDT"));
    const quiet = modelOf("quiet", { "4h": 5 });
    const withIt = answers(
      new SymbolAnalyzer("BTCUSDT", { models: [continuationModel, quiet, reversalModel] }),
    );
    withIt.forEach((es, i) => {
      expect([es[0], es[2]]).toEqual([...plain[i]!]);
      expect(es[1]).toMatchObject({ _tag: "NoSetup", model: "quiet" });
    });
    expect(withIt.at(-1)![1]).toEqual({ _tag: "NoSetup", model: "quiet", reason: { code: "nothing" } });
  });

  test("labels name them (Vietnamese for the messages, English for the dashboard); an unknown model by its name", () => {
    expect(modelLabel(DEFAULT_MODELS, "continuation")).toBe("Tiếp diễn xu hướng");
    expect(modelLabel(DEFAULT_MODELS, "reversal")).toBe("Đảo chiều Bollinger");
    expect(modelLabel(DEFAULT_MODELS, "reversal", "en")).toBe("Bollinger reversal");
    expect(modelLabel(DEFAULT_MODELS, "donchian")).toBe("donchian");
    expect(
      reportedModels(DEFAULT_MODELS, [{ model: "reversal" }, { model: "old" }, { model: "old" }]),
    ).toEqual(["continuation", "reversal", "old"]);
  });
});

describe("warm-up and freshness, per model", () => {
  // The history before BTCUSDT's first 30m candle: its 4h and 1d candles up to then.
  const t0 = btc["30m"][0]!.openTime;
  const days = btc["1d"].filter((c) => c.closeTime < t0).slice(-10);
  const h4 = btc["4h"].filter((c) => c.closeTime < t0).slice(-120);
  const codes = (a: SymbolAnalyzer) => a.evaluate().map((e) => (e._tag === "NoSetup" ? e.reason : "setup"));

  test("each model waits for its own warm-up (1d, then 4h, then 30m); the others are not held back", () => {
    const short = modelOf("short", { "30m": 3 });
    const long = modelOf("long", { "4h": 100, "1d": 10 });
    const a = new SymbolAnalyzer("BTCUSDT", { models: [short, long] });
    for (const c of days.slice(0, 5)) a.push("1d", c);
    for (const c of h4) a.push("4h", c);
    a.push("30m", btc["30m"][0]!);
    expect(codes(a)).toEqual([
      { code: "warmup", data: { timeframe: "30m", need: 3 } },
      { code: "warmup", data: { timeframe: "1d", need: 10 } },
    ]);
    a.push("30m", btc["30m"][1]!);
    a.push("30m", btc["30m"][2]!);
    expect(codes(a)).toEqual([{ code: "nothing" }, { code: "warmup", data: { timeframe: "1d", need: 10 } }]);
    for (const c of days.slice(5)) a.push("1d", c);
    a.push("30m", btc["30m"][3]!);
    expect(codes(a)).toEqual([{ code: "nothing" }, { code: "nothing" }]);
  });

  test("a model that needs no 1d candles runs without any; one that needs them is told they are stale", () => {
    const free = modelOf("free", { "4h": 2 });
    const daily = modelOf("daily", { "4h": 2, "1d": 1 });
    const a = new SymbolAnalyzer("BTCUSDT", { models: [free, daily] });
    a.push("1d", days[0]!); // ten days before the trigger: more than two 1d periods
    for (const c of h4) a.push("4h", c);
    a.push("30m", btc["30m"][0]!);
    expect(codes(a)).toEqual([{ code: "nothing" }, { code: "staleTimeframe", data: { timeframe: "1d" } }]);
    const none = new SymbolAnalyzer("BTCUSDT", { models: [free] });
    for (const c of h4) none.push("4h", c);
    none.push("30m", btc["30m"][0]!);
    expect(codes(none)).toEqual([{ code: "nothing" }]);
  });
});

/** A model with state of its own: an EMA(10) of 4h closes, fed by `update` with replace semantics. */
const emaTracker = (): { model: Model; values: number[] } => {
  const values: number[] = [];
  const model: Model = {
    name: "ema",
    create: () => {
      const ema = new Ema(10);
      return {
        warmup: { "4h": 10 },
        update: (timeframe, candle, replacing) => {
          if (timeframe !== "4h") return;
          values.push(replacing ? ema.replace(candle.close) : ema.add(candle.close));
        },
        evaluate: () => noSetup("ema", "watching", { ema: ema.value }),
      };
    },
  };
  return { model, values };
};

describe("a model's own state", () => {
  test("it sees every closed candle once, and a corrected candle replaces (never doubles) the last one", () => {
    const candles = btc["4h"].slice(0, 40);
    const corrected: Candle = { ...candles[39]!, close: candles[39]!.close * 1.01 };
    const clean = emaTracker();
    const a = new SymbolAnalyzer("X", { models: [clean.model] });
    for (const c of [...candles.slice(0, 39), corrected]) a.push("4h", c);
    const fixed = emaTracker();
    const b = new SymbolAnalyzer("X", { models: [fixed.model] });
    for (const c of candles) b.push("4h", c);
    expect(b.push("4h", corrected)._tag).toBe("Replaced");
    expect(b.push("4h", candles[10]!)._tag).toBe("Rejected");
    expect(fixed.values.length).toBe(41);
    expect(fixed.values.at(-1)).toBe(clean.values.at(-1)!);
    a.push("30m", btc["30m"][0]!);
    b.push("30m", btc["30m"][0]!);
    expect(b.evaluate()).toEqual(a.evaluate());
  });

  test("a live warm-up (SymbolState.warm) feeds it the history in event-time order, the timeframes interleaved", () => {
    const seen: { readonly timeframe: Timeframe; readonly closeTime: number }[] = [];
    const recorder: Model = {
      name: "recorder",
      create: () => ({
        warmup: {},
        update: (timeframe, candle) => void seen.push({ timeframe, closeTime: candle.closeTime }),
        evaluate: () => noSetup("recorder", "nothing"),
      }),
    };
    // As live: up to 500 candles of each timeframe, so the 1d history starts long before the 30m one.
    const end = btc["30m"][3000]!.closeTime;
    const last500 = (cs: readonly Candle[]) => cs.filter((c) => c.closeTime <= end).slice(-500);
    const history = { "30m": last500(btc["30m"]), "4h": last500(btc["4h"]), "1d": last500(btc["1d"]) };
    new SymbolState("BTCUSDT", undefined, { models: [recorder] }).warm(history);
    const rank = { "1d": 0, "4h": 1, "30m": 2 } as const;
    const inEventOrder = [...seen].sort(
      (a, b) => a.closeTime - b.closeTime || rank[a.timeframe] - rank[b.timeframe],
    );
    expect(seen).toEqual(inEventOrder);
    const count = (tf: Timeframe) => seen.filter((s) => s.timeframe === tf).length;
    expect([count("30m"), count("4h"), count("1d")]).toEqual([500, 500, history["1d"].length]);
    // Interleaved: 4h and 1d candles that closed during the 30m history come between its candles.
    const first30m = seen.findIndex((s) => s.timeframe === "30m");
    expect(seen.slice(first30m).filter((s) => s.timeframe === "4h").length).toBeGreaterThan(50);
    expect(seen.slice(first30m).filter((s) => s.timeframe === "1d").length).toBeGreaterThan(5);
  });

  test("each symbol's analyzer creates its own instance (one symbol's state never leaks into another's)", () => {
    const created: string[] = [];
    const model: Model = {
      name: "counter",
      create: ({ symbol, params }) => {
        created.push(`${symbol}:${params.rrMin}`);
        let n = 0;
        return { warmup: {}, update: () => void n++, evaluate: () => noSetup("counter", "seen", { n }) };
      },
    };
    const a = new SymbolAnalyzer("AUSDT", { models: [model], params: { rrMin: 2 } });
    const b = new SymbolAnalyzer("BUSDT", { models: [model], params: { rrMin: 2 } });
    a.push("30m", btc["30m"][0]!);
    a.push("30m", btc["30m"][1]!);
    b.push("30m", btc["30m"][0]!);
    expect(created).toEqual(["AUSDT:2", "BUSDT:2"]);
    expect(a.evaluate()[0]).toMatchObject({ reason: { data: { n: 2 } } });
    expect(b.evaluate()[0]).toMatchObject({ reason: { data: { n: 1 } } });
  });
});

describe("what the analyzer lets through", () => {
  /** A model that answers a LONG on every trigger candle, built with the helpers, then `spoil`ed. */
  const always = (spoil: (e: Extract<Evaluation, { _tag: "Setup" }>) => Evaluation): Model =>
    modelOf("always", { "4h": 20 }, (snap) => {
      const entry = snap.trigger.candle.close;
      const levels = placeLevels(
        { side: "LONG", entry, atr: snap.trend.atr, swing: snap.trend.swingLow, obstacle: Number.NaN },
        makeParams(),
      );
      if (levels._tag === "Rejected") return noSetup("always", levels.reason.code);
      const e = buildSetup(snap, "always", "LONG", levels, 80, [], [{ code: "always" }]);
      return e._tag === "Setup" ? spoil(e) : e;
    });
  const lastAnswer = (model: Model) => {
    const a = new SymbolAnalyzer("BTCUSDT", { models: [model] });
    replay(a, btc, () => {}, 600);
    return a.evaluate()[0]!;
  };

  test("a setup built with the helpers goes through as it is", () => {
    const e = lastAnswer(always((x) => x));
    expect(e._tag).toBe("Setup");
    if (e._tag !== "Setup") return;
    const trigger = btc["30m"][599]!;
    expect(e.setup).toMatchObject({
      symbol: "BTCUSDT",
      model: "always",
      timeframe: "30m",
      candleOpenTime: trigger.openTime,
      time: trigger.closeTime + 1,
      entry: trigger.close,
      score: 80,
    });
  });

  test("a malformed setup never reaches the gates: NoSetup invalidSetup says what is wrong", () => {
    const cases: [string, (e: Extract<Evaluation, { _tag: "Setup" }>) => Evaluation][] = [
      ["stop", (e) => ({ ...e, setup: { ...e.setup, stop: e.setup.entry * 1.01 } })],
      [
        "targets",
        (e) => ({
          ...e,
          setup: { ...e.setup, targets: [e.setup.targets[1], e.setup.targets[0], e.setup.targets[2]] },
        }),
      ],
      ["score", (e) => ({ ...e, setup: { ...e.setup, score: 120 } })],
      ["score", (e) => ({ ...e, setup: { ...e.setup, score: Number.NaN } })],
      ["model", (e) => ({ ...e, setup: { ...e.setup, model: "continuation" } })],
      [
        "trigger candle",
        (e) => ({ ...e, setup: { ...e.setup, candleOpenTime: e.setup.candleOpenTime - 1800_000 } }),
      ],
      ["symbol", (e) => ({ ...e, setup: { ...e.setup, symbol: "ETHUSDT" } })],
      ["entry", (e) => ({ ...e, setup: { ...e.setup, entry: 0 } })],
      ["model", () => noSetup("continuation", "nothing")],
    ];
    for (const [word, spoil] of cases) {
      const e = lastAnswer(always(spoil));
      expect(e).toMatchObject({ _tag: "NoSetup", model: "always", reason: { code: "invalidSetup" } });
      expect(e._tag === "NoSetup" ? String(e.reason.data?.problem) : "").toContain(word);
    }
  });

  test("a models list that cannot be registered is refused at construction, naming the problem", () => {
    const ok = modelOf("donchian", {});
    expect(() => checkModels([ok, modelOf("donchian", {})])).toThrow('two models are named "donchian"');
    expect(() => checkModels([modelOf("Donchian", {})])).toThrow('model name "Donchian"');
    expect(() => checkModels([modelOf("don-chian", {})])).toThrow("lowercase letter");
    expect(() => checkModels([{ name: "x" } as unknown as Model])).toThrow("not a model");
    expect(() => new SymbolAnalyzer("X", { models: [modelOf("big", { "4h": 501 })] })).toThrow(
      'model "big": warm-up of 501 4h candles',
    );
    expect(() => new SymbolAnalyzer("X", { models: [modelOf("odd", { "30m": 1.5 })] })).toThrow(
      "whole number",
    );
    expect(new SymbolAnalyzer("X", { models: [] }).evaluate()).toEqual([]);
  });
});

describe("cadence: a model answering on 4h closes only", () => {
  const counting = (cadence?: "trigger" | "trendClose") => {
    const asked: number[] = [];
    const model: Model = {
      name: "counting",
      create: () => ({
        warmup: { "4h": 5 },
        ...(cadence === undefined ? {} : { cadence }),
        evaluate: (snap) => {
          asked.push(snap.trigger.candle.closeTime);
          return noSetup("counting", "nothing");
        },
      }),
    };
    return { model, asked };
  };

  test('"trendClose": asked exactly on the trigger candles that close a 4h candle, "betweenTrendCloses" on the others', () => {
    const { model, asked } = counting("trendClose");
    const a = new SymbolAnalyzer("BTCUSDT", { models: [model] });
    const closes: number[] = [];
    const between: Evaluation[] = [];
    replay(
      a,
      btc,
      () => {
        const [e] = a.evaluate();
        if (e?._tag === "NoSetup" && e.reason.code === "warmup") return;
        if (a.trend.candle.closeTime === a.trigger.candle.closeTime) closes.push(a.trigger.candle.closeTime);
        else between.push(e!);
      },
      LIMIT,
    );
    expect(closes.length).toBeGreaterThan(LIMIT / 8 - 10);
    expect(asked).toEqual(closes);
    expect(between.length).toBeGreaterThan(6 * closes.length);
    for (const e of between)
      expect(e).toEqual({ _tag: "NoSetup", model: "counting", reason: { code: "betweenTrendCloses" } });
  });

  test('by default (or "trigger") it is asked on every trigger candle after its warm-up', () => {
    for (const cadence of [undefined, "trigger"] as const) {
      const { model, asked } = counting(cadence);
      const a = new SymbolAnalyzer("BTCUSDT", { models: [model] });
      let warm = 0;
      replay(
        a,
        btc,
        () => {
          const [e] = a.evaluate();
          if (!(e?._tag === "NoSetup" && e.reason.code === "warmup")) warm++;
        },
        LIMIT,
      );
      expect(asked.length).toBe(warm);
    }
  });

  test("an unknown cadence is refused when the analyzer is built, naming the model", () => {
    const odd = {
      name: "odd",
      create: () => ({ warmup: {}, cadence: "4h", evaluate: () => noSetup("odd", "nothing") }),
    } as unknown as Model;
    expect(() => new SymbolAnalyzer("BTCUSDT", { models: [odd] })).toThrow(
      'model "odd": cadence must be "trigger" or "trendClose", got 4h',
    );
  });
});
