import { expect, test } from "bun:test";
import { HOUR_MS } from "../model/Time.ts";
import { bookAfter, tradesOf } from "../testing/MemoryBooks.ts";
import { LOSS_STREAK_PAUSE, lossStreakPause } from "./LossStreakPause.ts";

const NOW = Date.UTC(2025, 6, 1);

test("three losses in a row pause everything for 12 h from the last loss's close, once per evidence", () => {
  const two = bookAfter(tradesOf("WLL"));
  expect(lossStreakPause(two.book, two.closed, NOW, LOSS_STREAK_PAUSE).events).toEqual([]);
  const three = bookAfter(tradesOf("WLLL"));
  const until = three.closed.closedAt + 12 * HOUR_MS;
  const step = lossStreakPause(three.book, three.closed, NOW, LOSS_STREAK_PAUSE);
  expect(step.events).toEqual([
    {
      rule: "lossStreakPause",
      action: "fired",
      time: NOW,
      until,
      data: { losses: 3, tradeId: three.closed.trade.id },
    },
  ]);
  expect(step.book.locks).toMatchObject([{ scope: "global", rule: "lossStreakPause", until }]);
  // The same evidence never arms it again.
  expect(lossStreakPause(step.book, three.closed, NOW, LOSS_STREAK_PAUSE).events).toEqual([]);
});

test("the streak length and the pause come from its configuration; break-evens do not break the streak", () => {
  const twoLosses = bookAfter(tradesOf("WLBL"));
  const step = lossStreakPause(twoLosses.book, twoLosses.closed, NOW, { losses: 2, hours: 6 });
  expect(step.events).toMatchObject([
    { rule: "lossStreakPause", until: twoLosses.closed.closedAt + 6 * HOUR_MS, data: { losses: 2 } },
  ]);
  expect(lossStreakPause(twoLosses.book, twoLosses.closed, NOW, LOSS_STREAK_PAUSE).events).toEqual([]);
});
