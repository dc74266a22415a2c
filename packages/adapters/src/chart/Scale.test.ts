import { describe, expect, test } from "bun:test";
import { decimalsFor, niceTicks, spreadApart } from "./Scale.ts";

describe("niceTicks", () => {
  test("round steps people read, covering the range", () => {
    expect(niceTicks(97_312, 103_480)).toEqual({
      step: 1000,
      ticks: [98_000, 99_000, 100_000, 101_000, 102_000, 103_000],
    });
    expect(niceTicks(0.01162, 0.01331).step).toBe(0.00025);
    expect(niceTicks(2.31, 2.62, 6)).toEqual({ step: 0.05, ticks: [2.35, 2.4, 2.45, 2.5, 2.55, 2.6] });
    expect(niceTicks(0.1, 0.35, 5).ticks).toEqual([0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
  });

  test("a flat range gives one tick instead of dividing by zero", () => {
    expect(niceTicks(5, 5)).toEqual({ step: 0, ticks: [5] });
  });

  test("decimalsFor shows the step exactly", () => {
    expect([decimalsFor(1000), decimalsFor(0.05), decimalsFor(0.0005), decimalsFor(2.5)]).toEqual([
      0, 2, 4, 1,
    ]);
  });
});

describe("spreadApart", () => {
  test("tags far apart stay where they are", () => {
    expect(spreadApart([100, 10, 50], 20, 0, 200)).toEqual([100, 10, 50]);
  });

  test("close tags are pushed apart by the gap, keeping their order", () => {
    expect(spreadApart([100, 105, 110], 20, 0, 200)).toEqual([100, 120, 140]);
  });

  test("a stack at the bottom edge slides back up inside", () => {
    expect(spreadApart([195, 198], 20, 0, 200)).toEqual([180, 200]);
  });
});
