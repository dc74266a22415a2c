/**
 * The data behind the dashboard's charts, as TradingView Lightweight Charts takes it (times in UTC seconds):
 * a trade's or a signal's 4h candles (the setup timeframe) with volume, the model's own lines (the same EMA/Bollinger as the
 * Telegram chart), the entry, stop and target levels and markers at the trigger and at every fill; and the
 * equity and drawdown curves. Candles come from the loop's memory; a signal on a symbol no longer watched is
 * fetched once through MarketData (the REST weight governor) and kept.
 */
import { CHART_COLORS, modelLines } from "@signalbot/adapters/chart";
import {
  type Candle,
  DEFAULT_MODELS,
  MarketData,
  type Model,
  Pipeline,
  SETUP_TIMEFRAME,
  type Setup,
  type Signal,
  SignalStore,
  TIMEFRAME_MS,
  type VirtualTrade,
} from "@signalbot/core";
import { Clock, Effect } from "effect";
import type { ChartData } from "./ChartData.ts";
import type { DashboardLoop } from "./DashboardView.ts";
import { type Lang, WORDS } from "./Dictionary.ts";
import type { EquityCurve } from "./EquityCurve.ts";

const STEP = TIMEFRAME_MS[SETUP_TIMEFRAME];
/** Candles shown before a trigger, and after it at most (a trade times out after 4 days by default). */
const BEFORE = 80;
const AFTER = 60;
/** Earlier candles read only to warm the lines up (EMA20, Bollinger 20). */
const WARMUP = 60;
/** Charts of signals on symbols no longer watched, fetched from the exchange once. */
const CACHE = 64;

const sec = (ms: number) => Math.floor(ms / 1000);
/** Open time of the chart candle `time` falls in (a fill at a close belongs to the candle that closed). */
const candleOf = (time: number) => Math.floor((time - 1) / STEP) * STEP;

const FILL_TEXT: Readonly<Record<string, string>> = {
  tp1: "TP1",
  tp2: "TP2",
  tp3: "TP3",
  stop: "SL",
  breakeven: "BE",
  timeout: "⏱",
};

const candleChart = (
  lang: Lang,
  models: readonly Model[],
  candles: readonly Candle[],
  shownFrom: number,
  /** `candleOpenTime`: the open of the chart candle the trigger closed. */
  setup: Pick<Setup, "model" | "side" | "entry" | "stop" | "targets" | "candleOpenTime">,
  trade: VirtualTrade | undefined,
): ChartData => {
  const w = WORDS[lang];
  const first = Math.max(
    0,
    candles.findIndex((c) => c.openTime >= shownFrom),
  );
  const shown = candles.slice(first);
  const model = models.find((m) => m.name === setup.model);
  const lines = modelLines(model, candles, lang).map((l) => ({
    name: l.name,
    color: l.color,
    dashed: l.dashed === true,
    points: l.values
      .slice(first)
      .flatMap((value, j) => (Number.isFinite(value) ? [{ time: sec(shown[j]!.openTime), value }] : [])),
  }));
  const levels: ChartData["levels"][number][] = [
    { price: setup.entry, label: w.entry, color: CHART_COLORS.entry, dashed: false },
    { price: trade?.stop ?? setup.stop, label: w.stop, color: CHART_COLORS.stop, dashed: false },
    ...setup.targets.map((price, i) => ({
      price,
      label: `TP${i + 1}`,
      color: CHART_COLORS.target,
      dashed: trade !== undefined && i < trade.targetsHit,
    })),
  ];
  if (trade !== undefined && trade.stop !== trade.initialStop)
    levels.push({ price: trade.initialStop, label: w.initialStop, color: CHART_COLORS.stop, dashed: true });
  const long = setup.side === "LONG";
  const markers: ChartData["markers"][number][] = [
    {
      time: sec(setup.candleOpenTime),
      position: long ? "belowBar" : "aboveBar",
      shape: long ? "arrowUp" : "arrowDown",
      color: CHART_COLORS.entry,
      text: w.entry,
    },
  ];
  for (const f of trade?.fills.slice(1) ?? []) {
    const win = f.kind.startsWith("tp");
    markers.push({
      time: sec(candleOf(f.time)),
      position: long === win ? "aboveBar" : "belowBar",
      shape: "circle",
      color: win ? CHART_COLORS.target : f.kind === "timeout" ? CHART_COLORS.axis : CHART_COLORS.stop,
      text: FILL_TEXT[f.kind] ?? f.kind,
    });
  }
  const inRange = new Set(shown.map((c) => sec(c.openTime)));
  return {
    candles: shown.map((c) => ({
      time: sec(c.openTime),
      open: c.open,
      high: c.high,
      low: c.low,
      close: c.close,
    })),
    volumes: shown.map((c) => ({
      time: sec(c.openTime),
      value: c.volume,
      color: `${c.close >= c.open ? CHART_COLORS.up : CHART_COLORS.down}66`,
    })),
    lines,
    levels,
    markers: markers.filter((m) => inRange.has(m.time)).sort((a, b) => a.time - b.time),
  };
};

export const equityChart = (lang: Lang, curve: EquityCurve): ChartData => ({
  candles: [],
  volumes: [],
  lines: [],
  levels: [],
  markers: [],
  equity: curve.points.map((p) => ({ time: sec(p.time), value: Math.round(p.equity * 100) / 100 })),
  drawdown: curve.points.map((p) => ({ time: sec(p.time), value: Math.round(p.drawdownPct * 100) / 100 })),
  labels: { equity: `${WORDS[lang].equity} (USDT)`, drawdown: `${WORDS[lang].drawdown} (%)` },
});

export type ChartServices = SignalStore | Pipeline | MarketData;

export const makeCharts = (loop: DashboardLoop, models: readonly Model[] = DEFAULT_MODELS) => {
  const fetched = new Map<string, readonly Candle[]>();

  /** Chart candles of `symbol` with open times in [from, to]: the loop's if it holds them all, else the exchange's. */
  const candlesBetween = (symbol: string, from: number, to: number) =>
    Effect.gen(function* () {
      const held = loop.candles(symbol, 500);
      if (held !== undefined && held.length > 0 && held[0]!.openTime <= from)
        return held.filter((c) => c.openTime >= from && c.openTime <= to);
      const key = `${symbol}|${from}|${to}`;
      const cached = fetched.get(key);
      if (cached !== undefined) return cached;
      const md = yield* MarketData;
      const got = yield* md
        .klines({
          symbol,
          timeframe: SETUP_TIMEFRAME,
          startTime: from,
          endTime: to,
          limit: Math.ceil((to - from) / STEP) + 1,
        })
        .pipe(Effect.orElseSucceed((): readonly Candle[] => []));
      if (got.length > 0) {
        if (fetched.size >= CACHE) fetched.delete(fetched.keys().next().value as string);
        fetched.set(key, got);
      }
      return got;
    });

  /** An open trade's chart, from the candles before its entry to the last closed one. */
  const trade = (id: string, lang: Lang) =>
    Effect.gen(function* () {
      const { book } = yield* Pipeline;
      const t = book.all().find((x) => x.id === id);
      if (t === undefined) return undefined;
      const trigger = t.openedAt - STEP;
      const candles = loop.candles(t.symbol, 500) ?? [];
      return candleChart(
        lang,
        models,
        candles,
        trigger - BEFORE * STEP,
        { ...t, candleOpenTime: trigger, stop: t.initialStop },
        t,
      );
    });

  /** A recent signal's chart around its trigger candle, with its trade's fills when the trade is known. */
  const signal = (key: string, lang: Lang) =>
    Effect.gen(function* () {
      const store = yield* SignalStore;
      const s: Signal | undefined = (yield* store.recentSignals(300)).find((x) => x.key === key);
      if (s === undefined) return undefined;
      const st = s.setup;
      // The chart candle that closed with the trigger (the 30m trigger completes it).
      const trigger = st.time - STEP;
      const now = yield* Clock.currentTimeMillis;
      // Window ends on a candle that closed by now; the key makes a refetch happen once per new candle at most.
      const to = Math.min(trigger + AFTER * STEP, candleOf(now) - STEP);
      const from = trigger - (BEFORE + WARMUP) * STEP;
      const candles = yield* candlesBetween(st.symbol, from, Math.max(to, trigger));
      const { book } = yield* Pipeline;
      const open = book.all().find((x) => x.id === key);
      const closed =
        open === undefined && s.status === "emitted"
          ? (yield* store.closedTrades(st.time)).find((x) => x.id === key)
          : undefined;
      return candleChart(
        lang,
        models,
        candles,
        trigger - BEFORE * STEP,
        { ...st, candleOpenTime: trigger },
        open ?? closed,
      );
    });

  return { trade, signal };
};
