/**
 * What the dashboard shows, gathered read-only from the store (signals, closed trades, outbox), the memory
 * layer (status and locks), the open-trade book (live prices) and the live loop through `DashboardLoop`: plain
 * JSON data in no language, so `/api/view` serves it as it is and the pages phrase it. Nothing here writes, and
 * nothing secret is read (the configuration is not part of it).
 */
import { summarize, type TradeSummary } from "@signalbot/adapters/telegram";
import {
  type Candle,
  DEFAULT_MODELS,
  fundingPaid,
  Memory,
  type MemoryLock,
  type MemoryStatus,
  type Model,
  type ModelName,
  markToMarket,
  NO_FUNDING,
  Pipeline,
  reportedModels,
  type Signal,
  SignalStore,
  type Timeframe,
  utcDayStart,
  type VirtualTrade,
} from "@signalbot/core";
import { Clock, Effect } from "effect";
import { type EquityCurve, equityCurve } from "./EquityCurve.ts";

/** The `/healthz` body: `ok` plus named sections (market data, outbox, REST, storage...). */
export type HealthJson = { readonly ok: boolean } & Readonly<Record<string, unknown>>;

/**
 * The live loop as the dashboard sees it: the narrow, read-only interface the loop implements. Everything else
 * comes from the ports (SignalStore, Memory, Pipeline).
 */
export interface DashboardLoop {
  /** What `/healthz` answers now. */
  readonly health: () => HealthJson;
  /** The watched symbols: FIXED_SYMBOLS, symbols pinned by an open trade, the rotating window. */
  readonly symbols: () => {
    readonly active: readonly string[];
    readonly fixed: readonly string[];
    readonly pinned: readonly string[];
    readonly rotating: readonly string[];
  };
  /** The last `limit` closed chart candles (setup timeframe) the loop holds for a watched symbol, oldest first; undefined if not watched. */
  readonly candles: (symbol: string, limit: number) => readonly Candle[] | undefined;
}

export interface DashboardSettings {
  /** ROTATION_SLOT_SECONDS: the rotating window changes on these boundaries (event time). */
  readonly rotationSlotSeconds: number;
  readonly startingBalance: number;
  readonly timeZone: string;
  /** Recent signals shown, emitted and blocked each (default 20). */
  readonly signals?: number;
  /** The models the bot runs (default `DEFAULT_MODELS`): statistics have a row for each, then any other that traded. */
  readonly models?: readonly Model[];
}

export interface OpenTradeView {
  readonly trade: VirtualTrade;
  /** Marked to `trade.lastPrice` now: fills so far, funding paid so far, the rest at the last price. */
  readonly liveR: number;
  readonly livePnl: number;
}

/** A `TradeSummary` as plain data (the best and worst trades left out), with the mean R. */
export type SummaryView = Omit<TradeSummary, "best" | "worst"> & { readonly meanR: number | null };

export interface HealthSection {
  readonly name: string;
  readonly ok: boolean | undefined;
  /** Scalar fields only (numbers, strings, booleans, null), in the order /healthz gives them. */
  readonly fields: readonly (readonly [string, string | number | boolean | null])[];
}

export interface DashboardView {
  /** The loop's clock (event time; the replayed market time in the demo). */
  readonly time: number;
  readonly ok: boolean;
  readonly version: string | null;
  readonly timeZone: string;
  readonly symbols: ReturnType<DashboardLoop["symbols"]> & { readonly nextRotationAt: number };
  readonly trades: readonly OpenTradeView[];
  /** Newest first. */
  readonly signals: { readonly emitted: readonly Signal[]; readonly blocked: readonly Signal[] };
  /** Locks in force (expiry after `time`), soonest end first. */
  readonly locks: readonly MemoryLock[];
  readonly memory: MemoryStatus;
  readonly equity: EquityCurve;
  readonly stats: {
    readonly total: SummaryView;
    readonly byModel: Readonly<Record<ModelName, SummaryView>>;
    /** Best total R first. */
    readonly bySymbol: readonly (SummaryView & { readonly symbol: string })[];
  };
  readonly outbox: {
    readonly depth: number;
    /** The oldest undelivered notifications (kind, queued at, attempts). */
    readonly pending: readonly {
      readonly kind: string;
      readonly createdAt: number;
      readonly attempts: number;
    }[];
  };
  readonly market: {
    readonly fresh: boolean | null;
    readonly lastDataAt: number | null;
    readonly reconnects: number | null;
    readonly restWeightUsed: number | null;
    readonly lastClosed: Partial<Readonly<Record<Timeframe, number>>>;
    readonly shards: readonly {
      readonly id: string;
      readonly state: string;
      readonly streams: number | null;
      readonly silentSeconds: number | null;
    }[];
  };
  /** Every other /healthz section (outbox, REST, storage probes...), shown as it is. */
  readonly sections: readonly HealthSection[];
}

const summaryView = ({ best: _, worst: __, ...s }: TradeSummary): SummaryView => ({
  ...s,
  meanR: s.trades === 0 ? null : s.totalR / s.trades,
});

// ---- /healthz as data -------------------------------------------------------------------------------------

const record = (v: unknown): Readonly<Record<string, unknown>> =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const numberOr = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const timeOf = (v: unknown): number | null => {
  if (typeof v !== "string") return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
};

/** Sections the dashboard shows in their own place, not in the generic list. */
const OWN_SECTIONS = new Set(["marketData", "lastClosed", "memory", "symbols", "scans", "outbox"]);

const scalars = (section: Readonly<Record<string, unknown>>): HealthSection["fields"] =>
  Object.entries(section).flatMap(([k, v]): (readonly [string, string | number | boolean | null])[] =>
    k === "ok"
      ? []
      : v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean"
        ? [[k, v]]
        : typeof v === "object" && !Array.isArray(v)
          ? scalars(record(v)).map(([kk, vv]) => [`${k}.${kk}`, vv] as const)
          : [],
  );

const marketOf = (h: HealthJson): DashboardView["market"] => {
  const md = record(h.marketData);
  const lc = record(h.lastClosed);
  const lastClosed: Partial<Record<Timeframe, number>> = {};
  for (const tf of ["30m", "4h", "1d"] as const) {
    const t = timeOf(lc[tf]);
    if (t !== null) lastClosed[tf] = t;
  }
  return {
    fresh: typeof md.fresh === "boolean" ? md.fresh : null,
    lastDataAt: timeOf(md.lastDataAt),
    reconnects: numberOr(md.reconnects),
    restWeightUsed: numberOr(h.restWeightUsed),
    lastClosed,
    shards: (Array.isArray(md.shards) ? md.shards : []).map((s) => {
      const r = record(s);
      return {
        id: String(r.id ?? "?"),
        state: String(r.state ?? "?"),
        streams: numberOr(r.streams),
        silentSeconds: numberOr(r.silentSeconds),
      };
    }),
  };
};

/** The /healthz sections besides the ones shown in their own place, e.g. `outbox.halted`, REST, storage. */
const sectionsOf = (h: HealthJson): readonly HealthSection[] => {
  const out: HealthSection[] = [];
  const outbox = record(h.outbox);
  const halted = scalars(record(outbox.halted));
  if (halted.length > 0) out.push({ name: "outbox.halted", ok: false, fields: halted });
  for (const [name, value] of Object.entries(h)) {
    if (OWN_SECTIONS.has(name) || typeof value !== "object" || value === null || Array.isArray(value))
      continue;
    const section = record(value);
    out.push({
      name,
      ok: typeof section.ok === "boolean" ? section.ok : undefined,
      fields: scalars(section),
    });
  }
  return out;
};

// ---- the gatherer ------------------------------------------------------------------------------------------

/** How many recent signals are read to find the newest emitted and blocked ones. */
const SIGNAL_SCAN = 300;
const DAY_MS = 86_400_000;
const PENDING_SHOWN = 5;

export type ViewServices = SignalStore | Memory | Pipeline;

/**
 * Builds views; keeps the closed trades it has read so each refresh only reads the trades closed since (the
 * history can be long, a refresh runs every second while somebody watches).
 */
export const makeViewGatherer = (loop: DashboardLoop, settings: DashboardSettings) => {
  const closed = new Map<string, VirtualTrade>();
  let closedSince = 0;
  const shown = settings.signals ?? 20;
  const slotMs = settings.rotationSlotSeconds * 1000;

  const readClosed = Effect.gen(function* () {
    const store = yield* SignalStore;
    for (const t of yield* store.closedTrades(closedSince)) {
      closed.set(t.id, t);
      closedSince = Math.max(closedSince, t.closedAt ?? 0);
    }
    return [...closed.values()];
  });

  return Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis;
    const store = yield* SignalStore;
    const memory = yield* Memory;
    const { book, config } = yield* Pipeline;
    const health = loop.health();
    const signals = yield* store.recentSignals(SIGNAL_SCAN);
    const history = yield* readClosed;
    const pending = yield* store.pendingOutbox(PENDING_SHOWN);
    const depth = yield* store.outboxDepth;
    const day = utcDayStart(now);
    const status = yield* memory.status(yield* store.countEmitted(day, day + DAY_MS));
    const snapshot = yield* memory.snapshot;

    const trades = book
      .all()
      .map((trade): OpenTradeView => {
        const funding = fundingPaid(trade, now, config.costs.funding ?? NO_FUNDING);
        const marked = markToMarket(trade, now, trade.lastPrice, funding);
        return { trade, liveR: marked.rMultiple, livePnl: marked.pnl };
      })
      .sort((a, b) => b.trade.openedAt - a.trade.openedAt);
    const openPnl = trades.reduce((sum, t) => sum + t.livePnl, 0);
    const startedAt = timeOf(health.startedAt) ?? now;

    const bySymbol = new Map<string, VirtualTrade[]>();
    for (const t of history) bySymbol.set(t.symbol, [...(bySymbol.get(t.symbol) ?? []), t]);
    const byModel: Record<ModelName, SummaryView> = {};
    for (const m of reportedModels(settings.models ?? DEFAULT_MODELS, history))
      byModel[m] = summaryView(summarize(history.filter((t) => t.model === m)));

    const view: DashboardView = {
      time: now,
      ok: health.ok,
      version: typeof health.version === "string" ? health.version : null,
      timeZone: settings.timeZone,
      symbols: { ...loop.symbols(), nextRotationAt: now - (now % slotMs) + slotMs },
      trades,
      signals: {
        emitted: signals.filter((s) => s.status === "emitted").slice(0, shown),
        blocked: signals.filter((s) => s.status === "blocked").slice(0, shown),
      },
      locks: snapshot.locks.filter((l) => l.until > now).sort((a, b) => a.until - b.until),
      memory: status,
      equity: equityCurve(settings.startingBalance, history, startedAt, { time: now, pnl: openPnl }),
      stats: {
        total: summaryView(summarize(history)),
        byModel,
        bySymbol: [...bySymbol]
          .map(([symbol, ts]) => ({ symbol, ...summaryView(summarize(ts)) }))
          .sort((a, b) => b.totalR - a.totalR || (a.symbol < b.symbol ? -1 : 1)),
      },
      outbox: {
        depth,
        pending: pending.map((p) => ({
          kind: p.notification._tag === "Alert" ? `Alert:${p.notification.alert.kind}` : p.notification._tag,
          createdAt: p.createdAt,
          attempts: p.attempts,
        })),
      },
      market: marketOf(health),
      sections: sectionsOf(health),
    };
    return view;
  });
};
