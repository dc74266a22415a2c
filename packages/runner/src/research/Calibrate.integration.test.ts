/** `bun run calibrate` reproduces the shipped score weights from the committed data, and the fit ranks setups. */
import { expect, test } from "bun:test";
import { DEFAULT_COSTS, DEFAULT_FUNDING_RATE, DEFAULT_PARAMS } from "@signalbot/core";
import { Effect } from "effect";
import { FIXTURE_KLINES_DIR } from "../../../../fixtures/index.ts";
import { calibrate } from "./Calibrate.ts";
import { loadMarket } from "./Market.ts";

test("the weights in core's Params.ts are the calibration of the committed klines, and the fitted score ranks the setups", async () => {
  const market = await Effect.runPromise(
    loadMarket({
      dataDir: FIXTURE_KLINES_DIR,
      symbols: [],
      costs: { takerFeeRate: DEFAULT_COSTS.takerFeeRate, slippageRate: DEFAULT_COSTS.slippageRate },
      fundingRate: DEFAULT_FUNDING_RATE,
    }),
  );
  const c = calibrate(market, { from: market.start!, to: market.end! });
  expect(c.setups).toBeGreaterThan(1000);
  expect(c.models.continuation.weights).toEqual({ ...DEFAULT_PARAMS.continuationWeights });
  expect(c.models.reversal.weights).toEqual({ ...DEFAULT_PARAMS.reversalWeights });
  for (const m of [c.models.continuation, c.models.reversal]) {
    expect(m.informative).toBe(true);
    expect(Object.values(m.weights).reduce((a, b) => a + b, 0)).toBe(100);
  }
  // In sample, a higher fitted score is a better trade, tercile by tercile.
  const [low, mid, high] = c.terciles.map((t) => t.expectancyR!);
  expect(high!).toBeGreaterThan(mid!);
  expect(mid!).toBeGreaterThan(low!);
  // Thresholds let fewer setups through as they rise.
  for (let i = 1; i < c.thresholds.length; i++)
    expect(c.thresholds[i]!.perSymbolDay).toBeLessThanOrEqual(c.thresholds[i - 1]!.perSymbolDay);
}, 30_000);
