import { expect, test } from "bun:test";
import { TIMEFRAME_MS, TIMEFRAMES, type Timeframe } from "@signalbot/core";
import { loadKlines } from "@signalbot/core/testing";
import { FIXTURE_KLINES_DIR } from "../../../../fixtures/index.ts";
import { resumeWindow, WarmupCache } from "./WarmupCache.ts";

const all = Object.fromEntries(
  TIMEFRAMES.map((tf) => [tf, loadKlines("BTCUSDT", tf, FIXTURE_KLINES_DIR)]),
) as Record<Timeframe, ReturnType<typeof loadKlines>>;
const last499 = Object.fromEntries(TIMEFRAMES.map((tf) => [tf, all[tf].slice(-499)])) as typeof all;

test("kept candles come back exactly as they went in, at 48 bytes a candle (71.9 KB for 3 × 499)", () => {
  const cache = new WarmupCache(10);
  expect(cache.keep("BTCUSDT", last499)).toBe(true);
  expect(cache.get("BTCUSDT")).toEqual(last499);
  expect(cache.bytes).toBe(3 * 499 * 48);
  expect(cache.size).toBe(1);
  cache.forget("BTCUSDT");
  expect(cache.get("BTCUSDT")).toBeUndefined();
  expect(cache.bytes).toBe(0);
});

test("when full, a leaving symbol is not kept: the ones kept come back first in the rotation's cycle", () => {
  const cache = new WarmupCache(2);
  expect(cache.keep("A", last499)).toBe(true);
  expect(cache.keep("B", last499)).toBe(true);
  expect(cache.keep("C", last499)).toBe(false);
  expect([cache.get("A"), cache.get("B"), cache.get("C")].map((x) => x !== undefined)).toEqual([
    true,
    true,
    false,
  ]);
  // A symbol kept again replaces its own entry.
  expect(cache.keep("A", last499)).toBe(true);
  // Symbols that left the universe make room.
  cache.retain(new Set(["B", "C"]));
  expect(cache.size).toBe(1);
  expect(cache.keep("C", last499)).toBe(true);
  expect(new WarmupCache(0).keep("A", last499)).toBe(false);
});

test("a candle whose close time the layout cannot restore is not kept", () => {
  const cache = new WarmupCache(10);
  const odd = {
    ...last499,
    "4h": [...last499["4h"].slice(0, -1), { ...last499["4h"].at(-1)!, closeTime: 1 }],
  };
  expect(cache.keep("BTCUSDT", odd)).toBe(false);
  expect(cache.size).toBe(0);
});

test("resumeWindow: the kept candles of a fresh warm-up's window, and the closed ones after them to fetch", () => {
  const step = TIMEFRAME_MS["30m"];
  const candles = all["30m"].slice(-600, -100);
  const lastKept = candles.at(-1)!.openTime;
  // 4 hours and 10 minutes later: 8 candles closed since, the 9th is forming.
  const now = lastKept + step + 8 * step + 10 * 60_000;
  const r = resumeWindow(candles, "30m", now, 499)!;
  const newest = Math.floor((now - 1) / step) * step; // the forming candle a fresh answer would end with
  expect(r.kept[0]!.openTime).toBe(newest - 498 * step);
  expect(r.kept.at(-1)!.openTime).toBe(lastKept);
  expect(r.kept.length).toBe(499 - 9);
  expect(r).toMatchObject({ from: lastKept + step, to: lastKept + 8 * step });
  // Exactly on a close: that candle is closed, and the window ends with it.
  const onClose = lastKept + 9 * step;
  expect(resumeWindow(candles, "30m", onClose, 499)).toMatchObject({ to: lastKept + 8 * step });
  // Nothing new: nothing to fetch.
  const same = resumeWindow(candles, "30m", lastKept + step + 60_000, 499)!;
  expect(same.from).toBeGreaterThan(same.to);
  expect(same.kept).toHaveLength(499 - 1);
  // Kept too long ago: nothing inside the window.
  expect(resumeWindow(candles, "30m", lastKept + 600 * step, 499)).toBeUndefined();
});
