/**
 * What the market stream and the REST client report, turned into log lines, metrics and alerts: reconnects
 * counted, an IP ban alerted, the end of a market-data outage announced, a flood of malformed frames told
 * once a minute. No decision is made here.
 */
import { type Alert, MINUTE_MS, type RestEvent, type StreamEvent } from "@signalbot/core";
import { Clock, Effect, Ref } from "effect";
import type { Logger } from "../observability/Log.ts";
import type { Metrics } from "../observability/Metrics.ts";
import { makeRepeatedWarning } from "../observability/RepeatedWarning.ts";
import { isoMinute } from "./Describe.ts";
import type { LiveState } from "./LiveState.ts";
import { dataArrived } from "./Schedules.ts";

export interface EventLogDeps {
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly state: LiveState;
  readonly raise: (alert: Alert) => Effect.Effect<void>;
}

export const STREAM_METRICS = {
  reconnects: ["signalbot_ws_reconnects_total", "WebSocket reconnects."],
  malformed: ["signalbot_ws_malformed_total", "Malformed stream frames ignored."],
  polls: ["signalbot_poll_rounds_total", "MARKET_DATA=poll: rounds that fetched the just-closed candles."],
  pollLate: [
    "signalbot_poll_late_total",
    "MARKET_DATA=poll: symbols whose just-closed candle was not there at their round (asked again).",
  ],
} as const;

const seconds = (ms: number) => Math.round(ms / 1000);

export const makeEventLog = (deps: EventLogDeps) => {
  const { log, metrics, state } = deps;
  const streamLog = log.child("stream");
  // One line for the first malformed frame, then one count per minute: a corrupt feed must not flood the log.
  const malformed = makeRepeatedWarning({
    what: "malformed frame",
    whereLabel: "shard",
    windowMs: MINUTE_MS,
    warn: (line) => streamLog.warn(line),
  });

  /** A kline event arrived: market data is fresh; an outage that ends is told. */
  const data = Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis;
    yield* Ref.set(state.lastDataAt, now);
    const { next, recovered } = dataArrived(yield* Ref.get(state.freshness), now);
    yield* Ref.set(state.freshness, next);
    if (recovered === undefined) return;
    log.info(`market data back after ${recovered.downMinutes} min`);
    yield* deps.raise({ kind: "marketDataRecovered", downMinutes: recovered.downMinutes });
  });

  /** Everything the stream says besides candles. */
  const stream = (e: Exclude<StreamEvent, { readonly _tag: "Candle" }>) =>
    Effect.gen(function* () {
      switch (e._tag) {
        case "Connected":
          if (e.reconnect) {
            yield* Ref.update(state.reconnects, (n) => n + 1);
            metrics.inc(...STREAM_METRICS.reconnects);
          }
          streamLog.info(
            `shard ${e.shard} ${e.reconnect ? "reconnected" : "connected"}`,
            e.downtimeMs === undefined
              ? { streams: e.streams }
              : { streams: e.streams, downSeconds: seconds(e.downtimeMs) },
          );
          return;
        case "Disconnected":
          streamLog.warn(
            `shard ${e.shard} disconnected: ${e.code} ${e.reason}, retry in ${seconds(e.retryInMs)} s`,
          );
          return;
        case "Stale":
          streamLog.warn(`shard ${e.shard} silent for ${seconds(e.silentMs)} s, reconnecting`);
          return;
        case "Backfilled":
          if (e.candles > 0) streamLog.info(`stream backfilled ${e.candles} closed candles of "${e.symbol}"`);
          return;
        case "BackfillFailed":
          streamLog.warn(
            `closed candles of "${e.symbol}" not fetched, retry in ${seconds(e.retryInMs)} s: ${e.message}`,
          );
          return;
        case "Polled":
          metrics.inc(...STREAM_METRICS.polls);
          if (e.late.length > 0) {
            metrics.inc(...STREAM_METRICS.pollLate, {}, e.late.length);
            streamLog.warn(
              `poll of the ${isoMinute(e.openTime)} candle: ${e.late.length} of ${e.symbols} symbols late, asking again`,
              { late: e.late.join(",") },
            );
          } else streamLog.debug(`polled the ${isoMinute(e.openTime)} candle of ${e.symbols} symbols`);
          return;
        case "Malformed":
          metrics.inc(...STREAM_METRICS.malformed);
          malformed.add(yield* Clock.currentTimeMillis, String(e.shard), e.message);
          return;
      }
    });

  /** The REST client's rate-limit events and retries. */
  const rest = (e: RestEvent) =>
    Effect.gen(function* () {
      switch (e._tag) {
        case "Banned":
          log.error(`REST banned by the exchange (418) until ${isoMinute(e.until)}`);
          yield* deps.raise({ kind: "restBan", until: e.until });
          return;
        case "BanLifted":
          log.info("REST ban lifted");
          return;
        case "RateLimited":
          log.warn(`REST rate-limited (429) until ${isoMinute(e.until)}`);
          return;
        case "BudgetLimited":
          log.warn(
            `REST weight budget lowered to ${e.budget}/min: the exchange allows this IP ${e.advertised}/min, below REST_WEIGHT_BUDGET=${e.configured}`,
          );
          return;
        case "RejectedCandles":
          log.warn(
            `REST klines of "${e.symbol}" ${e.timeframe}: ${e.count} impossible candle(s) dropped, e.g. ${e.example}`,
          );
          return;
        case "Retrying": {
          // The first failure of a request is said at once; its further retries only in debug.
          const line = `REST ${e.source} failed (attempt ${e.attempt}), retrying in ${(e.retryInMs / 1000).toFixed(1)} s: ${e.message}`;
          if (e.attempt === 1) log.warn(line);
          else log.debug(line);
          return;
        }
      }
    });

  return {
    data,
    stream,
    rest,
    /** Tells the count of repeated warnings whose window has passed (the watchdog calls it). */
    flush: (now: number) => malformed.flush(now),
  };
};

export type EventLog = ReturnType<typeof makeEventLog>;
