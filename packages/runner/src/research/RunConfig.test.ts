import { describe, expect, test } from "bun:test";
import { AUTOMATIC_RULES, DEFAULT_PARAMS, DEFAULT_TIMEOUT_CANDLES } from "@signalbot/core";
import { applyPatch, configPaths, DEFAULT_RUN_CONFIG, describePatch, pathProblem } from "./RunConfig.ts";

const ok = (patch: Parameters<typeof applyPatch>[1]) => {
  const r = applyPatch(DEFAULT_RUN_CONFIG, patch);
  if (r._tag !== "Ok") throw new Error(r.problems.join("; "));
  return r.config;
};
const problems = (patch: Parameters<typeof applyPatch>[1]) => {
  const r = applyPatch(DEFAULT_RUN_CONFIG, patch);
  return r._tag === "Invalid" ? r.problems : [];
};

describe("the run configuration and its paths", () => {
  test("the defaults are the live bot's; every automatic memory rule has a switch", () => {
    expect(DEFAULT_RUN_CONFIG.strategy).toEqual(DEFAULT_PARAMS);
    expect(DEFAULT_RUN_CONFIG.memory).toMatchObject({
      enabled: true,
      baseThreshold: 75,
      baseMaxSignalsPerDay: 5,
    });
    expect(DEFAULT_RUN_CONFIG.pipeline).toEqual({
      timeoutCandles: DEFAULT_TIMEOUT_CANDLES,
      maxOpenTradesPerSymbol: 1,
    });
    const paths = configPaths();
    for (const name of AUTOMATIC_RULES) expect(paths).toContain(`memory.switches.${name}`);
    expect(paths).toContain("strategy.adxMin");
    expect(paths).toContain("strategy.targetR");
    expect(paths).toContain("strategy.continuationWeights.volume");
  });

  test("a patch sets leaves and whole objects, and leaves the base untouched", () => {
    const weights = { ...DEFAULT_PARAMS.continuationWeights, trendStrength: 70, volume: 10, trigger: 20 };
    const c = ok({
      "memory.baseThreshold": 80,
      "strategy.adxMin": 22,
      "strategy.targetR": [1, 2.5, 4],
      "strategy.continuationWeights": weights,
      "pipeline.timeoutCandles": 24,
      "memory.switches.lossStreakPause": false,
    });
    expect(c.memory.baseThreshold).toBe(80);
    expect(c.strategy.adxMin).toBe(22);
    expect(c.strategy.targetR).toEqual([1, 2.5, 4]);
    expect(c.strategy.continuationWeights).toEqual(weights);
    expect(c.pipeline.timeoutCandles).toBe(24);
    expect(c.memory.switches.lossStreakPause).toBe(false);
    expect(c.memory.switches.symbolCooldown).toBe(true);
    expect(DEFAULT_RUN_CONFIG.memory.baseThreshold).toBe(75);
    expect(DEFAULT_RUN_CONFIG.memory.switches.lossStreakPause).toBe(true);
  });

  test("unknown keys are clear errors, with the closest known path", () => {
    expect(pathProblem("strategy.adxMn", 1)).toContain(
      'unknown parameter "strategy.adxMn"; did you mean "strategy.adxMin"?',
    );
    expect(pathProblem("memory.switches.coolDown", false)).toContain(
      'unknown parameter "memory.switches.coolDown"',
    );
    expect(pathProblem("risk.percent", 1)).toContain("known here: strategy, memory, pipeline");
    expect(pathProblem("strategy.adxMin.x", 1)).toContain('unknown parameter "strategy.adxMin.x"');
  });

  test("values of the wrong type are clear errors", () => {
    expect(pathProblem("strategy.adxMin", "18")).toBe('strategy.adxMin: expected a number, got "18"');
    expect(pathProblem("memory.enabled", 1)).toBe("memory.enabled: expected true or false, got 1");
    expect(pathProblem("strategy.targetR", [1, 2])).toBe(
      "strategy.targetR: expected a list of 3 numbers, got [1,2]",
    );
    expect(pathProblem("strategy.continuationWeights", { volume: 100 })).toBe(
      "strategy.continuationWeights: missing dailyBias",
    );
    expect(pathProblem("pipeline.timeoutCandles", null)).toBe(
      "pipeline.timeoutCandles: expected a number, got null",
    );
  });

  test("the domain's rules apply to the patched whole", () => {
    expect(problems({ "strategy.continuationWeights.volume": 20 })).toEqual([
      "strategy: continuationWeights must sum to 100, got 120",
    ]);
    expect(problems({ "strategy.rrMin": 3 })).toEqual(["strategy: rrMin must be positive and below rrFull"]);
    expect(problems({ "strategy.rsiPeriod": 14.5 })).toEqual(["strategy: periods must be positive integers"]);
    expect(problems({ "pipeline.timeoutCandles": 0 })).toEqual([
      "pipeline.timeoutCandles: expected an integer ≥ 1, got 0",
    ]);
    expect(problems({ "memory.baseThreshold": 120 })).toEqual([
      "memory.baseThreshold: expected a score from 0 to 100, got 120",
    ]);
    expect(problems({ "strategy.rrMin": 3, "strategy.rrFull": 4 })).toEqual([]);
  });

  test("the memory rules' settings (core's MemoryRulesConfig) are paths too, checked as the MEMORY_* variables are", () => {
    const c = ok({ "memory.rules.lossStreakPause.hours": 6, "memory.rules.windows.global": 30 });
    expect(c.memory.rules.lossStreakPause).toEqual({ losses: 3, hours: 6 });
    expect(c.memory.rules.windows.global).toBe(30);
    expect(DEFAULT_RUN_CONFIG.memory.rules.lossStreakPause.hours).toBe(12);
    expect(problems({ "memory.rules.winRateThreshold.minTrades": 25 })).toEqual([
      "memory.rules.winRateThreshold.minTrades: 25 is above memory.rules.windows.global (20): the rule could never fire",
    ]);
    expect(problems({ "memory.rules.drawdownRiskCut.releaseBelowPct": 9 })).toEqual([
      "memory.rules.drawdownRiskCut.releaseBelowPct: 9 is above memory.rules.drawdownRiskCut.abovePct (8): the cut would never be lifted",
    ]);
    expect(problems({ "memory.rules.modelDisable.floor": 45 })).toEqual([
      "memory.rules.modelDisable.floor: expected a fraction from 0 to 1, got 45",
    ]);
    expect(problems({ "memory.rules.lossStreakPause.losses": 2.5 })).toEqual([
      "memory.rules.lossStreakPause.losses: expected an integer ≥ 1, got 2.5",
    ]);
  });

  test("a patch reads as path=value", () => {
    expect(describePatch({})).toBe("defaults");
    expect(describePatch({ "memory.baseThreshold": 80, "memory.enabled": false })).toBe(
      "memory.baseThreshold=80 memory.enabled=false",
    );
  });
});
