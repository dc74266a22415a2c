import { describe, expect, test } from "bun:test";
import { defaultKlineCacheDir } from "@signalbot/adapters/csv";
import { parseBacktestArgs } from "./Args.ts";

const run = (argv: string[]) => {
  const r = parseBacktestArgs(argv);
  if (r._tag !== "Run") throw new Error(`expected Run, got ${JSON.stringify(r)}`);
  return r.args;
};
const problems = (argv: string[]) => {
  const r = parseBacktestArgs(argv);
  if (r._tag !== "Invalid") throw new Error(`expected Invalid, got ${r._tag}`);
  return r.problems;
};

describe("parseBacktestArgs", () => {
  test("defaults: every symbol, whole data, memory on, Binance taker fee, 0.02 % slippage, 0.01 %/8 h funding", () => {
    expect(run(["--data", "d"])).toEqual({
      dataDir: "d",
      symbols: [],
      memory: true,
      costs: { takerFeeRate: 0.0005, slippageRate: 0.0002 },
      fundingRate: 0.0001,
      gates: { maxCostR: 0.2, maxLeverage: 10 },
      progress: "auto",
      cacheDir: defaultKlineCacheDir(),
    });
    expect(run(["--data", "d", "--no-cache"]).cacheDir).toBeUndefined();
  });

  test("every flag, both --flag value and --flag=value", () => {
    const a = run([
      "--data=d",
      "--symbols",
      "ethusdt, BTCUSDT,ETHUSDT",
      "--from",
      "2025-06-01",
      "--to=2025-06-30",
      "--no-memory",
      "--fee",
      "0.0004",
      "--slippage=0.0001",
      "--funding-rate",
      "-0.0002",
      "--max-cost-r",
      "0.5",
      "--max-leverage=20",
      "--json",
      "r.json",
      "--html",
      "r.html",
      "--progress",
      "always",
    ]);
    expect(a.symbols).toEqual(["BTCUSDT", "ETHUSDT"]);
    expect(a.from).toBe(Date.UTC(2025, 5, 1));
    // --to is inclusive: the whole last day.
    expect(a.to).toBe(Date.UTC(2025, 6, 1));
    expect(a.memory).toBe(false);
    expect(a.costs).toEqual({ takerFeeRate: 0.0004, slippageRate: 0.0001 });
    expect(a.fundingRate).toBe(-0.0002);
    expect(a.gates).toEqual({ maxCostR: 0.5, maxLeverage: 20 });
    expect(a.jsonFile).toBe("r.json");
    expect(a.htmlFile).toBe("r.html");
    expect(a.progress).toBe("always");
  });

  test("help wins over everything", () => {
    expect(parseBacktestArgs(["--bogus", "-h"])._tag).toBe("Help");
    expect(parseBacktestArgs(["--help"])._tag).toBe("Help");
  });

  test("every problem is reported, one line each", () => {
    expect(
      problems([
        "--from",
        "2025-02-30",
        "--to",
        "yesterday",
        "--fee",
        "5",
        "--funding-rate",
        "1%",
        "--max-leverage",
        "0",
        "--symbols",
        "BTC-USDT",
        "--wat",
        "--json",
      ]),
    ).toEqual([
      'unknown argument "--wat" (see --help)',
      "--json needs a value",
      "--data DIR is required",
      '--symbols: not a symbol: "BTC-USDT"',
      '--from: not a calendar date: "2025-02-30"',
      '--to: expected a date YYYY-MM-DD, got "yesterday"',
      '--fee: expected a fraction between 0 and 0.1 (0.0005 = 0.05 %), got "5"',
      '--funding-rate: expected a fraction between -0.01 and 0.01 (0.0001 = 0.01 %), got "1%"',
      '--max-leverage: expected a number above 0 and at most 1000000, got "0"',
    ]);
    expect(problems(["--data", "d", "--from", "2025-06-02", "--to", "2025-06-01"])).toEqual([
      "--to (2025-06-01) is before --from (2025-06-02)",
    ]);
    expect(problems(["--data", "--no-memory"])).toEqual(["--data needs a value", "--data DIR is required"]);
  });

  test("--max-symbols simulates the live rotation with the bot's defaults; its companions need it", () => {
    expect(run(["--data", "d", "--max-symbols", "10"]).rotation).toEqual({
      maxSymbols: 10,
      fixed: ["BTCUSDT", "ETHUSDT", "BNBUSDT"],
      slotMs: 1_800_000,
      refreshMs: 21_600_000,
    });
    expect(
      run(["--data", "d", "--max-symbols", "5", "--fixed-symbols", "solusdt", "--rotation-slot", "3600"])
        .rotation,
    ).toEqual({ maxSymbols: 5, fixed: ["SOLUSDT"], slotMs: 3_600_000, refreshMs: 21_600_000 });
    expect(problems(["--data", "d", "--fixed-symbols", "BTCUSDT", "--rotation-slot", "60"])).toEqual([
      "--fixed-symbols shapes the rotation: give --max-symbols N",
      "--rotation-slot shapes the rotation: give --max-symbols N",
    ]);
    expect(problems(["--data", "d", "--max-symbols", "2", "--rotation-slot", "10"])).toEqual([
      "--fixed-symbols: 3 fixed symbols exceed --max-symbols 2",
      '--rotation-slot: expected whole seconds from 60 to 86400, got "10"',
    ]);
    expect(problems(["--data", "d", "--max-symbols", "0"])[0]).toBe(
      '--max-symbols: expected a whole number from 1 to 1024, got "0"',
    );
  });
});
