/**
 * Durable home of the adaptive memory: a serializable snapshot plus its locks (pauses, symbol cooldowns,
 * model disables), each with an absolute expiry so they survive restarts.
 */
import { Context, type Effect } from "effect";
import type { LockRule } from "../model/MemoryEvent.ts";
import type { StoreError } from "./StoreError.ts";

/** A lock the memory layer holds: nothing in its scope may trade until `until` (ms UTC). */
export interface MemoryLock {
  readonly scope: "global" | "symbol" | "model";
  /** Symbol or model name; absent for global locks. */
  readonly target?: string;
  readonly rule: LockRule;
  readonly until: number;
  readonly reason: string;
  readonly createdAt: number;
}

export interface MemorySnapshot {
  readonly version: number;
  /** Time of the last change (event time). */
  readonly updatedAt: number;
  /** The memory layer's own state, JSON-serializable. */
  readonly state: unknown;
  readonly locks: readonly MemoryLock[];
}

export class MemoryStore extends Context.Service<
  MemoryStore,
  {
    readonly load: Effect.Effect<MemorySnapshot | undefined, StoreError>;
    readonly save: (snapshot: MemorySnapshot) => Effect.Effect<void, StoreError>;
  }
>()("signalbot/core/MemoryStore") {}
