/**
 * A restored trade is as the store last saw it: as of its last event (quiet candles are not written, see
 * `advanceOpenTrades`). At warm-up, the candles that closed after that event — the quiet ones before the bot
 * stopped and every one while it was down — are replayed through the trade rules, so a stop or a target hit
 * during the downtime is found, persisted, notified and learned from, and the timeout counts every candle.
 */
import { Effect } from "effect";
import type { Candle } from "../model/Candle.ts";
import type { MemoryEvent } from "../model/MemoryEvent.ts";
import type { SymbolInfo } from "../model/Symbol.ts";
import type { VirtualTrade } from "../model/Trade.ts";
import { candleTick, type TradeStep } from "../trade/VirtualTrade.ts";
import { type AdvanceResult, advanceTrades } from "./advanceOpenTrades.ts";
import { Pipeline } from "./Pipeline.ts";

/** When the trade last changed state: its last fill (the entry fill is at the trigger close). */
const lastEventTime = (trade: VirtualTrade): number => trade.fills.at(-1)?.time ?? trade.openedAt;

/**
 * Replays `candles` (closed 30m candles of `symbol`, oldest first — the warm-up's history) through the book's
 * open trades of `symbol`, each trade from the first candle closing after its last event. Only for trades
 * nothing has advanced since they were restored: a symbol's trades advance only while it is watched, and a
 * symbol with an open trade is never warmed up again while it is watched, so at a warm-up that holds.
 */
export const catchUpOpenTrades = Effect.fn("Pipeline.catchUpOpenTrades")(function* (
  symbol: string,
  candles: readonly Candle[],
  info?: SymbolInfo,
) {
  const { book, rules } = yield* Pipeline;
  const since = new Map<string, number>();
  for (const trade of book.get(symbol)) since.set(trade.id, lastEventTime(trade));
  const steps: TradeStep[] = [];
  const closed: VirtualTrade[] = [];
  const memoryEvents: MemoryEvent[] = [];
  if (since.size === 0) return { steps, closed, memoryEvents } satisfies AdvanceResult;
  for (const candle of candles) {
    const tick = candleTick(candle, true);
    const due = book.get(symbol).filter((t) => tick.time > (since.get(t.id) ?? Number.POSITIVE_INFINITY));
    if (due.length === 0) continue;
    const r = yield* advanceTrades(book, rules, due, tick, info);
    steps.push(...r.steps);
    closed.push(...r.closed);
    memoryEvents.push(...r.memoryEvents);
  }
  return { steps, closed, memoryEvents } satisfies AdvanceResult;
});
