import { describe, expect, test } from "bun:test";
import { Effect } from "effect";
import { type Job, type JobResult, runJob } from "./Jobs.ts";
import { loadMarket } from "./Market.ts";
import { applyPatch, DEFAULT_RUN_CONFIG } from "./RunConfig.ts";
import { SETUP_EQUITY, SETUP_RISK_PERCENT } from "./Setups.ts";

const FIXTURES = new URL("../../../../fixtures/klines/", import.meta.url).pathname;

describe("setups traded alone", async () => {
  const market = await Effect.runPromise(
    loadMarket({
      dataDir: FIXTURES,
      symbols: ["BTCUSDT", "ETHUSDT"],
      costs: { takerFeeRate: 0.0005, slippageRate: 0.0002 },
      fundingRate: 0.0001,
    }),
  );
  // Four days past the counted window: trades opened at its end reach their timeout.
  const window = { from: Date.UTC(2025, 0, 1), to: Date.UTC(2025, 4, 5) };
  const count = { countFrom: Date.UTC(2025, 1, 1), countTo: Date.UTC(2025, 3, 30) };
  const run = (job: Job) =>
    Effect.runPromise(runJob(market, job)).then((r: JobResult) => {
      if (r._tag !== "Trades") throw new Error(r._tag);
      return r;
    });
  const config = DEFAULT_RUN_CONFIG;
  const setups = await run({ _tag: "Setups", window, ...count, config });
  // The engine with memory off still gates (threshold, daily cap, one trade per symbol): its trades are some of the setups.
  const memoryOff = applyPatch(config, { "memory.enabled": false });
  if (memoryOff._tag !== "Ok") throw new Error("config");
  const gated = await run({ _tag: "Test", window, ...count, config: memoryOff.config });

  test("every trade the gated engine opened is a setup here, traded by the same state machine to the same result", () => {
    expect(gated.trades.length).toBeGreaterThan(10);
    const byId = new Map(setups.trades.map((t) => [t.id, t]));
    for (const t of gated.trades) {
      const raw = byId.get(t.id);
      expect(raw).toBeDefined();
      expect(raw).toMatchObject({
        entry: t.entry,
        initialStop: t.initialStop,
        targets: t.targets,
        status: t.status,
        exitReason: t.exitReason,
        closedAt: t.closedAt,
        targetsHit: t.targetsHit,
      });
      if (t.rMultiple !== undefined) expect(raw!.rMultiple!).toBeCloseTo(t.rMultiple, 9);
    }
  });

  test("no gate: scores below the threshold, overlapping trades on one symbol, every one at the same risk", () => {
    expect(setups.trades.length).toBeGreaterThan(gated.trades.length * 3);
    expect(setups.scores.some((s) => s !== null && s < 75)).toBe(true);
    let overlapping = 0;
    for (const t of setups.trades) {
      expect(t.openedAt).toBeGreaterThan(count.countFrom);
      expect(t.openedAt).toBeLessThanOrEqual(count.countTo);
      expect(t.riskAmount).toBeCloseTo((SETUP_EQUITY * SETUP_RISK_PERCENT) / 100, 6);
      if (
        setups.trades.some(
          (o) =>
            o !== t &&
            o.symbol === t.symbol &&
            o.openedAt < t.openedAt &&
            (o.closedAt ?? Infinity) > t.openedAt,
        )
      )
        overlapping++;
    }
    expect(overlapping).toBeGreaterThan(0);
    expect(setups.trades.filter((t) => t.status === "closed").length).toBe(setups.trades.length);
  });
});
