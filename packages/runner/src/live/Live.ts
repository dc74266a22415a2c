/**
 * The live loop, thin by design (every decision is core's): restore → universe → warm up → subscribe →
 * closed candles through core's step, forming ticks to open trades → schedules (Schedules.ts), /healthz and
 * /metrics (Health.ts), stream and REST events as log lines and alerts (EventLog.ts). Everything it starts
 * lives in its Scope: on interruption (SIGTERM/SIGINT) the scope's finalizers stop intake, let the scans
 * finish, drain the outbox briefly and stop the HTTP server. The stores and the stream are closed by the
 * caller's Layer scope.
 */
import {
  type Alert,
  CandleCache,
  type CandleEvent,
  type KeyValueStore,
  MarketStream,
  Memory,
  type Model,
  makeOutboxWorker,
  type Notification,
  type Notifier,
  type OutboxWorkerConfig,
  Pipeline,
  type RestEvent,
  restoreOpenTrades,
  SignalStore,
} from "@signalbot/core";
import { Cause, Clock, Effect, Logger as EffectLogger, FiberSet, Option, Queue, Ref } from "effect";
import type { AppConfig } from "../Config.ts";
import { makeDashboard } from "../dashboard/DashboardServer.ts";
import type { HealthProbe } from "../observability/HealthProbe.ts";
import { dashboardUrl, startHttpServer } from "../observability/HttpServer.ts";
import type { Logger } from "../observability/Log.ts";
import type { Metrics } from "../observability/Metrics.ts";
import { type ActiveSymbols, makeActiveSymbols } from "./ActiveSymbols.ts";
import { type FlowDeps, type FlowServices, M, makeCandleFlow } from "./CandleFlow.ts";
import { isoMinute } from "./Describe.ts";
import { makeDispatcher } from "./Dispatcher.ts";
import { makeEventLog, STREAM_METRICS } from "./EventLog.ts";
import { type HealthBody, makeHealth } from "./Health.ts";
import { makeLiveState } from "./LiveState.ts";
import { type PricePollDeps, runPricePoll } from "./PricePoll.ts";
import { forkSchedules } from "./Schedules.ts";

export type { HealthBody } from "./Health.ts";

export type LiveServices = FlowServices | Notifier | KeyValueStore | MarketStream;

export interface LiveOptions {
  readonly config: AppConfig;
  /** The models the loop analyses (loaded from MODELS); default core's `DEFAULT_MODELS`. */
  readonly models?: readonly Model[];
  readonly log: Logger;
  readonly metrics: Metrics;
  /** Port of /healthz and /metrics on 127.0.0.1 (0 = any free port); undefined = no server. */
  readonly httpPort?: number;
  readonly version?: string;
  /** REST weight used in the current minute (the governor's view), for /metrics and /healthz. */
  readonly restWeightUsed?: () => number;
  /** A symbol's last traded price (MARKET_DATA=poll with POLL_PRICE_SECONDS > 0: open trades' price poll). */
  readonly lastPrice?: PricePollDeps["price"];
  /** Subscribes the loop to the REST client's events (429 pauses, 418 bans, retries). */
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

export const runLive = (options: LiveOptions): Effect.Effect<void, never, LiveServices> =>
  Effect.scoped(
    Effect.gen(function* () {
      const { config, log, metrics } = options;
      const version = options.version ?? "dev";
      const clock = yield* Clock.Clock;
      const state = yield* makeLiveState(clock.currentTimeMillisUnsafe());
      for (const [name, help] of [...Object.values(M), ...Object.values(STREAM_METRICS)])
        metrics.declare(name, help, "counter");

      const services = yield* Effect.context<LiveServices>();
      const store = yield* SignalStore;
      const memory = yield* Memory;
      const stream = yield* MarketStream;
      const { book } = yield* Pipeline;
      const enqueue = (notification: Notification) =>
        store
          .enqueue(notification)
          .pipe(
            Effect.catchTag("StoreError", (e) =>
              Effect.sync(() =>
                log.error(`could not queue a ${notification._tag} notification: ${e.message}`),
              ),
            ),
          );
      const raise = (alert: Alert) =>
        Effect.flatMap(Clock.currentTimeMillis, (time) => enqueue({ _tag: "Alert", alert, time }));

      // 1. Restore: memory was restored when its layer was built; the open trades and the outbox come back here.
      const restored = yield* restoreOpenTrades().pipe(Effect.orDie);
      yield* Ref.set(state.outboxDepth, yield* store.outboxDepth.pipe(Effect.orElseSucceed(() => 0)));
      const memoryStatus = yield* memory.status(0);
      yield* Ref.set(state.memoryStatus, memoryStatus);
      log.info(
        `restored ${restored.length} open virtual trades, ${Ref.getUnsafe(state.outboxDepth)} notifications pending`,
        {
          trades: restored.map((t) => t.symbol).join(","),
          memoryPausedUntil:
            memoryStatus.pausedUntil === undefined ? "none" : isoMinute(memoryStatus.pausedUntil),
        },
      );

      // 2. The stream feeds the dispatcher; symbols are tracked by the rotation.
      // Entering symbols hand the candles of their slot to the dispatcher, created just below.
      let replay: (event: CandleEvent) => void = () => {};
      const models = options.models === undefined ? {} : { models: options.models };
      // The bot's database keeps the warm-up cache across restarts (AppLayer provides it; a test may not).
      const candleCache = Option.getOrUndefined(yield* Effect.serviceOption(CandleCache));
      const symbols = makeActiveSymbols({
        config: { ...config, ...models },
        log: log.child("universe"),
        metrics,
        stream,
        replay: (event) => replay(event),
        ...(candleCache === undefined ? {} : { candleCache }),
      });
      const flow = makeCandleFlow({
        log: log.child("scan"),
        metrics,
        lastClosed: state.lastClosed,
        watched: symbols.expected,
        onStep: (symbol, outcome) => {
          symbols.stepped(symbol, outcome);
          options.onStep?.(symbol, outcome);
        },
      });
      const dispatcher = yield* makeDispatcher({
        flow,
        tracked: symbols.tracked,
        scanConcurrency: config.scanConcurrency,
        log: log.child("scan"),
        metrics,
      });
      replay = (event) => void dispatcher.offer(event);
      const events = makeEventLog({ log, metrics, state, raise });
      const worker = makeOutboxWorker(options.outbox ?? {});

      // 3. /healthz, /metrics and the dashboard, stopped last.
      const health = makeHealth({
        config,
        version,
        clock,
        state,
        symbols,
        stream,
        book,
        dispatcher,
        closesPending: flow.pendingRounds,
        metrics,
        restWeightUsed: options.restWeightUsed,
        probes: options.probes ?? {},
        delivery: worker.status,
        outboxDepth: () =>
          Effect.runSyncWith(services)(
            store.outboxDepth.pipe(Effect.orElseSucceed(() => Ref.getUnsafe(state.outboxDepth))),
          ),
      });
      const dashboard = makeDashboard({
        loop: {
          health: health.health,
          symbols: () => symbols.view(),
          candles: (s, n) => symbols.tracked(s)?.recent(n),
        },
        settings: { ...config, ...models },
        run: Effect.runPromiseWith(services),
        log: log.child("dashboard"),
      });
      const http =
        options.httpPort === undefined
          ? undefined
          : yield* Effect.acquireRelease(
              Effect.sync(() =>
                startHttpServer({
                  port: options.httpPort!,
                  hostname: config.httpHost,
                  ...(config.dashboardToken === undefined ? {} : { token: config.dashboardToken }),
                  health: health.health,
                  metrics: health.metrics,
                  routes: dashboard.handle,
                }),
              ),
              (server) =>
                Effect.promise(() => {
                  dashboard.close();
                  return server.stop();
                }).pipe(Effect.ignore),
            );
      if (http !== undefined)
        log.info(`dashboard on ${dashboardUrl(http)}, health on /healthz, metrics on /metrics`);

      // 4. Background fibers, all in this scope. The dispatcher outlives shutdown's wait for the running scans;
      // the fibers forked after the shutdown finalizer (intake, outbox, companions, schedules) end before it.
      yield* Effect.forkScoped(dispatcher.run);
      yield* Effect.addFinalizer(() =>
        Effect.gen(function* () {
          log.info("stopping: intake closed, draining the outbox");
          yield* raise({ kind: "stopping", reason: options.stopReason?.() ?? "shutdown" });
          yield* dispatcher.stop(2000);
          // The closes still waiting for a symbol are decided with what was reported.
          yield* flow.flush;
          // The symbols watched now resume from the warm-up cache at the next start.
          yield* symbols.keepTracked;
          const left = yield* worker.drain(options.shutdownDrainMs ?? 3000);
          log.info(`stopped, ${left} notifications left for the next start`);
        }),
      );
      // Outbox first, so restored notifications go out during warm-up.
      yield* Effect.forkScoped(worker.run);
      yield* Effect.forkScoped(
        Effect.forever(
          Effect.gen(function* () {
            const e = yield* Queue.take(stream.events);
            if (e._tag !== "Candle") return yield* events.stream(e);
            yield* events.data;
            dispatcher.offer(e.event);
          }),
        ),
      );
      const run = yield* FiberSet.makeRuntime<never>();
      options.restEvents?.((event) => void run(events.rest(event)));
      if (config.marketData === "poll" && config.pollPriceSeconds > 0 && options.lastPrice !== undefined)
        yield* Effect.forkScoped(
          runPricePoll({
            everyMs: config.pollPriceSeconds * 1000,
            price: options.lastPrice,
            tracked: symbols.tracked,
            offer: dispatcher.offer,
            log: log.child("prices"),
          }),
        );
      const universe = Effect.sync(() => symbols.view().active);
      for (const companion of options.companions ?? []) yield* Effect.forkScoped(companion({ universe }));

      // 5. Universe (retried with backoff while the exchange is unreachable), warm-up, subscription, schedules.
      log.info(`loading the universe from ${config.restUrl}`, { top: config.topVolumeFetchLimit });
      yield* symbols.loadUniverse;
      yield* Ref.set(state.universeLoaded, true);
      const first = yield* symbols.rotate();
      const now = yield* Clock.currentTimeMillis;
      yield* Ref.set(state.lastDataAt, now);
      log.info(`started: ${symbols.view().active.length} symbols warmed up and subscribed`, {
        warmupMs: now - state.startedAt,
        entering: first.entering.length,
      });
      yield* raise({ kind: "started", symbols: symbols.view().active.length, version });
      options.onStarted?.({ httpPort: http?.port, health: health.health, symbols });
      yield* forkSchedules({
        config,
        log,
        state,
        symbols,
        stream,
        raise,
        enqueue,
        flushWarnings: events.flush,
      });
      return yield* Effect.never;
    }),
  ).pipe(Effect.provide(EffectLogger.layer([effectLogger(options.log)])));
