import { expect, test } from "bun:test";
import { type Candle, type CandleEvent, SymbolState } from "@signalbot/core";
import { Deferred, Effect, Fiber } from "effect";
import { silentLogger } from "../observability/Log.ts";
import { Metrics } from "../observability/Metrics.ts";
import type { CandleFlow } from "./CandleFlow.ts";
import { makeDispatcher } from "./Dispatcher.ts";

const candle = (openTime: number, close = 1): Candle => ({
  openTime,
  open: 1,
  high: close,
  low: 1,
  close,
  volume: 1,
  closeTime: openTime + 1_799_999,
});
const event = (symbol: string, c: Candle, closed: boolean): CandleEvent => ({
  symbol,
  timeframe: "30m",
  candle: c,
  closed,
});

test("a 30m boundary burst: the reader never waits, at most SCAN_CONCURRENCY scans run, each symbol in order", async () => {
  const symbols = Array.from({ length: 40 }, (_, i) => `S${i}USDT`);
  const tracked = new Map(symbols.map((s) => [s, new SymbolState(s, undefined)]));
  const seen: string[] = [];
  let running = 0;
  let peak = 0;
  const program = Effect.gen(function* () {
    const gate = yield* Deferred.make<void>();
    const flow = {
      closed: (t: SymbolState, c: Candle) =>
        Effect.gen(function* () {
          running++;
          peak = Math.max(peak, running);
          yield* Deferred.await(gate);
          seen.push(`${t.symbol}:closed:${c.openTime}`);
          running--;
        }),
      forming: (t: SymbolState, c: Candle) =>
        Effect.sync(() => void seen.push(`${t.symbol}:forming:${c.openTime}:${c.close}`)),
    } as unknown as CandleFlow;
    const d = yield* makeDispatcher({
      flow,
      tracked: (s) => tracked.get(s),
      scanConcurrency: 5,
      log: silentLogger,
      metrics: new Metrics(),
    });
    // The scripted flow needs none of the services `run` is typed with.
    const fiber = yield* Effect.forkChild(d.run as Effect.Effect<never>);
    // The socket reader: every call returns at once, whatever the scans are doing.
    for (const s of symbols) expect(d.offer(event(s, candle(0), true))).toBe(true);
    for (const s of symbols) {
      d.offer(event(s, candle(1_800_000, 2), false));
      d.offer(event(s, candle(1_800_000, 3), false)); // coalesced with the previous forming tick
      d.offer(event(s, candle(1_800_000), true));
    }
    for (let i = 0; i < 200; i++) yield* Effect.yieldNow;
    expect(running).toBe(5);
    expect(d.load().scanning).toBe(5);
    yield* Deferred.succeed(gate, undefined);
    while (d.load().inFlight > 0) yield* Effect.yieldNow;
    yield* Fiber.interrupt(fiber);
  });
  await Effect.runPromise(Effect.scoped(program));
  expect(peak).toBe(5);
  for (const s of symbols)
    expect(seen.filter((x) => x.startsWith(`${s}:`))).toEqual([
      `${s}:closed:0`,
      `${s}:forming:1800000:3`,
      `${s}:closed:1800000`,
    ]);
});
