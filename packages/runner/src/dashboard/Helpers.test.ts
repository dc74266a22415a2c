import { expect, test } from "bun:test";
import { aClosedTrade } from "@signalbot/core/testing";
import { countdown } from "./Countdown.ts";
import { equityCurve } from "./EquityCurve.ts";
import { html, raw } from "./Html.ts";

test("interpolated values are escaped for text and attributes; templates and arrays nest", () => {
  const name = `"><script>alert('x')</script>`;
  expect(html`<td title="${name}">${name}</td>`.text).toBe(
    '<td title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</td>',
  );
  expect(html`<ul>${["a&b", "c"].map((x) => html`<li>${x}</li>`)}</ul>`.text).toBe(
    "<ul><li>a&amp;b</li><li>c</li></ul>",
  );
  expect(html`${undefined}${null}${false}${0}${raw("<br>")}`.text).toBe("0<br>");
});

test("countdowns: minutes:seconds, then hours, then days", () => {
  expect(countdown(65_000, "ngày")).toBe("1:05");
  expect(countdown(3 * 3_600_000 + 12 * 60_000 + 5_000, "ngày")).toBe("3:12:05");
  expect(countdown(2 * 86_400_000 + 3 * 3_600_000, "ngày")).toBe("2 ngày 03:00:00");
  expect(countdown(-5_000, "d")).toBe("0:00");
});

test("equity after each closed trade in close order, drawdown from the running peak, the open mark last", () => {
  const day = 86_400_000;
  const trades = [
    aClosedTrade({ id: "b", closedAt: 3 * day, r: -1.5 }),
    aClosedTrade({ id: "a", closedAt: 2 * day, r: 3 }),
    aClosedTrade({ id: "c", closedAt: 3 * day, r: 0.5 }),
  ];
  const curve = equityCurve(1000, trades, 5 * day, { time: 4 * day, pnl: -20 });
  // Start at the first entry (before the bot's start); b and c closed at the same instant: one point.
  expect(curve.points.map((p) => [p.time, p.equity])).toEqual([
    [2 * day - 3 * 3_600_000, 1000],
    [2 * day, 1030],
    [3 * day, 1020],
    [4 * day, 1000],
  ]);
  expect(curve.points.at(-1)!.drawdownPct).toBeCloseTo((-30 / 1030) * 100, 9);
  expect(curve.maxDrawdownPct).toBeCloseTo((-30 / 1030) * 100, 9);
  expect(equityCurve(1000, [], 7, { time: 9, pnl: 0 }).points).toEqual([
    { time: 7, equity: 1000, drawdownPct: 0 },
  ]);
});
