import { expect, test } from "bun:test";
import { HOUR_MS } from "../model/Time.ts";
import { bookAfter, tradesOf } from "../testing/MemoryBooks.ts";
import { SYMBOL_COOLDOWN, symbolCooldown } from "./SymbolCooldown.ts";

const NOW = Date.UTC(2025, 6, 1);

test("two losses in a row on one symbol cool that symbol down for 24 h from the last loss", () => {
  const { book, closed } = bookAfter(tradesOf("WLL", { symbol: "SOLUSDT" }));
  const until = closed.closedAt + 24 * HOUR_MS;
  const step = symbolCooldown(book, closed, NOW, SYMBOL_COOLDOWN);
  expect(step.events).toEqual([
    {
      rule: "symbolCooldown",
      action: "fired",
      time: NOW,
      scope: "SOLUSDT",
      until,
      data: { losses: 2, tradeId: closed.trade.id },
    },
  ]);
  expect(step.book.locks).toMatchObject([
    { scope: "symbol", target: "SOLUSDT", rule: "symbolCooldown", until },
  ]);
});

test("losses on other symbols do not count; the streak and the length come from its configuration", () => {
  const mixed = bookAfter([
    ...tradesOf("L", { symbol: "BTCUSDT" }),
    ...tradesOf("L", { symbol: "SOLUSDT", start: Date.UTC(2025, 5, 2) }),
  ]);
  expect(symbolCooldown(mixed.book, mixed.closed, NOW, SYMBOL_COOLDOWN).events).toEqual([]);
  const three = bookAfter(tradesOf("LL", { symbol: "SOLUSDT" }));
  expect(symbolCooldown(three.book, three.closed, NOW, { losses: 3, hours: 24 }).events).toEqual([]);
  expect(symbolCooldown(three.book, three.closed, NOW, { losses: 2, hours: 6 }).events).toMatchObject([
    { until: three.closed.closedAt + 6 * HOUR_MS },
  ]);
});
