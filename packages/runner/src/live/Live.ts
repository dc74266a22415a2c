/**
 * The live loop, thin by design (every decision is core's): restore → universe → warm up → subscribe →
 * closed candles scanned, ticks advance trades → rotation, universe refresh, daily status, freshness
 * watchdog, /healthz and /metrics → on interruption (SIGTERM/SIGINT) stop intake, drain the outbox briefly,
 * close the sockets. The stores and their database are closed by the caller's Layer scope.
 */
import {
  type Alert,
  type KeyValueStore,
  Memory,
  type MemoryStatus,
  MINUTE_MS,
  makeOutboxWorker,
  type Notification,
  type Notifier,
  type OutboxWorkerConfig,
  Pipeline,
  restoreOpenTrades,
  SignalStore,
  signalsToday,
  type Timeframe,
} from "@signalbot/core";
import { Cause, Clock, Effect, Logger as EffectLogger, Fiber } from "effect";
import type { AppConfig } from "../Config.ts";
import { makeDashboard } from "../dashboard/DashboardServer.ts";
import type { HealthProbe } from "../observability/HealthProbe.ts";
import { dashboardUrl, type RunningHttpServer, startHttpServer } from "../observability/HttpServer.ts";
import type { Logger } from "../observability/Log.ts";
import type { Metrics } from "../observability/Metrics.ts";
import { makeRepeatedWarning } from "../observability/RepeatedWarning.ts";
import { type ActiveSymbols, makeActiveSymbols } from "./ActiveSymbols.ts";
import { type FlowDeps, type FlowServices, M, makeCandleFlow } from "./CandleFlow.ts";
import { isoMinute } from "./Describe.ts";
import { makeDispatcher } from "./Dispatcher.ts";
import type { MarketStream, MarketStreamFactory, StreamEvent } from "./MarketStream.ts";
import { nextLocalHour, StaleWatch } from "./Schedules.ts";

export type LiveServices = FlowServices | Notifier | KeyValueStore;

/** REST client events the loop turns into alerts and log lines. */
export type RestEvent =
  | { readonly _tag: "Banned"; readonly until: number }
  | { readonly _tag: "BanLifted"; readonly at: number }
  | { readonly _tag: "RateLimited"; readonly until: number }
  | {
      readonly _tag: "Retrying";
      readonly source: string;
      readonly attempt: number;
      readonly retryInMs: number;
      readonly message: string;
    };

export interface LiveOptions {
  readonly config: AppConfig;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly stream: MarketStreamFactory;
  /** Port of /healthz and /metrics on 127.0.0.1 (0 = any free port); undefined = no server. */
  readonly httpPort?: number;
  readonly version?: string;
  /** REST weight used in the current minute (the governor's view), for /metrics and /healthz. */
  readonly restWeightUsed?: () => number;
  /** Subscribes the loop to REST governor events (429 pauses, 418 bans). */
  readonly restEvents?: (listener: (event: RestEvent) => void) => void;
  /** Extra fibers that live as long as the loop, e.g. Telegram command polling (`universe`: symbols watched now). */
  readonly companions?: readonly ((ctx: {
    readonly universe: Effect.Effect<readonly string[]>;
  }) => Effect.Effect<void, never, LiveServices>)[];
  /** Why the loop is being stopped, for the "stopping" alert (default "shutdown"). */
  readonly stopReason?: () => string;
  /** How long shutdown waits for the outbox (default 3000 ms). */
  readonly shutdownDrainMs?: number;
  /** Outbox pacing (default: the worker's, 1 message/s). */
  readonly outbox?: OutboxWorkerConfig;
  /** Health of the parts beside the loop (REST, storage), each a /healthz section by name and /metrics figures. */
  readonly probes?: Readonly<Record<string, HealthProbe>>;
  /** Called once the first rotation is done (tests and the demo read the loop through it). */
  readonly onStarted?: (handle: LiveHandle) => void;
  /** Called after every closed-candle step, with what the step did. */
  readonly onStep?: FlowDeps["onStep"];
}

export interface LiveHandle {
  readonly httpPort: number | undefined;
  readonly health: () => HealthBody;
  readonly symbols: ActiveSymbols;
}

export interface HealthBody extends Record<string, unknown> {
  readonly ok: boolean;
}

/** Effect's own log lines (outbox worker, memory) go to the runner's logger. */
const effectLogger = (log: Logger) =>
  EffectLogger.make((o) => {
    const message = (Array.isArray(o.message) ? o.message : [o.message]).map(String).join(" ");
    const fields = o.cause.reasons.length > 0 ? { cause: Cause.pretty(o.cause).split("\n")[0] } : undefined;
    switch (o.logLevel) {
      case "Fatal":
      case "Error":
        return log.error(message, fields);
      case "Warn":
        return log.warn(message, fields);
      case "Info":
        return log.info(message, fields);
      default:
        return log.debug(message, fields);
    }
  });

const memorySummary = (s: MemoryStatus | undefined) =>
  s === undefined
    ? null
    : {
        trades20: s.trades20,
        winRate20: s.winRate20,
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

export const runLive = (options: LiveOptions): Effect.Effect<void, never, LiveServices> =>
  Effect.gen(function* () {
    const { config, log, metrics } = options;
    const version = options.version ?? "dev";
    const startedAt = yield* Clock.currentTimeMillis;
    const lastClosed: Partial<Record<Timeframe, number>> = {};
    const staleMs = config.staleAlertMinutes * MINUTE_MS;
    const stale = new StaleWatch(staleMs);
    let lastDataAt = startedAt;
    let reconnects = 0;
    let outboxDepth = 0;
    let memoryStatus: MemoryStatus | undefined;
    let universeLoaded = false;

    for (const [name, help] of Object.values(M)) metrics.declare(name, help, "counter");
    metrics.declare("signalbot_ws_reconnects_total", "WebSocket reconnects.", "counter");
    metrics.declare("signalbot_ws_malformed_total", "Malformed stream frames ignored.", "counter");

    const services = yield* Effect.context<LiveServices>();
    const store = yield* SignalStore;
    const memory = yield* Memory;
    const { book } = yield* Pipeline;

    const enqueue = (notification: Notification) =>
      store
        .enqueue(notification)
        .pipe(
          Effect.catchTag("StoreError", (e) =>
            Effect.sync(() => log.error(`could not queue a ${notification._tag} notification: ${e.message}`)),
          ),
        );
    const raise = (alert: Alert) =>
      Effect.flatMap(Clock.currentTimeMillis, (time) => enqueue({ _tag: "Alert", alert, time }));
    const runDetached = <A>(effect: Effect.Effect<A, never, LiveServices>) =>
      Effect.runForkWith(services)(effect);

    // 1. Restore: memory was restored when its layer was built; the open trades and the outbox come back here.
    const restored = yield* restoreOpenTrades().pipe(Effect.orDie);
    outboxDepth = yield* store.outboxDepth.pipe(Effect.orElseSucceed(() => 0));
    memoryStatus = yield* memory.status(0);
    log.info(`restored ${restored.length} open virtual trades, ${outboxDepth} notifications pending`, {
      trades: restored.map((t) => t.symbol).join(","),
      memoryPausedUntil:
        memoryStatus.pausedUntil === undefined ? "none" : isoMinute(memoryStatus.pausedUntil),
    });

    // 2. The stream feeds a dispatcher; symbols are tracked by the rotation.
    let stream: MarketStream | undefined;
    const symbols = makeActiveSymbols({
      config,
      log: log.child("universe"),
      metrics,
      stream: () => {
        if (stream === undefined) throw new Error("stream used before it was created");
        return stream;
      },
    });
    const flow = makeCandleFlow({
      log: log.child("scan"),
      metrics,
      lastClosed,
      ...(options.onStep === undefined ? {} : { onStep: options.onStep }),
    });
    const onData = () => {
      const now = Clock.currentTimeMillis.pipe(Effect.runSyncWith(services));
      lastDataAt = now;
      const back = stale.fresh(now);
      if (back !== undefined) {
        log.info(`market data back after ${back.downMinutes} min`);
        runDetached(raise({ kind: "marketDataRecovered", downMinutes: back.downMinutes }));
      }
    };
    const dispatcher = yield* makeDispatcher({
      flow,
      tracked: symbols.tracked,
      scanConcurrency: config.scanConcurrency,
      log: log.child("scan"),
      metrics,
      onEvent: onData,
    });
    const streamLog = log.child("stream");
    // One line for the first malformed frame, then one count per minute: a corrupt feed must not flood the log.
    const malformed = makeRepeatedWarning({
      what: "malformed frame",
      whereLabel: "shard",
      windowMs: MINUTE_MS,
      warn: (line) => streamLog.warn(line),
    });
    const onStreamEvent = (e: StreamEvent): void => {
      switch (e._tag) {
        case "Candle":
          dispatcher.offer(e.event);
          return;
        case "Connected":
          if (e.reconnect) {
            reconnects++;
            metrics.inc("signalbot_ws_reconnects_total", "WebSocket reconnects.");
          }
          streamLog.info(
            `shard ${e.shard} ${e.reconnect ? "reconnected" : "connected"}`,
            e.backfilled === undefined ? undefined : { backfilled: e.backfilled },
          );
          return;
        case "Disconnected":
          streamLog.warn(`shard ${e.shard} disconnected: ${e.reason}`);
          return;
        case "Stale":
          streamLog.warn(`shard ${e.shard} silent for ${Math.round(e.silentMs / 1000)} s, reconnecting`);
          return;
        case "Backfilled":
          if (e.candles > 0) streamLog.info(`stream backfilled ${e.candles} closed candles of "${e.symbol}"`);
          return;
        case "Warning":
          streamLog.warn(e.message);
          return;
        case "Malformed":
          metrics.inc("signalbot_ws_malformed_total", "Malformed stream frames ignored.");
          malformed.add(Clock.currentTimeMillis.pipe(Effect.runSyncWith(services)), e.shard, e.message);
          return;
      }
    };
    stream = options.stream(onStreamEvent);

    options.restEvents?.((event) => {
      if (event._tag === "Banned") {
        log.error(`REST banned by the exchange (418) until ${isoMinute(event.until)}`);
        runDetached(raise({ kind: "restBan", until: event.until }));
      } else if (event._tag === "BanLifted") log.info("REST ban lifted");
      else if (event._tag === "Retrying") {
        // The first failure of a request is said at once; its further retries only in debug.
        const line = `REST ${event.source} failed (attempt ${event.attempt}), retrying in ${(event.retryInMs / 1000).toFixed(1)} s: ${event.message}`;
        if (event.attempt === 1) log.warn(line);
        else log.debug(line);
      } else log.warn(`REST rate-limited (429) until ${isoMinute(event.until)}`);
    });

    // 3. /healthz and /metrics.
    const worker = makeOutboxWorker(options.outbox ?? {});
    const health = (): HealthBody => {
      const now = Clock.currentTimeMillis.pipe(Effect.runSyncWith(services));
      const view = symbols.view();
      const fresh = now - lastDataAt < staleMs && !stale.stale;
      const probed = Object.fromEntries(
        Object.entries(options.probes ?? {}).map(([k, p]) => [k, p.health()]),
      );
      const delivery = worker.status();
      const ok =
        universeLoaded &&
        fresh &&
        memoryStatus?.unavailable === undefined &&
        delivery.halted === undefined &&
        Object.values(probed).every((p) => p.ok);
      const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString());
      return {
        ok,
        version,
        time: iso(now),
        startedAt: iso(startedAt),
        uptimeSeconds: Math.round((now - startedAt) / 1000),
        marketData: {
          fresh,
          universeLoaded,
          lastDataAt: iso(lastDataAt),
          ageSeconds: Math.round((now - lastDataAt) / 1000),
          staleAfterMinutes: config.staleAlertMinutes,
          reconnects,
          shards: (stream?.shards() ?? []).map((s) => ({
            ...s,
            silentSeconds: s.silentMs === undefined ? null : Math.round(s.silentMs / 1000),
          })),
        },
        lastClosed: {
          "30m": iso(lastClosed["30m"]),
          "4h": iso(lastClosed["4h"]),
          "1d": iso(lastClosed["1d"]),
        },
        outbox: {
          depth: outboxDepth,
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
        },
        openTrades: book.size,
        scans: dispatcher.load(),
        restWeightUsed: options.restWeightUsed?.() ?? null,
      };
    };
    const renderMetrics = () => {
      metrics.set("signalbot_outbox_depth", "Notifications waiting for delivery.", outboxDepth);
      metrics.set(
        "signalbot_outbox_halted",
        "1 while Telegram refuses the chat or the bot (delivery stopped, the outbox kept).",
        worker.status().halted === undefined ? 0 : 1,
      );
      for (const probe of Object.values(options.probes ?? {})) probe.metrics?.(metrics);
      metrics.set("signalbot_open_trades", "Open virtual trades.", book.size);
      const load = dispatcher.load();
      metrics.set("signalbot_scan_queue", "Kline events waiting to be processed.", load.queued);
      metrics.set("signalbot_scans_running", "Scans running now.", load.scanning);
      if (options.restWeightUsed !== undefined)
        metrics.set(
          "signalbot_rest_weight_used",
          "REST request weight used this minute.",
          options.restWeightUsed(),
        );
      metrics.set(
        "signalbot_market_data_age_seconds",
        "Seconds since the last market data.",
        Math.round((Clock.currentTimeMillis.pipe(Effect.runSyncWith(services)) - lastDataAt) / 1000),
      );
      return metrics.render();
    };
    let http: RunningHttpServer | undefined;
    const dashboard = makeDashboard({
      loop: { health, symbols: () => symbols.view(), candles: (s, n) => symbols.tracked(s)?.recent(n) },
      settings: config,
      run: Effect.runPromiseWith(services),
      log: log.child("dashboard"),
    });
    if (options.httpPort !== undefined) {
      http = startHttpServer({
        port: options.httpPort,
        hostname: config.httpHost,
        ...(config.dashboardToken === undefined ? {} : { token: config.dashboardToken }),
        health,
        metrics: renderMetrics,
        routes: dashboard.handle,
      });
      log.info(`dashboard on ${dashboardUrl(http)}, health on /healthz, metrics on /metrics`);
    }

    // 4. Background fibers: dispatcher and outbox first, so restored notifications go out during warm-up.
    const fibers: Fiber.Fiber<unknown, unknown>[] = [];
    const dispatcherFiber = yield* Effect.forkDetach(dispatcher.run);
    const outboxFiber = yield* Effect.forkDetach(worker.run);
    const universe = Effect.sync(() => symbols.view().active);
    for (const companion of options.companions ?? [])
      fibers.push(yield* Effect.forkDetach(companion({ universe })));

    const shutdown = Effect.gen(function* () {
      log.info("stopping: intake closed, draining the outbox");
      yield* Fiber.interruptAll(fibers);
      yield* raise({ kind: "stopping", reason: options.stopReason?.() ?? "shutdown" });
      yield* dispatcher.stop(2000);
      yield* Fiber.interrupt(dispatcherFiber);
      yield* Effect.promise(() => stream?.close() ?? Promise.resolve()).pipe(Effect.ignore);
      yield* Fiber.interrupt(outboxFiber);
      const left = yield* worker.drain(options.shutdownDrainMs ?? 3000);
      dashboard.close();
      yield* Effect.promise(() => http?.stop() ?? Promise.resolve()).pipe(Effect.ignore);
      log.info(`stopped, ${left} notifications left for the next start`);
    });

    const main = Effect.gen(function* () {
      // 5. Universe (retried with backoff while the exchange is unreachable), warm-up, subscription.
      log.info(`loading the universe from ${config.restUrl}`, { top: config.topVolumeFetchLimit });
      yield* symbols.loadUniverse;
      universeLoaded = true;
      const first = yield* symbols.rotate;
      const now = yield* Clock.currentTimeMillis;
      lastDataAt = now;
      log.info(`started: ${symbols.view().active.length} symbols warmed up and subscribed`, {
        warmupMs: now - startedAt,
        entering: first.entering.length,
      });
      yield* raise({ kind: "started", symbols: symbols.view().active.length, version });
      options.onStarted?.({ httpPort: http?.port, health, symbols });

      const every = (ms: number, effect: Effect.Effect<unknown, never, LiveServices>) =>
        Effect.forkDetach(Effect.forever(Effect.andThen(Effect.sleep(ms), effect)));
      const slotMs = config.rotationSlotSeconds * 1000;
      // Rotation on slot boundaries (event time), so a restart resumes the same window.
      fibers.push(
        yield* Effect.forkDetach(
          Effect.forever(
            Effect.gen(function* () {
              const t = yield* Clock.currentTimeMillis;
              yield* Effect.sleep(slotMs - (t % slotMs));
              yield* symbols.rotate;
            }),
          ),
        ),
      );
      fibers.push(
        yield* every(config.universeRefreshSeconds * 1000, symbols.refreshUniverse),
        // Freshness watchdog and the cached figures /healthz shows.
        yield* every(
          5_000,
          Effect.gen(function* () {
            const t = yield* Clock.currentTimeMillis;
            malformed.flush(t);
            outboxDepth = yield* store.outboxDepth.pipe(Effect.orElseSucceed(() => outboxDepth));
            const today = yield* signalsToday.pipe(Effect.orElseSucceed(() => 0));
            memoryStatus = yield* memory.status(today);
            const alarm = stale.check(t, lastDataAt);
            if (alarm !== undefined) {
              const shards = stream?.shards().length ?? 0;
              log.warn(`market data stale: nothing for ${alarm.minutes} min`, { shards });
              yield* raise({ kind: "marketDataStale", minutes: alarm.minutes, shards });
            }
          }),
        ),
      );
      if (config.dailyStatusHour >= 0)
        fibers.push(
          yield* Effect.forkDetach(
            Effect.forever(
              Effect.gen(function* () {
                const t = yield* Clock.currentTimeMillis;
                yield* Effect.sleep(nextLocalHour(t, config.dailyStatusHour, config.timeZone) - t);
                const today = yield* signalsToday.pipe(Effect.orElseSucceed(() => 0));
                yield* enqueue({ _tag: "Status", status: yield* memory.status(today) });
                log.info("daily status queued");
              }),
            ),
          ),
        );
      return yield* Effect.never;
    });

    yield* main.pipe(Effect.ensuring(shutdown));
  }).pipe(Effect.provide(EffectLogger.layer([effectLogger(options.log)])));
