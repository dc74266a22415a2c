/** At start, the book of open virtual trades is rebuilt from the store, so a restart follows every trade on. */
import { Effect } from "effect";
import { SignalStore } from "../port/SignalStore.ts";
import { Pipeline } from "./Pipeline.ts";

/** Replaces the book's content with the store's open trades; returns them. */
export const restoreOpenTrades = Effect.fn("Pipeline.restoreOpenTrades")(function* () {
  const { book } = yield* Pipeline;
  const trades = yield* (yield* SignalStore).openTrades;
  book.clear();
  for (const trade of trades) book.add(trade);
  return trades;
});
