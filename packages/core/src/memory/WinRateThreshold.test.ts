import { expect, test } from "bun:test";
import { bookAfter, tradesOf } from "../testing/MemoryBooks.ts";
import { WIN_RATE_THRESHOLD, winRateThreshold } from "./WinRateThreshold.ts";

const NOW = Date.UTC(2025, 6, 1);
/** The original product's floor (55 %): the mechanics below read naturally with it. */
const AT_55 = { ...WIN_RATE_THRESHOLD, floor: 0.55 };

test("the default floor is 45 %: 50 % over 10 trades keeps the threshold, 40 % raises it", () => {
  expect(WIN_RATE_THRESHOLD).toEqual({ minTrades: 10, floor: 0.45, points: 5 });
  const fifty = bookAfter(tradesOf("WLWLWLWLLW"));
  expect(winRateThreshold(fifty.book, fifty.closed, NOW, WIN_RATE_THRESHOLD).events).toEqual([]);
  const forty = bookAfter(tradesOf("WLLWLLWLLW"));
  expect(
    winRateThreshold(forty.book, forty.closed, NOW, WIN_RATE_THRESHOLD).events.map((e) => e.action),
  ).toEqual(["fired"]);
});

test("fires below the floor once the window has its minimum of trades, with the numbers that decided it", () => {
  const nine = bookAfter(tradesOf("WLWLWLWLL")); // 4/9: below 55 %, but not 10 trades yet
  expect(winRateThreshold(nine.book, nine.closed, NOW, AT_55).events).toEqual([]);
  const ten = bookAfter(tradesOf("WLWLWLWLLW")); // 5/10 = 50 %
  const step = winRateThreshold(ten.book, ten.closed, NOW, AT_55);
  expect(step.book.state.thresholdRaised).toBe(true);
  expect(step.events).toEqual([
    { rule: "winRateThreshold", action: "fired", time: NOW, data: { winRate: 0.5, trades: 10, points: 5 } },
  ]);
  // A flag: it is not applied twice.
  expect(winRateThreshold(step.book, ten.closed, NOW, AT_55).events).toEqual([]);
});

test("relaxes at the floor; the floor, the minimum and the points come from its configuration", () => {
  const raised = bookAfter(tradesOf("WLWLWLWLLW"));
  const on = winRateThreshold(raised.book, raised.closed, NOW, AT_55).book;
  const back = bookAfter(tradesOf("WLWLWLWLLWWW")); // 7/12 ≥ 55 %
  const off = winRateThreshold(
    { ...back.book, state: { ...back.book.state, thresholdRaised: on.state.thresholdRaised } },
    back.closed,
    NOW,
    AT_55,
  );
  expect(off.events.map((e) => e.action)).toEqual(["relaxed"]);
  expect(off.book.state.thresholdRaised).toBe(false);
  // A trader who accepts 45 % (the default): 50 % over 10 trades is fine.
  expect(winRateThreshold(raised.book, raised.closed, NOW, { ...AT_55, floor: 0.45 }).events).toEqual([]);
  // ...and one who wants it sooner and harder: 5 trades, +8 points.
  const five = bookAfter(tradesOf("WLLWL"));
  expect(
    winRateThreshold(five.book, five.closed, NOW, { minTrades: 5, floor: 0.55, points: 8 }).events,
  ).toEqual([
    { rule: "winRateThreshold", action: "fired", time: NOW, data: { winRate: 0.4, trades: 5, points: 8 } },
  ]);
});
