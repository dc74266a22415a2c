import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { Effect } from "effect";
import { FIXTURE_KLINES_DIR } from "../../../../fixtures/index.ts";
import {
  decodeKlineCache,
  defaultKlineCacheDir,
  encodeKlineCache,
  KLINE_CACHE_VERSION,
  klineCachePath,
  readKlineFileCached,
} from "./KlineCache.ts";
import type { KlineColumns } from "./KlineCsv.ts";
import { type KlineFile, readKlineFile } from "./KlineFiles.ts";

let dir: string;
let cache: string;
let file: KlineFile;

beforeEach(() => {
  dir = mkdtempSync(`${tmpdir()}/kline-cache-`);
  cache = `${dir}/cache`;
  // A real Binance file with a gap, so the copy has to carry the gap list too.
  file = { symbol: "BTCUSDT", timeframe: "4h", path: `${dir}/BTCUSDT-4h.csv.gz` };
  copyFileSync(`${FIXTURE_KLINES_DIR}BTCUSDT-4h.csv.gz`, file.path);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const run = <A, E>(e: Effect.Effect<A, E>): Promise<A> => Effect.runPromise(e);
const columnsOf = (c: KlineColumns) => ({
  source: c.source,
  timeframe: c.timeframe,
  length: c.length,
  missing: c.missing,
  gaps: c.gaps,
  rows: [c.openTime, c.open, c.high, c.low, c.close, c.volume, c.closeTime].map((a) => [...a]),
});
const statOf = (path: string) => {
  const s = statSync(path);
  return { size: s.size, mtimeMs: s.mtimeMs };
};

describe("readKlineFileCached", () => {
  test("gives exactly the parsed file, first from the CSV, then from the copy it wrote", async () => {
    const parsed = await run(readKlineFile(file));
    const first = await run(readKlineFileCached(file, cache));
    expect(columnsOf(first)).toEqual(columnsOf(parsed));
    expect(existsSync(klineCachePath(file, cache))).toBe(true);
    const second = await run(readKlineFileCached(file, cache));
    expect(columnsOf(second)).toEqual(columnsOf(parsed));
  });

  test("reads the copy, not the CSV, while the file is unchanged", async () => {
    const parsed = await run(readKlineFile(file));
    // A copy that differs in one close, written for the file as it is: the cached read must return it.
    const marked = { ...parsed, close: parsed.close.slice() };
    marked.close[3] = 12_345.5;
    await run(readKlineFileCached(file, cache)); // creates the folder and a copy
    const { size, mtimeMs } = statOf(file.path);
    writeFileSync(klineCachePath(file, cache), encodeKlineCache(marked, size, mtimeMs));
    expect((await run(readKlineFileCached(file, cache))).close[3]).toBe(12_345.5);
  });

  test("a changed file is read again and its copy replaced", async () => {
    await run(readKlineFileCached(file, cache));
    // Another real file in its place (different size and time): the old copy must not be served.
    copyFileSync(`${FIXTURE_KLINES_DIR}ETHUSDT-4h.csv.gz`, file.path);
    utimesSync(file.path, new Date(), new Date(Date.now() + 5_000));
    const eth = await run(readKlineFile({ ...file, path: `${FIXTURE_KLINES_DIR}ETHUSDT-4h.csv.gz` }));
    const got = await run(readKlineFileCached(file, cache));
    expect([...got.close]).toEqual([...eth.close]);
    const again = await run(readKlineFileCached(file, cache));
    expect([...again.close]).toEqual([...eth.close]);
    expect(readdirSync(cache)).toHaveLength(1); // one copy per file, replaced in place
  });

  test("a damaged, foreign or older copy is ignored and rewritten", async () => {
    const parsed = await run(readKlineFile(file));
    const good = await run(readKlineFileCached(file, cache));
    const path = klineCachePath(file, cache);
    const { size, mtimeMs } = statOf(file.path);
    const bytes = encodeKlineCache(good, size, mtimeMs);
    const older = encodeKlineCache(good, size, mtimeMs);
    const json = new TextDecoder().decode(
      older.subarray(8, 8 + new DataView(older.buffer).getUint32(4, true)),
    );
    const downgraded = new TextEncoder().encode(
      json.replace(`"version":${KLINE_CACHE_VERSION}`, '"version":0'),
    );
    expect(downgraded.length).toBe(json.length);
    older.set(downgraded, 8);
    for (const damaged of [
      bytes.subarray(0, bytes.length - 8),
      new Uint8Array([1, 2, 3]),
      older,
      new Uint8Array(0),
    ]) {
      writeFileSync(path, damaged);
      expect(columnsOf(await run(readKlineFileCached(file, cache)))).toEqual(columnsOf(parsed));
      expect(
        decodeKlineCache(new Uint8Array(await Bun.file(path).arrayBuffer()), {
          source: file.path,
          timeframe: "4h",
          size,
          mtimeMs,
        }),
      ).toBeDefined();
    }
  });

  test("a malformed CSV fails as without the cache, and leaves no copy", async () => {
    const bad = { ...file, path: `${dir}/BTCUSDT-30m.csv`, timeframe: "30m" as const };
    writeFileSync(
      bad.path,
      "1735603200000,1,2,0.5,1.5,10,1735604999999\n1735604999999,1,2,0.5,1.5,10,1735606799998\n",
    );
    const plain = await Effect.runPromise(Effect.flip(readKlineFile(bad)));
    const cached = await Effect.runPromise(Effect.flip(readKlineFileCached(bad, cache)));
    expect(cached.message).toBe(plain.message);
    expect(existsSync(klineCachePath(bad, cache))).toBe(false);
  });

  test("a cache folder that cannot be written only costs speed", async () => {
    writeFileSync(cache, "a file where the folder should be");
    const parsed = await run(readKlineFile(file));
    expect(columnsOf(await run(readKlineFileCached(file, cache)))).toEqual(columnsOf(parsed));
  });

  test("the default folder follows SIGNALBOT_CACHE_DIR, then XDG_CACHE_HOME, then HOME", () => {
    expect(defaultKlineCacheDir({ SIGNALBOT_CACHE_DIR: "/c", XDG_CACHE_HOME: "/x", HOME: "/h" })).toBe("/c");
    expect(defaultKlineCacheDir({ XDG_CACHE_HOME: "/x", HOME: "/h" })).toBe("/x/signalbot/klines");
    expect(defaultKlineCacheDir({ HOME: "/h" })).toBe("/h/.cache/signalbot/klines");
  });
});
