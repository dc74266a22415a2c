import { describe, expect, test } from "bun:test";
import { defaultKlineCacheDir } from "@signalbot/adapters/csv";
import { parseWalkForwardArgs } from "./Args.ts";

const run = (argv: string[], cores = 2) => {
  const r = parseWalkForwardArgs(argv, cores);
  if (r._tag !== "Run") throw new Error(JSON.stringify(r));
  return r.args;
};
const problems = (argv: string[]) => {
  const r = parseWalkForwardArgs(argv, 2);
  return r._tag === "Invalid" ? r.problems : [];
};

describe("walkforward arguments", () => {
  test("defaults: data/klines, 6 months of training, 1 month of test, ci-low with 30 trades, one worker per core", () => {
    const a = run([], 8);
    expect(a.source).toEqual({
      dataDir: "data/klines",
      symbols: [],
      costs: { takerFeeRate: 0.0005, slippageRate: 0.0002 },
      fundingRate: 0.0001,
      cacheDir: defaultKlineCacheDir(),
    });
    expect(run(["--no-cache"], 8).source.cacheDir).toBeUndefined();
    expect([a.train.text, a.test.text]).toEqual(["6m", "1m"]);
    expect(a.objective).toEqual({ name: "ci-low", minTrades: 30 });
    expect(a.workers).toBe(8);
    expect(a.random).toBeUndefined();
    expect([a.ablate, a.setups]).toEqual([false, false]);
  });

  test("every flag", () => {
    const a = run([
      "--data=fixtures/klines",
      "--symbols",
      "ethusdt,BTCUSDT",
      "--from",
      "2025-01-01",
      "--to",
      "2025-06-30",
      "--train",
      "90d",
      "--test",
      "2w",
      "--grid",
      "g.json",
      "--samples",
      "40",
      "--seed",
      "7",
      "--objective",
      "expectancy",
      "--min-trades",
      "50",
      "--workers",
      "1",
      "--ablate",
      "--setups",
      "--fee",
      "0.0004",
      "--json",
      "out.json",
    ]);
    expect(a.source.dataDir).toBe("fixtures/klines");
    expect(a.source.symbols).toEqual(["BTCUSDT", "ETHUSDT"]);
    expect(a.source.costs.takerFeeRate).toBe(0.0004);
    expect(a.from).toBe(Date.UTC(2025, 0, 1));
    expect(a.to).toBe(Date.UTC(2025, 6, 1));
    expect([a.train.text, a.test.text]).toEqual(["90d", "2w"]);
    expect(a.gridFile).toBe("g.json");
    expect(a.random).toEqual({ samples: 40, seed: 7 });
    expect(a.objective).toEqual({ name: "expectancy", minTrades: 50 });
    expect(a.workers).toBe(1);
    expect([a.ablate, a.setups]).toEqual([true, true]);
    expect(a.jsonFile).toBe("out.json");
  });

  test("problems, one line each", () => {
    expect(problems(["--train", "6 months", "--test", "0d"])).toEqual([
      '--train: expected a length like 90d, 2w, 6m or 1y, got "6 months"',
      '--test: expected a length like 90d, 2w, 6m or 1y, got "0d"',
    ]);
    expect(problems(["--samples", "10"])).toEqual(["--samples draws from a grid: give --grid FILE"]);
    expect(problems(["--grid", "g.json", "--seed", "3"])).toEqual([
      "--seed seeds the random search: give --samples N",
    ]);
    expect(problems(["--objective", "sharpe"])).toEqual([
      '--objective: expected one of ci-low, expectancy, total-r, profit-factor, got "sharpe"',
    ]);
    expect(problems(["--workers", "0", "--min-trades", "1"])).toEqual([
      '--min-trades: expected a whole number ≥ 2, got "1"',
      '--workers: expected a whole number ≥ 1, got "0"',
    ]);
    expect(problems(["--from", "2025-02-01", "--to", "2025-01-01", "--nope"])).toEqual([
      'unknown argument "--nope" (see --help)',
      "--to (2025-01-01) is before --from (2025-02-01)",
    ]);
    expect(parseWalkForwardArgs(["--help"], 2)._tag).toBe("Help");
  });
});
