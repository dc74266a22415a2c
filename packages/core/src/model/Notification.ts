/**
 * What the bot tells its owner. Core produces these as data; adapters render them (Vietnamese HTML for
 * Telegram, plain text for the console). Every notification goes through the outbox.
 */
import type { Candle } from "./Candle.ts";
import type { MemoryEvent } from "./MemoryEvent.ts";
import type { ModelName, Signal } from "./Signal.ts";
import type { SymbolInfo } from "./Symbol.ts";
import type { TradeEvent, VirtualTrade } from "./Trade.ts";

/** What the memory layer knows, for status messages, /status and /healthz. */
export interface MemoryStatus {
  readonly time: number;
  /** Closed trades in the global window (at most `window`) and their win rate. */
  readonly trades20: number;
  readonly winRate20: number | null;
  /** The global window's length (`MEMORY_WINDOW_GLOBAL`, default 20); absent on a status from an older version: 20. */
  readonly window?: number;
  readonly models: Readonly<Record<ModelName, { readonly trades: number; readonly winRate: number | null }>>;
  readonly equity: number;
  readonly peakEquity: number;
  readonly drawdownPct: number;
  readonly lossStreak: number;
  readonly threshold: number;
  readonly maxSignalsPerDay: number;
  readonly signalsToday: number;
  readonly riskPercent: number;
  readonly pausedUntil?: number;
  readonly cooldowns: readonly { readonly symbol: string; readonly until: number }[];
  readonly disabledModels: readonly { readonly model: ModelName; readonly until: number }[];
  readonly preferredModel?: ModelName;
  /** Set while the memory layer cannot be trusted (failed save, corrupt snapshot): every signal is blocked. */
  readonly unavailable?: { readonly reason: string; readonly since: number };
}

/** The bot's own record, as the daily status and `/status` give it (`trackRecord`): closed virtual trades in R. */
export interface TrackRecord {
  /** Closed virtual trades counted: the sample size. */
  readonly trades: number;
  /** Sum of their R multiples (fees, slippage and funding included). */
  readonly totalR: number;
  /** Mean R per trade; null without a trade. */
  readonly expectancyR: number | null;
}

export type Alert =
  | { readonly kind: "memory"; readonly event: MemoryEvent }
  | { readonly kind: "marketDataStale"; readonly minutes: number; readonly shards: number }
  | { readonly kind: "marketDataRecovered"; readonly downMinutes: number }
  | { readonly kind: "restBan"; readonly until: number }
  /** Telegram answered getUpdates with 409: another process polls with the same bot token. */
  | { readonly kind: "telegramConflict" }
  /** The database refuses writes (disk full...): decisions are held in memory and written once it can. */
  | {
      readonly kind: "storageFailing";
      readonly reason: string;
      readonly since: number;
      readonly waiting: number;
    }
  | { readonly kind: "storageRecovered"; readonly downMinutes: number }
  | { readonly kind: "started"; readonly symbols: number; readonly version: string }
  | { readonly kind: "stopping"; readonly reason: string }
  | { readonly kind: "error"; readonly message: string };

export type Notification =
  | {
      readonly _tag: "NewSignal";
      readonly signal: Signal;
      readonly info?: SymbolInfo;
      /** Candles of the setup timeframe (`SETUP_TIMEFRAME`, 4h) up to the trigger, for the chart. */
      readonly candles?: readonly Candle[];
    }
  | {
      readonly _tag: "TradeUpdate";
      readonly trade: VirtualTrade;
      readonly event: TradeEvent;
      readonly info?: SymbolInfo;
    }
  | {
      readonly _tag: "Status";
      readonly status: MemoryStatus;
      /** Every closed virtual trade so far, in R (absent on a status queued by an older version). */
      readonly record?: TrackRecord;
    }
  | { readonly _tag: "Alert"; readonly alert: Alert; readonly time: number }
  /** A reply to an owner command; `text` is already rendered by the command handler. */
  | { readonly _tag: "Reply"; readonly text: string; readonly time: number };
