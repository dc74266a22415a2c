/**
 * Test data for the SQLite tests and the crash-test child, from core's builders: the n-th signal (a distinct
 * trigger candle per n), its open virtual trade and its notification; and a temp database path.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Candle,
  type Notification,
  type Signal,
  TIMEFRAME_MS,
  type TradeEvent,
  type VirtualTrade,
} from "@signalbot/core";
import { aBlockedSignal, anOpenTrade, aSignal, T0 } from "@signalbot/core/testing";

export { T0 };

/** A fresh temporary directory holding `dbPath` (not created yet); `remove()` deletes it all. */
export const tempDatabase = (): {
  readonly dir: string;
  readonly dbPath: string;
  readonly remove: () => void;
} => {
  const dir = mkdtempSync(join(tmpdir(), "signalbot-sqlite-"));
  return {
    dir,
    dbPath: join(dir, "data", "signalbot.db"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
};

const over = (n: number) => ({ candleOpenTime: T0 + n * TIMEFRAME_MS["30m"], entry: 100 + n, stop: 95 + n });

/** The n-th signal: a distinct trigger candle (and entry) per n; blocked ones carry the reason "cooldown". */
export const nthSignal = (n: number, status: Signal["status"] = "emitted"): Signal =>
  status === "emitted" ? aSignal(over(n)) : aBlockedSignal("cooldown", over(n));

/** Everything `SignalStore.emit` takes for the n-th signal. */
export const nthEmission = (n: number) => {
  const signal = nthSignal(n);
  const notification: Notification = { _tag: "NewSignal", signal };
  return { signal, trade: anOpenTrade(over(n)), notification };
};

/** The n-th emission with 500 chart candles in its notification: a write big enough to need new pages. */
export const nthBigEmission = (n: number) => {
  const candles: Candle[] = Array.from({ length: 500 }, (_, i) => ({
    openTime: T0 + i * 1_800_000,
    open: 100 + i,
    high: 101 + i,
    low: 99 + i,
    close: 100.5 + i,
    volume: 1234.5678 + i,
    closeTime: T0 + (i + 1) * 1_800_000 - 1,
  }));
  const e = nthEmission(n);
  return { ...e, notification: { _tag: "NewSignal" as const, signal: e.signal, candles } };
};

/** What `SignalStore.updateTrade` takes when `trade` is stopped out an hour after it opened. */
export const closedByStop = (
  trade: VirtualTrade,
): { trade: VirtualTrade; event: TradeEvent; notification: Notification } => {
  const closedAt = trade.openedAt + 3_600_000;
  const closed: VirtualTrade = {
    ...trade,
    status: "closed",
    remaining: 0,
    exitReason: "stop",
    closedAt,
    rMultiple: -1,
    pnl: -trade.riskAmount,
    pnlPercent: -5,
  };
  const event: TradeEvent = {
    _tag: "Closed",
    tradeId: trade.id,
    time: closedAt,
    reason: "stop",
    price: trade.stop,
    rMultiple: -1,
    pnl: -trade.riskAmount,
    pnlPercent: -5,
    durationMs: 3_600_000,
  };
  return { trade: closed, event, notification: { _tag: "TradeUpdate", trade: closed, event } };
};
