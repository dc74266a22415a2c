/**
 * What the live loop knows between events, as Refs: written by the event handlers and the schedules, read
 * by /healthz and /metrics (synchronously) and by the freshness watchdog.
 */
import type { MemoryStatus, Timeframe } from "@signalbot/core";
import { Effect, Ref } from "effect";
import { FRESH, type Freshness } from "./Schedules.ts";

export interface LiveState {
  readonly startedAt: number;
  /** Close time (ms UTC) of the last closed candle processed, per timeframe. */
  readonly lastClosed: Ref.Ref<Partial<Record<Timeframe, number>>>;
  /** When the last market data (any kline event) arrived. */
  readonly lastDataAt: Ref.Ref<number>;
  readonly freshness: Ref.Ref<Freshness>;
  readonly reconnects: Ref.Ref<number>;
  /** Cached every few seconds by the watchdog (a store read). */
  readonly outboxDepth: Ref.Ref<number>;
  readonly memoryStatus: Ref.Ref<MemoryStatus | undefined>;
  readonly universeLoaded: Ref.Ref<boolean>;
}

export const makeLiveState = (startedAt: number): Effect.Effect<LiveState> =>
  Effect.gen(function* () {
    return {
      startedAt,
      lastClosed: yield* Ref.make<Partial<Record<Timeframe, number>>>({}),
      lastDataAt: yield* Ref.make(startedAt),
      freshness: yield* Ref.make(FRESH),
      reconnects: yield* Ref.make(0),
      outboxDepth: yield* Ref.make(0),
      memoryStatus: yield* Ref.make<MemoryStatus | undefined>(undefined),
      universeLoaded: yield* Ref.make(false),
    };
  });
