import { expect, test } from "bun:test";
import { nextLocalHour, StaleWatch } from "./Schedules.ts";

test("the next 08:00 in Ho Chi Minh City (UTC+7) is 01:00 UTC, strictly after now", () => {
  const at = (iso: string) => Date.parse(iso);
  expect(nextLocalHour(at("2026-03-02T00:00:00Z"), 8, "Asia/Ho_Chi_Minh")).toBe(at("2026-03-02T01:00:00Z"));
  expect(nextLocalHour(at("2026-03-02T01:00:00Z"), 8, "Asia/Ho_Chi_Minh")).toBe(at("2026-03-03T01:00:00Z"));
  expect(nextLocalHour(at("2026-03-02T01:00:00Z"), 8, "UTC")).toBe(at("2026-03-02T08:00:00Z"));
  // A half-hour zone.
  expect(nextLocalHour(at("2026-03-02T00:00:00Z"), 8, "Asia/Kolkata")).toBe(at("2026-03-02T02:30:00Z"));
});

test("stale fires once per outage and recovery reports its length", () => {
  const w = new StaleWatch(3 * 60_000);
  expect(w.check(2 * 60_000, 0)).toBeUndefined();
  expect(w.check(3 * 60_000, 0)).toEqual({ _tag: "Stale", minutes: 3 });
  expect(w.check(10 * 60_000, 0)).toBeUndefined();
  expect(w.stale).toBe(true);
  expect(w.fresh(12 * 60_000)).toEqual({ _tag: "Recovered", downMinutes: 12 });
  expect(w.fresh(13 * 60_000)).toBeUndefined();
  expect(w.stale).toBe(false);
});
