import { expect, test } from "bun:test";
import { pipelineConfigOf } from "./AppLayer.ts";
import { loadConfig } from "./Config.ts";

const configOf = (env: Record<string, string>) => {
  const r = loadConfig(env);
  if (r._tag !== "Valid") throw new Error(r.problems.join("\n"));
  return r.config;
};
const H8 = 8 * 3_600_000;

test("live virtual trades pay the configured costs: 0.05 % fee, 0.02 % slippage, 0.01 % funding per 8 h by default", () => {
  const { costs } = pipelineConfigOf(configOf({}));
  expect(costs.takerFeeRate).toBeCloseTo(0.0005, 12);
  expect(costs.slippageRate).toBeCloseTo(0.0002, 12);
  const settlements = costs.funding.between("BTCUSDT", 0, 24 * 3_600_000);
  expect(settlements.map((s) => s.time)).toEqual([H8, 2 * H8, 3 * H8]);
  expect(settlements[0]!.rate).toBeCloseTo(0.0001, 12);
});

test("FUNDING_RATE_PERCENT sets the flat rate (negative: shorts pay), 0 switches funding off", () => {
  expect(
    pipelineConfigOf(configOf({ FUNDING_RATE_PERCENT: "-0.03" })).costs.funding.between("X", 0, H8)[0]!.rate,
  ).toBeCloseTo(-0.0003, 12);
  expect(
    pipelineConfigOf(configOf({ FUNDING_RATE_PERCENT: "0" })).costs.funding.between("X", 0, 3 * H8),
  ).toEqual([]);
  expect(loadConfig({ FUNDING_RATE_PERCENT: "2" })).toMatchObject({
    _tag: "Invalid",
    problems: ["FUNDING_RATE_PERCENT: must be between -1 and 1, got 2"],
  });
});
