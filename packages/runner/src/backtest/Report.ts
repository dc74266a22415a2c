/**
 * The backtest report: what was replayed, every signal and trade, and the statistics people judge a
 * strategy by — in R first, with their uncertainty, drawdown on mark-to-market equity. Built once from the
 * replay's record and the candles; serialised to byte-stable JSON (no wall-clock values, fixed key order),
 * rendered as a text summary and as HTML.
 */
import {
  type ExitReason,
  type MemoryEvent,
  type MemoryRule,
  MODELS,
  type ModelName,
  outcomeOf,
  reportedModels,
  type Signal,
  TIMEFRAME_MS,
  type Timeframe,
  type TradeEvent,
  type UniverseFilterConfig,
  type VirtualTrade,
  winRate,
} from "@signalbot/core";
import {
  type DailyEquity,
  dailyEquity,
  lastClosedBy,
  markedEquity,
  type OpenTradeValue,
  openAtEnd,
  type ReportMarket,
} from "./Equity.ts";
import {
  cagrPct,
  calmarRatio,
  maxDrawdown,
  mean,
  meanEstimate,
  profitFactor,
  returnsOf,
  sharpeRatio,
  sortinoRatio,
  sum,
} from "./Statistics.ts";
import type { UniverseSkipPeriod } from "./UniverseDays.ts";

/** Bumped on any incompatible change of the JSON layout (documented in docs/backtest.md). */
export const REPORT_SCHEMA_VERSION = 2;

/** What the engine ran with. */
export interface BacktestConfig {
  readonly dataDir: string;
  readonly symbols: readonly string[];
  readonly from: number | null;
  readonly to: number | null;
  readonly memory: boolean;
  readonly costs: { readonly takerFeeRate: number; readonly slippageRate: number };
  /** The tradeability gates: most R a round trip may cost, most leverage (notional ÷ equity) a position may need. */
  readonly gates: { readonly maxCostR: number; readonly maxLeverage: number };
  readonly startingEquity: number;
  readonly warmupCandles: number;
  readonly timeoutCandles: number;
  /** The live rotation simulated (`--max-symbols`), null when every symbol was analysed. */
  readonly rotation: {
    readonly maxSymbols: number;
    readonly fixed: readonly string[];
    readonly slotSeconds: number;
    readonly refreshSeconds: number;
  } | null;
}

/** The configuration as reported: the engine's, plus where the funding rates came from. */
export interface ReportConfig extends BacktestConfig {
  /** "flat 0.0100 %/8h", or the symbols with recorded rates and the fallback. */
  readonly funding: string;
}

/**
 * Performance of a set of closed trades, in R first (risk per trade varies with the memory layer, so money
 * figures compound and mislead), money beside. Ratios are null when undefined (no trades, no losses).
 */
export interface Stats {
  readonly trades: number;
  readonly wins: number;
  readonly losses: number;
  readonly breakevens: number;
  /** wins / (wins + losses): break-evens (|R| < 0.1, core's `outcomeOf`) are left out, as in the memory layer. */
  readonly winRate: number | null;
  /** Mean R per trade, fees, slippage and funding included. */
  readonly expectancyR: number | null;
  /** Standard error of the mean R. */
  readonly expectancyStdErr: number | null;
  /** 95 % confidence interval of the mean R (Student's t), [low, high]. */
  readonly expectancyCi95: readonly [number, number] | null;
  /** Mean R / its standard error. */
  readonly tStat: number | null;
  readonly totalR: number;
  /** Sum of winning R / sum of losing R. */
  readonly profitFactor: number | null;
  /** Largest fall of the cumulative R, in R (closed trades, in closing order). */
  readonly maxDrawdownR: number;
  /** Realised pnl in quote currency, fees, slippage and funding included. */
  readonly pnl: number;
  readonly expectancyPnl: number | null;
  /** Gross profit / gross loss in money (compounding: read beside `profitFactor`). */
  readonly profitFactorPnl: number | null;
  readonly fees: number;
  /** Net funding paid (negative = received). */
  readonly funding: number;
}

export interface EquityPoint {
  readonly time: number;
  readonly equity: number;
  readonly drawdownPct: number;
  /** The trade whose close moved the equity (absent on the starting point). */
  readonly tradeId?: string;
}

export interface TradeRecord extends VirtualTrade {
  readonly events: readonly TradeEvent[];
  /** The setup's score (a signal's key is its trade's id). */
  readonly score: number | null;
}

export interface MemoryActivity {
  readonly enabled: boolean;
  /** Rules that fired: 12 h pauses, symbol cooldowns, model disables, threshold raises, drawdown caps. */
  readonly pauses: number;
  readonly cooldowns: number;
  readonly modelDisables: number;
  readonly thresholdRaises: number;
  readonly signalCaps: number;
  readonly riskCuts: number;
  /** Fired and relaxed counts per rule. */
  readonly byRule: Readonly<
    Partial<Record<MemoryRule, { readonly fired: number; readonly relaxed: number }>>
  >;
  readonly blockedSignals: number;
  /** Blocked signals per reason code (memory locks, threshold, daily cap, open trade, sizing...). */
  readonly blockedByReason: Readonly<Record<string, number>>;
}

export interface CandleCounts {
  /** Candles inside the period (the warm-up history before `--from` excluded). */
  readonly total: number;
  readonly warmup: number;
  readonly bySymbol: Readonly<Record<string, Partial<Record<Timeframe, number>>>>;
  /** Candles missing from the files (gaps), per symbol and timeframe, when any. */
  readonly missing: Readonly<Record<string, Partial<Record<Timeframe, number>>>>;
  /** 30m candles of the period each symbol analysed: all of them, or those the rotation watched. */
  readonly analysed: Readonly<Record<string, number>>;
}

export interface Summary extends Stats {
  readonly startingEquity: number;
  /** Starting equity + closed trades' pnl. */
  readonly finalEquity: number;
  /** Mark-to-market equity at the end: `finalEquity` + the open trades valued at their last close. */
  readonly markedEquity: number;
  /** Largest fall of the mark-to-market equity (open trades valued at every 30m close), % of the peak. */
  readonly maxDrawdownPct: number;
  /** When that fall started (the peak) and ended (the trough), ms UTC; null without a fall. */
  readonly maxDrawdownFrom: number | null;
  readonly maxDrawdownTo: number | null;
  /** The same measured on closed trades only (what hides open trades' dips), for comparison. */
  readonly maxDrawdownClosedPct: number;
  readonly openTrades: number;
  /** The open trades' value at the end (pnl so far, funding included) and its sum in R. */
  readonly openPnl: number;
  readonly openR: number;
  /** Net funding paid by every trade of the period, closed and still open (negative = received). */
  readonly fundingPaid: number;
  /** Exits filled at a gapped open (`open`) or closed after a data gap longer than the timeout (`data`). */
  readonly gapFills: { readonly open: number; readonly data: number };
  /** Days from the period start to its end. */
  readonly days: number;
  /** Of the daily returns of the marked equity, annualised with 365 days. */
  readonly sharpe: number | null;
  readonly sortino: number | null;
  /** Compound annual growth of the marked equity, %. */
  readonly cagrPct: number | null;
  /** CAGR / max drawdown (mark-to-market). */
  readonly calmar: number | null;
}

/** One UTC month of closed trades (by close time), with the marked equity's return over the month. */
export interface MonthStats extends Stats {
  readonly returnPct: number | null;
}

/** Trades whose setup score fell in [from, to). */
export interface ScoreBandStats extends Stats {
  readonly from: number;
  readonly to: number;
}

export interface ExitReasonStats extends Stats {
  /** Of these, exits flagged as gap fills. */
  readonly gapFills: number;
}

/** Holding the symbol over the period: first 30m open to last 30m close. */
export interface BuyAndHold {
  readonly from: number;
  readonly to: number;
  readonly open: number;
  readonly close: number;
  readonly returnPct: number;
}

export interface BacktestReport {
  readonly schemaVersion: number;
  readonly config: ReportConfig;
  readonly period: {
    /**
     * Open of the first and close of the last trigger (30m) candle replayed inside the window (ms UTC), null
     * when none: signals and trades can only happen in this span.
     */
    readonly start: number | null;
    readonly end: number | null;
    readonly startIso: string | null;
    readonly endIso: string | null;
  };
  readonly symbols: readonly string[];
  readonly candles: CandleCounts;
  readonly summary: Summary;
  readonly byModel: Readonly<Record<ModelName, Stats>>;
  readonly bySymbol: Readonly<Record<string, Stats>>;
  /** "2025-03" → that month's closed trades. */
  readonly byMonth: Readonly<Record<string, MonthStats>>;
  readonly byExitReason: Readonly<Partial<Record<ExitReason, ExitReasonStats>>>;
  /** "80-85" → trades whose setup scored in [80, 85): does a higher score mean a better trade? */
  readonly byScoreBand: Readonly<Record<string, ScoreBandStats>>;
  readonly buyAndHold: Readonly<Record<string, BuyAndHold>>;
  readonly memory: MemoryActivity;
  readonly signals: readonly Signal[];
  readonly trades: readonly TradeRecord[];
  /** Trades still open at the end, valued at their symbol's last close. */
  readonly openAtEnd: readonly OpenTradeValue[];
  readonly memoryEvents: readonly MemoryEvent[];
  /** Equity after every closed trade (realised only). */
  readonly equityCurve: readonly EquityPoint[];
  /** Mark-to-market equity, one point per UTC day. */
  readonly equityDaily: readonly DailyEquity[];
  /** The universe filter the replay applied (null: off) and the periods it left symbols out. */
  readonly universe: UniverseRecord;
  readonly warnings: readonly string[];
}

/** What the replay recorded, in the order things happened. */
export interface ReplayRecord {
  readonly config: BacktestConfig;
  readonly symbols: readonly string[];
  readonly candles: CandleCounts;
  readonly period: { readonly start: number | null; readonly end: number | null };
  readonly signals: readonly Signal[];
  /** Final state of every trade opened, in opening order. */
  readonly trades: readonly VirtualTrade[];
  readonly tradeEvents: readonly TradeEvent[];
  readonly memoryEvents: readonly MemoryEvent[];
  /** The universe filter the replay applied (null: off) and the days it left symbols out. */
  readonly universe: UniverseRecord;
  readonly warnings: readonly string[];
  /** The models the replay ran, in order (absent: the built-in ones); `byModel` has a row for each. */
  readonly models?: readonly ModelName[];
}

export interface UniverseRecord {
  readonly filter: UniverseFilterConfig | null;
  readonly skipped: readonly UniverseSkipPeriod[];
}

/** Closed trades in the order they closed (ties by id): the order equity is built in. */
export const closedInOrder = (trades: readonly VirtualTrade[]): VirtualTrade[] =>
  trades
    .filter((t) => t.status === "closed")
    .sort((a, b) => (a.closedAt ?? 0) - (b.closedAt ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/** Statistics of `closed` (in closing order). */
export const statsOf = (closed: readonly VirtualTrade[]): Stats => {
  let wins = 0;
  let losses = 0;
  let breakevens = 0;
  let fees = 0;
  let funding = 0;
  const rs: number[] = [];
  const pnls: number[] = [];
  const cumulativeR: number[] = [0];
  for (const t of closed) {
    const o = outcomeOf(t);
    if (o === "win") wins++;
    else if (o === "loss") losses++;
    else breakevens++;
    const r = t.rMultiple ?? 0;
    rs.push(r);
    pnls.push(t.pnl ?? 0);
    cumulativeR.push(cumulativeR[cumulativeR.length - 1]! + r);
    for (const f of t.fills) fees += f.fee;
    funding += t.funding ?? 0;
  }
  const e = meanEstimate(rs);
  return {
    trades: closed.length,
    wins,
    losses,
    breakevens,
    winRate: winRate(wins, losses),
    expectancyR: e.mean,
    expectancyStdErr: e.stdErr,
    expectancyCi95: e.ci95,
    tStat: e.tStat,
    totalR: sum(rs),
    profitFactor: profitFactor(rs),
    maxDrawdownR: maxDrawdown(cumulativeR, "depth").depth,
    pnl: sum(pnls),
    expectancyPnl: mean(pnls),
    profitFactorPnl: profitFactor(pnls),
    fees,
    funding,
  };
};

/** Equity after every closed trade, starting at `startingEquity` at `start`. */
export const equityCurveOf = (
  closed: readonly VirtualTrade[],
  startingEquity: number,
  start: number | null,
): EquityPoint[] => {
  const points: EquityPoint[] = [
    { time: start ?? closed[0]?.openedAt ?? 0, equity: startingEquity, drawdownPct: 0 },
  ];
  let equity = startingEquity;
  let peak = startingEquity;
  for (const t of closed) {
    equity += t.pnl ?? 0;
    if (equity > peak) peak = equity;
    points.push({
      time: t.closedAt ?? 0,
      equity,
      drawdownPct: peak > 0 ? ((peak - equity) / peak) * 100 : 0,
      tradeId: t.id,
    });
  }
  return points;
};

/** Score bands of 5 points: 82.4 → [80, 85). */
export const SCORE_BAND_WIDTH = 5;

const groupBy = <K extends string>(
  closed: readonly VirtualTrade[],
  key: (t: VirtualTrade) => K | undefined,
): Map<K, VirtualTrade[]> => {
  const groups = new Map<K, VirtualTrade[]>();
  for (const t of closed) {
    const k = key(t);
    if (k === undefined) continue;
    const list = groups.get(k);
    if (list === undefined) groups.set(k, [t]);
    else list.push(t);
  }
  return groups;
};

const sortedEntries = <V>(map: ReadonlyMap<string, V>): [string, V][] =>
  [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

const monthOf = (time: number): string => new Date(time).toISOString().slice(0, 7);

/** Holding each symbol from its first 30m open in the period to its last 30m close. */
const buyAndHoldOf = (
  symbols: readonly string[],
  market: ReportMarket,
  start: number,
  end: number,
): Record<string, BuyAndHold> => {
  const out: Record<string, BuyAndHold> = {};
  for (const symbol of symbols) {
    const s = market.candles.get(symbol);
    if (s === undefined) continue;
    let first = 0;
    while (first < s.length && s.openTime[first]! < start) first++;
    const last = lastClosedBy(s, end);
    if (first >= s.length || last < first) continue;
    const open = s.open[first]!;
    const close = s.close[last]!;
    out[symbol] = {
      from: s.openTime[first]!,
      to: s.closeTime[last]! + 1,
      open,
      close,
      returnPct: (close / open - 1) * 100,
    };
  }
  return out;
};

const FIRED_COUNTERS: readonly [keyof MemoryActivity, MemoryRule][] = [
  ["pauses", "lossStreakPause"],
  ["cooldowns", "symbolCooldown"],
  ["modelDisables", "modelDisable"],
  ["thresholdRaises", "winRateThreshold"],
  ["signalCaps", "drawdownSignalCap"],
  ["riskCuts", "drawdownRiskCut"],
];

const memoryActivityOf = (
  enabled: boolean,
  events: readonly MemoryEvent[],
  signals: readonly Signal[],
): MemoryActivity => {
  const byRule: Partial<Record<MemoryRule, { fired: number; relaxed: number }>> = {};
  for (const e of events) {
    const entry = (byRule[e.rule] ??= { fired: 0, relaxed: 0 });
    entry[e.action]++;
  }
  const reasons = new Map<string, number>();
  let blockedSignals = 0;
  for (const s of signals) {
    if (s.status !== "blocked") continue;
    blockedSignals++;
    const code = s.blockedBy?.code ?? "unknown";
    reasons.set(code, (reasons.get(code) ?? 0) + 1);
  }
  const counters = Object.fromEntries(FIRED_COUNTERS.map(([name, rule]) => [name, byRule[rule]?.fired ?? 0]));
  return {
    enabled,
    pauses: counters.pauses ?? 0,
    cooldowns: counters.cooldowns ?? 0,
    modelDisables: counters.modelDisables ?? 0,
    thresholdRaises: counters.thresholdRaises ?? 0,
    signalCaps: counters.signalCaps ?? 0,
    riskCuts: counters.riskCuts ?? 0,
    byRule: Object.fromEntries(Object.entries(byRule).sort(([a], [b]) => (a < b ? -1 : 1))),
    blockedSignals,
    blockedByReason: Object.fromEntries([...reasons.entries()].sort(([a], [b]) => (a < b ? -1 : 1))),
  };
};

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

const DAY = 86_400_000;

/**
 * Builds the report from what the replay recorded and the market it ran on (prices to value open trades,
 * the funding source). Pure: the same inputs give the same report.
 */
export const buildReport = (record: ReplayRecord, market: ReportMarket): BacktestReport => {
  const { config } = record;
  const startingEquity = config.startingEquity;
  const closed = closedInOrder(record.trades);
  const scoreOf = new Map(record.signals.map((s) => [s.key, s.setup.score]));
  const start = record.period.start;
  const end = record.period.end;

  const marked =
    start === null || end === null
      ? { times: new Float64Array([0]), equity: new Float64Array([startingEquity]) }
      : markedEquity(record.trades, market, startingEquity, start, end);
  const daily = dailyEquity(marked);
  const open = end === null ? [] : openAtEnd(record.trades, market, end);
  const equityCurve = equityCurveOf(closed, startingEquity, start);
  const mtm = maxDrawdown(marked.equity);
  const markedEnd = marked.equity[marked.equity.length - 1]!;
  const days = start === null || end === null ? 0 : (end - start) / DAY;
  const dailyReturns = returnsOf([startingEquity, ...daily.map((d) => d.equity)]);
  const cagr = cagrPct(startingEquity, markedEnd, days / 365.25);
  let gapOpen = 0;
  let gapData = 0;
  for (const t of record.trades)
    for (const f of t.fills) {
      if (f.gap === "open") gapOpen++;
      else if (f.gap === "data") gapData++;
    }
  const summary: Summary = {
    ...statsOf(closed),
    startingEquity,
    finalEquity: equityCurve[equityCurve.length - 1]!.equity,
    markedEquity: markedEnd,
    maxDrawdownPct: mtm.pct,
    maxDrawdownFrom: mtm.peak < 0 ? null : marked.times[mtm.peak]!,
    maxDrawdownTo: mtm.trough < 0 ? null : marked.times[mtm.trough]!,
    maxDrawdownClosedPct: maxDrawdown(equityCurve.map((p) => p.equity)).pct,
    openTrades: open.length,
    openPnl: sum(open.map((o) => o.pnl)),
    openR: sum(open.map((o) => o.rMultiple)),
    fundingPaid: sum(closed.map((t) => t.funding ?? 0)) + sum(open.map((o) => o.funding)),
    gapFills: { open: gapOpen, data: gapData },
    days,
    sharpe: sharpeRatio(dailyReturns),
    sortino: sortinoRatio(dailyReturns),
    cagrPct: cagr,
    calmar: calmarRatio(cagr, mtm.pct),
  };

  const byModel: Record<ModelName, Stats> = Object.fromEntries(
    reportedModels(record.models ?? MODELS, closed).map((m) => [
      m,
      statsOf(closed.filter((t) => t.model === m)),
    ]),
  );
  const bySymbol = Object.fromEntries(
    record.symbols.map((s) => [s, statsOf(closed.filter((t) => t.symbol === s))]),
  );
  /** Marked equity at `time` (the last step at or before it). */
  const equityAt = (time: number): number => {
    const k = Math.max(
      0,
      Math.min(marked.times.length - 1, Math.floor((time - (start ?? 0)) / TIMEFRAME_MS["30m"])),
    );
    return marked.equity[k]!;
  };
  // A close at 00:00 UTC on the 1st is the last candle of the month before (as days are in `dailyEquity`).
  const closedByMonth = groupBy(closed, (t) =>
    t.closedAt === undefined ? undefined : monthOf(t.closedAt - 1),
  );
  const byMonth: Record<string, MonthStats> = {};
  if (start !== null && end !== null) {
    const cursor = new Date(Date.parse(`${monthOf(start)}-01T00:00:00Z`));
    while (cursor.getTime() < end) {
      const month = monthOf(cursor.getTime());
      const from = Math.max(cursor.getTime(), start);
      cursor.setUTCMonth(cursor.getUTCMonth() + 1);
      const a = equityAt(from);
      byMonth[month] = {
        ...statsOf(closedByMonth.get(month) ?? []),
        returnPct: a > 0 ? (equityAt(Math.min(cursor.getTime(), end)) / a - 1) * 100 : null,
      };
    }
  }
  const byExitReason = Object.fromEntries(
    sortedEntries(groupBy(closed, (t) => t.exitReason)).map(([reason, trades]) => [
      reason,
      { ...statsOf(trades), gapFills: trades.filter((t) => t.fills.some((f) => f.gap !== undefined)).length },
    ]),
  );
  const byScoreBand = Object.fromEntries(
    sortedEntries(
      groupBy(closed, (t) => {
        const score = scoreOf.get(t.id);
        if (score === undefined) return undefined;
        const from = Math.floor(score / SCORE_BAND_WIDTH) * SCORE_BAND_WIDTH;
        return `${String(from).padStart(3, "0")}`;
      }),
    ).map(([key, trades]) => {
      const from = Number(key);
      return [
        `${from}-${from + SCORE_BAND_WIDTH}`,
        { ...statsOf(trades), from, to: from + SCORE_BAND_WIDTH },
      ];
    }),
  );

  const eventsByTrade = new Map<string, TradeEvent[]>();
  for (const e of record.tradeEvents) {
    const list = eventsByTrade.get(e.tradeId);
    if (list === undefined) eventsByTrade.set(e.tradeId, [e]);
    else list.push(e);
  }
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    config: { ...config, funding: market.funding.describe },
    period: { start, end, startIso: iso(start), endIso: iso(end) },
    symbols: record.symbols,
    candles: record.candles,
    summary,
    byModel,
    bySymbol,
    byMonth,
    byExitReason,
    byScoreBand,
    buyAndHold: start === null || end === null ? {} : buyAndHoldOf(record.symbols, market, start, end),
    memory: memoryActivityOf(config.memory, record.memoryEvents, record.signals),
    signals: record.signals,
    trades: record.trades.map((t) => ({
      ...t,
      events: eventsByTrade.get(t.id) ?? [],
      score: scoreOf.get(t.id) ?? null,
    })),
    openAtEnd: open,
    memoryEvents: record.memoryEvents,
    equityCurve,
    equityDaily: daily,
    universe: record.universe,
    warnings: record.warnings,
  };
};

/** The JSON file: compact, keys in a fixed order, byte-identical for identical inputs. */
export const reportJson = (report: BacktestReport): string => `${JSON.stringify(report)}\n`;
