/**
 * Moves a symbol's open virtual trades with a price tick (forming or closed candle) and persists what
 * changed: trade state, its events and their notifications; on a close, the memory layer learns the outcome
 * and its rule events become alerts. Called by the closed-candle step (`onClosedCandle`) and, live, by the
 * forming-tick step (`onFormingTick`).
 */
import { Effect } from "effect";
import { Memory } from "../memory/Memory.ts";
import type { MemoryEvent } from "../model/MemoryEvent.ts";
import type { Notification } from "../model/Notification.ts";
import type { SymbolInfo } from "../model/Symbol.ts";
import type { VirtualTrade } from "../model/Trade.ts";
import { SignalStore } from "../port/SignalStore.ts";
import type { OpenTrades } from "../trade/OpenTrades.ts";
import { advanceTrade, type TradeRules, type TradeStep, type TradeTick } from "../trade/VirtualTrade.ts";
import { Pipeline } from "./Pipeline.ts";

export interface AdvanceResult {
  /** Steps that produced events (a target, a close), in book order. */
  readonly steps: readonly TradeStep[];
  /** Trades closed by this tick. */
  readonly closed: readonly VirtualTrade[];
  /** What the memory layer did about those closes. */
  readonly memoryEvents: readonly MemoryEvent[];
}

/** A tick that changed nothing worth persisting (shared: never mutate). */
export const NO_ADVANCE: AdvanceResult = Object.freeze({ steps: [], closed: [], memoryEvents: [] });
const SUCCEED_NOTHING = Effect.succeed(NO_ADVANCE);

/**
 * Advances `symbol`'s open trades by `tick`. Ticks that change no state cost one `advanceTrade` per trade
 * and no I/O (the book keeps the new candle count and last price; the store is written only on events, and
 * a restart cannot stretch the timeout, see VirtualTrade). For each trade with events, in order:
 * 1. on a close, `Memory.updateAfterTradeClosed(trade)` first (it ignores a trade it already recorded, so a
 *    crash before step 2 replays safely);
 * 2. `SignalStore.updateTrade` with the trade, its events, one TradeUpdate notification per event and one
 *    memory Alert per memory event — one transaction;
 * 3. the book takes the new state (a closed trade leaves it).
 */
export const advanceOpenTrades = (symbol: string, tick: TradeTick, info?: SymbolInfo): AdvanceEffect =>
  Effect.flatMap(Effect.service(Pipeline), ({ book, rules }) => advanceBook(book, rules, symbol, tick, info));

/**
 * `advanceOpenTrades` with the pipeline's book and rules already in hand (the closed-candle step holds them):
 * when no trade produced an event the answer is a completed Effect (an `Exit`), which a caller may read at
 * once instead of running it.
 */
export const advanceBook = (
  book: OpenTrades,
  rules: TradeRules,
  symbol: string,
  tick: TradeTick,
  info?: SymbolInfo,
): AdvanceEffect => advanceTrades(book, rules, book.get(symbol), tick, info);

/** Advancing trades: its result, a store failure, and the services persisting needs. */
export type AdvanceEffect = Effect.Effect<
  AdvanceResult,
  Effect.Error<ReturnType<typeof persist>>,
  Pipeline | SignalStore | Memory
>;

/** `advanceBook` for some of a symbol's trades (`trades`, from the book). */
export const advanceTrades = (
  book: OpenTrades,
  rules: TradeRules,
  trades: readonly VirtualTrade[],
  tick: TradeTick,
  info?: SymbolInfo,
): AdvanceEffect => {
  if (trades.length === 0) return SUCCEED_NOTHING;
  let changed: TradeStep[] | undefined;
  for (const trade of trades) {
    const step = advanceTrade(trade, tick, rules);
    if (step.events.length > 0) (changed ??= []).push(step);
    else if (step.trade !== trade) book.update(step.trade);
  }
  return changed === undefined ? SUCCEED_NOTHING : persist(changed, info);
};

const persist = Effect.fn("Pipeline.advanceOpenTrades")(function* (
  steps: readonly TradeStep[],
  info?: SymbolInfo,
) {
  const { book } = yield* Pipeline;
  const store = yield* SignalStore;
  const memory = yield* Memory;
  const closed: VirtualTrade[] = [];
  const memoryEvents: MemoryEvent[] = [];
  for (const { trade, events } of steps) {
    const learned = trade.status === "closed" ? yield* memory.updateAfterTradeClosed(trade) : [];
    const notifications: Notification[] = events.map((event) => ({
      _tag: "TradeUpdate",
      trade,
      event,
      ...(info === undefined ? {} : { info }),
    }));
    for (const event of learned)
      notifications.push({ _tag: "Alert", alert: { kind: "memory", event }, time: event.time });
    yield* store.updateTrade({ trade, events, notifications });
    book.update(trade);
    if (trade.status === "closed") closed.push(trade);
    memoryEvents.push(...learned);
  }
  return { steps, closed, memoryEvents } satisfies AdvanceResult;
});
