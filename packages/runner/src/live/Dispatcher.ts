/**
 * Between the socket reader and the scans: the reader's callback only appends to the symbol's mailbox (never
 * blocks); one fiber per busy symbol works through its mailbox in order, and closed-candle scans take one of
 * SCAN_CONCURRENCY permits, so the 30m boundary burst queues instead of stalling the stream. Consecutive
 * forming ticks of one candle are coalesced: a kline's high/low are cumulative, so the newest says it all.
 */
import type { CandleEvent, SymbolState } from "@signalbot/core";
import { Cause, Effect, FiberSet, Queue, Semaphore } from "effect";
import type { Logger } from "../observability/Log.ts";
import type { Metrics } from "../observability/Metrics.ts";
import { type CandleFlow, type FlowServices, M } from "./CandleFlow.ts";

interface Mailbox {
  readonly items: CandleEvent[];
  running: boolean;
}

export interface DispatcherDeps {
  readonly flow: CandleFlow;
  readonly tracked: (symbol: string) => SymbolState | undefined;
  readonly scanConcurrency: number;
  readonly log: Logger;
  readonly metrics: Metrics;
}

export interface Dispatcher {
  /** Synchronous, never blocks: safe to call from the socket reader. False once stopped. */
  readonly offer: (event: CandleEvent) => boolean;
  /** Routes queued events to the symbol fibers until interrupted. */
  readonly run: Effect.Effect<never, never, FlowServices>;
  /** Stops intake, then lets mailboxes finish for at most `maxMs`. */
  readonly stop: (maxMs: number) => Effect.Effect<void>;
  /** Events waiting (queue + mailboxes) and scans running, for /healthz. */
  readonly load: () => { readonly queued: number; readonly scanning: number; readonly inFlight: number };
}

export const makeDispatcher = Effect.fnUntraced(function* (deps: DispatcherDeps) {
  const queue = yield* Queue.unbounded<CandleEvent>();
  const permits = yield* Semaphore.make(deps.scanConcurrency);
  const mailboxes = new Map<string, Mailbox>();
  /** The mailbox fibers, scoped: the dispatcher's Scope interrupts whatever is left. */
  const fibers = yield* FiberSet.make<void, never>();
  let scanning = 0;
  /** Events offered and not yet fully processed. */
  let inFlight = 0;
  let stopped = false;

  const handle = (event: CandleEvent) =>
    Effect.suspend(() => {
      const t = deps.tracked(event.symbol);
      if (t === undefined || event.timeframe !== "30m") return Effect.void;
      if (!event.closed) return deps.flow.forming(t, event.candle);
      return permits.withPermits(1)(
        Effect.suspend(() => {
          scanning++;
          return deps.flow.closed(t, event.candle).pipe(Effect.ensuring(Effect.sync(() => scanning--)));
        }),
      );
    }).pipe(
      Effect.catchCause((cause) =>
        Cause.hasInterruptsOnly(cause)
          ? Effect.interrupt
          : Effect.sync(() => {
              deps.metrics.inc(M.errors[0], M.errors[1]);
              deps.log.error(`processing a kline of "${event.symbol}" failed`, {
                closed: event.closed,
                error: Cause.pretty(cause).split("\n")[0],
              });
            }),
      ),
    );

  const drain = (symbol: string, box: Mailbox): Effect.Effect<void, never, FlowServices> =>
    Effect.gen(function* () {
      for (;;) {
        const next = box.items.shift();
        if (next === undefined) {
          box.running = false;
          if (deps.tracked(symbol) === undefined) mailboxes.delete(symbol);
          return;
        }
        yield* handle(next).pipe(Effect.ensuring(Effect.sync(() => inFlight--)));
      }
    });

  const route = (event: CandleEvent) =>
    Effect.gen(function* () {
      let box = mailboxes.get(event.symbol);
      if (box === undefined) {
        box = { items: [], running: false };
        mailboxes.set(event.symbol, box);
      }
      const last = box.items[box.items.length - 1];
      if (
        !event.closed &&
        last !== undefined &&
        !last.closed &&
        last.candle.openTime === event.candle.openTime
      ) {
        box.items[box.items.length - 1] = event;
        inFlight--;
      } else box.items.push(event);
      if (box.running) return;
      box.running = true;
      yield* FiberSet.run(fibers, drain(event.symbol, box));
    });

  const dispatcher: Dispatcher = {
    offer: (event) => {
      if (stopped) return false;
      inFlight++;
      return Queue.offerUnsafe(queue, event);
    },
    run: Effect.forever(Effect.flatMap(Queue.take(queue), route)) as Effect.Effect<
      never,
      never,
      FlowServices
    >,
    stop: (maxMs) =>
      Effect.gen(function* () {
        stopped = true;
        const waiting = Effect.gen(function* () {
          for (;;) {
            const busy = (yield* FiberSet.size(fibers)) > 0;
            if (!busy && Queue.sizeUnsafe(queue) === 0) return;
            yield* busy ? FiberSet.awaitEmpty(fibers) : Effect.yieldNow;
          }
        });
        yield* Effect.timeoutOption(waiting, maxMs);
        yield* FiberSet.clear(fibers);
      }),
    load: () => {
      let queued = Queue.sizeUnsafe(queue);
      for (const box of mailboxes.values()) queued += box.items.length;
      return { queued, scanning, inFlight };
    },
  };
  return dispatcher;
});
