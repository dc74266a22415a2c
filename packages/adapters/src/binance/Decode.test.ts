/** The decoders on real Binance payloads (fixtures/api-samples) and on the ways a payload can be wrong. */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { type Candle, MarketDataError } from "@signalbot/core";
import {
  decodeExchangeInfo,
  decodeKlines,
  decodeServerTime,
  decodeStreamFrame,
  decodeTickers,
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
      quoteAsset: "USDT",
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
  const tickers = decodeTickers([capture["GET /fapi/v1/ticker/24hr?symbol=BTCUSDT"]], "V") as Map<
    string,
    number
  >;
  expect(tickers.get("BTCUSDT")).toBe(13258734360.38);
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
