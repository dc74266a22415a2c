import { expect, test } from "bun:test";
import { checkFreshness, dataArrived, FRESH, nextLocalHour } from "./Schedules.ts";

test("the next 08:00 in Ho Chi Minh City (UTC+7) is 01:00 UTC, strictly after now", () => {
  const at = (iso: string) => Date.parse(iso);
  expect(nextLocalHour(at("2026-03-02T00:00:00Z"), 8, "Asia/Ho_Chi_Minh")).toBe(at("2026-03-02T01:00:00Z"));
  expect(nextLocalHour(at("2026-03-02T01:00:00Z"), 8, "Asia/Ho_Chi_Minh")).toBe(at("2026-03-03T01:00:00Z"));
  expect(nextLocalHour(at("2026-03-02T01:00:00Z"), 8, "UTC")).toBe(at("2026-03-02T08:00:00Z"));
  // A half-hour zone.
  expect(nextLocalHour(at("2026-03-02T00:00:00Z"), 8, "Asia/Kolkata")).toBe(at("2026-03-02T02:30:00Z"));
});

test("stale fires once per outage and recovery reports its length", () => {
  const staleMs = 3 * 60_000;
  const early = checkFreshness(FRESH, 2 * 60_000, 0, staleMs);
  expect(early).toEqual({ next: FRESH });
  const fired = checkFreshness(FRESH, 3 * 60_000, 0, staleMs);
  expect(fired.stale).toEqual({ minutes: 3 });
  expect(checkFreshness(fired.next, 10 * 60_000, 0, staleMs).stale).toBeUndefined();
  const back = dataArrived(fired.next, 12 * 60_000);
  expect(back).toEqual({ next: FRESH, recovered: { downMinutes: 12 } });
  expect(dataArrived(back.next, 13 * 60_000)).toEqual({ next: FRESH });
});
