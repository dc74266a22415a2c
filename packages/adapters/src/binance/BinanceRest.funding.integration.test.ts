/** Funding-rate history through BinanceRest against the loopback fake exchange: format, paging, its own budget. */
import { afterEach, expect, test } from "bun:test";
import { MarketDataError } from "@signalbot/core";
import { FakeExchange } from "../testing/FakeExchange.ts";
import { BinanceRest } from "./BinanceRest.ts";
import { decodeFundingRates } from "./Decode.ts";

const DATA = new URL("../../../../fixtures/klines", import.meta.url).pathname;
const H8 = 8 * 3_600_000;
let fake: FakeExchange | undefined;
afterEach(() => fake?.stop());

test("a year of BTCUSDT funding: two pages of 1000, every 8 h settlement once, mark price = the 30m open then", async () => {
  fake = new FakeExchange({ dataDir: DATA, startTime: Date.UTC(2026, 0, 1), generatedSymbols: 3 });
  const rest = new BinanceRest({ restUrl: fake.restUrl });
  const from = Date.UTC(2025, 0, 1);
  const to = Date.UTC(2025, 11, 31, 23, 59);
  const pages: number[] = [];
  const rows = await rest.fundingRatesRange("BTCUSDT", from, to, (page) => void pages.push(page.length));
  expect(rows).toHaveLength(365 * 3);
  expect(pages).toEqual([1000, 95]);
  expect(fake.stats.byPath["/fapi/v1/fundingRate"]).toBe(2);
  expect(rest.fundingGovernor.usedWeight()).toBe(2);
  for (let i = 0; i < rows.length; i++) {
    // Some settlements are stamped a few ms after the hour, as Binance's are; none is lost or repeated.
    expect(rows[i]!.time - (from + i * H8)).toBeGreaterThanOrEqual(0);
    expect(rows[i]!.time - (from + i * H8)).toBeLessThan(10);
    expect(Math.abs(rows[i]!.rate)).toBeLessThan(0.001);
  }
  expect(rows.some((r) => r.time % H8 !== 0)).toBe(true);
  expect(rows.some((r) => r.rate < 0)).toBe(true);
  // 2025-03-03 08:00 UTC: the BTCUSDT 30m candle opening then opens at 92,318 in fixtures/klines.
  const at = rows.find((r) => r.time - (r.time % H8) === Date.UTC(2025, 2, 3, 8))!;
  const candle = fake.closedCandles("BTCUSDT", "30m", Date.UTC(2025, 2, 3, 8), Date.UTC(2025, 2, 3, 8))[0]!;
  expect(candle.open).toBe(92318);
  expect(at.markPrice).toBe(92318);
});

test("Binance's rules: latest settlements without startTime, limit 1..1000, unknown symbols rejected", async () => {
  fake = new FakeExchange({ dataDir: DATA, generatedSymbols: 3 });
  const rest = new BinanceRest({ restUrl: fake.restUrl, retries: 0 });
  const latest = await rest.fundingRates({ symbol: "ETHUSDT", limit: 5 });
  expect(latest).toHaveLength(5);
  expect(latest.at(-1)!.time).toBeLessThanOrEqual(fake.now());
  expect(latest.at(-1)!.time).toBeGreaterThanOrEqual(fake.now() - H8);
  const tooMany = await rest.fundingRates({ symbol: "ETHUSDT", limit: 1001 }).catch((e: unknown) => e);
  expect(tooMany).toBeInstanceOf(MarketDataError);
  expect((tooMany as MarketDataError).message).toContain("-1130");
  const unknown = await rest.fundingRates({ symbol: "NOPEUSDT", limit: 5 }).catch((e: unknown) => e);
  expect((unknown as MarketDataError).reason).toBe("notFound");
});

test("the decoder takes Binance's exact rows and rejects what it cannot trust", () => {
  // Verbatim from fixtures/api-samples (GET /fapi/v1/fundingRate?symbol=BTCUSDT&limit=2, 2026-09-15).
  const body = [
    {
      symbol: "BTCUSDT",
      fundingTime: 1789430400000,
      fundingRate: "0.00003563",
      markPrice: "78178.30000000",
      rateType: "Regular",
    },
    {
      symbol: "BTCUSDT",
      fundingTime: 1789459200005,
      fundingRate: "0.00006188",
      markPrice: "76907.97183333",
      rateType: "Regular",
    },
  ];
  expect(decodeFundingRates(body, "GET /fapi/v1/fundingRate")).toEqual([
    { time: 1789430400000, rate: 0.00003563, markPrice: 78178.3 },
    { time: 1789459200005, rate: 0.00006188, markPrice: 76907.97183333 },
  ]);
  expect(decodeFundingRates([{ ...body[0], markPrice: "" }], "s")).toEqual([
    { time: 1789430400000, rate: 0.00003563 },
  ]);
  const bad = decodeFundingRates([body[1], body[0]], "GET /fapi/v1/fundingRate");
  expect(bad).toBeInstanceOf(MarketDataError);
  expect((bad as MarketDataError).message).toBe("[1]: fundingTime 1789430400000 not ascending");
  expect((decodeFundingRates([{ ...body[0], fundingRate: 1 }], "s") as MarketDataError).message).toBe(
    "[0].fundingRate: expected a decimal string, got 1",
  );
});
