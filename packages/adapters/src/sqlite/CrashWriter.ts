/**
 * Child process of the crash-safety test: emits signals (and closes every fifth one's trade) in a loop as fast
 * as it can, printing `emitted <n>` / `closed <n>` only after the commit returned, until it is killed.
 * Usage: `bun CrashWriter.ts <database path> <first n>`.
 */
import { SignalStore } from "@signalbot/core";
import { Effect } from "effect";
import { layer } from "./index.ts";
import { closedByStop, nthEmission } from "./SqliteFixtures.ts";

const [path, first] = process.argv.slice(2);
if (path === undefined || first === undefined)
  throw new Error("usage: bun CrashWriter.ts <database path> <first n>");

const report = (line: string) => Effect.sync(() => process.stdout.write(`${line}\n`));

const program = Effect.gen(function* () {
  const store = yield* SignalStore;
  for (let n = Number(first); ; n++) {
    const emission = nthEmission(n);
    if ((yield* store.emit(emission)) === "inserted") yield* report(`emitted ${n}`);
    if (n % 5 === 4) {
      const { trade, event, notification } = closedByStop(emission.trade);
      yield* store.updateTrade({ trade, events: [event], notifications: [notification] });
      yield* report(`closed ${n}`);
    }
  }
});

await Effect.runPromise(Effect.provide(program, layer({ path })));
