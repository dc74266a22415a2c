/**
 * Plain, JSON-exact test data for the SQLite tests and the crash-test child: the n-th signal (a distinct
 * trigger candle per n), its open virtual trade and its notification.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Notification, Signal, VirtualTrade } from "@signalbot/core";
import { signalKey, TIMEFRAME_MS } from "@signalbot/core";

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

/** 2025-06-01 00:00 UTC: the first trigger candle. */
export const T0 = Date.UTC(2025, 5, 1);

export const nthSignal = (n: number, status: Signal["status"] = "emitted"): Signal => {
  const candleOpenTime = T0 + n * TIMEFRAME_MS["30m"];
  const entry = 100 + n;
  const setup = {
    symbol: n % 2 === 0 ? "BTCUSDT" : "ETHUSDT",
    model: "continuation",
    side: "LONG",
    timeframe: "30m",
    candleOpenTime,
    time: candleOpenTime + TIMEFRAME_MS["30m"],
    entry,
    stop: entry - 5,
    targets: [entry + 5, entry + 10, entry + 15],
    rr: 2,
    atr: 3,
    score: 80,
    components: [{ name: "trend", points: 20, max: 25 }],
    reasons: [{ code: "trendAligned", data: { ema: 99.5 } }],
  } as const;
  return {
    key: signalKey(setup),
    setup,
    status,
    ...(status === "blocked" ? { blockedBy: { code: "cooldown", data: { until: T0 + 86_400_000 } } } : {}),
    threshold: 75,
    ...(status === "emitted"
      ? { sizing: { quantity: 2, notional: 2 * entry, leverage: 1, riskAmount: 10, riskPercent: 1 } }
      : {}),
    adjustments: [],
    createdAt: setup.time,
  };
};

export const openTradeOf = (signal: Signal): VirtualTrade => {
  const s = signal.setup;
  return {
    id: signal.key,
    symbol: s.symbol,
    model: s.model,
    side: s.side,
    entry: s.entry,
    initialStop: s.stop,
    stop: s.stop,
    targets: s.targets,
    quantity: signal.sizing?.quantity ?? 1,
    riskAmount: signal.sizing?.riskAmount ?? Math.abs(s.entry - s.stop),
    openedAt: s.time,
    status: "open",
    targetsHit: 0,
    remaining: 1,
    candlesSeen: 0,
    lastPrice: s.entry,
    fills: [{ kind: "entry", price: s.entry, time: s.time, fraction: 1, fee: 0 }],
  };
};

export const newSignalNotification = (signal: Signal): Notification => ({ _tag: "NewSignal", signal });

/** Everything `SignalStore.emit` takes for the n-th signal. */
export const nthEmission = (n: number) => {
  const signal = nthSignal(n);
  return { signal, trade: openTradeOf(signal), notification: newSignalNotification(signal) };
};
