/**
 * The behaviour every `CandleCache` must show, one suite run against each implementation (the in-memory layer
 * here, the SQLite adapter in adapters). Usage as `signalStoreContract`: the outer function creates fresh, empty
 * storage; each call of the returned function opens that SAME storage again, as a restarted process would.
 */
import { Effect, type Layer } from "effect";
import { TIMEFRAME_MS, TIMEFRAMES, type Timeframe } from "../model/Candle.ts";
import { type CachedCandles, CandleCache } from "../port/CandleCache.ts";
import { runTest } from "./effect.ts";
import type { ContractTestApi } from "./SignalStoreContract.ts";
import { T0 } from "./TradeBuilders.ts";

export type OpenCandleCache = () => Layer.Layer<CandleCache, unknown>;

/** `n` candles per timeframe ending before T0, prices derived from `seed` (distinct entries per seed). */
export const aCachedEntry = (symbol: string, savedAt: number, seed = 1, n = 499): CachedCandles => {
  const candles = {} as Record<Timeframe, Float64Array>;
  for (const tf of TIMEFRAMES) {
    const a = new Float64Array(n * 6);
    for (let i = 0; i < n; i++) {
      const price = 100 * seed + i + 0.125;
      a.set(
        [T0 - (n - i) * TIMEFRAME_MS[tf], price, price + 1.5, price - 1.25, price + 0.5, 1e6 / 3 + i],
        i * 6,
      );
    }
    candles[tf] = a;
  }
  return { symbol, savedAt, candles };
};

/** Plain arrays, so that matchers compare the numbers (and entries read back compare equal to those saved). */
const plain = (e: CachedCandles) => ({
  symbol: e.symbol,
  savedAt: e.savedAt,
  candles: Object.fromEntries(TIMEFRAMES.map((tf) => [tf, [...e.candles[tf]]])),
});

export const candleCacheContract = (
  name: string,
  fresh: () => OpenCandleCache,
  { describe, test, expect }: ContractTestApi,
): void => {
  const within = <A>(open: OpenCandleCache, f: (c: CandleCache["Service"]) => Effect.Effect<A, unknown>) =>
    runTest(Effect.flatMap(Effect.service(CandleCache), f), open(), { at: T0 });

  describe(`${name} (CandleCache contract)`, () => {
    test("an entry saved comes back bit for bit after a reopen; saving again replaces it", async () => {
      const open = fresh();
      const a = aCachedEntry("AAAUSDT", T0, 1);
      await within(open, (c) => c.save(a));
      expect((await within(open, (c) => c.load(10))).map(plain)).toEqual([plain(a)]);
      const again = aCachedEntry("AAAUSDT", T0 + 1, 2, 10);
      await within(open, (c) => c.save(again));
      expect((await within(open, (c) => c.load(10))).map(plain)).toEqual([plain(again)]);
    });

    test("load(limit) gives the most recently saved first, at most limit", async () => {
      const open = fresh();
      await within(open, (c) =>
        Effect.forEach(
          [
            aCachedEntry("OLDUSDT", T0, 1, 3),
            aCachedEntry("NEWUSDT", T0 + 2, 2, 3),
            aCachedEntry("MIDUSDT", T0 + 1, 3, 3),
          ],
          c.save,
        ),
      );
      const loaded = await within(open, (c) => c.load(2));
      expect(loaded.map((e) => e.symbol)).toEqual(["NEWUSDT", "MIDUSDT"]);
      expect((await within(open, (c) => c.load(0))).length).toBe(0);
    });

    test("remove and keepOnly drop entries for good; an empty timeframe is kept as empty", async () => {
      const open = fresh();
      const empty = aCachedEntry("EMPTYUSDT", T0 + 3, 4, 0);
      await within(open, (c) =>
        Effect.forEach(
          [
            aCachedEntry("AUSDT", T0, 1, 2),
            aCachedEntry("BUSDT", T0 + 1, 2, 2),
            aCachedEntry("CUSDT", T0 + 2, 3, 2),
            empty,
          ],
          c.save,
        ),
      );
      await within(open, (c) => c.remove("AUSDT"));
      await within(open, (c) => c.remove("NOTKEPTUSDT"));
      await within(open, (c) => c.keepOnly(new Set(["CUSDT", "EMPTYUSDT", "AUSDT"])));
      const left = await within(open, (c) => c.load(10));
      expect(left.map(plain)).toEqual([plain(empty), plain(aCachedEntry("CUSDT", T0 + 2, 3, 2))]);
    });
  });
};
