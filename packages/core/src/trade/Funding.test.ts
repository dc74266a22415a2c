import { describe, expect, test } from "bun:test";
import { anOpenTrade } from "../testing/TradeBuilders.ts";
import { flatFunding, fundingCharges, NO_FUNDING, recordedFunding } from "./Funding.ts";

const H = 3_600_000;
const DAY = 24 * H;
const T = Date.UTC(2025, 5, 1);

describe("flatFunding", () => {
  test("settles at 00:00, 08:00 and 16:00 UTC, strictly after `from` and up to `to` inclusive", () => {
    const times = flatFunding(0.0001)
      .between("X", T, T + DAY)
      .map((s) => (s.time - T) / H);
    expect(times).toEqual([8, 16, 24]);
    expect(flatFunding(0.0001).between("X", T + 8 * H - 1, T + 8 * H)).toEqual([
      { time: T + 8 * H, rate: 0.0001 },
    ]);
    expect(flatFunding(0.0001).between("X", T + 8 * H, T + 16 * H - 1)).toEqual([]);
  });

  test("a zero rate and NO_FUNDING settle nothing", () => {
    expect(flatFunding(0).between("X", T, T + DAY)).toEqual([]);
    expect(NO_FUNDING.between("X", T, T + DAY)).toEqual([]);
  });
});

describe("recordedFunding", () => {
  // Recorded from 08:00 to 16:00 on day 1, stamped a few ms late as Binance does (1789459200005).
  const rows = [
    { time: T + 8 * H + 5, rate: 0.0003, markPrice: 101 },
    { time: T + 16 * H + 2, rate: -0.0002, markPrice: 99 },
  ];
  const rates = recordedFunding(new Map([["BTCUSDT", rows]]), flatFunding(0.0001));

  test("inside the recorded span only the records count (no flat settlement doubles a late-stamped one)", () => {
    expect(rates.between("BTCUSDT", T + 1, T + 20 * H)).toEqual(rows);
    expect(rates.between("BTCUSDT", T + 8 * H + 5, T + 16 * H + 2)).toEqual([rows[1]!]);
  });

  test("outside it, and for symbols without a record, the fallback applies", () => {
    expect(rates.between("BTCUSDT", T - DAY, T + DAY).map((s) => [(s.time - T) / H, s.rate])).toEqual([
      [-16, 0.0001],
      [-8, 0.0001],
      [0, 0.0001],
      [8 + 5 / H, 0.0003],
      [16 + 2 / H, -0.0002],
      [24, 0.0001],
    ]);
    expect(rates.between("ETHUSDT", T, T + DAY)).toHaveLength(3);
    expect(rates.describe).toBe("recorded for BTCUSDT; otherwise flat 0.0100 %/8h");
  });
});

describe("fundingCharges", () => {
  test("rate × mark × quantity × share still held, signed by side; the entry's own instant is not charged", () => {
    // Entry at the trigger close T + 30 min, 100 × 2; a settlement exactly at the entry would not be charged.
    const long = { ...anOpenTrade({ side: "LONG", entry: 100 }), quantity: 2 };
    const rates = recordedFunding(
      new Map([
        [
          "BTCUSDT",
          [
            { time: long.openedAt, rate: 0.01 },
            { time: T + 8 * H, rate: 0.0003, markPrice: 110 },
            { time: T + 16 * H, rate: 0.0001 },
          ],
        ],
      ]),
      NO_FUNDING,
    );
    expect(fundingCharges(long, T + DAY, rates)).toEqual([
      { time: T + 8 * H, rate: 0.0003, amount: 0.0003 * 110 * 2 },
      { time: T + 16 * H, rate: 0.0001, amount: 0.0001 * 100 * 2 },
    ]);
    const short = { ...long, side: "SHORT" as const };
    expect(fundingCharges(short, T + DAY, rates).map((c) => c.amount)).toEqual([
      -0.0003 * 110 * 2,
      -0.0001 * 100 * 2,
    ]);
    expect(fundingCharges(long, T + 12 * H, rates)).toHaveLength(1);
    expect(fundingCharges(long, long.openedAt, rates)).toEqual([]);
  });
});
