import { describe, expect, test } from "bun:test";
import { aLosingTrade, aWinningTrade } from "@signalbot/core/testing";
import { closedInOrder, statsOf } from "../backtest/Report.ts";
import { choose, scoreOf, type TrainingScore } from "./Objective.ts";

const T = Date.UTC(2025, 0, 1);
/** `wins` trades of +2 R and `losses` of −1 R. */
const statsWith = (wins: number, losses: number) =>
  statsOf(
    closedInOrder([
      ...Array.from({ length: wins }, (_, i) => aWinningTrade({ r: 2, closedAt: T + i, id: `w${i}` })),
      ...Array.from({ length: losses }, (_, i) =>
        aLosingTrade({ r: -1, closedAt: T + 1000 + i, id: `l${i}` }),
      ),
    ]),
  );

describe("the objective", () => {
  test("ci-low is the lower bound of the expectancy's 95 % interval; below the minimum trade count a candidate is not eligible", () => {
    const s = statsWith(12, 18);
    const score = scoreOf(3, s, { name: "ci-low", minTrades: 30 });
    expect(score.objective).toBe(s.expectancyCi95![0]);
    expect(score).toMatchObject({ candidate: 3, trades: 30, eligible: true });
    expect(scoreOf(3, s, { name: "ci-low", minTrades: 31 }).eligible).toBe(false);
    expect(scoreOf(0, statsWith(1, 0), { name: "ci-low", minTrades: 1 })).toMatchObject({
      objective: null,
      eligible: false,
    });
    expect(scoreOf(0, s, { name: "expectancy", minTrades: 2 }).objective).toBeCloseTo(0.2, 12);
    expect(scoreOf(0, s, { name: "total-r", minTrades: 2 }).objective).toBeCloseTo(6, 12);
    expect(scoreOf(0, s, { name: "profit-factor", minTrades: 2 }).objective).toBeCloseTo(24 / 18, 12);
    expect(scoreOf(0, statsWith(5, 0), { name: "profit-factor", minTrades: 2 }).eligible).toBe(false);
  });

  test("the surer edge wins over the larger one under ci-low, not under expectancy", () => {
    // 10 trades at +0.8 R mean vs 60 trades at +0.2 R mean.
    const few = statsWith(6, 4); // mean (12 − 4) / 10 = 0.8, wide interval
    const many = statsWith(24, 36); // mean (48 − 36) / 60 = 0.2, narrow interval
    const scores = (name: "ci-low" | "expectancy") => [
      scoreOf(0, few, { name, minTrades: 10 }),
      scoreOf(1, many, { name, minTrades: 10 }),
    ];
    expect(choose(scores("expectancy"))?.candidate).toBe(0);
    expect(few.expectancyCi95![0]).toBeLessThan(many.expectancyCi95![0]);
    expect(choose(scores("ci-low"))?.candidate).toBe(1);
  });

  test("ties go to the earlier candidate whatever order the scores come in; none eligible: no choice", () => {
    const s = statsWith(12, 18);
    const a = scoreOf(4, s, { name: "ci-low", minTrades: 10 });
    const b = scoreOf(2, s, { name: "ci-low", minTrades: 10 });
    expect(choose([a, b])?.candidate).toBe(2);
    expect(choose([b, a])?.candidate).toBe(2);
    const ineligible: TrainingScore = { ...a, eligible: false };
    expect(choose([ineligible])).toBeUndefined();
    expect(choose([])).toBeUndefined();
  });
});
