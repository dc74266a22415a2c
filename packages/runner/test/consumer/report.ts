/**
 * What a stranger's program does with `@signalbot/core`, as one JSON-able report: batch indicators on real
 * BTCUSDT 4h candles, the analyzer on BTCUSDT's three timeframes, the analyzer with a model of the stranger's
 * own beside the built-in ones, position sizing of its last setup, and the memory service (an Effect layer).
 * The packaging test runs it from the installed tarballs under Node and Bun and compares the result with the
 * same report computed from this repository's sources; to check more of the library from a published
 * install, add an entry here.
 */
import {
  adx,
  atr,
  bollinger,
  buildSetup,
  component,
  DEFAULT_MODELS,
  defaultMemoryConfig,
  ema,
  Memory,
  type Model,
  macd,
  modelLabel,
  noSetup,
  onTrendClose,
  positionSize,
  RollingMax,
  roc,
  rsi,
  type Setup,
  SymbolAnalyzer,
  sma,
  totalScore,
  trendLevels,
  warmupCandles,
} from "@signalbot/core";
import { loadKlines, loadSymbolKlines, MemoryStoreMemory, replay } from "@signalbot/core/testing";
import { Effect, Layer } from "effect";

/** BTCUSDT's real filters on Binance USD-M (fixtures/api-samples/usdm-symbol-filters.json). */
const BTCUSDT = { symbol: "BTCUSDT", tickSize: "0.10", stepSize: "0.001", minNotional: 50 } as const;

/**
 * A model of the stranger's own, through the plug-in interface and its helpers: a LONG when a 4h candle closes
 * above the highest high of the 20 before it (its own state, fed closed 4h candles, a correction replacing).
 */
const breakout: Model = {
  name: "breakout",
  label: { vi: "Phá vỡ đỉnh 20 nến", en: "20-candle breakout" },
  create: ({ params }) => {
    const highs = new RollingMax(20);
    let channel = Number.NaN;
    const need = warmupCandles(params);
    return {
      warmup: { ...need, "4h": Math.max(need["4h"], 21) },
      update: (timeframe, candle, replacing) => {
        if (timeframe !== "4h") return;
        if (replacing) highs.replace(candle.high);
        else {
          channel = highs.value;
          highs.add(candle.high);
        }
      },
      evaluate: (snap) => {
        if (!onTrendClose(snap) || !(snap.trend.close > channel)) return noSetup("breakout", "noBreakout");
        const levels = trendLevels(snap, "LONG", params, false);
        if (levels._tag === "Rejected") return noSetup("breakout", levels.reason.code, levels.reason.data);
        const score = [component("trendStrength", (snap.trend.adx - 15) / 20, 100)];
        return buildSetup(snap, "breakout", "LONG", levels, totalScore(score), score, [{ code: "breakout" }]);
      },
    };
  },
};

/** `dataDir` holds BTCUSDT-30m/4h/1d.csv.gz. */
export const report = async (dataDir: string) => {
  const candles = loadKlines("BTCUSDT", "4h", dataDir);
  const high = candles.map((c) => c.high);
  const low = candles.map((c) => c.low);
  const close = candles.map((c) => c.close);
  const bands = bollinger(close, 20, 2);
  const lines = macd(close, 12, 26, 9);
  // Named as in the TA-Lib reference files (fixtures/talib).
  const indicators = {
    sma20: sma(close, 20),
    ema20: ema(close, 20),
    ema50: ema(close, 50),
    ema200: ema(close, 200),
    rsi14: rsi(close, 14),
    atr14: atr(high, low, close, 14),
    bbUpper20_2: bands.upper,
    bbMiddle20_2: bands.middle,
    bbLower20_2: bands.lower,
    roc10: roc(close, 10),
    macd: lines.macd,
    macdSignal: lines.signal,
    macdHist: lines.hist,
    adx14: adx(high, low, close, 14),
  };

  const analyzer = new SymbolAnalyzer("BTCUSDT");
  const setups: Setup[] = [];
  replay(analyzer, loadSymbolKlines("BTCUSDT", dataDir), () => {
    for (const e of analyzer.evaluate()) if (e._tag === "Setup") setups.push(e.setup);
  });
  // The same candles with the custom model registered beside the built-in ones.
  const withCustom = new SymbolAnalyzer("BTCUSDT", { models: [...DEFAULT_MODELS, breakout] });
  const beside: Setup[] = [];
  replay(withCustom, loadSymbolKlines("BTCUSDT", dataDir), () => {
    for (const e of withCustom.evaluate()) if (e._tag === "Setup") beside.push(e.setup);
  });
  const custom = beside.filter((s) => s.model === "breakout");
  const builtIns = beside.filter((s) => s.model !== "breakout");
  const last = setups.at(-1);
  const sizing =
    last === undefined
      ? undefined
      : positionSize({ equity: 1000, riskPercent: 1, entry: last.entry, stop: last.stop, info: BTCUSDT });

  const decision = await Effect.runPromise(
    Effect.flatMap(Memory, (memory) => memory.canTrade("BTCUSDT", last?.model ?? "reversal")).pipe(
      Effect.provide(Memory.layer(defaultMemoryConfig).pipe(Layer.provide(MemoryStoreMemory.layer()))),
    ),
  );

  return {
    runtime: "Bun" in globalThis ? "bun" : "node",
    indicators,
    setups: setups.map((s) => ({
      time: new Date(s.time).toISOString(),
      model: s.model,
      side: s.side,
      entry: s.entry,
      stop: s.stop,
      targets: s.targets,
      score: s.score,
    })),
    sizing,
    memory: decision._tag,
    customModel: {
      models: withCustom.models,
      label: modelLabel([...DEFAULT_MODELS, breakout], "breakout"),
      setups: custom.map((s) => ({
        time: new Date(s.time).toISOString(),
        entry: s.entry,
        stop: s.stop,
        score: s.score,
      })),
      builtInsUnchanged: JSON.stringify(builtIns) === JSON.stringify(setups),
    },
  };
};
