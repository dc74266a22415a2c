import { expect, test } from "bun:test";
import { DAY_MS, HOUR_MS, MINUTE_MS, utcDayStart } from "./Time.ts";

const day = Date.UTC(2025, 5, 1);

test("the durations are the calendar's", () => {
  expect([MINUTE_MS, HOUR_MS, DAY_MS]).toEqual([60_000, 3_600_000, 86_400_000]);
});

test("utcDayStart is midnight UTC of the same day", () => {
  expect(utcDayStart(day)).toBe(day);
  expect(utcDayStart(day + DAY_MS - 1)).toBe(day);
  expect(utcDayStart(day + DAY_MS)).toBe(day + DAY_MS);
  expect(utcDayStart(day - 1)).toBe(day - DAY_MS);
});
