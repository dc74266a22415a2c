import { expect, test } from "bun:test";
import { aLosingTrade, aWinningTrade } from "../testing/ClosedTradeBuilders.ts";
import { bookAfter } from "../testing/MemoryBooks.ts";
import { DRAWDOWN_RISK_CUT, drawdownRiskCut } from "./DrawdownRiskCut.ts";

const NOW = Date.UTC(2025, 6, 1);

test("a drawdown above 8 % cuts the risk to 0.5 %; the base risk is back only below 5 %", () => {
  const down = bookAfter([aLosingTrade({ r: -9 })]); // 910: 9 %
  expect(drawdownRiskCut(down.book, down.closed, NOW, DRAWDOWN_RISK_CUT).events).toEqual([
    { rule: "drawdownRiskCut", action: "fired", time: NOW, data: { drawdownPct: 9, riskPercent: 0.5 } },
  ]);
  const cut = (b: typeof down) => ({ ...b.book, state: { ...b.book.state, riskCut: true } });
  const halfway = bookAfter([aLosingTrade({ r: -9 }), aWinningTrade({ id: "w", r: 3 })]); // 940: 6 %
  expect(drawdownRiskCut(cut(halfway), halfway.closed, NOW, DRAWDOWN_RISK_CUT).events).toEqual([]);
  const back = bookAfter([aLosingTrade({ r: -9 }), aWinningTrade({ id: "w", r: 5 })]); // 960: 4 %
  expect(drawdownRiskCut(cut(back), back.closed, NOW, DRAWDOWN_RISK_CUT).events.map((e) => e.action)).toEqual(
    ["relaxed"],
  );
});

test("its trigger and the cut risk come from its configuration", () => {
  const down = bookAfter([aLosingTrade({ r: -9 })]);
  expect(drawdownRiskCut(down.book, down.closed, NOW, { ...DRAWDOWN_RISK_CUT, abovePct: 12 }).events).toEqual(
    [],
  );
  expect(
    drawdownRiskCut(down.book, down.closed, NOW, { abovePct: 8, releaseBelowPct: 5, riskPercent: 0.25 })
      .events,
  ).toMatchObject([{ data: { riskPercent: 0.25 } }]);
});
