/**
 * Child process of the crash-safety test: emits signals (and closes every fifth one's trade) in a loop as fast
 * as it can, printing `emitted <n>` / `closed <n>` only after the commit returned, until it is killed.
 * Usage: `bun CrashWriter.ts <database path> <first n>`.
 */
import { type Notification, SignalStore, type TradeEvent, type VirtualTrade } from "@signalbot/core";
import { Effect } from "effect";
import { layer } from "./index.ts";
import { nthEmission } from "./SqliteFixtures.ts";

const [path, first] = process.argv.slice(2);
if (path === undefined || first === undefined)
  throw new Error("usage: bun CrashWriter.ts <database path> <first n>");

const report = (line: string) => Effect.sync(() => process.stdout.write(`${line}\n`));

const close = (
  trade: VirtualTrade,
): { trade: VirtualTrade; event: TradeEvent; notification: Notification } => {
  const closedAt = trade.openedAt + 3_600_000;
  const closed: VirtualTrade = {
    ...trade,
    status: "closed",
    remaining: 0,
    exitReason: "stop",
    closedAt,
    rMultiple: -1,
    pnl: -trade.riskAmount,
    pnlPercent: -5,
  };
  const event: TradeEvent = {
    _tag: "Closed",
    tradeId: trade.id,
    time: closedAt,
    reason: "stop",
    price: trade.stop,
    rMultiple: -1,
    pnl: -trade.riskAmount,
    pnlPercent: -5,
    durationMs: 3_600_000,
  };
  return { trade: closed, event, notification: { _tag: "TradeUpdate", trade: closed, event } };
};

const program = Effect.gen(function* () {
  const store = yield* SignalStore;
  for (let n = Number(first); ; n++) {
    const emission = nthEmission(n);
    if ((yield* store.emit(emission)) === "inserted") yield* report(`emitted ${n}`);
    if (n % 5 === 4) {
      const { trade, event, notification } = close(emission.trade);
      yield* store.updateTrade({ trade, events: [event], notifications: [notification] });
      yield* report(`closed ${n}`);
    }
  }
});

await Effect.runPromise(Effect.provide(program, layer({ path })));
