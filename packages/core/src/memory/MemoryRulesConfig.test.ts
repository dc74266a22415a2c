import { describe, expect, test } from "bun:test";
import { DEFAULT_MEMORY_RULES, MEMORY_RULE_BOUNDS, memoryRulesProblems } from "./MemoryRulesConfig.ts";

describe("memoryRulesProblems", () => {
  test("the defaults can run", () => {
    expect(memoryRulesProblems(DEFAULT_MEMORY_RULES)).toEqual([]);
  });

  test("one line per setting that cannot work, named as the caller names it", () => {
    const rules = {
      ...DEFAULT_MEMORY_RULES,
      windows: { ...DEFAULT_MEMORY_RULES.windows, symbol: 0 },
      lossStreakPause: { ...DEFAULT_MEMORY_RULES.lossStreakPause, losses: 2.5 },
      modelDisable: { ...DEFAULT_MEMORY_RULES.modelDisable, floor: 45 },
      drawdownRiskCut: { ...DEFAULT_MEMORY_RULES.drawdownRiskCut, releaseBelowPct: 9 },
    };
    expect(memoryRulesProblems(rules, (p) => `rules.${p}`)).toEqual([
      "rules.windows.symbol: expected an integer ≥ 1, got 0",
      "rules.lossStreakPause.losses: expected an integer ≥ 1, got 2.5",
      "rules.modelDisable.floor: expected a fraction from 0 to 1, got 45",
      "rules.symbolScorePenalty.minTrades: 5 is above rules.windows.symbol (0): the rule could never fire",
      "rules.drawdownRiskCut.releaseBelowPct: 9 is above rules.drawdownRiskCut.abovePct (8): the cut would never be lifted",
    ]);
  });

  test("every bound names two numeric settings", () => {
    for (const b of MEMORY_RULE_BOUNDS)
      for (const path of [b.setting, b.bound]) {
        const [section, key] = path.split(".") as [keyof typeof DEFAULT_MEMORY_RULES, string];
        const value = (DEFAULT_MEMORY_RULES[section] as unknown as Record<string, unknown>)[key];
        expect([path, typeof value]).toEqual([path, "number"]);
      }
  });
});
