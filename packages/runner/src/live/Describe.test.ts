import { expect, test } from "bun:test";
import { describeMemoryEvent, describeReason } from "./Describe.ts";

test("a blocked signal's reason reads like the log line the style guide asks for", () => {
  const until = Date.parse("2026-03-02T14:30:00Z");
  expect(describeReason({ code: "symbolCooldown", data: { until } })).toBe(
    "symbolCooldown until 2026-03-02T14:30Z",
  );
  expect(describeReason({ code: "scoreBelowThreshold", data: { score: 71.234, threshold: 75 } })).toBe(
    "scoreBelowThreshold score=71.23 threshold=75",
  );
  expect(describeReason({ code: "manualPause", data: { until, reason: "paused by owner" } })).toBe(
    'manualPause until 2026-03-02T14:30Z reason="paused by owner"',
  );
  expect(
    describeMemoryEvent({
      rule: "symbolCooldown",
      action: "fired",
      time: 0,
      scope: "SOLUSDT",
      until,
      data: { losses: 2, tradeId: "t" },
    }),
  ).toBe('symbolCooldown fired "SOLUSDT" until 2026-03-02T14:30Z');
});
