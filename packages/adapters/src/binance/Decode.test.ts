/** The decoders on real Binance payloads (fixtures/api-samples) and on the ways a payload can be wrong. */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { type Candle, MarketDataError } from "@signalbot/core";
import {
  decodeExchangeInfo,
  decodeKlineRows,
  decodeKlines,
  decodePriceTicker,
  decodeServerTime,
  decodeStreamFrame,
  decodeTickers,
  impossibleCandle,
  requestWeightLimit,
} from "./Decode.ts";

const SAMPLES = new URL("../../../../fixtures/api-samples/", import.meta.url);
const capture = JSON.parse(readFileSync(new URL("fapi_rest_live_capture_2026-09-15.json", SAMPLES), "utf8"));
const wsSamples: { msg: unknown }[] = readFileSync(new URL("ws_kline_samples.jsonl", SAMPLES), "utf8")
  .trim()
  .split("\n")
  .map((line) => JSON.parse(line));

test("captured exchangeInfo BTCUSDT entry → tick size, step size and min notional", () => {
  const symbols = decodeExchangeInfo(
    { symbols: [capture["GET /fapi/v1/exchangeInfo :: symbols[BTCUSDT]"]] },
    "X",
  );
  expect(symbols).toEqual([
    {
      symbol: "BTCUSDT",
      status: "TRADING",
      contractType: "PERPETUAL",
      baseAsset: "BTC",
      quoteAsset: "USDT",
      listedAt: 1567965300000,
      info: { symbol: "BTCUSDT", tickSize: "0.10", stepSize: "0.001", minNotional: 50 },
    },
  ]);
});

test("captured klines, time and ticker decode", () => {
  const klines = decodeKlines(capture["GET /fapi/v1/klines?symbol=BTCUSDT&interval=1m&limit=3"], "K");
  expect(klines).toHaveLength(3);
  expect((klines as readonly Candle[])[2]).toMatchObject({
    openTime: 1789478280000,
    close: 76914.9,
    volume: 28.72,
  });
  expect(decodeServerTime(capture["GET /fapi/v1/time"], "T")).toBe(1789478299014);
  expect(decodePriceTicker(capture["GET /fapi/v2/ticker/price?symbol=BTCUSDT"], "P")).toEqual({
    symbol: "BTCUSDT",
    price: 76935.1,
    time: 1789478433767,
  });
  const tickers = decodeTickers([capture["GET /fapi/v1/ticker/24hr?symbol=BTCUSDT"]], "V") as Map<
    string,
    unknown
  >;
  expect(tickers.get("BTCUSDT")).toEqual({
    quoteVolume: 13258734360.38,
    high: Number(capture["GET /fapi/v1/ticker/24hr?symbol=BTCUSDT"].highPrice),
    low: Number(capture["GET /fapi/v1/ticker/24hr?symbol=BTCUSDT"].lowPrice),
  });
});

test("a malformed body is a badResponse naming the endpoint and the field", () => {
  const bad = decodeKlines([[1, "1", "2", "0.5", "1.5", "abc", 60_000]], "GET /fapi/v1/klines");
  expect(bad).toBeInstanceOf(MarketDataError);
  expect(bad).toMatchObject({
    reason: "badResponse",
    source: "GET /fapi/v1/klines",
    message: '[0].volume: expected a decimal string, got "abc"',
  });
  expect(
    decodeKlines(
      [
        [2, "1", "1", "1", "1", "1", 3],
        [1, "1", "1", "1", "1", "1", 2],
      ],
      "K",
    ),
  ).toMatchObject({
    reason: "badResponse",
  });
  expect(decodeServerTime({ serverTime: "now" }, "T")).toMatchObject({ reason: "badResponse" });
  expect(decodePriceTicker({ symbol: "BTCUSDT", price: "0", time: 1 }, "P")).toMatchObject({
    reason: "badResponse",
    message: "body.price: impossible price 0",
  });
  expect(decodePriceTicker({ symbol: "BTCUSDT", price: "1.5" }, "P")).toMatchObject({
    reason: "badResponse",
  });
  expect(decodeExchangeInfo({}, "E")).toMatchObject({ message: "body.symbols: expected an array" });
});

test("WebSocket kline frames: real combined-stream samples decode, junk is Malformed", () => {
  // The captured samples are 1m/5m (not streamed by the bot): rewrite the interval to 30m, keep the rest.
  const combined = wsSamples.map((s) => s.msg).filter((m) => (m as { stream?: string }).stream !== undefined);
  expect(combined.length).toBeGreaterThanOrEqual(2);
  for (const m of combined) {
    const text = JSON.stringify(m).replace(/"i":"\w+"/, '"i":"30m"');
    const frame = decodeStreamFrame(text);
    expect(frame._tag).toBe("Kline");
  }
  const frame = decodeStreamFrame(JSON.stringify(combined[0]).replace(/"i":"\w+"/, '"i":"30m"'));
  expect(frame).toMatchObject({
    _tag: "Kline",
    event: { symbol: "BTCUSDT", closed: false, candle: { open: 108521.04 } },
  });
  expect(decodeStreamFrame('{"result":null,"id":3}')).toEqual({ _tag: "Reply", id: 3 });
  for (const junk of ["{", "[]", '{"data":{"e":"kline","k":{"t":"x"}}}', JSON.stringify(combined[0])])
    expect(decodeStreamFrame(junk)._tag).toBe("Malformed");
});

test("impossible candles: negative, zero, 1e300 and high below low are refused, real ones pass", () => {
  const ok = { open: 100, high: 101, low: 99, close: 100.5, volume: 12 };
  expect(impossibleCandle(ok)).toBeUndefined();
  expect(impossibleCandle({ ...ok, volume: 0 })).toBeUndefined();
  expect(impossibleCandle({ ...ok, low: -99 })).toBe("impossible low price -99");
  expect(impossibleCandle({ ...ok, low: 0 })).toBe("impossible low price 0");
  expect(impossibleCandle({ ...ok, high: 1e300 })).toBe("impossible high price 1e+300");
  expect(impossibleCandle({ ...ok, high: 99, low: 101 })).toBe("high 99 below low 101");
  expect(impossibleCandle({ ...ok, close: 102 })).toBe("open/close above high 101");
  expect(impossibleCandle({ ...ok, volume: -1 })).toBe("impossible volume -1");
  // Every captured REST and WebSocket candle passes.
  expect(decodeKlines(capture["GET /fapi/v1/klines?symbol=BTCUSDT&interval=1m&limit=3"], "K")).toHaveLength(
    3,
  );
});

test("a klines body with an impossible row: that row is dropped and reported, the others kept", () => {
  const rows = [
    [0, "100", "101", "99", "100", "5", 59_999],
    [60_000, "100", "101", "0", "100", "5", 119_999],
    [120_000, "100", "101", "99", "100", "5", 179_999],
  ];
  const decoded = decodeKlineRows(rows, "K");
  expect(decoded).toMatchObject({ rows: 3, rejected: ["[1] open time 60000: impossible low price 0"] });
  expect(decodeKlines(rows, "K")).toHaveLength(2);
});

test("an impossible kline frame is Malformed, naming the symbol and why", () => {
  const frame = (o: string, h: string, l: string, c: string) =>
    JSON.stringify({
      stream: "btcusdt@kline_30m",
      data: { e: "kline", k: { t: 0, T: 1_799_999, s: "BTCUSDT", i: "30m", o, h, l, c, v: "1", x: false } },
    });
  expect(decodeStreamFrame(frame("100", "101", "99", "100"))._tag).toBe("Kline");
  expect(decodeStreamFrame(frame("100", "1e300", "99", "100"))).toEqual({
    _tag: "Malformed",
    message: 'k: "BTCUSDT" 30m at 0: impossible high price 1e+300',
  });
  expect(decodeStreamFrame(frame("-5", "101", "99", "100"))._tag).toBe("Malformed");
  expect(decodeStreamFrame(frame("100", "99", "101", "100"))._tag).toBe("Malformed");
});

test("exchangeInfo rateLimits: the per-minute REQUEST_WEIGHT limit, nothing else", () => {
  const limits = (rateLimits: unknown) => requestWeightLimit({ rateLimits });
  expect(
    limits([
      { rateLimitType: "ORDERS", interval: "MINUTE", intervalNum: 1, limit: 1200 },
      { rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: 2400 },
    ]),
  ).toBe(2400);
  expect(limits([{ rateLimitType: "REQUEST_WEIGHT", interval: "SECOND", intervalNum: 10, limit: 300 }])).toBe(
    undefined,
  );
  expect(limits("nope")).toBeUndefined();
  expect(requestWeightLimit({})).toBeUndefined();
});
