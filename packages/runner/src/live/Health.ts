/**
 * `/healthz` (JSON) and `/metrics` (Prometheus text) of the running loop, read synchronously from its state:
 * market-data freshness and shards, the last closed candle per timeframe, the outbox, the memory, the
 * watched symbols, open trades, the scan load and the REST weight.
 */
import type { MarketStream, MemoryStatus, OpenTrades, OutboxStatus } from "@signalbot/core";
import { type Clock, Ref } from "effect";
import type { AppConfig } from "../Config.ts";
import type { HealthProbe } from "../observability/HealthProbe.ts";
import type { Metrics } from "../observability/Metrics.ts";
import type { ActiveSymbols } from "./ActiveSymbols.ts";
import { isoMinute } from "./Describe.ts";
import type { Dispatcher } from "./Dispatcher.ts";
import type { LiveState } from "./LiveState.ts";
import { staleAfterMs } from "./Schedules.ts";

export interface HealthBody extends Record<string, unknown> {
  readonly ok: boolean;
}

export interface HealthDeps {
  readonly config: AppConfig;
  readonly version: string;
  readonly clock: Clock.Clock;
  readonly state: LiveState;
  readonly symbols: ActiveSymbols;
  readonly stream: MarketStream["Service"];
  readonly book: OpenTrades;
  readonly dispatcher: Dispatcher;
  /** Closes whose setups wait for a watched symbol's candle (CloseRounds). */
  readonly closesPending: () => number;
  readonly metrics: Metrics;
  readonly restWeightUsed: (() => number) | undefined;
  /** Notifications waiting, read from the store now (the cached figure when the read fails). */
  readonly outboxDepth: () => number;
  /** Whether delivery is halted (Telegram refusing the chat or the bot). */
  readonly delivery: () => OutboxStatus;
  /** The parts beside the loop (REST, storage), each a section by name. */
  readonly probes: Readonly<Record<string, HealthProbe>>;
}

const memorySummary = (s: MemoryStatus | undefined) =>
  s === undefined
    ? null
    : {
        trades20: s.trades20,
        winRate20: s.winRate20,
        window: s.window ?? 20,
        equity: Math.round(s.equity * 100) / 100,
        drawdownPct: Math.round(s.drawdownPct * 100) / 100,
        lossStreak: s.lossStreak,
        threshold: s.threshold,
        signalsToday: s.signalsToday,
        maxSignalsPerDay: s.maxSignalsPerDay,
        riskPercent: s.riskPercent,
        pausedUntil: s.pausedUntil === undefined ? null : isoMinute(s.pausedUntil),
        cooldowns: s.cooldowns.map((c) => ({ symbol: c.symbol, until: isoMinute(c.until) })),
        disabledModels: s.disabledModels.map((d) => ({ model: d.model, until: isoMinute(d.until) })),
        unavailable: s.unavailable ?? null,
      };

export const makeHealth = (deps: HealthDeps) => {
  const { config, state, metrics } = deps;
  const staleMs = staleAfterMs(config);
  const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString());

  const health = (): HealthBody => {
    const now = deps.clock.currentTimeMillisUnsafe();
    const view = deps.symbols.view();
    const lastDataAt = Ref.getUnsafe(state.lastDataAt);
    const memoryStatus = Ref.getUnsafe(state.memoryStatus);
    const universeLoaded = Ref.getUnsafe(state.universeLoaded);
    const lastClosed = Ref.getUnsafe(state.lastClosed);
    const fresh = now - lastDataAt < staleMs && Ref.getUnsafe(state.freshness).staleSince === undefined;
    const probed = Object.fromEntries(Object.entries(deps.probes).map(([k, p]) => [k, p.health()]));
    const delivery = deps.delivery();
    return {
      ok:
        universeLoaded &&
        fresh &&
        memoryStatus?.unavailable === undefined &&
        delivery.halted === undefined &&
        Object.values(probed).every((p) => p.ok),
      version: deps.version,
      time: iso(now),
      startedAt: iso(state.startedAt),
      uptimeSeconds: Math.round((now - state.startedAt) / 1000),
      marketData: {
        fresh,
        universeLoaded,
        lastDataAt: iso(lastDataAt),
        ageSeconds: Math.round((now - lastDataAt) / 1000),
        staleAfterMinutes: Math.round(staleMs / 60_000),
        source: config.marketData,
        reconnects: Ref.getUnsafe(state.reconnects),
        shards: deps.stream.shards().map((s) => ({
          ...s,
          silentSeconds: s.silentMs === undefined ? null : Math.round(s.silentMs / 1000),
        })),
      },
      lastClosed: { "30m": iso(lastClosed["30m"]), "4h": iso(lastClosed["4h"]), "1d": iso(lastClosed["1d"]) },
      outbox: {
        depth: deps.outboxDepth(),
        halted:
          delivery.halted === undefined
            ? null
            : {
                since: iso(delivery.halted.since),
                reason: delivery.halted.reason,
                nextRetryAt: iso(delivery.halted.nextRetryAt),
              },
      },
      ...probed,
      memory: memorySummary(memoryStatus),
      symbols: {
        active: view.active.length,
        list: view.active,
        fixed: view.fixed,
        pinned: view.pinned,
        rotating: view.rotating,
        universe: view.ranked,
        universeSkipped: view.skipped,
        warmupCache: view.warmupCache,
      },
      openTrades: deps.book.size,
      scans: { ...deps.dispatcher.load(), closesPending: deps.closesPending() },
      restWeightUsed: deps.restWeightUsed?.() ?? null,
    };
  };

  const renderMetrics = (): string => {
    metrics.set("signalbot_outbox_depth", "Notifications waiting for delivery.", deps.outboxDepth());
    metrics.set(
      "signalbot_outbox_halted",
      "1 while Telegram refuses the chat or the bot (delivery stopped, the outbox kept).",
      deps.delivery().halted === undefined ? 0 : 1,
    );
    for (const probe of Object.values(deps.probes)) probe.metrics?.(metrics);
    metrics.set("signalbot_open_trades", "Open virtual trades.", deps.book.size);
    const load = deps.dispatcher.load();
    metrics.set("signalbot_scan_queue", "Kline events waiting to be processed.", load.queued);
    metrics.set("signalbot_scans_running", "Scans running now.", load.scanning);
    if (deps.restWeightUsed !== undefined)
      metrics.set(
        "signalbot_rest_weight_used",
        "REST request weight used this minute.",
        deps.restWeightUsed(),
      );
    metrics.set(
      "signalbot_market_data_age_seconds",
      "Seconds since the last market data.",
      Math.round((deps.clock.currentTimeMillisUnsafe() - Ref.getUnsafe(state.lastDataAt)) / 1000),
    );
    return metrics.render();
  };

  return { health, metrics: renderMetrics };
};
