import { expect, test } from "bun:test";
import { aLosingTrade, aWinningTrade } from "../testing/ClosedTradeBuilders.ts";
import { bookAfter } from "../testing/MemoryBooks.ts";
import { DRAWDOWN_SIGNAL_CAP, drawdownSignalCap } from "./DrawdownSignalCap.ts";

const NOW = Date.UTC(2025, 6, 1);

test("a drawdown above 5 % caps the day at 2 signals; it is lifted only below 3 % (hysteresis)", () => {
  const down = bookAfter([aLosingTrade({ r: -6 })]); // 1000 → 940: 6 %
  const on = drawdownSignalCap(down.book, down.closed, NOW, DRAWDOWN_SIGNAL_CAP);
  expect(on.events).toEqual([
    { rule: "drawdownSignalCap", action: "fired", time: NOW, data: { drawdownPct: 6, maxSignalsPerDay: 2 } },
  ]);
  const recovering = bookAfter([aLosingTrade({ r: -6 }), aWinningTrade({ id: "w1", r: 1.5 })]); // 955: 4.5 %
  const still = drawdownSignalCap(
    { ...recovering.book, state: { ...recovering.book.state, signalCap: true } },
    recovering.closed,
    NOW,
    DRAWDOWN_SIGNAL_CAP,
  );
  expect(still.events).toEqual([]);
  const recovered = bookAfter([aLosingTrade({ r: -6 }), aWinningTrade({ id: "w1", r: 4 })]); // 980: 2 %
  const off = drawdownSignalCap(
    { ...recovered.book, state: { ...recovered.book.state, signalCap: true } },
    recovered.closed,
    NOW,
    DRAWDOWN_SIGNAL_CAP,
  );
  expect(off.events.map((e) => e.action)).toEqual(["relaxed"]);
});

test("its trigger and its cap come from its configuration", () => {
  const down = bookAfter([aLosingTrade({ r: -6 })]);
  expect(
    drawdownSignalCap(down.book, down.closed, NOW, { ...DRAWDOWN_SIGNAL_CAP, abovePct: 10 }).events,
  ).toEqual([]);
  expect(
    drawdownSignalCap(down.book, down.closed, NOW, { abovePct: 4, releaseBelowPct: 2, maxSignalsPerDay: 1 })
      .events,
  ).toMatchObject([{ action: "fired", data: { maxSignalsPerDay: 1 } }]);
});
