/**
 * The backtest report: what was replayed, every signal and trade, and the statistics people judge a
 * strategy by. Built once from the replay's record; serialised to byte-stable JSON (no wall-clock values,
 * fixed key order), rendered as a text summary and as HTML.
 */
import {
  type MemoryEvent,
  type MemoryRule,
  MODELS,
  type ModelName,
  outcomeOf,
  type Signal,
  type Timeframe,
  type TradeEvent,
  type VirtualTrade,
  winRate,
} from "@signalbot/core";

/** Bumped on any incompatible change of the JSON layout (documented in docs/backtest.md). */
export const REPORT_SCHEMA_VERSION = 1;

export interface BacktestConfig {
  readonly dataDir: string;
  readonly symbols: readonly string[];
  readonly from: number | null;
  readonly to: number | null;
  readonly memory: boolean;
  readonly costs: { readonly takerFeeRate: number; readonly slippageRate: number };
  readonly startingEquity: number;
  readonly warmupCandles: number;
  readonly timeoutCandles: number;
}

/** Performance of a set of closed trades. Ratios are null when undefined (no trades, no losses). */
export interface Stats {
  readonly trades: number;
  readonly wins: number;
  readonly losses: number;
  readonly breakevens: number;
  /** wins / (wins + losses): break-evens (|R| < 0.1, core's `outcomeOf`) are left out, as in the memory layer. */
  readonly winRate: number | null;
  /** Gross profit / gross loss (pnl, fees included). */
  readonly profitFactor: number | null;
  /** Mean R per trade. */
  readonly expectancyR: number | null;
  readonly totalR: number;
  /** Realised pnl in quote currency, fees included. */
  readonly pnl: number;
  readonly fees: number;
  /** Largest peak-to-trough fall of (starting equity + this set's cumulative pnl), in % of the peak. */
  readonly maxDrawdownPct: number;
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
}

export interface BacktestReport {
  readonly schemaVersion: number;
  readonly config: BacktestConfig;
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
  readonly summary: Stats & {
    readonly startingEquity: number;
    readonly finalEquity: number;
    readonly openTrades: number;
  };
  readonly byModel: Readonly<Record<ModelName, Stats>>;
  readonly bySymbol: Readonly<Record<string, Stats>>;
  readonly memory: MemoryActivity;
  readonly signals: readonly Signal[];
  readonly trades: readonly TradeRecord[];
  readonly memoryEvents: readonly MemoryEvent[];
  readonly equityCurve: readonly EquityPoint[];
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
  readonly warnings: readonly string[];
}

const feesOf = (t: VirtualTrade): number => {
  let fees = 0;
  for (const f of t.fills) fees += f.fee;
  return fees;
};

/** Closed trades in the order they closed (ties by id): the order equity is built in. */
export const closedInOrder = (trades: readonly VirtualTrade[]): VirtualTrade[] =>
  trades
    .filter((t) => t.status === "closed")
    .sort((a, b) => (a.closedAt ?? 0) - (b.closedAt ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/** Statistics of `closed` (already in closing order), drawdown measured from `startingEquity`. */
export const statsOf = (closed: readonly VirtualTrade[], startingEquity: number): Stats => {
  let wins = 0;
  let losses = 0;
  let breakevens = 0;
  let totalR = 0;
  let pnl = 0;
  let fees = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  let equity = startingEquity;
  let peak = startingEquity;
  let maxDrawdownPct = 0;
  for (const t of closed) {
    const r = t.rMultiple ?? 0;
    const p = t.pnl ?? 0;
    const o = outcomeOf(t);
    if (o === "win") wins++;
    else if (o === "loss") losses++;
    else breakevens++;
    totalR += r;
    pnl += p;
    fees += feesOf(t);
    if (p > 0) grossProfit += p;
    else grossLoss -= p;
    equity += p;
    if (equity > peak) peak = equity;
    const dd = peak > 0 ? ((peak - equity) / peak) * 100 : 0;
    if (dd > maxDrawdownPct) maxDrawdownPct = dd;
  }
  const trades = closed.length;
  return {
    trades,
    wins,
    losses,
    breakevens,
    winRate: winRate(wins, losses),
    profitFactor: grossLoss > 0 ? grossProfit / grossLoss : null,
    expectancyR: trades > 0 ? totalR / trades : null,
    totalR,
    pnl,
    fees,
    maxDrawdownPct,
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

/** Builds the report from what the replay recorded. Pure: the same record gives the same report. */
export const buildReport = (record: ReplayRecord): BacktestReport => {
  const { config } = record;
  const start = config.startingEquity;
  const closed = closedInOrder(record.trades);
  const summaryStats = statsOf(closed, start);
  const byModel = Object.fromEntries(
    MODELS.map((m) => [
      m,
      statsOf(
        closed.filter((t) => t.model === m),
        start,
      ),
    ]),
  ) as Record<ModelName, Stats>;
  const bySymbol = Object.fromEntries(
    record.symbols.map((s) => [
      s,
      statsOf(
        closed.filter((t) => t.symbol === s),
        start,
      ),
    ]),
  );
  const eventsByTrade = new Map<string, TradeEvent[]>();
  for (const e of record.tradeEvents) {
    const list = eventsByTrade.get(e.tradeId);
    if (list === undefined) eventsByTrade.set(e.tradeId, [e]);
    else list.push(e);
  }
  const equityCurve = equityCurveOf(closed, start, record.period.start);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    config,
    period: {
      start: record.period.start,
      end: record.period.end,
      startIso: iso(record.period.start),
      endIso: iso(record.period.end),
    },
    symbols: record.symbols,
    candles: record.candles,
    summary: {
      ...summaryStats,
      startingEquity: start,
      finalEquity: equityCurve[equityCurve.length - 1]!.equity,
      openTrades: record.trades.length - closed.length,
    },
    byModel,
    bySymbol,
    memory: memoryActivityOf(config.memory, record.memoryEvents, record.signals),
    signals: record.signals,
    trades: record.trades.map((t) => ({ ...t, events: eventsByTrade.get(t.id) ?? [] })),
    memoryEvents: record.memoryEvents,
    equityCurve,
    warnings: record.warnings,
  };
};

/** The JSON file: compact, keys in a fixed order, byte-identical for identical inputs. */
export const reportJson = (report: BacktestReport): string => `${JSON.stringify(report)}\n`;
