/**
 * Builders for setups, signals and virtual trades, so tests state only what matters to them
 * (`aSignal({ side: "SHORT" })`). Defaults: a LONG continuation on BTCUSDT, entry 100, stop 95, targets
 * 105/110/115, quantity 1 (risk 5 USDT), trigger candle opened 2025-06-01 00:00 UTC.
 */
import { TIMEFRAME_MS } from "../model/Candle.ts";
import type { Setup, Signal, Sizing } from "../model/Signal.ts";
import { signalKey } from "../model/Signal.ts";
import type { VirtualTrade } from "../model/Trade.ts";
import { type CostModel, openTrade } from "../trade/VirtualTrade.ts";

export const T0 = Date.UTC(2025, 5, 1);

export const aSetup = (over: Partial<Setup> = {}): Setup => {
  const candleOpenTime = over.candleOpenTime ?? T0;
  const side = over.side ?? "LONG";
  const entry = over.entry ?? 100;
  const dir = side === "LONG" ? 1 : -1;
  const stop = over.stop ?? entry - dir * 5;
  const risk = Math.abs(entry - stop);
  return {
    symbol: "BTCUSDT",
    model: "continuation",
    timeframe: "30m",
    time: candleOpenTime + TIMEFRAME_MS["30m"],
    targets: [entry + dir * risk, entry + dir * 2 * risk, entry + dir * 3 * risk],
    rr: 2,
    atr: risk / 1.5,
    score: 80,
    components: [],
    reasons: [],
    ...over,
    candleOpenTime,
    side,
    entry,
    stop,
  };
};

export const aSizing = (setup: Setup, quantity = 1): Sizing => ({
  quantity,
  notional: quantity * setup.entry,
  leverage: (quantity * setup.entry) / 1000,
  riskAmount: quantity * Math.abs(setup.entry - setup.stop),
  riskPercent: 1,
  equity: 1000,
});

/** An emitted, sized signal for `aSetup(over)`. */
export const aSignal = (over: Partial<Setup> = {}, quantity = 1): Signal => {
  const setup = aSetup(over);
  return {
    key: signalKey(setup),
    setup,
    status: "emitted",
    threshold: 75,
    sizing: aSizing(setup, quantity),
    adjustments: [],
    createdAt: setup.time,
  };
};

/** A blocked signal with `code` as its reason. */
export const aBlockedSignal = (code: string, over: Partial<Setup> = {}): Signal => {
  const setup = aSetup(over);
  return {
    key: signalKey(setup),
    setup,
    status: "blocked",
    blockedBy: { code },
    threshold: 75,
    adjustments: [],
    createdAt: setup.time,
  };
};

export const NO_COSTS: CostModel = { takerFeeRate: 0, slippageRate: 0 };

/** The open virtual trade of `aSignal(over)`, without costs unless given. */
export const anOpenTrade = (over: Partial<Setup> = {}, costs: CostModel = NO_COSTS): VirtualTrade =>
  openTrade(aSignal(over), costs);
