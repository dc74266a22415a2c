/** Small durable values: the Telegram update offset, counters, the memory snapshot. */
import { Context, type Effect } from "effect";
import type { StoreError } from "./StoreError.ts";

export class KeyValueStore extends Context.Service<
  KeyValueStore,
  {
    readonly get: (key: string) => Effect.Effect<string | undefined, StoreError>;
    readonly set: (key: string, value: string) => Effect.Effect<void, StoreError>;
  }
>()("signalbot/core/KeyValueStore") {}
