import { describe, expect, test } from "bun:test";
import { addSpan, foldsOf, parseSpan, type Span } from "./Folds.ts";

const d = (s: string) => Date.parse(`${s}T00:00:00Z`);
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
const span = (s: string): Span => parseSpan(s)!;

describe("window lengths", () => {
  test("days, weeks, calendar months and years; anything else is not a length", () => {
    expect(parseSpan("90d")).toEqual({ unit: "d", count: 90, text: "90d" });
    expect(parseSpan("6m")).toEqual({ unit: "m", count: 6, text: "6m" });
    expect(parseSpan("2w")?.unit).toBe("w");
    expect(parseSpan("1y")?.unit).toBe("y");
    for (const bad of ["", "6", "m", "0d", "6 months", "-1m", "1.5m", "3h"])
      expect(parseSpan(bad)).toBeUndefined();
  });

  test("months keep the day of the month, clamped to the month's end, counted from the start (no drift)", () => {
    expect(iso(addSpan(d("2025-01-31"), span("1m")))).toBe("2025-02-28");
    expect(iso(addSpan(d("2025-01-31"), span("1m"), 2))).toBe("2025-03-31");
    expect(iso(addSpan(d("2024-01-31"), span("1m")))).toBe("2024-02-29");
    expect(iso(addSpan(d("2025-07-31"), span("6m"), -1))).toBe("2025-01-31");
    expect(iso(addSpan(d("2025-01-01"), span("1y")))).toBe("2026-01-01");
    expect(iso(addSpan(d("2025-01-01"), span("90d")))).toBe("2025-04-01");
    expect(iso(addSpan(d("2025-01-01"), span("2w")))).toBe("2025-01-15");
  });
});

describe("folds", () => {
  test("test windows tile the period after the first training window; each trains on the length before it", () => {
    const folds = foldsOf(d("2025-01-01"), d("2026-01-01"), span("6m"), span("1m"));
    expect(folds.map((f) => [iso(f.trainFrom), iso(f.trainTo), iso(f.testTo)])).toEqual([
      ["2025-01-01", "2025-07-01", "2025-08-01"],
      ["2025-02-01", "2025-08-01", "2025-09-01"],
      ["2025-03-01", "2025-09-01", "2025-10-01"],
      ["2025-04-01", "2025-10-01", "2025-11-01"],
      ["2025-05-01", "2025-11-01", "2025-12-01"],
      ["2025-06-01", "2025-12-01", "2026-01-01"],
    ]);
    expect(folds.every((f) => !f.partial)).toBe(true);
    expect(folds.map((f) => f.index)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test("month-end starts never overlap or leave a hole between test windows", () => {
    const folds = foldsOf(d("2025-01-31"), d("2026-01-01"), span("3m"), span("1m"));
    for (let k = 1; k < folds.length; k++) expect(folds[k]!.trainTo).toBe(folds[k - 1]!.testTo);
    expect(folds.map((f) => iso(f.trainTo)).slice(0, 3)).toEqual(["2025-04-30", "2025-05-31", "2025-06-30"]);
    for (const f of folds.slice(1)) expect(f.trainFrom).toBe(addSpan(f.trainTo, span("3m"), -1));
  });

  test("a last test window cut by the end of the data is kept, marked partial, if it holds a day", () => {
    const folds = foldsOf(d("2025-01-01"), d("2025-05-15"), span("90d"), span("30d"));
    expect(folds.map((f) => [iso(f.trainTo), iso(f.testTo), f.partial])).toEqual([
      ["2025-04-01", "2025-05-01", false],
      ["2025-05-01", "2025-05-15", true],
    ]);
    expect(foldsOf(d("2025-01-01"), d("2025-04-01"), span("90d"), span("30d"))).toEqual([]);
  });
});
