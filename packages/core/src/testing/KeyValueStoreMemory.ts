/** The `KeyValueStore` port over a Map, for tests and for runs that need no durability. */
import { Effect, Layer } from "effect";
import { KeyValueStore } from "../port/KeyValueStore.ts";

export const KeyValueStoreMemory = {
  /** A store over `entries` (shared across layers built from the same map, like a reopened file). */
  make: (entries: Map<string, string> = new Map()): KeyValueStore["Service"] =>
    KeyValueStore.of({
      get: (key) => Effect.sync(() => entries.get(key)),
      set: (key, value) => Effect.sync(() => void entries.set(key, value)),
    }),
  layer: (entries: Map<string, string> = new Map()): Layer.Layer<KeyValueStore> =>
    Layer.sync(KeyValueStore, () => KeyValueStoreMemory.make(entries)),
};
