/**
 * Guarantees of the walk-forward on the committed real klines: test-window data never reaches a selection,
 * results do not depend on the number of workers, a fold's trades are those of one continuous backtest from
 * the training start counted on the test window, the fit step sees the training window only, and the
 * ablation and raw-setups reports agree with the runs they are made of.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { candleAt, formatKlineCsv, listKlineFiles, readKlineFile } from "@signalbot/adapters/csv";
import { type Candle, DEFAULT_TIMEOUT_CANDLES } from "@signalbot/core";
import { Effect } from "effect";
import { runBacktest } from "../backtest/Backtest.ts";
import type { FoldFit, TrainingWindow } from "./Fit.ts";
import { parseSpan } from "./Folds.ts";
import { EMPTY_GRID, type Grid } from "./Grid.ts";
import { loadMarket, type Market, type MarketSource } from "./Market.ts";
import { inThisThread, workerPool } from "./Pool.ts";
import { runWalkForward, type WalkForwardPlan } from "./WalkForward.ts";
import { resolveTime, type WalkForwardReport, walkForwardJson } from "./WalkForwardReport.ts";

const FIXTURES = new URL("../../../../fixtures/klines/", import.meta.url).pathname;
const SYMBOLS = ["BTCUSDT", "ETHUSDT"];
const source = (dataDir = FIXTURES): MarketSource => ({
  dataDir,
  symbols: SYMBOLS,
  costs: { takerFeeRate: 0.0005, slippageRate: 0.0002 },
  fundingRate: 0.0001,
});
const GRID: Grid = {
  parameters: [
    { path: "memory.baseThreshold", values: [70, 75, 80] },
    { path: "strategy.adxMin", values: [15, 22] },
  ],
  fixed: {},
};
const plan = (over: Partial<WalkForwardPlan> = {}): WalkForwardPlan => ({
  from: Date.UTC(2025, 0, 1),
  to: Date.UTC(2025, 5, 1),
  train: parseSpan("60d")!,
  test: parseSpan("30d")!,
  grid: GRID,
  objective: { name: "ci-low", minTrades: 5 },
  ablate: false,
  setups: false,
  ...over,
});
const load = (dir = FIXTURES) => Effect.runPromise(loadMarket(source(dir)));
const inThread = (p: WalkForwardPlan, market: Market): Promise<WalkForwardReport> =>
  Effect.runPromise(runWalkForward(p, market, inThisThread(market)));
const onWorkers = (p: WalkForwardPlan, market: Market, n: number): Promise<WalkForwardReport> =>
  Effect.runPromise(
    Effect.scoped(Effect.flatMap(workerPool(market.source, n), (pool) => runWalkForward(p, market, pool))),
  );

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * A copy of the fixtures' BTC and ETH files in which every candle closing after `t` is mirrored
 * (price p → P²/p around the last close P before `t`, volume tripled): a different market from `t` on.
 */
const alteredAfter = async (t: number): Promise<string> => {
  const dir = mkdtempSync(join(tmpdir(), "signalbot-wf-"));
  dirs.push(dir);
  const files = (await Effect.runPromise(listKlineFiles(FIXTURES))).filter((f) => SYMBOLS.includes(f.symbol));
  for (const f of files) {
    const c = await Effect.runPromise(readKlineFile(f));
    const candles: Candle[] = Array.from({ length: c.length }, (_, i) => candleAt(c, i));
    const pivot = candles.findLast((k) => k.closeTime + 1 <= t)?.close ?? candles[0]!.open;
    const m = (p: number) => (pivot * pivot) / p;
    const out = candles.map((k) =>
      k.closeTime + 1 <= t
        ? k
        : { ...k, open: m(k.open), high: m(k.low), low: m(k.high), close: m(k.close), volume: k.volume * 3 },
    );
    writeFileSync(join(dir, `${f.symbol}-${f.timeframe}.csv.gz`), Bun.gzipSync(formatKlineCsv(out)));
  }
  expect(readdirSync(dir).length).toBe(files.length);
  return dir;
};

describe("walk-forward on real klines", async () => {
  const market = await load();
  const full = plan({ ablate: true, setups: true });
  const base = await inThread(full, market);

  test("the folds tile the test windows; only trades opened inside a test window are counted, and pooled is their sum", () => {
    expect(base.folds.length).toBe(4);
    for (let k = 1; k < base.folds.length; k++)
      expect(base.folds[k]!.test.from).toBe(base.folds[k - 1]!.test.to);
    expect(base.folds.at(-1)!.partial).toBe(true);
    let trades = 0;
    for (const f of base.folds) {
      expect(f.trainingScores).toHaveLength(6);
      expect(f.chosen).not.toBeNull();
      expect(f.run.from).toBe(f.train.from);
      expect(f.run.to).toBeGreaterThan(f.test.to - 1);
      trades += f.trades;
    }
    expect(base.pooled.trades).toBe(trades);
    expect(base.pooled.trades).toBeGreaterThan(8);
    expect(base.pooled.expectancyCi95).not.toBeNull();
    expect(base.pooled.days).toBeCloseTo(
      base.folds.reduce((n, f) => n + f.days, 0),
      9,
    );
    expect(Object.values(base.stability.parameters["memory.baseThreshold"]!).reduce((a, b) => a + b, 0)).toBe(
      4,
    );
  });

  test("test-window candles never influence a selection: a different market after T changes no earlier choice", async () => {
    const t = base.folds[2]!.test.from;
    const altered = await inThread(full, await load(await alteredAfter(t)));
    for (const k of [0, 1, 2]) {
      expect(base.folds[k]!.train.to).toBeLessThanOrEqual(t);
      expect(altered.folds[k]!.trainingScores).toEqual(base.folds[k]!.trainingScores);
      expect(altered.folds[k]!.chosen).toEqual(base.folds[k]!.chosen);
    }
    // The alteration is real: fold 2's test window and fold 3's training see it.
    expect(altered.folds[2]!.totalR).not.toBe(base.folds[2]!.totalR);
    expect(altered.folds[3]!.trainingScores).not.toEqual(base.folds[3]!.trainingScores);
  }, 30_000);

  test("identical results on 1 and 2 workers and in this thread (training, fit records, test runs, setups)", async () => {
    const light = plan({ to: Date.UTC(2025, 3, 15), setups: true, fit: { name: "none", fit: () => ({}) } });
    const json = walkForwardJson(await inThread(light, market));
    expect(walkForwardJson(await onWorkers(light, market, 2))).toBe(json);
    expect(walkForwardJson(await onWorkers(light, market, 1))).toBe(json);
  }, 60_000);

  test("a fold's trades are a continuous backtest's from the training start, counted on the test window", async () => {
    const defaults = await inThread(plan({ grid: EMPTY_GRID }), market);
    const f = defaults.folds[1]!;
    expect(f.chosen?.patch).toEqual({});
    const { report } = await Effect.runPromise(
      runBacktest({
        dataDir: FIXTURES,
        symbols: SYMBOLS,
        from: f.train.from,
        to: f.test.to + resolveTime(DEFAULT_TIMEOUT_CANDLES),
        memory: true,
        costs: { takerFeeRate: 0.0005, slippageRate: 0.0002 },
        fundingRate: 0.0001,
        progress: "never",
      }),
    );
    const counted = report.trades.filter((t) => t.openedAt > f.test.from && t.openedAt <= f.test.to);
    expect(counted.length).toBeGreaterThan(3);
    expect(f.trades + f.openAtEnd).toBe(counted.length);
    expect(f.totalR).toBeCloseTo(
      counted.reduce((s, t) => s + (t.status === "closed" ? (t.rMultiple ?? 0) : 0), 0),
      9,
    );
  }, 30_000);

  test("the fit step sees the training window only, and its patch is what the test run trades", async () => {
    const seen: TrainingWindow[] = [];
    const fit: FoldFit = {
      name: "silence",
      fit: (w) => {
        seen.push(w);
        // Every stop 100 ATRs beyond its swing: each setup is rejected as too wide, so nothing trades.
        return { "strategy.stopBufferAtr": 100 };
      },
    };
    const r = await inThread(plan({ fit }), market);
    expect(seen.map((w) => w.fold)).toEqual(r.folds.map((f) => f.index));
    for (const w of seen) {
      const fold = r.folds[w.fold]!;
      expect([w.from, w.to]).toEqual([fold.train.from, fold.train.to]);
      expect(w.config.memory.baseThreshold).toBe(fold.chosen!.patch["memory.baseThreshold"] as number);
      expect(w.record.period.end!).toBeLessThanOrEqual(w.to);
      expect(w.record.signals.length).toBeGreaterThan(0);
      for (const s of w.record.signals) expect(s.createdAt).toBeLessThanOrEqual(w.to);
    }
    expect(r.config.fit).toBe("silence");
    for (const f of r.folds) {
      expect(f.fitted).toEqual({ "strategy.stopBufferAtr": 100 });
      expect(f.trades + f.openAtEnd).toBe(0);
      expect(f.trainingScores).toEqual(base.folds[f.index]!.trainingScores);
    }
    const bad: FoldFit = { name: "broken", fit: () => ({ "memory.baseThreshold": "high" }) };
    const failed = await Effect.runPromise(
      Effect.flip(runWalkForward(plan({ fit: bad }), market, inThisThread(market))),
    );
    expect(failed.message).toContain(
      'fold 0: the broken fit\'s patch: memory.baseThreshold="high": memory.baseThreshold: expected a number',
    );
  }, 30_000);

  test("ablation: 'all rules' is the walk-forward itself, each variant switches one thing off", async () => {
    const variants = base.ablation!.variants;
    expect(variants.map((v) => v.name)).toEqual([
      "all rules",
      "without winRateThreshold",
      "without lossStreakPause",
      "without drawdownSignalCap",
      "without drawdownRiskCut",
      "without symbolCooldown",
      "without symbolScorePenalty",
      "without modelDisable",
      "without modelPreference",
      "memory off",
    ]);
    const all = variants[0]!;
    expect(all.pooled.trades).toBe(base.pooled.trades);
    expect(all.pooled.expectancyR).toBe(base.pooled.expectancyR);
    const off = variants.at(-1)!;
    expect(off.pooled.trades).toBeGreaterThan(all.pooled.trades); // memory blocks signals
    expect(off.effect.trades).toBe(all.pooled.trades - off.pooled.trades);
    // The same as choosing a memory-off configuration on the same folds.
    const withoutMemory = await inThread(
      plan({ grid: { ...GRID, fixed: { "memory.enabled": false } } }),
      market,
    );
    // (its own selection may choose differently; compare fold by fold where the choice agrees)
    for (const f of withoutMemory.folds) {
      const b = base.folds[f.index]!;
      if (JSON.stringify(f.chosen?.patch) !== JSON.stringify(b.chosen?.patch)) continue;
      expect(off.folds[f.index]!.trades).toBe(f.trades);
      expect(off.folds[f.index]!.expectancyR).toBe(f.expectancyR);
    }
  }, 30_000);

  test("setups traded alone: grouped without loss, scores below the threshold included, more than the gates let through", () => {
    const s = base.setups!;
    expect(s.setups).toBeGreaterThan(base.pooled.trades);
    expect(s.all.trades).toBe(Object.values(s.byModel).reduce((n, m) => n + m.trades, 0));
    expect(s.all.trades).toBe(s.bySide.LONG.trades + s.bySide.SHORT.trades);
    expect(s.all.trades).toBe(Object.values(s.byModelSide).reduce((n, m) => n + m.trades, 0));
    expect(Object.values(s.byScoreBand).reduce((n, b) => n + b.trades, 0)).toBe(s.all.trades);
    expect(Object.keys(s.byScoreBand).some((band) => Number(band.split("-")[0]) < 70)).toBe(true);
    expect(s.perDay).toBeCloseTo(s.setups / base.pooled.days, 12);
  });

  test("the JSON lists every out-of-sample trade with its fold, and nothing else", () => {
    expect(base.trades.length).toBe(base.pooled.trades + base.pooled.openAtEnd);
    for (const t of base.trades) {
      const f = base.folds[t.fold]!;
      expect(t.openedAt).toBeGreaterThan(f.test.from);
      expect(t.openedAt).toBeLessThanOrEqual(f.test.to);
    }
  });
});
