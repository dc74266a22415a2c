/**
 * Bench section `indicators`: our incremental indicators (`@signalbot/core`) against the two most used
 * JavaScript libraries, `technicalindicators` and `trading-signals`, on the same real series in the same run.
 * Reports ratios (their time ÷ ours), medians of several runs, and checks first that all three agree.
 */
import { Atr, atr, Bollinger, bollinger, Ema, ema, Rsi, rsi, Sma, sma } from "@signalbot/core";
import { loadKlines } from "@signalbot/core/testing";
import * as TI from "technicalindicators";
import * as TS from "trading-signals";
import type { BenchFigure, BenchSection } from "../cli/bench.ts";
import { benchKlinesDir, fmt, shownPath } from "./Data.ts";
import { median } from "./Stats.ts";

const RUNS = 9;
const WARMUP = 4;
/** Each timed run feeds the series this many times, so one run lasts long enough for the timer. */
const LAPS = 4;
/** Forming-candle updates per closed candle in the replace benchmark (a 30m candle gets ~7,200 live). */
const REPLACES = 8;

export interface Series {
  readonly label: string;
  // Mutable only because the libraries' input types are.
  readonly high: number[];
  readonly low: number[];
  readonly close: number[];
}

const loadSeries = (): Series => {
  const dir = benchKlinesDir("BTCUSDT-30m.csv.gz");
  const candles = loadKlines("BTCUSDT", "30m", dir);
  const closeArr = candles.map((c) => c.close);
  const highArr = candles.map((c) => c.high);
  const lowArr = candles.map((c) => c.low);
  return {
    label: `BTCUSDT 30m, ${fmt(candles.length)} candles (${shownPath(dir).startsWith("fixtures") ? "fixtures" : "../shared/data"})`,
    high: highArr,
    low: lowArr,
    close: closeArr,
  };
};

/** One contender: `run` does the whole work once and returns a checksum (so nothing is optimised away). */
interface Contender {
  readonly name: string;
  readonly run: (s: Series) => number;
}

interface Case {
  /** e.g. "SMA(20) stream". */
  readonly label: string;
  /** Updates (or values) processed by one `run`, for the per-update figure. */
  readonly units: (s: Series) => number;
  readonly ours: Contender;
  readonly others: readonly Contender[];
}

const N = 20;
const RSI_N = 14;
const ATR_N = 14;
const K = 2;

const num = (x: number | null | undefined): number => (typeof x === "number" ? x : 0);
/** Our indicators read `NaN` until ready. */
const fin = (x: number): number => (Number.isNaN(x) ? 0 : x);

/**
 * Streaming: a new indicator per lap, one `add` per closed value (how the live path and the backtest use them).
 * Every loop is written out on purpose: one shared loop taking the indicator as a callback would make its call
 * sites megamorphic across libraries and time the dispatch instead of the indicators.
 */
const streamCases: readonly Case[] = [
  {
    label: `SMA(${N}) stream`,
    units: (s) => s.close.length * LAPS,
    ours: {
      name: "ours",
      run: (s) => {
        let acc = 0;
        for (let l = 0; l < LAPS; l++) {
          const x = new Sma(N);
          for (let i = 0; i < s.close.length; i++) acc += fin(x.add(s.close[i]!));
        }
        return acc;
      },
    },
    others: [
      {
        name: "technicalindicators",
        run: (s) => {
          let acc = 0;
          for (let l = 0; l < LAPS; l++) {
            const x = new TI.SMA({ period: N, values: [] });
            for (let i = 0; i < s.close.length; i++) acc += num(x.nextValue(s.close[i]!));
          }
          return acc;
        },
      },
      {
        name: "trading-signals",
        run: (s) => {
          let acc = 0;
          for (let l = 0; l < LAPS; l++) {
            const x = new TS.SMA(N);
            for (let i = 0; i < s.close.length; i++) acc += num(x.add(s.close[i]!));
          }
          return acc;
        },
      },
    ],
  },
  {
    label: `EMA(${N}) stream`,
    units: (s) => s.close.length * LAPS,
    ours: {
      name: "ours",
      run: (s) => {
        let acc = 0;
        for (let l = 0; l < LAPS; l++) {
          const x = new Ema(N);
          for (let i = 0; i < s.close.length; i++) acc += fin(x.add(s.close[i]!));
        }
        return acc;
      },
    },
    others: [
      {
        name: "technicalindicators",
        run: (s) => {
          let acc = 0;
          for (let l = 0; l < LAPS; l++) {
            const x = new TI.EMA({ period: N, values: [] });
            for (let i = 0; i < s.close.length; i++) acc += num(x.nextValue(s.close[i]!));
          }
          return acc;
        },
      },
      {
        name: "trading-signals",
        run: (s) => {
          let acc = 0;
          for (let l = 0; l < LAPS; l++) {
            const x = new TS.EMA(N);
            for (let i = 0; i < s.close.length; i++) acc += num(x.add(s.close[i]!));
          }
          return acc;
        },
      },
    ],
  },
  {
    label: `RSI(${RSI_N}) stream`,
    units: (s) => s.close.length * LAPS,
    ours: {
      name: "ours",
      run: (s) => {
        let acc = 0;
        for (let l = 0; l < LAPS; l++) {
          const x = new Rsi(RSI_N);
          for (let i = 0; i < s.close.length; i++) acc += fin(x.add(s.close[i]!));
        }
        return acc;
      },
    },
    others: [
      {
        name: "technicalindicators",
        run: (s) => {
          let acc = 0;
          for (let l = 0; l < LAPS; l++) {
            const x = new TI.RSI({ period: RSI_N, values: [] });
            for (let i = 0; i < s.close.length; i++) acc += num(x.nextValue(s.close[i]!));
          }
          return acc;
        },
      },
      {
        name: "trading-signals",
        run: (s) => {
          let acc = 0;
          for (let l = 0; l < LAPS; l++) {
            const x = new TS.RSI(RSI_N);
            for (let i = 0; i < s.close.length; i++) acc += num(x.add(s.close[i]!));
          }
          return acc;
        },
      },
    ],
  },
  {
    label: `ATR(${ATR_N}) stream`,
    units: (s) => s.close.length * LAPS,
    ours: {
      name: "ours",
      run: (s) => {
        let acc = 0;
        for (let l = 0; l < LAPS; l++) {
          const x = new Atr(ATR_N);
          for (let i = 0; i < s.close.length; i++) acc += fin(x.add(s.high[i]!, s.low[i]!, s.close[i]!));
        }
        return acc;
      },
    },
    others: [
      {
        name: "technicalindicators",
        run: (s) => {
          let acc = 0;
          for (let l = 0; l < LAPS; l++) {
            const x = new TI.ATR({ period: ATR_N, high: [], low: [], close: [] });
            for (let i = 0; i < s.close.length; i++) {
              acc += num(x.nextValue({ high: s.high[i]!, low: s.low[i]!, close: s.close[i]! }));
            }
          }
          return acc;
        },
      },
      {
        name: "trading-signals",
        run: (s) => {
          let acc = 0;
          for (let l = 0; l < LAPS; l++) {
            const x = new TS.ATR(ATR_N);
            for (let i = 0; i < s.close.length; i++) {
              acc += num(x.add({ high: s.high[i]!, low: s.low[i]!, close: s.close[i]! }));
            }
          }
          return acc;
        },
      },
    ],
  },
  {
    label: `BBANDS(${N},${K}) stream`,
    units: (s) => s.close.length * LAPS,
    ours: {
      name: "ours",
      run: (s) => {
        let acc = 0;
        for (let l = 0; l < LAPS; l++) {
          const x = new Bollinger(N, K);
          for (let i = 0; i < s.close.length; i++) {
            x.add(s.close[i]!);
            acc += fin(x.upper);
          }
        }
        return acc;
      },
    },
    others: [
      {
        name: "technicalindicators",
        run: (s) => {
          let acc = 0;
          for (let l = 0; l < LAPS; l++) {
            const x = new TI.BollingerBands({ period: N, stdDev: K, values: [] });
            for (let i = 0; i < s.close.length; i++) acc += num(x.nextValue(s.close[i]!)?.upper);
          }
          return acc;
        },
      },
      {
        name: "trading-signals",
        run: (s) => {
          let acc = 0;
          for (let l = 0; l < LAPS; l++) {
            const x = new TS.BollingerBands(N, K);
            for (let i = 0; i < s.close.length; i++) acc += num(x.add(s.close[i]!)?.upper);
          }
          return acc;
        },
      },
    ],
  },
];

/**
 * Forming-candle updates: each closed value is added once, then replaced `REPLACES` times (the live path
 * replaces the forming candle on every kline push). `technicalindicators` has no replace, so only
 * `trading-signals` competes here.
 */
const replaceCases: readonly Case[] = [
  {
    label: `EMA(${N}) add + ${REPLACES} replaces`,
    units: (s) => s.close.length * (REPLACES + 1),
    ours: {
      name: "ours",
      run: (s) => {
        let acc = 0;
        const x = new Ema(N);
        for (let i = 0; i < s.close.length; i++) {
          const c = s.close[i]!;
          x.add(c * 0.999);
          for (let r = 1; r < REPLACES; r++) x.replace(c * (1 + r * 1e-4));
          acc += fin(x.replace(c));
        }
        return acc;
      },
    },
    others: [
      {
        name: "trading-signals",
        run: (s) => {
          let acc = 0;
          const x = new TS.EMA(N);
          for (let i = 0; i < s.close.length; i++) {
            const c = s.close[i]!;
            x.add(c * 0.999);
            for (let r = 1; r < REPLACES; r++) x.replace(c * (1 + r * 1e-4));
            acc += num(x.replace(c));
          }
          return acc;
        },
      },
    ],
  },
  {
    label: `RSI(${RSI_N}) add + ${REPLACES} replaces`,
    units: (s) => s.close.length * (REPLACES + 1),
    ours: {
      name: "ours",
      run: (s) => {
        let acc = 0;
        const x = new Rsi(RSI_N);
        for (let i = 0; i < s.close.length; i++) {
          const c = s.close[i]!;
          x.add(c * 0.999);
          for (let r = 1; r < REPLACES; r++) x.replace(c * (1 + r * 1e-4));
          acc += fin(x.replace(c));
        }
        return acc;
      },
    },
    others: [
      {
        name: "trading-signals",
        run: (s) => {
          let acc = 0;
          const x = new TS.RSI(RSI_N);
          for (let i = 0; i < s.close.length; i++) {
            const c = s.close[i]!;
            x.add(c * 0.999);
            for (let r = 1; r < REPLACES; r++) x.replace(c * (1 + r * 1e-4));
            acc += num(x.replace(c));
          }
          return acc;
        },
      },
    ],
  },
];

/** Batch: the whole series in one call, each library's own batch entry point. */
const batchCases: readonly Case[] = [
  {
    label: `SMA(${N}) batch`,
    units: (s) => s.close.length,
    ours: { name: "ours", run: (s) => sma(s.close, N).length },
    others: [
      {
        name: "technicalindicators",
        run: (s) => TI.SMA.calculate({ period: N, values: s.close }).length,
      },
      { name: "trading-signals", run: (s) => new TS.SMA(N).updates(s.close, false).length },
    ],
  },
  {
    label: `EMA(${N}) batch`,
    units: (s) => s.close.length,
    ours: { name: "ours", run: (s) => ema(s.close, N).length },
    others: [
      {
        name: "technicalindicators",
        run: (s) => TI.EMA.calculate({ period: N, values: s.close }).length,
      },
      { name: "trading-signals", run: (s) => new TS.EMA(N).updates(s.close, false).length },
    ],
  },
  {
    label: `RSI(${RSI_N}) batch`,
    units: (s) => s.close.length,
    ours: { name: "ours", run: (s) => rsi(s.close, RSI_N).length },
    others: [
      {
        name: "technicalindicators",
        run: (s) => TI.RSI.calculate({ period: RSI_N, values: s.close }).length,
      },
      { name: "trading-signals", run: (s) => new TS.RSI(RSI_N).updates(s.close, false).length },
    ],
  },
  {
    label: `ATR(${ATR_N}) batch`,
    units: (s) => s.close.length,
    ours: { name: "ours", run: (s) => atr(s.high, s.low, s.close, ATR_N).length },
    others: [
      {
        name: "technicalindicators",
        run: (s) => TI.ATR.calculate({ period: ATR_N, high: s.high, low: s.low, close: s.close }).length,
      },
      {
        name: "trading-signals",
        run: (s) => {
          const bars = s.close.map((c, i) => ({ high: s.high[i]!, low: s.low[i]!, close: c }));
          return new TS.ATR(ATR_N).updates(bars, false).length;
        },
      },
    ],
  },
  {
    label: `BBANDS(${N},${K}) batch`,
    units: (s) => s.close.length,
    ours: { name: "ours", run: (s) => bollinger(s.close, N, K).upper.length },
    others: [
      {
        name: "technicalindicators",
        run: (s) => TI.BollingerBands.calculate({ period: N, stdDev: K, values: s.close }).length,
      },
      {
        name: "trading-signals",
        run: (s) => new TS.BollingerBands(N, K).updates(s.close, false).length,
      },
    ],
  },
];

/**
 * Median nanoseconds per unit of each contender over `RUNS` timed rounds, after `WARMUP` untimed rounds
 * (JIT tiers). Contenders alternate within a round so machine noise falls on all of them alike.
 */
const timeNs = (contenders: readonly Contender[], s: Series, units: number): number[] => {
  let sink = 0;
  for (let w = 0; w < WARMUP; w++) for (const c of contenders) sink += c.run(s);
  const ns = contenders.map(() => [] as number[]);
  for (let r = 0; r < RUNS; r++) {
    contenders.forEach((c, i) => {
      const t0 = Bun.nanoseconds();
      sink += c.run(s);
      ns[i]!.push((Bun.nanoseconds() - t0) / units);
    });
  }
  if (Number.isNaN(sink)) throw new Error("indicator bench: checksum is NaN");
  return ns.map(median);
};

/** Per-case result, also used by the README table and `--json`. */
export interface IndicatorResult {
  readonly label: string;
  readonly oursNs: number;
  readonly others: readonly { readonly name: string; readonly ns: number; readonly ratio: number }[];
}

export const measureIndicators = (s: Series): IndicatorResult[] =>
  [...streamCases, ...replaceCases, ...batchCases].map((c) => {
    const [oursNs = Number.NaN, ...othersNs] = timeNs([c.ours, ...c.others], s, c.units(s));
    const others = c.others.map((o, i) => {
      const ns = othersNs[i] ?? Number.NaN;
      return { name: o.name, ns, ratio: ns / oursNs };
    });
    return { label: c.label, oursNs, others };
  });

// ---------------------------------------------------------------------------------------------------------
// Agreement: the three must produce the same numbers where their definitions coincide.

interface Agreement {
  readonly label: string;
  /** Largest relative (or, where noted, absolute) difference over the compared tail. */
  readonly maxRel: number;
  readonly tolerance: number;
  readonly note: string;
}

/**
 * Compares the last `tail` values of `ours` (aligned with input) and `theirs` (aligned at the end): the largest
 * relative difference, or absolute with `absolute` (for values rounded to fixed decimals).
 */
const compareTail = (
  ours: ArrayLike<number>,
  theirs: readonly number[],
  tail: number,
  absolute = false,
): number => {
  let worst = 0;
  for (let j = 1; j <= tail; j++) {
    const a = ours[ours.length - j]!;
    const b = theirs[theirs.length - j]!;
    const rel = Math.abs(a - b) / (absolute ? 1 : Math.max(Math.abs(a), 1e-12));
    if (!(rel <= worst)) worst = rel;
  }
  return worst;
};

/** The compared tail skips the first 10 % of the series, where seeding differences have not yet decayed. */
export const checkAgreement = (s: Series): Agreement[] => {
  const tail = Math.floor(s.close.length * 0.9);
  const oursSma = sma(s.close, N);
  const oursEma = ema(s.close, N);
  const oursRsi = rsi(s.close, RSI_N);
  const oursAtr = atr(s.high, s.low, s.close, ATR_N);
  const oursBb = bollinger(s.close, N, K);
  const tsVals = (xs: readonly (number | null)[]): number[] => xs.map((x) => x ?? Number.NaN);
  const bars = s.close.map((c, i) => ({ high: s.high[i]!, low: s.low[i]!, close: c }));
  return [
    {
      label: "SMA vs technicalindicators",
      maxRel: compareTail(oursSma, TI.SMA.calculate({ period: N, values: s.close }), tail),
      tolerance: 1e-9,
      note: "same definition",
    },
    {
      label: "SMA vs trading-signals",
      maxRel: compareTail(oursSma, tsVals(new TS.SMA(N).updates(s.close, false)), tail),
      tolerance: 1e-9,
      note: "same definition",
    },
    {
      label: "EMA vs technicalindicators",
      maxRel: compareTail(oursEma, TI.EMA.calculate({ period: N, values: s.close }), tail),
      tolerance: 1e-9,
      note: "both seed with the SMA of the first n (TA-Lib)",
    },
    {
      label: "EMA vs trading-signals",
      maxRel: compareTail(oursEma, tsVals(new TS.EMA(N).updates(s.close, false)), tail),
      tolerance: 1e-9,
      note: "trading-signals seeds with the first price, not the SMA: equal once the seed has decayed",
    },
    {
      label: "RSI vs technicalindicators",
      maxRel: compareTail(oursRsi, TI.RSI.calculate({ period: RSI_N, values: s.close }), tail, true),
      tolerance: 0.005,
      note: "absolute: technicalindicators rounds RSI to 2 decimals",
    },
    {
      label: "RSI vs trading-signals",
      maxRel: compareTail(oursRsi, tsVals(new TS.RSI(RSI_N).updates(s.close, false)), tail),
      tolerance: 1e-9,
      note: "both Wilder-smoothed, seeded with the mean of the first n changes",
    },
    {
      label: "ATR vs technicalindicators",
      maxRel: compareTail(
        oursAtr,
        TI.ATR.calculate({ period: ATR_N, high: s.high, low: s.low, close: s.close }),
        tail,
      ),
      tolerance: 1e-9,
      note: "both skip the first bar's true range (TA-Lib)",
    },
    {
      label: "ATR vs trading-signals",
      maxRel: compareTail(oursAtr, tsVals(new TS.ATR(ATR_N).updates(bars, false)), tail),
      tolerance: 1e-9,
      note: "trading-signals counts the first bar's high − low as a true range: equal once decayed",
    },
    {
      label: "BBANDS upper vs technicalindicators",
      maxRel: compareTail(
        oursBb.upper,
        TI.BollingerBands.calculate({ period: N, stdDev: K, values: s.close }).map((b) => b.upper),
        tail,
      ),
      tolerance: 1e-9,
      note: "population standard deviation in both",
    },
    {
      label: "BBANDS upper vs trading-signals",
      maxRel: compareTail(
        oursBb.upper,
        new TS.BollingerBands(N, K).updates(s.close, false).map((b) => b?.upper ?? Number.NaN),
        tail,
      ),
      tolerance: 1e-9,
      note: "population standard deviation in both",
    },
  ];
};

const fmtNs = (ns: number): string => (ns < 10 ? ns.toFixed(2) : ns < 100 ? ns.toFixed(1) : ns.toFixed(0));

export const indicatorsSection: BenchSection = {
  name: "indicators",
  description: "indicators: ours vs technicalindicators and trading-signals, ns per update (median), ratio",
  run: async () => {
    const s = loadSeries();
    const agreement = checkAgreement(s);
    const results = measureIndicators(s);
    const figures: BenchFigure[] = [{ label: "series", value: s.label }];
    for (const r of results) {
      const others = r.others.map((o) => `${o.name} ${fmtNs(o.ns)} ns (${o.ratio.toFixed(1)}×)`).join(" · ");
      figures.push({ label: r.label, value: `ours ${fmtNs(r.oursNs)} ns · ${others}` });
    }
    const ratios = results.flatMap((r) => r.others.map((o) => o.ratio));
    figures.push({
      label: "ratio range",
      value: `${Math.min(...ratios).toFixed(1)}× – ${Math.max(...ratios).toFixed(1)}× (goal ≥ 10×; median of ${RUNS} runs)`,
    });
    for (const a of agreement) {
      const ok = a.maxRel <= a.tolerance;
      figures.push({
        label: `agree: ${a.label}`,
        value: `${ok ? "ok" : "MISMATCH"} max rel diff ${a.maxRel.toExponential(1)} (${a.note})`,
      });
    }
    return figures;
  },
};
