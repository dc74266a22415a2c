/**
 * A virtual trade: every emitted signal is followed as if it had been taken, so its outcome can teach
 * the adaptive memory. Positions are split in thirds: TP1 and TP2 each close one third, the rest runs.
 */
import type { ModelName, Side } from "./Signal.ts";

export type ExitReason = "tp3" | "stop" | "breakeven" | "timeout";

/** A (partial) exit: which third(s), at what price, when, and why. */
export interface Fill {
  readonly kind: "entry" | "tp1" | "tp2" | "tp3" | "stop" | "breakeven" | "timeout";
  readonly price: number;
  readonly time: number;
  /** Fraction of the position this fill covers (1 for the entry, 1/3 for TP1...). */
  readonly fraction: number;
  /** Fee paid on this fill, quote currency. */
  readonly fee: number;
  /**
   * Set when the fill is not at its level: "open" = the candle opened beyond the stop, so the stop filled at
   * that open; "data" = the candles stopped for longer than the timeout, so the rest closed at the last
   * price seen before the gap, at the moment the timeout fell due.
   */
  readonly gap?: "open" | "data";
}

export interface VirtualTrade {
  /** Equal to the signal key. */
  readonly id: string;
  readonly symbol: string;
  readonly model: ModelName;
  readonly side: Side;
  readonly entry: number;
  readonly initialStop: number;
  /** Current stop (moves to entry after TP1). */
  readonly stop: number;
  readonly targets: readonly [number, number, number];
  readonly quantity: number;
  /** Quote amount lost if the initial stop is hit (before fees). */
  readonly riskAmount: number;
  /**
   * The virtual account equity the trade was sized on (its signal's `sizing.equity`): what `pnlPercent` is a
   * share of. Absent on trades opened before it was recorded.
   */
  readonly equity?: number;
  readonly openedAt: number;
  readonly status: "open" | "closed";
  /** Number of targets hit so far (0..3). */
  readonly targetsHit: number;
  /** Fraction of the position still open (1, 2/3, 1/3, 0). */
  readonly remaining: number;
  /** Closed trigger candles seen since the entry (for the timeout). */
  readonly candlesSeen: number;
  readonly lastPrice: number;
  readonly fills: readonly Fill[];
  readonly exitReason?: ExitReason;
  readonly closedAt?: number;
  /** Net funding paid over the trade's life, quote currency (negative = received); set when closed. */
  readonly funding?: number;
  /** Realised result in multiples of the initial risk, fees, slippage and funding included. */
  readonly rMultiple?: number;
  /** Realised pnl in quote currency, fees, slippage and funding included. */
  readonly pnl?: number;
  /**
   * pnl as % of the virtual account when the trade opened (`equity`): what the trade did to the account. On a
   * trade without `equity` (opened by an older version), % of the entry notional.
   */
  readonly pnlPercent?: number;
}

/** Every state change of a virtual trade: persisted and notified. */
export type TradeEvent =
  | { readonly _tag: "Opened"; readonly tradeId: string; readonly time: number; readonly price: number }
  | {
      readonly _tag: "TargetHit";
      readonly tradeId: string;
      readonly time: number;
      readonly target: 1 | 2 | 3;
      readonly price: number;
      /** The stop after this event (entry after TP1). */
      readonly stop: number;
    }
  | {
      readonly _tag: "Closed";
      readonly tradeId: string;
      readonly time: number;
      readonly reason: ExitReason;
      readonly price: number;
      readonly rMultiple: number;
      readonly pnl: number;
      readonly pnlPercent: number;
      readonly durationMs: number;
    };

/** How a closed trade counts for streaks and win rates (see memory/). */
export type Outcome = "win" | "loss" | "breakeven";
