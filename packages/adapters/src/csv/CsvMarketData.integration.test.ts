import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { MarketData, type MarketDataError } from "@signalbot/core";
import { Effect, Exit } from "effect";
import * as CsvMarketData from "./CsvMarketData.ts";
import { listKlineFiles, readKlineFile } from "./KlineFiles.ts";

const FIXTURES = new URL("../../../../fixtures/klines/", import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), "csv-md-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Independent reference reader: split and Number(), no validation. */
const loadKlinesFile = (path: string) =>
  gunzipSync(readFileSync(path))
    .toString("utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => {
      const f = line.split(",").map(Number);
      return {
        openTime: f[0]!,
        open: f[1]!,
        high: f[2]!,
        low: f[3]!,
        close: f[4]!,
        volume: f[5]!,
        closeTime: f[6]!,
      };
    });

const run = <A>(effect: Effect.Effect<A, MarketDataError, MarketData>, dir = FIXTURES) =>
  Effect.runPromise(effect.pipe(Effect.provide(CsvMarketData.layer(dir))));
const fail = async <A>(effect: Effect.Effect<A, MarketDataError>) => {
  const exit = await Effect.runPromiseExit(Effect.flip(effect));
  if (!Exit.isSuccess(exit)) throw new Error("expected a failure");
  return exit.value;
};

describe("kline files", () => {
  test("lists the fixture series sorted by symbol and timeframe", async () => {
    const files = await Effect.runPromise(listKlineFiles(FIXTURES));
    expect(files.length).toBe(54);
    expect(files.slice(0, 2).map((f) => `${f.symbol}-${f.timeframe}`)).toEqual([
      "1000PEPEUSDT-4h",
      "1000PEPEUSDT-1d",
    ]);
    expect(files.filter((f) => f.symbol === "BTCUSDT").map((f) => f.timeframe)).toEqual(["30m", "4h", "1d"]);
  });

  test("reads a gzipped fixture identically to the reference loader", async () => {
    const path = `${FIXTURES}BTCUSDT-4h.csv.gz`;
    const c = await Effect.runPromise(readKlineFile({ symbol: "BTCUSDT", timeframe: "4h", path }));
    const reference = loadKlinesFile(path);
    expect(c.length).toBe(reference.length);
    for (let i = 0; i < reference.length; i++) {
      const r = reference[i]!;
      expect([
        c.openTime[i],
        c.open[i],
        c.high[i],
        c.low[i],
        c.close[i],
        c.volume[i],
        c.closeTime[i],
      ]).toEqual([r.openTime, r.open, r.high, r.low, r.close, r.volume, r.closeTime]);
    }
  });

  test("a missing directory fails with notFound naming it", async () => {
    const e = await fail(listKlineFiles(join(tmp, "nope")));
    expect(e.reason).toBe("notFound");
    expect(e.message).toContain(join(tmp, "nope"));
  });

  test("a malformed row fails naming file and line", async () => {
    const path = join(tmp, "BADUSDT-30m.csv");
    writeFileSync(path, "open_time,open,high,low,close,volume,close_time\n1,2,3\n");
    const e = await fail(readKlineFile({ symbol: "BADUSDT", timeframe: "30m", path }));
    expect(e.source).toBe(`${path}:2`);
    expect(e.message).toBe(`${path}:2: expected 7 or 12 columns, found 3`);
  });

  test("a corrupt gzip file fails naming the file", async () => {
    const path = join(tmp, "BADUSDT-4h.csv.gz");
    writeFileSync(path, "not gzip");
    const e = await fail(readKlineFile({ symbol: "BADUSDT", timeframe: "4h", path }));
    expect(e.message).toContain(path);
  });

  test("the same series as .csv and .csv.gz is ambiguous", async () => {
    const dir = mkdtempSync(join(tmp, "dup-"));
    writeFileSync(join(dir, "XUSDT-1d.csv"), "");
    writeFileSync(join(dir, "XUSDT-1d.csv.gz"), "");
    const e = await fail(listKlineFiles(dir));
    expect(e.message).toContain("keep one of them");
  });
});

describe("CsvMarketData", () => {
  test("klines: from startTime forward, or the last `limit` up to endTime (Binance semantics)", async () => {
    const all = loadKlinesFile(`${FIXTURES}ETHUSDT-1d.csv.gz`);
    const [forward, backward] = await run(
      Effect.gen(function* () {
        const md = yield* MarketData;
        const forward = yield* md.klines({
          symbol: "ETHUSDT",
          timeframe: "1d",
          startTime: all[10]!.openTime,
          limit: 3,
        });
        const backward = yield* md.klines({
          symbol: "ETHUSDT",
          timeframe: "1d",
          endTime: all[10]!.openTime,
          limit: 3,
        });
        return [forward, backward] as const;
      }),
    );
    expect(forward).toEqual(all.slice(10, 13));
    expect(backward).toEqual(all.slice(8, 11));
  });

  test("klines of a series without a file fail notFound", async () => {
    const exit = await Effect.runPromiseExit(
      Effect.flip(
        Effect.gen(function* () {
          const md = yield* MarketData;
          return yield* md.klines({ symbol: "AAVEUSDT", timeframe: "30m", limit: 10 });
        }),
      ).pipe(Effect.provide(CsvMarketData.layer(FIXTURES))),
    );
    expect(Exit.isSuccess(exit) && exit.value.reason).toBe("notFound");
  });

  test("universe ranks symbols with trigger data by quote volume; serverTime is the end of the data", async () => {
    const [universe, time] = await run(
      Effect.gen(function* () {
        const md = yield* MarketData;
        return [yield* md.universe(3), yield* md.serverTime] as const;
      }),
    );
    expect(universe.length).toBe(3);
    expect(universe[0]!.symbol).toBe("BTCUSDT");
    expect(universe[0]!.info.tickSize).toBe("0.1");
    expect(universe[0]!.quoteVolume).toBeGreaterThan(universe[1]!.quoteVolume);
    expect(time).toBe(Date.UTC(2026, 0, 1));
  });
});
