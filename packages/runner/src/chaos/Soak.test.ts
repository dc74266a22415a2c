import { expect, test } from "bun:test";
import { checkHeap, checkRss, checkSecondInstances } from "./Soak.ts";

const T0 = Date.UTC(2026, 0, 1);
/** A heap log of one process: a sample every 5 s for `minutes`, heap = f(seconds). */
const heapLog = (pid: number, minutes: number, mb: (s: number) => number): string =>
  Array.from({ length: (minutes * 60) / 5 }, (_, i) => {
    const s = i * 5;
    return `${pid} ${T0 + s * 1000} ${Math.round(mb(s) * 1_048_576)} 115000`;
  }).join("\n");

test("heap check: a flat heap (with GC noise) passes, a steady leak fails, only the last process counts", () => {
  const flat = checkHeap(
    heapLog(7, 3, (s) => 35 + (s % 15 === 0 ? 0.3 : 0)),
    T0,
  );
  expect(flat).toMatchObject({ ok: true, name: "heap after GC has no upward trend" });
  const leaking = checkHeap(
    heapLog(7, 3, (s) => 35 + s / 20),
    T0,
  ); // +3 MB/min
  expect(leaking.ok).toBe(false);
  expect(leaking.detail).toContain("slope 3.00 MB/min");
  // An earlier process that grew (killed mid-run) does not count against the last one.
  expect(checkHeap(`${heapLog(6, 2, (s) => 30 + s)}\n${heapLog(7, 3, () => 35)}`, T0).ok).toBe(true);
  expect(checkHeap("", T0).ok).toBe(false);
});

test("RSS check: the settled part of the last run decides; growth within the band passes", () => {
  const run = (r: number, mb: (t: number) => number) =>
    Array.from({ length: 120 }, (_, i) => ({ t: i, mb: mb(i), run: r }));
  expect(checkRss([...run(0, (t) => 60 + t), ...run(1, () => 95)], 1).ok).toBe(true);
  expect(
    checkRss(
      run(1, (t) => 95 + t / 6),
      1,
    ).ok,
  ).toBe(false); // +10 MB/min
});

test("second-instance check: each must exit 1 saying why, and never start", () => {
  const refused = { code: 1, refused: true, started: false };
  expect(checkSecondInstances([refused, refused]).ok).toBe(true);
  expect(checkSecondInstances([]).ok).toBe(true);
  expect(checkSecondInstances([refused, { code: 0, refused: false, started: true }]).ok).toBe(false);
  expect(checkSecondInstances([{ code: 1, refused: false, started: false }]).ok).toBe(false);
});
