import { expect, test } from "bun:test";
import { HOUR_MS } from "../model/Time.ts";
import { bookAfter, tradesOf } from "../testing/MemoryBooks.ts";
import { MODEL_DISABLE, modelDisable } from "./ModelDisable.ts";

const NOW = Date.UTC(2025, 6, 1);

test("reversal below 45 % over 10 trades is disabled for 48 h, and judged afresh afterwards", () => {
  const { book, closed } = bookAfter(tradesOf("WLWLLWLWLL", { model: "reversal" })); // 4/10
  const step = modelDisable(book, closed, NOW, MODEL_DISABLE);
  expect(step.events).toEqual([
    {
      rule: "modelDisable",
      action: "fired",
      time: NOW,
      scope: "reversal",
      until: closed.closedAt + 48 * HOUR_MS,
      data: { winRate: 0.4, trades: 10, tradeId: closed.trade.id },
    },
  ]);
  // Its window is emptied: the same evidence cannot disable it twice.
  expect(step.book.state.models.reversal?.results).toEqual([]);
});

test("continuation trades never disable it; its floor, minimum and length come from its configuration", () => {
  const continuation = bookAfter(tradesOf("WLWLLWLWLL", { model: "continuation" }));
  expect(modelDisable(continuation.book, continuation.closed, NOW, MODEL_DISABLE).events).toEqual([]);
  const reversal = bookAfter(tradesOf("WLWLLWLWLL", { model: "reversal" }));
  expect(modelDisable(reversal.book, reversal.closed, NOW, { ...MODEL_DISABLE, floor: 0.35 }).events).toEqual(
    [],
  );
  expect(
    modelDisable(reversal.book, reversal.closed, NOW, { ...MODEL_DISABLE, minTrades: 12 }).events,
  ).toEqual([]);
  expect(
    modelDisable(reversal.book, reversal.closed, NOW, { ...MODEL_DISABLE, hours: 24 }).events,
  ).toMatchObject([{ until: reversal.closed.closedAt + 24 * HOUR_MS }]);
});

test("it watches the models it is configured with, each judged on its own window", () => {
  const donchian = bookAfter(tradesOf("WLWLLWLWLL", { model: "donchian" }));
  expect(modelDisable(donchian.book, donchian.closed, NOW, MODEL_DISABLE).events).toEqual([]);
  const watching = { ...MODEL_DISABLE, models: ["reversal", "donchian"] };
  const step = modelDisable(donchian.book, donchian.closed, NOW, watching);
  expect(step.events).toMatchObject([{ action: "fired", scope: "donchian", data: { winRate: 0.4 } }]);
  expect(step.book.locks).toMatchObject([
    {
      scope: "model",
      target: "donchian",
      rule: "modelDisable",
      reason: "donchian win rate 40% over 10 trades",
    },
  ]);
  expect(step.book.state.models.donchian?.results).toEqual([]);
  // Reversal's own trades still disable it under the same settings; a list without it leaves it alone.
  const reversal = bookAfter(tradesOf("WLWLLWLWLL", { model: "reversal" }));
  expect(modelDisable(reversal.book, reversal.closed, NOW, watching).events).toHaveLength(1);
  expect(
    modelDisable(reversal.book, reversal.closed, NOW, { ...MODEL_DISABLE, models: ["donchian"] }).events,
  ).toEqual([]);
});
