import { describe, expect, test } from "bun:test";
import {
  type Candle,
  DEFAULT_MODELS,
  type Evaluation,
  ema,
  type Setup,
  SymbolAnalyzer,
  SymbolState,
} from "@signalbot/core";
import { loadSymbolKlines, replay } from "@signalbot/core/testing";
import { FIXTURE_KLINES_DIR } from "../../fixtures/index.ts";
import donchian, { donchianBreakout } from "./Donchian.ts";

const btc = loadSymbolKlines("BTCUSDT", FIXTURE_KLINES_DIR);

/** Every answer of an analyzer with the defaults and the example, after each closed 30m candle of BTCUSDT. */
const run = (models = [...DEFAULT_MODELS, donchian]) => {
  const a = new SymbolAnalyzer("BTCUSDT", { models });
  const out: (readonly Evaluation[])[] = [];
  replay(a, btc, (i) => (out[i] = a.evaluate()));
  return out;
};
const all = run();
const setups = all.flatMap((es) => es.flatMap((e) => (e._tag === "Setup" ? [e.setup] : [])));
const breakouts = setups.filter((s) => s.model === "donchian");

/** The 4h candle that closed with a setup's trigger, its index in the 4h series. */
const h4At = (s: Setup): number => btc["4h"].findIndex((c) => c.closeTime + 1 === s.time);

describe("the Donchian example model on BTCUSDT 2025", () => {
  test("it fires on real data, beside the built-in models, whose answers it leaves unchanged", () => {
    expect(breakouts.length).toBeGreaterThan(10);
    expect(new Set(breakouts.map((s) => s.side))).toEqual(new Set(["LONG", "SHORT"]));
    const plain = run(DEFAULT_MODELS as never);
    all.forEach((es, i) => {
      expect(es.slice(0, 2)).toEqual([...plain[i]!]);
      const e = es[2]!;
      expect(e._tag === "Setup" ? e.setup.model : e.model).toBe("donchian");
    });
  });

  test("every setup is a 4h close beyond the channel of the 20 candles before it, with the 1d bias (checked from the raw candles)", () => {
    const d1Close = btc["1d"].map((c) => c.close);
    const d1Ema = ema(d1Close, 50);
    for (const s of breakouts) {
      const i = h4At(s);
      expect(i).toBeGreaterThan(20);
      const window: Candle[] = btc["4h"].slice(i - 20, i);
      const c = btc["4h"][i]!;
      if (s.side === "LONG") expect(c.close).toBeGreaterThan(Math.max(...window.map((x) => x.high)));
      else expect(c.close).toBeLessThan(Math.min(...window.map((x) => x.low)));
      // The last 1d candle closed by then, and its EMA(50).
      const d = btc["1d"].findLastIndex((x) => x.closeTime < s.time);
      expect((s.side === "LONG" ? 1 : -1) * (d1Close[d]! - d1Ema[d]!)).toBeGreaterThan(0);
      // Entered at the trigger's close, stop beyond the entry by at least 2 4h ATRs, targets in R multiples.
      const risk = Math.abs(s.entry - s.stop);
      expect(risk).toBeGreaterThanOrEqual(2 * s.atr - 1e-9);
      expect(s.rr).toBeCloseTo(2, 9);
      expect(s.score).toBeGreaterThanOrEqual(0);
      expect(s.score).toBeLessThanOrEqual(100);
      expect(s.reasons[0]).toMatchObject({ code: "channelBreakout", data: { period: 20 } });
    }
  });

  test("its channel is its own state: a corrected 4h candle (the exchange's replacing the bot's aggregate) changes nothing", () => {
    // Live, a 4h candle is first the bot's aggregate of 30m candles, then replaced by the exchange's. Feed each
    // 4h candle twice — first a distorted copy, then the true one — and the answers equal the clean run's.
    const fixed = new SymbolState("BTCUSDT", undefined, { models: [donchian] });
    const clean = new SymbolState("BTCUSDT", undefined, { models: [donchian] });
    let j = 0;
    let k = 0;
    let answers = 0;
    for (const c of btc["30m"].slice(0, 8000)) {
      for (; k < btc["1d"].length && btc["1d"][k]!.closeTime <= c.closeTime; k++) {
        fixed.analyzer.push("1d", btc["1d"][k]!);
        clean.analyzer.push("1d", btc["1d"][k]!);
      }
      for (; j < btc["4h"].length && btc["4h"][j]!.closeTime <= c.closeTime; j++) {
        const h = btc["4h"][j]!;
        fixed.analyzer.push("4h", { ...h, high: h.high * 1.02, low: h.low * 0.98, close: h.open });
        expect(fixed.analyzer.push("4h", h)._tag).toBe("Replaced");
        clean.analyzer.push("4h", h);
      }
      fixed.analyzer.push("30m", c);
      clean.analyzer.push("30m", c);
      const [e] = fixed.analyzer.evaluate();
      expect(e).toEqual(clean.analyzer.evaluate()[0]);
      if (e?._tag === "Setup") answers++;
    }
    expect(answers).toBeGreaterThan(0);
  });

  test("it is not a default model; its name, period and label are its own", () => {
    expect(DEFAULT_MODELS.map((m) => m.name)).not.toContain("donchian");
    expect(new SymbolAnalyzer("X").models).toEqual(["continuation", "reversal"]);
    const slow = donchianBreakout({ period: 55, name: "turtle" });
    expect(slow.name).toBe("turtle");
    const a = new SymbolAnalyzer("X", { models: [slow] });
    replay(a, btc, () => {}, 10);
    expect(a.evaluate()[0]).toMatchObject({ model: "turtle" });
    expect(() => donchianBreakout({ period: 1 })).toThrow("period must be a whole number ≥ 2");
    expect(donchian.label).toEqual({ vi: "Phá vỡ kênh Donchian", en: "Donchian breakout" });
  });

  test("its chart lines are the channel the breakout is measured against; its reasons read in Vietnamese", () => {
    const candles = btc["4h"].slice(0, 100);
    const [upper, lower] = donchian.chartLines?.(candles) ?? [];
    expect(upper?.values[50]).toBe(Math.max(...candles.slice(30, 50).map((c) => c.high)));
    expect(lower?.values[50]).toBe(Math.min(...candles.slice(30, 50).map((c) => c.low)));
    expect(Number.isNaN(upper?.values[19])).toBe(true);
    const phrase = donchian.phrases?.channelBreakout?.({ period: 20, level: 97000, depthAtr: 0.4 }, "vi");
    expect(phrase).toBe("Nến 4h đóng cửa vượt kênh Donchian 20 nến (mức 97000, cách 0.4 ATR)");
  });
});
