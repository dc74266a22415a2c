import { expect, test } from "bun:test";
import type { ExitReason } from "../model/Trade.ts";
import { aClosedTrade } from "../testing/ClosedTradeBuilders.ts";
import { outcomeOf, winRate } from "./Outcome.ts";

const table: readonly [number, ExitReason, string][] = [
  [-1, "stop", "loss"],
  [-0.12, "timeout", "loss"],
  [-0.05, "breakeven", "breakeven"], // stopped at entry, fees only
  [0, "breakeven", "breakeven"],
  [0.08, "breakeven", "breakeven"], // TP1 banked but fees ate most of it
  [0.09, "timeout", "breakeven"],
  [0.1, "timeout", "win"],
  [0.33, "breakeven", "win"], // TP1 banked a third of 1 R
  [1, "breakeven", "win"], // TP1 and TP2 banked, rest stopped at entry
  [3, "tp3", "win"],
];

test.each(table)("R %p (%s) counts as %s", (r, exitReason, expected) => {
  expect(outcomeOf(aClosedTrade({ r, exitReason }))).toBe(expected as "win" | "loss" | "breakeven");
});

test("without an R multiple, pnl / risk decides", () => {
  const { rMultiple: _, ...trade } = aClosedTrade({ r: -1 });
  expect(outcomeOf(trade)).toBe("loss");
});

test("the win rate leaves break-evens out and is null without a decisive result", () => {
  expect(winRate(3, 1)).toBe(0.75);
  expect(winRate(0, 2)).toBe(0);
  expect(winRate(0, 0)).toBeNull();
});
