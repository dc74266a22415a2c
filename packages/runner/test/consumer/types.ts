/**
 * Compile-time checks of the published declarations, type-checked with the consumer and never run: were a
 * type `any` or loose, the error below it would not happen and the check would fail ("Unused
 * '@ts-expect-error' directive").
 */
import { type PositionSizeInput, rsi, type Setup } from "@signalbot/core";
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
