/**
 * The virtual-trade lifecycle as a pure state machine: every emitted signal is followed as if it had been
 * taken (entry at the trigger close, thirds at TP1/TP2/TP3, stop to entry after TP1, timeout), so its
 * outcome can teach the memory layer. Plain synchronous functions: the backtest calls them on every candle.
 */
import { type Candle, closedAt, TIMEFRAME_MS, TRIGGER_TIMEFRAME } from "../model/Candle.ts";
import type { Signal } from "../model/Signal.ts";
import type { ExitReason, Fill, TradeEvent, VirtualTrade } from "../model/Trade.ts";
import { DEFAULT_FUNDING_RATE, type FundingRates, flatFunding, fundingPaid } from "./Funding.ts";

/**
 * Trading costs, shared by the live bot and the backtest so both report the same R and pnl: a fee and
 * slippage on every fill (the entry and each partial exit), and funding on the position while it is open.
 * @see https://www.binance.com/en/fee/futureFee (USD-M taker, regular tier: 0.05 %)
 */
export interface CostModel {
  /** Fee per fill as a fraction of the fill's notional (0.0005 = 0.05 % per side). */
  readonly takerFeeRate: number;
  /** Adverse price move per fill as a fraction of the price (entries fill higher for longs, exits lower). */
  readonly slippageRate: number;
  /** Funding settlements charged while the trade is open (see Funding.ts); absent: no funding is charged. */
  readonly funding?: FundingRates;
}

/** Binance USD-M taker fee, 0.02 % slippage per fill, and a flat 0.01 % funding every 8 h. */
export const DEFAULT_COSTS: CostModel = {
  takerFeeRate: 0.0005,
  slippageRate: 0.0002,
  funding: flatFunding(DEFAULT_FUNDING_RATE),
};

/** A trade still unresolved after this many closed trigger candles (192 × 30m = 4 days) is closed at the last price. */
export const DEFAULT_TIMEOUT_CANDLES = 192;

export interface TradeRules {
  readonly costs: CostModel;
  readonly timeoutCandles: number;
}

export const DEFAULT_TRADE_RULES: TradeRules = {
  costs: DEFAULT_COSTS,
  timeoutCandles: DEFAULT_TIMEOUT_CANDLES,
};

/**
 * One price update of the trigger timeframe: a forming candle (so far) or a closed one. `time` is the event
 * time (a closed candle's `closeTime + 1`). `openTime` (the candle's open) lets a forming candle that already
 * moved the stop to entry check the new stop against fresh prices only: its cumulative low/high includes
 * prices from before the target was hit; it also reveals a data gap. `open` (the candle's first price) is
 * where a stop fills when the candle opens beyond it.
 */
export interface TradeTick {
  readonly time: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly closed: boolean;
  readonly openTime?: number;
  readonly open?: number;
}

/** The tick of a kline update: closed candles are timed at their close, forming ones at `time` (event time). */
export const candleTick = (candle: Candle, closed: boolean, time: number = closedAt(candle)): TradeTick => ({
  time: closed ? closedAt(candle) : time,
  high: candle.high,
  low: candle.low,
  close: candle.close,
  closed,
  openTime: candle.openTime,
  open: candle.open,
});

export interface TradeStep {
  readonly trade: VirtualTrade;
  /** In the order they happened; empty (shared, never mutate) when nothing changed state. */
  readonly events: readonly TradeEvent[];
}

const NO_EVENTS: readonly TradeEvent[] = Object.freeze([]);
const THIRD = 1 / 3;

/** Price actually obtained, after slippage against us. */
const slipped = (price: number, long: boolean, entering: boolean, rate: number): number =>
  rate === 0 ? price : price * (long === entering ? 1 + rate : 1 - rate);

/**
 * Opens the virtual trade of an emitted, sized signal: filled at the setup's entry (the trigger candle's
 * close) at the setup's time, entry fee charged. A signal without sizing is a bug (defect).
 */
export const openTrade = (signal: Signal, costs: CostModel = DEFAULT_COSTS): VirtualTrade => {
  const { setup, sizing } = signal;
  if (sizing === undefined) throw new Error(`openTrade: signal "${signal.key}" has no sizing`);
  const long = setup.side === "LONG";
  const price = slipped(setup.entry, long, true, costs.slippageRate);
  const entryFill: Fill = {
    kind: "entry",
    price,
    time: setup.time,
    fraction: 1,
    fee: price * sizing.quantity * costs.takerFeeRate,
  };
  return {
    id: signal.key,
    symbol: setup.symbol,
    model: setup.model,
    side: setup.side,
    entry: setup.entry,
    initialStop: setup.stop,
    stop: setup.stop,
    targets: setup.targets,
    quantity: sizing.quantity,
    riskAmount: Math.abs(setup.entry - setup.stop) * sizing.quantity,
    ...(sizing.equity === undefined ? {} : { equity: sizing.equity }),
    openedAt: setup.time,
    status: "open",
    targetsHit: 0,
    remaining: 1,
    candlesSeen: 0,
    lastPrice: setup.entry,
    fills: [entryFill],
  };
};

/** The "Opened" event of a freshly opened trade. */
export const openedEvent = (trade: VirtualTrade): TradeEvent => ({
  _tag: "Opened",
  tradeId: trade.id,
  time: trade.openedAt,
  price: trade.entry,
});

type Valued = Pick<VirtualTrade, "side" | "quantity" | "riskAmount" | "fills">;

/**
 * The one pnl computation: the fills up to `until` (the entry always), minus `funding`, and — when `exitAt` is
 * given — what the fills left open, exited at that price without fee or slippage. No list is built: a report
 * values every open trade at every 30m close.
 */
const pnlOf = (trade: Valued, funding: number, until: number, exitAt?: number): number => {
  const { fills, quantity } = trade;
  const entry = fills[0];
  if (entry === undefined || entry.kind !== "entry") throw new Error("realised: trade has no entry fill");
  const sign = trade.side === "LONG" ? 1 : -1;
  let pnl = -entry.fee - funding;
  let held = 1;
  for (let i = 1; i < fills.length; i++) {
    const f = fills[i]!;
    if (f.time > until) break;
    pnl += sign * (f.price - entry.price) * quantity * f.fraction - f.fee;
    held -= f.fraction;
  }
  if (exitAt !== undefined && held > 1e-12) pnl += sign * (exitAt - entry.price) * quantity * held;
  return pnl;
};

/** `pnl` with its R multiple and its % of `equity` (of the entry notional without one). */
const resultOf = (trade: Valued, pnl: number, equity: number | undefined) => ({
  pnl,
  rMultiple: trade.riskAmount > 0 ? pnl / trade.riskAmount : 0,
  pnlPercent:
    equity !== undefined && equity > 0
      ? (pnl / equity) * 100
      : (pnl / (trade.fills[0]!.price * trade.quantity)) * 100,
});

/**
 * The result of a trade's fills and funding: pnl (quote currency; fees, slippage — already in the fill
 * prices — and funding included), R multiple (pnl / initial risk) and % of the virtual account the trade was
 * sized on (`equity`; of the entry notional for a trade without it). Computed in one place (`pnlOf`) for
 * closes, reports and mark-to-market valuations.
 */
export const realised = (trade: Valued & Pick<VirtualTrade, "funding" | "equity">) =>
  resultOf(trade, pnlOf(trade, trade.funding ?? 0, Number.POSITIVE_INFINITY), trade.equity);

/**
 * What `trade` is worth at `time` with its open part valued at `price` (mark-to-market: no exit fee or
 * slippage on that part): its fills up to `time`, `funding` paid so far (see `fundingPaid`), the rest at
 * `price` — the arithmetic of a close (`realised`). A trade closed by `time` is worth its result.
 */
export const markToMarket = (trade: Valued, time: number, price: number, funding = 0) =>
  resultOf(trade, pnlOf(trade, funding, time, price), undefined);

/**
 * Advances an open trade by one tick. Rules, in this order:
 * 1. Ticks at or before the entry (the trigger candle itself) and closed trades are ignored.
 * 2. A tick from a candle opening at or after the timeout's due time means the candles in between are
 *    missing (a data gap, or the bot was down): nobody knows what happened meanwhile, so the trade closes
 *    as the timeout would have, at the last price seen before the gap, at the due time ("timeout", fill
 *    flagged `gap: "data"`), without looking at the candle after the gap.
 * 3. The stop in force at the start of the tick is checked first (a candle touching both the stop and a
 *    target counts as stopped): the rest of the position closes at the stop ("stop", or "breakeven" once
 *    the stop sits at the entry after TP1) — or at the candle's open when it opened beyond the stop (a gap
 *    through the stop fills where trading resumed; fill flagged `gap: "open"`).
 * 4. Targets are taken in order, as many as the tick reaches: TP1 and TP2 close one third each (TP1 moves the
 *    stop to the entry, effective from the next tick), TP3 closes the rest ("tp3"). A target gapped through
 *    fills at the target, not at the better open: a resting take-profit order is the realistic reading, and
 *    the backtest should not flatter.
 * 5. A closed tick counts one trigger candle; after `timeoutCandles` of them, or once that much event time
 *    has passed (so a restart cannot stretch it), the rest closes at the tick's close ("timeout").
 * Every fill pays the taker fee and slippage; the close charges the funding of the trade's life (Funding.ts).
 */
export const advanceTrade = (
  trade: VirtualTrade,
  tick: TradeTick,
  rules: TradeRules = DEFAULT_TRADE_RULES,
): TradeStep => {
  if (trade.status === "closed" || tick.time <= trade.openedAt) return { trade, events: NO_EVENTS };
  const long = trade.side === "LONG";

  // 2. A gap longer than the timeout.
  const due = trade.openedAt + rules.timeoutCandles * TIMEFRAME_MS[TRIGGER_TIMEFRAME];
  if (tick.openTime !== undefined && tick.openTime >= due) {
    const at: TradeTick = {
      time: due,
      high: trade.lastPrice,
      low: trade.lastPrice,
      close: trade.lastPrice,
      closed: true,
    };
    return close(trade, [], "timeout", trade.lastPrice, at, trade.candlesSeen, rules, [], "data");
  }
  const candlesSeen = tick.closed ? trade.candlesSeen + 1 : trade.candlesSeen;

  // 3. Stop first. After a stop move inside this very candle, only the latest price is fresh evidence.
  const movedThisCandle =
    trade.targetsHit > 0 &&
    tick.openTime !== undefined &&
    (trade.fills[trade.fills.length - 1]?.time ?? 0) > tick.openTime;
  const adverse = movedThisCandle ? tick.close : long ? tick.low : tick.high;
  if (long ? adverse <= trade.stop : adverse >= trade.stop) {
    const reason: ExitReason = trade.targetsHit > 0 && trade.stop === trade.entry ? "breakeven" : "stop";
    const open = movedThisCandle ? undefined : tick.open;
    const gapped = open !== undefined && (long ? open < trade.stop : open > trade.stop);
    return gapped
      ? close(trade, [], reason, open, tick, candlesSeen, rules, [], "open")
      : close(trade, [], reason, trade.stop, tick, candlesSeen, rules);
  }

  // 4. Targets in order.
  const favourable = long ? tick.high : tick.low;
  let hit = trade.targetsHit;
  while (hit < 3 && (long ? favourable >= trade.targets[hit]! : favourable <= trade.targets[hit]!)) hit++;
  if (hit > trade.targetsHit) {
    const events: TradeEvent[] = [];
    const fills: Fill[] = [];
    const { takerFeeRate, slippageRate } = rules.costs;
    for (let i = trade.targetsHit; i < Math.min(hit, 2); i++) {
      const price = slipped(trade.targets[i]!, long, false, slippageRate);
      fills.push({
        kind: i === 0 ? "tp1" : "tp2",
        price,
        time: tick.time,
        fraction: THIRD,
        fee: price * trade.quantity * THIRD * takerFeeRate,
      });
      events.push({
        _tag: "TargetHit",
        tradeId: trade.id,
        time: tick.time,
        target: i === 0 ? 1 : 2,
        price: trade.targets[i]!,
        stop: trade.entry,
      });
    }
    if (hit === 3) return close(trade, fills, "tp3", trade.targets[2], tick, candlesSeen, rules, events);
    const next: VirtualTrade = {
      ...trade,
      stop: trade.entry,
      targetsHit: hit,
      remaining: (3 - hit) / 3,
      candlesSeen,
      lastPrice: tick.close,
      fills: [...trade.fills, ...fills],
    };
    return timedOut(next, tick, rules)
      ? close(next, [], "timeout", tick.close, tick, candlesSeen, rules, events)
      : { trade: next, events };
  }

  // 5. Nothing hit: timeout or a quiet update.
  const next: VirtualTrade = { ...trade, candlesSeen, lastPrice: tick.close };
  return timedOut(next, tick, rules)
    ? close(next, [], "timeout", tick.close, tick, candlesSeen, rules)
    : { trade: next, events: NO_EVENTS };
};

const timedOut = (trade: VirtualTrade, tick: TradeTick, rules: TradeRules): boolean =>
  tick.closed &&
  (trade.candlesSeen >= rules.timeoutCandles ||
    tick.time >= trade.openedAt + rules.timeoutCandles * TIMEFRAME_MS[TRIGGER_TIMEFRAME]);

/** Closes what remains at `level`, after the `fills` already taken during this tick; charges the funding. */
const close = (
  trade: VirtualTrade,
  fills: Fill[],
  reason: ExitReason,
  level: number,
  tick: TradeTick,
  candlesSeen: number,
  rules: TradeRules,
  events: TradeEvent[] = [],
  gap?: Fill["gap"],
): TradeStep => {
  const long = trade.side === "LONG";
  const taken = fills.length;
  const fraction = (3 - trade.targetsHit - taken) / 3;
  const price = slipped(level, long, false, rules.costs.slippageRate);
  fills.push({
    kind: reason,
    price,
    time: tick.time,
    fraction,
    fee: price * trade.quantity * fraction * rules.costs.takerFeeRate,
    ...(gap === undefined ? {} : { gap }),
  });
  const allFills = [...trade.fills, ...fills];
  const funding =
    rules.costs.funding === undefined
      ? 0
      : fundingPaid({ ...trade, fills: allFills }, tick.time, rules.costs.funding);
  const result = realised({
    side: trade.side,
    quantity: trade.quantity,
    riskAmount: trade.riskAmount,
    fills: allFills,
    funding,
    ...(trade.equity === undefined ? {} : { equity: trade.equity }),
  });
  const targetsHit = reason === "tp3" ? 3 : trade.targetsHit + taken;
  const closedTrade: VirtualTrade = {
    ...trade,
    stop: targetsHit > 0 ? trade.entry : trade.stop,
    status: "closed",
    targetsHit,
    remaining: 0,
    candlesSeen,
    lastPrice: tick.close,
    fills: allFills,
    exitReason: reason,
    closedAt: tick.time,
    funding,
    rMultiple: result.rMultiple,
    pnl: result.pnl,
    pnlPercent: result.pnlPercent,
  };
  events.push({
    _tag: "Closed",
    tradeId: trade.id,
    time: tick.time,
    reason,
    price: level,
    rMultiple: result.rMultiple,
    pnl: result.pnl,
    pnlPercent: result.pnlPercent,
    durationMs: tick.time - trade.openedAt,
  });
  return { trade: closedTrade, events };
};
