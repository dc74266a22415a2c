/**
 * The `MemoryStore` port in memory, for tests: snapshots go through a JSON round-trip (like the SQLite
 * column) and the test can make `load` or `save` fail, or corrupt the stored snapshot, through `state`.
 */
import { Effect, Layer } from "effect";
import { type MemorySnapshot, MemoryStore } from "../port/MemoryStore.ts";
import { StoreError } from "../port/StoreError.ts";

/** Shared between the test and the store (like a file reopened by a second layer). */
export interface MemoryStoreMemoryState {
  /** The stored snapshot as JSON text (what a restart would read). */
  json?: string;
  /** Successful saves so far. */
  saves: number;
  /** While set, `save` fails with this reason. */
  failSave?: StoreError["reason"] | undefined;
  /** While set, `load` fails with this reason. */
  failLoad?: StoreError["reason"] | undefined;
}

export const MemoryStoreMemory = {
  state: (snapshot?: MemorySnapshot): MemoryStoreMemoryState =>
    snapshot === undefined ? { saves: 0 } : { saves: 0, json: JSON.stringify(snapshot) },
  make: (state: MemoryStoreMemoryState = { saves: 0 }): MemoryStore["Service"] =>
    MemoryStore.of({
      load: Effect.suspend(() =>
        state.failLoad !== undefined
          ? Effect.fail(
              new StoreError({
                reason: state.failLoad,
                operation: "memory.load",
                message: "injected failure",
              }),
            )
          : Effect.succeed(state.json === undefined ? undefined : (JSON.parse(state.json) as MemorySnapshot)),
      ),
      // Yields first, so concurrent callers really interleave around the save.
      save: (snapshot) =>
        Effect.yieldNow.pipe(
          Effect.andThen(
            Effect.suspend(() => {
              if (state.failSave !== undefined)
                return Effect.fail(
                  new StoreError({
                    reason: state.failSave,
                    operation: "memory.save",
                    message: "injected failure",
                  }),
                );
              state.json = JSON.stringify(snapshot);
              state.saves++;
              return Effect.void;
            }),
          ),
        ),
    }),
  layer: (state: MemoryStoreMemoryState = { saves: 0 }): Layer.Layer<MemoryStore> =>
    Layer.sync(MemoryStore, () => MemoryStoreMemory.make(state)),
};
