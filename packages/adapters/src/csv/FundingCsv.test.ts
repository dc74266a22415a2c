import { describe, expect, test } from "bun:test";
import { formatFundingCsv, parseFundingCsv } from "./FundingCsv.ts";

const ok = (text: string) => {
  const r = parseFundingCsv(text);
  if (r._tag !== "Parsed") throw new Error(`expected Parsed, got line ${r.line}: ${r.message}`);
  return r.rows;
};
const bad = (text: string) => {
  const r = parseFundingCsv(text);
  if (r._tag !== "Malformed") throw new Error("expected Malformed");
  return `${r.line}: ${r.message}`;
};

describe("funding CSV", () => {
  test("the /fapi/v1/fundingRate layout round-trips, a missing mark price stays missing", () => {
    // Two real BTCUSDT settlements (fixtures/api-samples, 2026-09-15) and one without a mark price.
    const rows = [
      { time: 1789430400000, rate: 0.00003563, markPrice: 78178.3 },
      { time: 1789459200005, rate: 0.00006188, markPrice: 76907.97183333 },
      { time: 1789488000000, rate: -0.0001 },
    ];
    const text = formatFundingCsv(rows);
    expect(text).toBe(
      "fundingTime,fundingRate,markPrice\n1789430400000,0.00003563,78178.3\n1789459200005,0.00006188,76907.97183333\n1789488000000,-0.0001,\n",
    );
    expect(ok(text)).toEqual(rows);
    expect(ok(text.replaceAll("\n", "\r\n"))).toEqual(rows);
  });

  test("the data.binance.vision archive layout (calc_time, interval, rate) is read too", () => {
    expect(ok("calc_time,funding_interval_hours,last_funding_rate\n1735689600000,8,0.00010000\n")).toEqual([
      { time: 1735689600000, rate: 0.0001 },
    ]);
  });

  test("bad rows name their line", () => {
    expect(bad("fundingTime,fundingRate,markPrice\n1,0.1,2\n1,0.1,2\n")).toBe(
      "3: time 1 is not after the previous row's 1",
    );
    expect(bad("5,abc,\n")).toBe('1: funding rate is not a number: "abc"');
    expect(bad("5,0.1\n")).toBe("1: expected 3 columns, found 2");
    expect(bad("5.5,0.1,\n")).toBe('1: time is not a millisecond timestamp: "5.5"');
    expect(bad("5,0.1,-3\n")).toBe('1: mark price must be empty or positive, got "-3"');
  });
});
