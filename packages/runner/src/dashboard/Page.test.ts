import { describe, expect, test } from "bun:test";
import {
  DEFAULT_MODELS,
  defaultMemoryConfig,
  Memory,
  type MemoryConfig,
  NO_FUNDING,
  Pipeline,
  SignalStore,
  TIMEFRAME_MS,
} from "@signalbot/core";
import {
  aBlockedSignal,
  aLosingTrade,
  anOpenTrade,
  aQuietModel,
  aSignal,
  aWinningTrade,
  MemoryStoreMemory,
  NO_COSTS,
  runTest,
  SignalStoreMemory,
  T0,
} from "@signalbot/core/testing";
import { Effect, Layer } from "effect";
import { type DashboardLoop, type DashboardView, makeViewGatherer } from "./DashboardView.ts";
import { renderPage, renderSections, SECTION_IDS } from "./Page.ts";

const HALF_HOUR = TIMEFRAME_MS["30m"];
const NOW = T0 + 10 * HALF_HOUR;

const health = {
  ok: true,
  version: "0.1.0",
  startedAt: new Date(T0 - 86_400_000).toISOString(),
  marketData: {
    fresh: true,
    lastDataAt: new Date(NOW - 2000).toISOString(),
    reconnects: 2,
    shards: [{ id: "0", state: "open", streams: 4, silentSeconds: 0 }],
  },
  lastClosed: { "30m": new Date(NOW).toISOString(), "4h": null, "1d": null },
  outbox: { depth: 0 },
  rest: { ok: false, degraded: true, reason: "429 until 12:00" },
  restWeightUsed: 37,
};

const loop: DashboardLoop = {
  health: () => health,
  symbols: () => ({
    active: ["BTCUSDT", "ETHUSDT", "SOLUSDT"],
    fixed: ["ETHUSDT"],
    pinned: ["BTCUSDT"],
    rotating: ["SOLUSDT"],
  }),
  candles: () => undefined,
};

/** A store with one open trade (BTCUSDT LONG 100/95, last price 102.5), a blocked setup and two closed trades. */
const gathered = async (): Promise<DashboardView> => {
  const state = new SignalStoreMemory.State();
  const emitted = aSignal({ candleOpenTime: T0 });
  const trade = { ...anOpenTrade({ candleOpenTime: T0 }), lastPrice: 102.5 };
  const hostile = aBlockedSignal("scoreBelowThreshold", {
    symbol: 'X<img src=x onerror="alert(1)">USDT',
    candleOpenTime: T0 + HALF_HOUR,
    score: 61,
  });
  const program = Effect.gen(function* () {
    const store = yield* SignalStore;
    yield* store.emit({ signal: emitted, trade, notification: { _tag: "NewSignal", signal: emitted } });
    yield* store.recordBlocked({
      ...hostile,
      blockedBy: { code: "scoreBelowThreshold", data: { score: 61, threshold: 75 } },
    });
    for (const t of [
      aWinningTrade({ symbol: "ETHUSDT", closedAt: T0 - 6 * HALF_HOUR, r: 2 }),
      aLosingTrade({ symbol: "SOLUSDT", model: "reversal", closedAt: T0 - 2 * HALF_HOUR }),
    ])
      yield* store.updateTrade({ trade: t, events: [], notifications: [] });
    (yield* Pipeline).book.add(trade);
    yield* (yield* Memory).pause(12);
    return yield* makeViewGatherer(loop, {
      rotationSlotSeconds: 1800,
      startingBalance: 1000,
      timeZone: "UTC",
    });
  });
  const layer = Layer.mergeAll(
    SignalStoreMemory.layer(state),
    Pipeline.layer({ costs: { ...NO_COSTS, funding: NO_FUNDING } }),
    Memory.layer(defaultMemoryConfig).pipe(Layer.provide(MemoryStoreMemory.layer())),
  );
  return runTest(program, layer, { at: NOW });
};

describe("the dashboard view", () => {
  test("open trades are marked to their last price in R; locks, stats, equity and health come from their sources", async () => {
    const v = await gathered();
    expect(v.time).toBe(NOW);
    expect(v.trades).toHaveLength(1);
    // Entry 100, stop 95 (5 USDT risk on 1 unit), last price 102.5, no costs: +0.5 R.
    expect(v.trades[0]!.liveR).toBeCloseTo(0.5, 9);
    expect(v.trades[0]!.livePnl).toBeCloseTo(2.5, 9);
    expect(v.locks.map((l) => [l.rule, l.scope, l.until])).toEqual([
      ["manualPause", "global", NOW + 12 * 3_600_000],
    ]);
    expect(v.signals.emitted.map((s) => s.setup.symbol)).toEqual(["BTCUSDT"]);
    expect(v.signals.blocked).toHaveLength(1);
    expect(v.stats.total).toMatchObject({ trades: 2, wins: 1, losses: 1, totalR: 1 });
    expect(v.stats.byModel.reversal).toMatchObject({ trades: 1, losses: 1, totalR: -1 });
    expect(v.stats.bySymbol.map((s) => [s.symbol, s.totalR])).toEqual([
      ["ETHUSDT", 2],
      ["SOLUSDT", -1],
    ]);
    // 1000 → +20 (ETH, 2 R × 10) → −10 (SOL) → +2.5 open: drawdown from the 1020 peak is −0.98 %.
    expect(v.equity.points.map((p) => p.equity)).toEqual([1000, 1020, 1010, 1012.5]);
    expect(v.equity.maxDrawdownPct).toBeCloseTo(-0.9804, 3);
    expect(v.symbols.nextRotationAt).toBe(NOW + HALF_HOUR);
    expect(v.market).toMatchObject({
      fresh: true,
      reconnects: 2,
      restWeightUsed: 37,
      lastClosed: { "30m": NOW },
    });
    expect(v.sections).toEqual([
      {
        name: "rest",
        ok: false,
        fields: [
          ["degraded", true],
          ["reason", "429 until 12:00"],
        ],
      },
    ]);
  });
});

describe("the page", () => {
  test("Vietnamese by default with the Telegram messages' terms; English from the same view", async () => {
    const v = await gathered();
    const ctx = {
      reports: [],
      reportsDir: "./reports",
      assets: { script: "/assets/a.js", style: "/assets/a.css" },
    };
    const vi = renderPage(v, { ...ctx, lang: "vi" });
    for (const word of ["Giá vào", "Cắt lỗ", "Vốn ảo", "Lệnh ảo đang mở", "Tiếp diễn xu hướng", "+0.50R"])
      expect(vi).toContain(word);
    expect(vi).toContain("Điểm 61 thấp hơn ngưỡng 75");
    expect(vi).toContain('<html lang="vi">');
    expect(vi).toContain('data-until="' + String(NOW + 12 * 3_600_000) + '"');
    expect(vi).toContain(">12:00:00</time>");
    const en = renderPage(v, { ...ctx, lang: "en" });
    for (const word of ["Entry", "Stop", "Virtual equity", "Open virtual trades", "Trend continuation"])
      expect(en).toContain(word);
    expect(en).toContain("Score 61 below the threshold 75");
    expect(en).toContain("Paused by the owner (paused by owner for 12 h)");
    expect(en).not.toContain("Giá vào");
  });

  test("data is escaped, and there is no inline script or style for the CSP to refuse", async () => {
    const v = await gathered();
    const page = renderPage(v, {
      lang: "vi",
      reports: [],
      reportsDir: "./reports",
      assets: { script: "/assets/a.js", style: "/assets/a.css" },
    });
    expect(page).not.toContain("<img src=x");
    expect(page).toContain("X&lt;img src=x onerror=&quot;alert(1)&quot;&gt;USDT");
    expect(page.match(/<script[^>]*>/g)).toEqual(['<script src="/assets/a.js" defer>']);
    expect(page).not.toMatch(/<style|<[^>]*\s(style|on[a-z]+)=/i);
    const sections = renderSections(v, {
      lang: "en",
      reports: [],
      reportsDir: "./reports",
      assets: { script: "", style: "" },
    });
    expect(Object.keys(sections)).toEqual([...SECTION_IDS]);
    for (const id of SECTION_IDS) expect(page).toContain(`id="${id}"`);
  });
});

describe("any model by name", () => {
  const donchian = aQuietModel("donchian", {
    label: { vi: "Phá vỡ kênh Donchian", en: "Donchian breakout" },
    phrases: {
      channelBreakout: (d, language) =>
        language === "vi" ? `Vượt kênh ${d?.period} nến` : `Broke out of the ${d?.period}-candle channel`,
    },
  });
  const models = [...DEFAULT_MODELS, donchian, aQuietModel("rsi2")];
  const ctx = { reports: [], reportsDir: "./reports", assets: { script: "", style: "" }, models };

  /**
   * A store and memory where the donchian model signalled once and lost 10 times (on 10 symbols): rule 5a,
   * set to watch it, disabled it; "turtle", no longer registered, won once.
   */
  const withCustomModel = async (): Promise<DashboardView> => {
    const config: MemoryConfig = {
      ...defaultMemoryConfig,
      models: models.map((m) => m.name),
      rules: {
        ...defaultMemoryConfig.rules,
        modelDisable: { ...defaultMemoryConfig.rules.modelDisable, models: ["donchian"] },
      },
    };
    const signal = aSignal({
      model: "donchian",
      candleOpenTime: T0,
      reasons: [{ code: "channelBreakout", data: { period: 20 } }],
    });
    const closed = [
      ...Array.from({ length: 10 }, (_, i) =>
        aLosingTrade({ symbol: `S${i}USDT`, model: "donchian", closedAt: T0 - (20 - i) * HALF_HOUR }),
      ),
      aWinningTrade({ symbol: "ETHUSDT", model: "turtle", closedAt: T0 - 5 * HALF_HOUR }),
    ];
    const program = Effect.gen(function* () {
      const store = yield* SignalStore;
      const memory = yield* Memory;
      yield* store.emit({
        signal,
        trade: anOpenTrade({ model: "donchian", candleOpenTime: T0 }),
        notification: { _tag: "NewSignal", signal },
      });
      for (const t of closed) {
        yield* store.updateTrade({ trade: t, events: [], notifications: [] });
        yield* memory.updateAfterTradeClosed(t);
      }
      return yield* makeViewGatherer(loop, {
        rotationSlotSeconds: 1800,
        startingBalance: 1000,
        timeZone: "UTC",
        models,
      });
    });
    const layer = Layer.mergeAll(
      SignalStoreMemory.layer(),
      Pipeline.layer({ costs: { ...NO_COSTS, funding: NO_FUNDING } }),
      Memory.layer(config).pipe(Layer.provide(MemoryStoreMemory.layer())),
    );
    return runTest(program, layer, { at: NOW });
  };

  test("per-model statistics: each registered model in order (even without trades), then any other that traded", async () => {
    const v = await withCustomModel();
    expect(Object.keys(v.stats.byModel)).toEqual(["continuation", "reversal", "donchian", "rsi2", "turtle"]);
    expect(v.stats.byModel.donchian).toMatchObject({ trades: 10, wins: 0, losses: 10, totalR: -10 });
    expect(v.stats.byModel.rsi2).toMatchObject({ trades: 0 });
    expect(v.stats.byModel.turtle).toMatchObject({ trades: 1, wins: 1, totalR: 2 });
    expect(v.locks.filter((l) => l.scope === "model").map((l) => [l.rule, l.target])).toEqual([
      ["modelDisable", "donchian"],
    ]);
  });

  test("the page names it by its label in each language: statistics, signals, its own reasons, its lock", async () => {
    const v = await withCustomModel();
    const vi = renderPage(v, { ...ctx, lang: "vi" });
    expect(vi).toContain('<tr><th>Phá vỡ kênh Donchian</th><td class="num">10</td>');
    expect(vi).toContain('<tr><th>rsi2</th><td class="num">0</td>');
    expect(vi).toContain('<tr><th>turtle</th><td class="num">1</td>');
    expect(vi).toContain('<span class="muted">Phá vỡ kênh Donchian</span>');
    expect(vi).toContain("<li>Vượt kênh 20 nến</li>");
    expect(vi).toMatch(/<tr class="lock" data-rule="modelDisable"><td>Phá vỡ kênh Donchian<\/td>/);
    const en = renderPage(v, { ...ctx, lang: "en" });
    expect(en).toContain('<tr><th>Donchian breakout</th><td class="num">10</td>');
    expect(en).toContain("<li>Broke out of the 20-candle channel</li>");
    expect(en).toMatch(/<tr class="lock" data-rule="modelDisable"><td>Donchian breakout<\/td>/);
    expect(en).not.toContain("Phá vỡ kênh Donchian");
  });
});
