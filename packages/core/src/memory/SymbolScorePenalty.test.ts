import { expect, test } from "bun:test";
import { bookAfter, tradesOf } from "../testing/MemoryBooks.ts";
import { SYMBOL_SCORE_PENALTY, symbolScorePenalty } from "./SymbolScorePenalty.ts";

const NOW = Date.UTC(2025, 6, 1);

test("a symbol below 50 % over at least 5 trades needs 5 more points, until it is back at 50 %", () => {
  const four = bookAfter(tradesOf("LWLL", { symbol: "DOGEUSDT" }));
  expect(symbolScorePenalty(four.book, four.closed, NOW, SYMBOL_SCORE_PENALTY).events).toEqual([]);
  const five = bookAfter(tradesOf("LWLWL", { symbol: "DOGEUSDT" }));
  const on = symbolScorePenalty(five.book, five.closed, NOW, SYMBOL_SCORE_PENALTY);
  expect(on.events).toEqual([
    {
      rule: "symbolScorePenalty",
      action: "fired",
      time: NOW,
      scope: "DOGEUSDT",
      data: { winRate: 0.4, trades: 5, points: 5 },
    },
  ]);
  expect(on.book.state.symbols.DOGEUSDT?.penalty).toBe(true);
  const six = bookAfter(tradesOf("LWLWLW", { symbol: "DOGEUSDT" })); // 3/6 = 50 %
  const penalised = {
    ...six.book,
    state: {
      ...six.book.state,
      symbols: { DOGEUSDT: { ...six.book.state.symbols.DOGEUSDT!, penalty: true } },
    },
  };
  expect(
    symbolScorePenalty(penalised, six.closed, NOW, SYMBOL_SCORE_PENALTY).events.map((e) => e.action),
  ).toEqual(["relaxed"]);
});

test("its floor, minimum and points come from its configuration", () => {
  const five = bookAfter(tradesOf("LWLWL", { symbol: "DOGEUSDT" }));
  expect(
    symbolScorePenalty(five.book, five.closed, NOW, { ...SYMBOL_SCORE_PENALTY, floor: 0.35 }).events,
  ).toEqual([]);
  expect(
    symbolScorePenalty(five.book, five.closed, NOW, { minTrades: 5, floor: 0.5, points: 10 }).events,
  ).toMatchObject([{ data: { points: 10 } }]);
});
