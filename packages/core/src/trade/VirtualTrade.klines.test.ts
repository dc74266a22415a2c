// Lifecycle on real BTCUSDT 30m candles (fixtures/klines). Every expectation can be checked by hand against
// the CSV rows quoted in the comments (open time UTC: high / low / close).
import { describe, expect, test } from "bun:test";
import { FIXTURE_KLINES_DIR } from "../../../../fixtures/index.ts";
import { outcomeOf } from "../memory/Outcome.ts";
import type { Candle } from "../model/Candle.ts";
import type { Side } from "../model/Signal.ts";
import type { TradeEvent, VirtualTrade } from "../model/Trade.ts";
import { loadKlines } from "../testing/klines.ts";
import { aSignal, NO_COSTS } from "../testing/TradeBuilders.ts";
import { advanceTrade, type CostModel, candleTick, openTrade } from "./VirtualTrade.ts";

const btc = loadKlines("BTCUSDT", "30m", FIXTURE_KLINES_DIR);
const M30 = 30 * 60_000;

/** Opens a trade at the close of the candle opened at `iso` and replays the following closed candles. */
const replay = (
  iso: string,
  side: Side,
  stop: number,
  targets: readonly [number, number, number],
  costs: CostModel = NO_COSTS,
  quantity = 0.01,
) => {
  const at = btc.findIndex((c) => c.openTime === Date.parse(iso));
  const trigger = btc[at]!;
  const signal = aSignal(
    {
      side,
      candleOpenTime: trigger.openTime,
      time: trigger.closeTime + 1,
      entry: trigger.close,
      stop,
      targets,
    },
    quantity,
  );
  let trade: VirtualTrade = openTrade(signal, costs);
  const events: TradeEvent[] = [];
  const seen: Candle[] = [];
  for (let i = at; i < btc.length && trade.status === "open"; i++) {
    const candle = btc[i]!; // the trigger candle itself is included and must be ignored
    const step = advanceTrade(trade, candleTick(candle, true), { costs, timeoutCandles: 48 });
    trade = step.trade;
    events.push(...step.events);
    seen.push(candle);
  }
  return { trade, events, trigger, last: seen[seen.length - 1]! };
};

describe("virtual trades on real BTCUSDT 30m candles", () => {
  test("LONG 2025-03-03 06:00 (close 92790.8), stop 92300: stopped by the next candle (06:30 low 91305)", () => {
    const { trade, events, last } = replay(
      "2025-03-03T06:00:00Z",
      "LONG",
      92300,
      [93281.6, 93772.4, 94263.2],
    );
    expect(new Date(last.openTime).toISOString()).toBe("2025-03-03T06:30:00.000Z");
    expect(trade).toMatchObject({ status: "closed", exitReason: "stop", targetsHit: 0, candlesSeen: 1 });
    expect(trade.rMultiple!).toBeCloseTo(-1, 10);
    expect(trade.pnl!).toBeCloseTo(-4.908, 9); // 490.8 × 0.01
    expect(events).toEqual([
      expect.objectContaining({ _tag: "Closed", reason: "stop", price: 92300, durationMs: M30 }),
    ]);
    expect(outcomeOf(trade)).toBe("loss");
  });

  test("SHORT 2025-03-03 12:30 (close 92985.2), stop 93700: survives 13:30 (high 93657.1), then 14:30 (low 89130.6) gaps through all targets", () => {
    const { trade, events, last } = replay(
      "2025-03-03T12:30:00Z",
      "SHORT",
      93700,
      [92270.4, 91555.6, 90840.8],
    );
    expect(new Date(last.openTime).toISOString()).toBe("2025-03-03T14:30:00.000Z");
    expect(trade).toMatchObject({ status: "closed", exitReason: "tp3", targetsHit: 3, candlesSeen: 4 });
    expect(events.map((e) => e._tag)).toEqual(["TargetHit", "TargetHit", "Closed"]);
    // thirds at 1R, 2R, 3R → 2R
    expect(trade.rMultiple!).toBeCloseTo(2, 9);
    expect(trade.pnl!).toBeCloseTo(2 * 714.8 * 0.01, 9);
    expect(trade.closedAt! - trade.openedAt).toBe(4 * M30);
  });

  test("LONG 2025-03-03 03:00 (close 92665.5), stop 92300: TP1 at 05:00 (high 93074.8), breakeven at 06:30 (low 91305); fees make it a scratch", () => {
    const targets = [93031, 93396.5, 93762] as const;
    const feesOnly: CostModel = { takerFeeRate: 0.0005, slippageRate: 0 };
    const { trade, events } = replay("2025-03-03T03:00:00Z", "LONG", 92300, targets, feesOnly);
    expect(events.map((e) => (e._tag === "Closed" ? e.reason : e._tag))).toEqual(["TargetHit", "breakeven"]);
    expect(events[0]).toMatchObject({
      time: Date.parse("2025-03-03T05:30:00Z"),
      price: 93031,
      stop: 92665.5,
    });
    expect(trade).toMatchObject({
      status: "closed",
      exitReason: "breakeven",
      targetsHit: 1,
      closedAt: Date.parse("2025-03-03T07:00:00Z"),
    });
    const gross = (365.5 * 0.01) / 3;
    const fees = 926.655 * 0.0005 + (930.31 / 3) * 0.0005 + ((926.655 * 2) / 3) * 0.0005;
    expect(trade.pnl!).toBeCloseTo(gross - fees, 9);
    expect(trade.rMultiple!).toBeCloseTo((gross - fees) / 3.655, 9); // ≈ +0.08 R
    expect(outcomeOf(trade)).toBe("breakeven");
  });

  test("LONG 2025-06-10 00:00 (close 110240.6), stop 106000: nothing hit in 48 candles, timeout at 2025-06-11 00:00 close 109801.1", () => {
    const { trade, events, last } = replay(
      "2025-06-10T00:00:00Z",
      "LONG",
      106000,
      [114481.2, 118721.8, 122962.4],
    );
    expect(new Date(last.openTime).toISOString()).toBe("2025-06-11T00:00:00.000Z");
    expect(trade).toMatchObject({
      status: "closed",
      exitReason: "timeout",
      candlesSeen: 48,
      lastPrice: 109801.1,
    });
    expect(trade.rMultiple!).toBeCloseTo((109801.1 - 110240.6) / 4240.6, 9);
    expect(events).toEqual([
      expect.objectContaining({ _tag: "Closed", reason: "timeout", durationMs: 48 * M30 }),
    ]);
  });
});
