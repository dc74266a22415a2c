import { expect, test } from "bun:test";
import { dailyCapReached } from "./DailyCap.ts";

test("the cap is reached at max", () => {
  expect(dailyCapReached(4, 5)).toBeUndefined();
  expect(dailyCapReached(5, 5)).toEqual({ code: "dailyCap", data: { count: 5, max: 5 } });
});
