/**
 * The loop's clocks, all on Effect's Clock (wall time live, the fake exchange's clock in tests): when the
 * daily status message is due (DAILY_STATUS_HOUR in TIMEZONE), whether market data went stale, and the
 * fibers that run the loop's periodic work on them.
 */
import {
  type Alert,
  HOUR_MS,
  type MarketData,
  type MarketStream,
  Memory,
  MINUTE_MS,
  type Notification,
  type Pipeline,
  SignalStore,
  signalsToday,
  slotStartAt,
  TIMEFRAME_MS,
  trackRecord,
} from "@signalbot/core";
import { Clock, Effect, Ref } from "effect";
import type { AppConfig } from "../Config.ts";
import type { Logger } from "../observability/Log.ts";
import type { ActiveSymbols } from "./ActiveSymbols.ts";
import type { LiveState } from "./LiveState.ts";

const QUARTER_MS = 15 * MINUTE_MS;

const localHourMinute = (time: number, timeZone: string): { hour: number; minute: number } => {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(new Date(time));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? "0");
  return { hour: get("hour"), minute: get("minute") };
};

/** The next instant strictly after `now` at which it is `hour`:00 in `timeZone` (zones on quarter-hour offsets). */
export const nextLocalHour = (now: number, hour: number, timeZone: string): number => {
  let t = Math.floor(now / QUARTER_MS) * QUARTER_MS + QUARTER_MS;
  for (let i = 0; i < 4 * 24 * 2; i++, t += QUARTER_MS) {
    const local = localHourMinute(t, timeZone);
    if (local.hour === hour && local.minute === 0) return t;
  }
  return now + 24 * HOUR_MS; // a zone skipping that hour today (DST): try again tomorrow
};

/**
 * How long without market data before it counts as stale: STALE_ALERT_MINUTES, plus — when the candles are polled
 * (MARKET_DATA=poll), so data comes once per 30m close — the time from one round to the next.
 */
export const staleAfterMs = (
  config: Pick<AppConfig, "staleAlertMinutes" | "marketData" | "pollDelaySeconds">,
): number =>
  config.staleAlertMinutes * MINUTE_MS +
  (config.marketData === "poll" ? TIMEFRAME_MS["30m"] + config.pollDelaySeconds * 1000 : 0);

/** Market-data freshness: since when data has been missing (undefined while it flows). */
export interface Freshness {
  readonly staleSince: number | undefined;
}

export const FRESH: Freshness = { staleSince: undefined };

/** "Stale" once after `staleMs` without data (then quiet until data comes back). */
export const checkFreshness = (
  f: Freshness,
  now: number,
  lastDataAt: number,
  staleMs: number,
): { readonly next: Freshness; readonly stale?: { readonly minutes: number } } =>
  f.staleSince !== undefined || now - lastDataAt < staleMs
    ? { next: f }
    : { next: { staleSince: lastDataAt }, stale: { minutes: Math.floor((now - lastDataAt) / MINUTE_MS) } };

/** Data arrived at `now`: an outage (if any) ends, with its length. */
export const dataArrived = (
  f: Freshness,
  now: number,
): { readonly next: Freshness; readonly recovered?: { readonly downMinutes: number } } =>
  f.staleSince === undefined
    ? { next: f }
    : { next: FRESH, recovered: { downMinutes: Math.round((now - f.staleSince) / MINUTE_MS) } };

export interface ScheduleDeps {
  readonly config: AppConfig;
  readonly log: Logger;
  readonly state: LiveState;
  readonly symbols: ActiveSymbols;
  readonly stream: MarketStream["Service"];
  readonly raise: (alert: Alert) => Effect.Effect<void>;
  readonly enqueue: (notification: Notification) => Effect.Effect<void>;
  /** Repeated warnings whose window passed are told (called by the watchdog). */
  readonly flushWarnings: (now: number) => void;
}

/** How often the watchdog looks at market data and refreshes the figures /healthz shows. */
export const WATCHDOG_MS = 5_000;

/**
 * Forks the running loop's schedules into the current Scope (they end with it): rotation on slot boundaries
 * (event time, so a restart resumes the same window), the universe refresh, the freshness watchdog with the
 * cached /healthz figures, and the daily status at its local hour.
 */
export const forkSchedules = (deps: ScheduleDeps) =>
  Effect.gen(function* () {
    const { config, log, state, symbols } = deps;
    const slotMs = config.rotationSlotSeconds * 1000;
    const staleMs = staleAfterMs(config);
    const every = (ms: number, effect: Effect.Effect<unknown, never, LiveScheduleServices>) =>
      Effect.forkScoped(Effect.forever(Effect.andThen(Effect.sleep(ms), effect)));

    // A late wake-up (a busy process) rotates for the latest boundary passed, never skips to the one after.
    let next = slotStartAt(yield* Clock.currentTimeMillis, slotMs) + slotMs;
    yield* Effect.forkScoped(
      Effect.forever(
        Effect.gen(function* () {
          const t = yield* Clock.currentTimeMillis;
          if (t < next) yield* Effect.sleep(next - t);
          const boundary = slotStartAt(yield* Clock.currentTimeMillis, slotMs);
          yield* symbols.rotate(boundary);
          next = boundary + slotMs;
        }),
      ),
    );
    yield* every(config.universeRefreshSeconds * 1000, symbols.refreshUniverse);
    yield* every(
      WATCHDOG_MS,
      Effect.gen(function* () {
        const t = yield* Clock.currentTimeMillis;
        deps.flushWarnings(t);
        const depth = yield* Effect.flatMap(Effect.service(SignalStore), (s) => s.outboxDepth).pipe(
          Effect.orElseSucceed(() => Ref.getUnsafe(state.outboxDepth)),
        );
        yield* Ref.set(state.outboxDepth, depth);
        const today = yield* signalsToday.pipe(Effect.orElseSucceed(() => 0));
        yield* Ref.set(state.memoryStatus, yield* (yield* Memory).status(today));
        const check = checkFreshness(
          yield* Ref.get(state.freshness),
          t,
          yield* Ref.get(state.lastDataAt),
          staleMs,
        );
        yield* Ref.set(state.freshness, check.next);
        if (check.stale !== undefined) {
          const shards = deps.stream.shards().length;
          log.warn(`market data stale: nothing for ${check.stale.minutes} min`, { shards });
          yield* deps.raise({ kind: "marketDataStale", minutes: check.stale.minutes, shards });
        }
      }),
    );
    if (config.dailyStatusHour >= 0)
      yield* Effect.forkScoped(
        Effect.forever(
          Effect.gen(function* () {
            const t = yield* Clock.currentTimeMillis;
            yield* Effect.sleep(nextLocalHour(t, config.dailyStatusHour, config.timeZone) - t);
            const today = yield* signalsToday.pipe(Effect.orElseSucceed(() => 0));
            const closed = yield* Effect.flatMap(Effect.service(SignalStore), (store) =>
              store.closedTrades(0),
            ).pipe(Effect.map(trackRecord), Effect.option);
            yield* deps.enqueue({
              _tag: "Status",
              status: yield* (yield* Memory).status(today),
              ...(closed._tag === "Some" ? { record: closed.value } : {}),
            });
            log.info("daily status queued");
          }),
        ),
      );
  });

type LiveScheduleServices = MarketData | Pipeline | SignalStore | Memory | MarketStream;
