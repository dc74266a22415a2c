/**
 * Compile-time checks of the published declarations, type-checked with the consumer and never run: were a
 * type `any` or loose, the error below it would not happen and the check would fail ("Unused
 * '@ts-expect-error' directive").
 */
import { type Model, noSetup, type PositionSizeInput, rsi, type Setup } from "@signalbot/core";
import { loadKlines } from "@signalbot/core/testing";

// @ts-expect-error rsi returns numbers
export const notText: string[] = rsi([1, 2, 3], 2);
// @ts-expect-error a setup is LONG or SHORT
export const side: Setup["side"] = "UP";
// @ts-expect-error the kline loader is given its directory
export const noDirectory = loadKlines("BTCUSDT", "4h");
// @ts-expect-error exactOptionalPropertyTypes holds in the declarations: leave `info` out, do not set it to undefined
export const input: PositionSizeInput = {
  equity: 1000,
  riskPercent: 1,
  entry: 100,
  stop: 99,
  info: undefined,
};

// @ts-expect-error a model answers an Evaluation (a Setup or a NoSetup), not a score
export const scoreOnly: Model = { name: "x", create: () => ({ warmup: {}, evaluate: () => 42 }) };
export const wrongTimeframe: Model = {
  name: "x",
  create: () => ({
    // @ts-expect-error warm-up is counted per timeframe the analyzer has (30m, 4h, 1d)
    warmup: { "5m": 3 },
    evaluate: () => noSetup("x", "none"),
  }),
};
export const wrongUpdate: Model = {
  name: "x",
  create: () => ({
    warmup: {},
    // @ts-expect-error a model's state is fed (timeframe, candle, replacing)
    update: (candle: number) => candle,
    evaluate: () => noSetup("x", "none"),
  }),
};
// @ts-expect-error a model is created per symbol: `create`, not a bare evaluate
export const noCreate: Model = { name: "x", evaluate: () => noSetup("x", "none") };
