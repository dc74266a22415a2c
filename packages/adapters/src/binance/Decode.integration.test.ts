/**
 * What the fake exchange's WebSocket sends when its feed is corrupt (impossible candles), decoded as the stream
 * manager decodes every frame: Malformed with the reason, never a kline event that could reach a series.
 */
import { afterEach, expect, test } from "bun:test";
import { FakeExchange, type ImpossibleKind } from "../testing/FakeExchange.ts";
import { decodeStreamFrame, type StreamFrame } from "./Decode.ts";

const DATA = new URL("../../../../fixtures/klines", import.meta.url).pathname;
let fake: FakeExchange | undefined;
afterEach(() => fake?.stop());

test("impossible candles pushed on the stream decode as Malformed; the real pushes around them as klines", async () => {
  fake = new FakeExchange({ dataDir: DATA, generatedSymbols: 0, updateIntervalMs: 60_000 });
  const exchange = fake;
  const frames: StreamFrame[] = [];
  let wanted = 0;
  let got = () => {};
  const ws = new WebSocket(`${exchange.wsUrl}/stream?streams=btcusdt@kline_30m`);
  ws.onmessage = (m) => {
    frames.push(decodeStreamFrame(String(m.data)));
    if (frames.length >= wanted) got();
  };
  await new Promise((resolve) => {
    ws.onopen = resolve;
  });
  const receive = (n: number, send: () => void) =>
    new Promise<void>((resolve) => {
      wanted = frames.length + n;
      got = resolve;
      send();
    });
  await receive(1, () => exchange.advance(60_000));
  const kinds: ImpossibleKind[] = ["negative", "zero", "huge", "highBelowLow"];
  for (const kind of kinds) await receive(1, () => exchange.sendImpossible(kind));
  await receive(1, () => exchange.advance(60_000));
  ws.close();
  expect(frames.map((f) => f._tag)).toEqual([
    "Kline",
    "Malformed",
    "Malformed",
    "Malformed",
    "Malformed",
    "Kline",
  ]);
  const reasons = frames.filter((f) => f._tag === "Malformed").map((f) => f.message.split(": ").at(-1));
  expect(reasons).toEqual([
    expect.stringMatching(/^impossible low price -/),
    "impossible low price 0",
    "impossible high price 1e+300",
    expect.stringMatching(/^high .* below low /),
  ]);
});
