import { expect, test } from "bun:test";
import { HOUR_MS } from "../model/Time.ts";
import { bookAfter, tradesOf } from "../testing/MemoryBooks.ts";
import { LOSS_STREAK_PAUSE, lossStreakPause } from "./LossStreakPause.ts";
import { pauseBook, resumeBook } from "./ManualPause.ts";
import { SYMBOL_COOLDOWN, symbolCooldown } from "./SymbolCooldown.ts";

const NOW = Date.UTC(2025, 6, 1);

test("/pause locks everything for the hours asked from now; /resume lifts it and a loss-streak pause, not a cooldown", () => {
  const paused = pauseBook(bookAfter(tradesOf("W")).book, 48, NOW);
  expect(paused.events).toEqual([
    { rule: "manualPause", action: "fired", time: NOW, until: NOW + 48 * HOUR_MS, data: { hours: 48 } },
  ]);
  const losing = bookAfter(tradesOf("LLL", { symbol: "SOLUSDT" }));
  const withStreak = lossStreakPause(
    { ...losing.book, locks: paused.book.locks },
    losing.closed,
    NOW,
    LOSS_STREAK_PAUSE,
  ).book;
  const withCooldown = symbolCooldown(withStreak, losing.closed, NOW, SYMBOL_COOLDOWN).book;
  const resumed = resumeBook(withCooldown, NOW + HOUR_MS);
  expect(resumed.events).toMatchObject([
    { rule: "manualPause", action: "relaxed", data: { by: "owner" } },
    { rule: "lossStreakPause", action: "relaxed", data: { by: "owner" } },
  ]);
  expect(resumed.book.locks.map((l) => l.rule)).toEqual(["symbolCooldown"]);
});
