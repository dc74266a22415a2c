import { describe, expect, test } from "bun:test";
import { parseDownloadArgs } from "./Args.ts";

const TODAY = Date.UTC(2026, 0, 15);
const DAY = 86_400_000;

describe("parseDownloadArgs", () => {
  test("defaults: all three intervals, funding, up to the end of today, into data/klines", () => {
    expect(parseDownloadArgs(["--symbols", "ethusdt,BTCUSDT", "--from", "2025-01-01"], TODAY)).toEqual({
      _tag: "Run",
      args: {
        dataDir: "data/klines",
        symbols: ["BTCUSDT", "ETHUSDT"],
        intervals: ["30m", "4h", "1d"],
        funding: true,
        from: Date.UTC(2025, 0, 1),
        to: TODAY + DAY,
        progress: "auto",
      },
    });
  });

  test("--to is inclusive; --intervals keeps the bot's order without repeats; --no-funding", () => {
    const r = parseDownloadArgs(
      [
        "--symbols=SOLUSDT",
        "--from=2025-03-01",
        "--to",
        "2025-03-31",
        "--intervals",
        "1d,30m,1d",
        "--no-funding",
        "--data",
        "d",
      ],
      TODAY,
    );
    expect(r).toMatchObject({
      _tag: "Run",
      args: { intervals: ["30m", "1d"], funding: false, to: Date.UTC(2025, 3, 1), dataDir: "d" },
    });
  });

  test("every problem, one line each; help wins", () => {
    expect(
      parseDownloadArgs(["--from", "2025-05-02", "--to", "2025-05-01", "--progress", "loud"], TODAY),
    ).toEqual({
      _tag: "Invalid",
      problems: [
        "--symbols A,B,... is required",
        "--to (2025-05-01) is before --from (2025-05-02)",
        '--progress: expected auto, always or never, got "loud"',
      ],
    });
    expect(parseDownloadArgs(["--bogus", "--help"], TODAY)._tag).toBe("Help");
  });
});
