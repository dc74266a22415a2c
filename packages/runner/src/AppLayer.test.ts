import { expect, test } from "bun:test";
import { DEFAULT_MEMORY_RULES, MEMORY_RULE_BOUNDS, type MemoryRulesConfig } from "@signalbot/core";
import { memoryConfigOf, memoryRulesOf, pipelineConfigOf } from "./AppLayer.ts";
import { type AppConfig, loadConfig, VARIABLES } from "./Config.ts";

const H8 = 8 * 3_600_000;

const configOf = (env: Record<string, string>): AppConfig => {
  const r = loadConfig(env);
  if (r._tag !== "Valid") throw new Error(r.problems.join("; "));
  return r.config;
};

test("without MEMORY_* variables the memory rules are core's defaults (the original product's)", () => {
  expect(memoryRulesOf(configOf({}))).toEqual(DEFAULT_MEMORY_RULES);
  expect(memoryConfigOf(configOf({})).rules).toEqual(DEFAULT_MEMORY_RULES);
});

test("each MEMORY_* variable reaches its rule (percentages as fractions where the rule compares rates)", () => {
  const rules = memoryRulesOf(
    configOf({
      MEMORY_WINDOW_TRADES: "30",
      MEMORY_WIN_RATE_FLOOR_PERCENT: "50",
      MEMORY_LOSS_STREAK: "4",
      MEMORY_LOSS_STREAK_PAUSE_HOURS: "6",
      MEMORY_DRAWDOWN_CAP_ABOVE_PERCENT: "7",
      MEMORY_DRAWDOWN_RISK_PER_TRADE: "0.25",
      MEMORY_SYMBOL_COOLDOWN_HOURS: "36",
      MEMORY_SYMBOL_PENALTY_POINTS: "8",
      MEMORY_REVERSAL_DISABLE_BELOW_PERCENT: "40",
      MEMORY_CONTINUATION_PREFER_ABOVE_PERCENT: "70",
    }),
  );
  expect(rules).toMatchObject({
    windows: { global: 30 },
    winRateThreshold: { floor: 0.5 },
    lossStreakPause: { losses: 4, hours: 6 },
    drawdownSignalCap: { abovePct: 7 },
    drawdownRiskCut: { riskPercent: 0.25 },
    symbolCooldown: { hours: 36 },
    symbolScorePenalty: { points: 8 },
    modelDisable: { floor: 0.4 },
    modelPreference: { winRate: 0.7 },
  });
});

test("rule settings that could never act are refused, one line each, with the other problems", () => {
  const r = loadConfig({
    MEMORY_DRAWDOWN_CAP_ABOVE_PERCENT: "3",
    MEMORY_DRAWDOWN_CAP_RELEASE_BELOW_PERCENT: "4",
    MEMORY_WINDOW_TRADES: "8",
    MEMORY_LOSS_STREAK: "0",
  });
  expect(r._tag === "Invalid" && r.problems).toEqual([
    "MEMORY_LOSS_STREAK: must be between 1 and 100, got 0",
    "MEMORY_WIN_RATE_MIN_TRADES: 10 is above MEMORY_WINDOW_TRADES (8): the rule could never fire",
    "MEMORY_DRAWDOWN_CAP_RELEASE_BELOW_PERCENT: 4 is above MEMORY_DRAWDOWN_CAP_ABOVE_PERCENT (3): the cap would never be lifted",
  ]);
});

test("every bound of core's MEMORY_RULE_BOUNDS is checked through its two variables", () => {
  const numberAt = (env: Record<string, string>, path: string): number => {
    const [section, key] = path.split(".") as [keyof MemoryRulesConfig, string];
    return (memoryRulesOf(configOf(env))[section] as unknown as Record<string, number>)[key]!;
  };
  // The MEMORY_* variable behind a setting: the one whose change moves it.
  const nameOf = (path: string): string => {
    const base = numberAt({}, path);
    const found = Object.values(VARIABLES).find((v) => {
      if (!v.name.startsWith("MEMORY_") || loadConfig({ [v.name]: String(base + 1) })._tag !== "Valid")
        return false;
      return numberAt({ [v.name]: String(base + 1) }, path) !== base;
    });
    if (found === undefined) throw new Error(`no variable sets ${path}`);
    return found.name;
  };
  for (const b of MEMORY_RULE_BOUNDS) {
    // The defaults hold every bound; the setting one above its bound breaks this one alone.
    const bound = numberAt({}, b.bound);
    const r = loadConfig({ [nameOf(b.setting)]: String(bound + 1) });
    expect(r._tag === "Invalid" ? r.problems : []).toEqual([
      `${nameOf(b.setting)}: ${bound + 1} is above ${nameOf(b.bound)} (${bound}): ${b.otherwise}`,
    ]);
  }
});

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
