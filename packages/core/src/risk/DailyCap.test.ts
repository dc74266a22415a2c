import { expect, test } from "bun:test";
import { countInUtcDay, dailyCapReached, utcDayStart } from "./DailyCap.ts";

const day = Date.UTC(2025, 5, 1);

test("utcDayStart is midnight UTC of the same day", () => {
  expect(utcDayStart(day)).toBe(day);
  expect(utcDayStart(day + 86_399_999)).toBe(day);
  expect(utcDayStart(day + 86_400_000)).toBe(day + 86_400_000);
});

test("signals are counted per UTC day", () => {
  const times = [day - 1, day, day + 3_600_000, day + 86_399_999, day + 86_400_000];
  expect(countInUtcDay(times, day + 12 * 3_600_000)).toBe(3);
});

test("the cap is reached at max", () => {
  expect(dailyCapReached(4, 5)).toBeUndefined();
  expect(dailyCapReached(5, 5)).toEqual({ code: "dailyCap", data: { count: 5, max: 5 } });
});
