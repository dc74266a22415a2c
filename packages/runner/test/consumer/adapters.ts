/**
 * `@signalbot/adapters` from its tarball under Bun: a signal emitted into a real SQLite file (bun:sqlite) by
 * the SQLite `SignalStore`, then read back from a second connection to that file, as after a restart.
 * Prints one line of JSON.
 */
import { layer } from "@signalbot/adapters/sqlite";
import { SignalStore } from "@signalbot/core";
import { anOpenTrade, aSignal } from "@signalbot/core/testing";
import { Effect } from "effect";

const path = new URL("./signals.db", import.meta.url).pathname;
const signal = aSignal();
const withStore = <A>(program: Effect.Effect<A, unknown, SignalStore>) =>
  Effect.runPromise(program.pipe(Effect.provide(layer({ path }))));

const emitted = await withStore(
  Effect.flatMap(SignalStore, (store) =>
    store.emit({ signal, trade: anOpenTrade(), notification: { _tag: "NewSignal", signal } }),
  ),
);
const reopened = await withStore(
  Effect.gen(function* () {
    const store = yield* SignalStore;
    return { known: yield* store.wasEmitted(signal.key), open: (yield* store.openTrades).map((t) => t.id) };
  }),
);
console.log(JSON.stringify({ emitted, ...reopened, trade: anOpenTrade().id }));
